"""Same names from the synchronous module: nothing here is a coroutine."""
from .legacy import Client, fetch


async def use() -> None:
    fetch("x")
    Client().close()
