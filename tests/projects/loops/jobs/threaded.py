"""Loops kept on self that something runs or hands on: nothing to report."""
import asyncio
import threading

from jobs.work import job


class Threaded:
    def __init__(self) -> None:
        self._thread_loop = asyncio.new_event_loop()
        threading.Thread(target=self._thread_loop.run_forever, daemon=True).start()

    def submit(self) -> None:
        self._thread_loop.call_soon_threadsafe(self._thread_loop.create_task, job())  # error: AIO200


class Handed:
    def __init__(self) -> None:
        self._handed_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._handed_loop)  # whoever runs the current loop

    def submit(self) -> None:
        self._handed_loop.create_task(job())  # error: AIO200


class Returned:
    def __init__(self) -> None:
        self._given_loop = asyncio.new_event_loop()

    def loop(self) -> asyncio.AbstractEventLoop:
        return self._given_loop

    def submit(self) -> None:
        self._given_loop.create_task(job())  # error: AIO200


class Sometimes:
    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self._maybe_loop = loop or asyncio.new_event_loop()

    def submit(self) -> None:
        self._maybe_loop.create_task(job())


class Running:
    def __init__(self) -> None:
        self._running_loop = asyncio.new_event_loop()

    def submit(self) -> None:
        self._running_loop.create_task(job())  # error: AIO200

    def main(self) -> None:
        self._running_loop.run_until_complete(asyncio.sleep(0))


class ByName:
    def __init__(self) -> None:
        self._named_loop = asyncio.new_event_loop()

    def submit(self) -> None:
        self._named_loop.create_task(job())  # error: AIO200
        getattr(self, "_named_loop").run_forever()  # noqa: B009


class Public:
    """A public loop attribute is the class's interface: its users may run it."""

    def __init__(self) -> None:
        self.event_loop = asyncio.new_event_loop()

    def start(self) -> None:
        self.event_loop.create_task(job())  # error: AIO200
