"""A loop on self that a module in a subpackage named build runs."""
import asyncio

from jobs.work import job


class Engine:
    def __init__(self) -> None:
        self._engine_loop = asyncio.new_event_loop()

    def schedule(self) -> None:
        self._engine_loop.create_task(job())  # error: AIO200
