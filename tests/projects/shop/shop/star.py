"""A star import: what it brings in stays unknown."""
from .client import *  # noqa: F403


async def use() -> None:
    fetch("x")  # noqa: F405
