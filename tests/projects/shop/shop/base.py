"""Repositories: async base methods, one subclass overriding them as sync."""
import queue


class Repository:
    async def save(self) -> None:
        pass

    async def refresh(self) -> None:
        pass


class MemoryRepository(Repository):
    def save(self) -> None:  # overridden as a plain method
        pass


class Inbox(queue.Queue):  # type: ignore[type-arg]
    pass
