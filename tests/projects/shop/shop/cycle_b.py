from shop import cycle_a


async def pong() -> None:
    cycle_a.ping()  # error: AIO202
