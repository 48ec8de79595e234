"""Repositories: async base methods, one subclass overriding them as sync."""
import asyncio
import queue
from typing import Self


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


class Registry:
    """Attributes declared with a type and filled later, used from other modules."""

    def __init__(self) -> None:
        self.current: "Repository | None" = None  # noqa: UP037
        self.spare: MemoryRepository | None = None
        self.all: list[Repository] = []
        self.memories: dict[str, MemoryRepository] = {}

    def register(self, repo) -> None:  # noqa: ANN001 - any repository
        self.current = repo
        self.all.append(repo)


async def forget(registry: Registry) -> None:
    """Never awaits: a task of it ends in its first step."""
    registry.all.clear()


async def settle(registry: Registry) -> None:
    registry.all.clear()
    await asyncio.sleep(0)


class Store:
    @classmethod
    def open(cls) -> Self:
        return cls()

    async def flush(self) -> None:
        await asyncio.sleep(0)


class SyncStore(Store):
    def flush(self) -> None:  # overridden as a plain method
        pass


class Snapshot:
    """Reads its file in the constructor: making one blocks."""

    def __init__(self, path: str) -> None:
        with open(path) as handle:
            self.text = handle.read()
