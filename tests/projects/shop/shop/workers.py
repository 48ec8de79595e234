"""Coroutines using another module's queue: only the calls that can wait are reported."""
import asyncio

from shop.queues import SyncQueue


class Worker:
    def __init__(self) -> None:
        self.queue = SyncQueue()

    async def feed(self, flag: bool) -> None:
        self.queue.put_nowait(1)
        self.queue.put(1, False)
        self.queue.put(1, block=False)
        self.queue.put(1, block=0)
        self.queue.get(block=False)
        self.queue.get(False)
        await asyncio.to_thread(self.queue.put, 1)
        self.queue.put(1)  # error: AIO109
        self.queue.put(1, timeout=5)  # error: AIO109
        self.queue.put(1, block=flag)  # error: AIO109
        self.queue.put_blocking(1)  # error: AIO109
        self.queue.get()  # error: AIO109

    async def grouped(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(asyncio.to_thread(self.queue.get))
        handler = lambda: self.queue.put(1)  # noqa: E731
        print(handler)

        def inner() -> None:
            self.queue.put(1)

        print(inner)
