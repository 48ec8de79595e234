"""A loop on self that a subclass in another module runs."""
import asyncio

from jobs.work import job


class Base:
    def __init__(self) -> None:
        self._shared_loop = asyncio.new_event_loop()

    def submit(self) -> None:
        self._shared_loop.create_task(job())  # error: AIO200
