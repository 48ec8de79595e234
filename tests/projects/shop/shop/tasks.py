"""Helpers around tasks and event loops."""
import asyncio
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Task[Any]] = set()


def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    return asyncio.create_task(coro)


def spawn_kept(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    task = asyncio.create_task(coro)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


def run_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def run_anywhere(coro: Coroutine[Any, Any, Any]) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    raise RuntimeError("already in a loop: await it instead")


class Connection:
    async def _close(self, wait: float) -> None:
        await asyncio.sleep(wait)

    def close(self, wait: float = 1.0) -> "asyncio.Future[None]":
        """Close in the background; await the returned future to wait for it."""
        return asyncio.ensure_future(self._close(wait))
