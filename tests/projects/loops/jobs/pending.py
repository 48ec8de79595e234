"""A loop kept on self that nothing in the project runs."""
import asyncio

from jobs.work import job


class Pending:
    def __init__(self) -> None:
        self._pending_loop = asyncio.new_event_loop()
        self._pending_task: asyncio.Task[None] | None = None

    def submit(self) -> None:
        self._pending_task = self._pending_loop.create_task(job())  # error: AIO203

    def forget(self) -> None:
        self._pending_loop.create_task(job())  # error: AIO203

    def close(self) -> None:
        if self._pending_loop is not None and not self._pending_loop.is_closed():
            self._pending_loop.close()
        print(self._pending_task)
