"""get_event_loop() after another module's helper said that a loop runs (AIO300 silent);
after a helper that only fetches the loop, reported."""
import asyncio

from shop.runtime import loop_available, loop_or_none


def call_later(delay: float, callback) -> object:
    if not loop_available():
        raise RuntimeError("no loop")
    return asyncio.get_event_loop().call_later(delay, callback)


def call_soon(callback) -> None:
    if loop_or_none():
        asyncio.get_event_loop().call_soon(callback)  # error: AIO300
