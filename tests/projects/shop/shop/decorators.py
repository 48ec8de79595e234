"""A decorator that turns an async def into a sync function."""
import asyncio
import functools
from collections.abc import Callable
from typing import Any


def blocking(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        return asyncio.run(func(*args))
    return wrapper


@blocking
async def sync_entry() -> None:
    pass
