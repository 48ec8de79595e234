"""Two modules importing each other."""
from shop import cycle_b


async def ping() -> None:
    await cycle_b.pong()
