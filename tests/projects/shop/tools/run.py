"""A script beside its package, importing it absolutely."""
import asyncio

from shop import Client, fetch
from shop.settings import load_config


async def main() -> None:
    fetch("x")  # error: AIO202
    Client().close()  # error: AIO202
    load_config()  # error: AIO109


asyncio.run(main())
