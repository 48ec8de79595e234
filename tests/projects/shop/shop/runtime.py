"""Asks whether a loop runs: the test other modules make before get_event_loop()."""
import asyncio


def loop_available() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def loop_or_none() -> asyncio.AbstractEventLoop | None:
    return asyncio.get_running_loop()
