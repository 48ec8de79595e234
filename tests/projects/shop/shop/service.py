"""The service: every cross-module mistake, next to its correct form."""
import asyncio
from typing import TYPE_CHECKING

import shop.client
from shop import client as client_module
from shop import settings

from . import legacy
from .base import Inbox, MemoryRepository, Registry, Repository, forget, settle
from .client import Client, fetch, make_client, new_client, session
from .decorators import sync_entry
from .paths import DATA, NOWHERE
from .settings import defaults, load_config
from .tasks import Connection, run_anywhere, run_sync, spawn, spawn_kept

if TYPE_CHECKING:
    from .client import Client as ClientType

try:
    from .client import loop as shared_loop
except ImportError:
    shared_loop = None


class Orders(Repository):
    def __init__(self) -> None:
        self.client = Client()
        self.repo: Repository = MemoryRepository()
        self.inbox = Inbox()

    async def handle(self, other: "ClientType") -> None:
        fetch("x")  # error: AIO202
        await fetch("y")
        task = asyncio.create_task(fetch("z"))
        await task
        await asyncio.gather(fetch("a"), fetch("b"))
        self.client.close()  # error: AIO202
        await self.client.close()
        other.close()  # error: AIO202
        self.save()  # error: AIO202
        await self.save()
        super().refresh()  # error: AIO202
        self.repo.save()  # MemoryRepository.save is sync: nothing to await
        load_config()  # error: AIO109
        settings.load_config()  # error: AIO109
        defaults()
        settings.version()  # cached, without parameters: a one-off read
        await asyncio.to_thread(load_config)
        session.get("https://example.org")  # error: AIO101
        self.client.http.get("https://example.org")  # error: AIO101
        self.client.raw.get("https://example.org")  # error: AIO101
        self.client.plain.get("https://example.org")  # error: AIO101
        self.client.child().close()  # error: AIO202
        new_client().close()  # error: AIO202
        self.client.fetch_sync("https://example.org")  # error: AIO109
        self.inbox.get()  # error: AIO106
        spawn(fetch("c"))  # error: AIO200
        kept = spawn(fetch("d"))
        await kept
        spawn_kept(fetch("e"))
        Connection().close()  # a handle to its own work, not a task factory
        run_sync(fetch("f"))  # error: AIO110
        run_anywhere(fetch("g"))
        client_module.fetch("h")  # error: AIO202
        shop.client.fetch("i")  # error: AIO202
        make_client().close()  # error: AIO202
        sync_entry()  # the decorator made it a plain function
        legacy.fetch("j")
        legacy.Client().close()
        MemoryRepository().save()
        shared_loop.create_task(fetch("k"))  # error: AIO200
        await asyncio.to_thread(load_config())  # error: AIO111
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, settings.load_config)
        async with asyncio.TaskGroup() as group:
            group.create_task(fetch("l"))
            group.create_task(self.client.close())
        later = lambda: load_config()  # noqa: E731  (runs wherever it is called)
        later()  # lambdas are not followed (a documented blind spot)

        def in_a_thread() -> None:
            load_config()
            fetch_sync_result = self.client.fetch_sync("u")
            print(fetch_sync_result)

        await asyncio.to_thread(in_a_thread)

    async def files(self) -> None:
        unused = spawn(fetch("m"))  # error: AIO201
        DATA.joinpath("orders.json").read_text()  # error: AIO103
        (DATA / "log.txt").write_text("x")  # error: AIO103
        NOWHERE.write_text("x")  # /dev/null: no disk behind it

    async def shadowed(self, fetch, load_config) -> None:  # noqa: ANN001
        fetch("x")  # a parameter: not the imported coroutine function
        load_config()


def process(thing: object, duck) -> None:  # noqa: ANN001
    duck.close()  # unknown receiver: silent
    thing.save()  # type: ignore[attr-defined]


async def registered(registry: Registry) -> None:
    """Attributes another module declares with a type and fills later."""
    registry.current.refresh()  # error: AIO202
    registry.spare.save()  # MemoryRepository.save is sync
    await registry.current.save()
    registry.all[0].refresh()  # error: AIO202
    await registry.all[-1].refresh()
    for repo in registry.all:
        repo.save()  # error: AIO202
    registry.memories["m"].save()  # MemoryRepository.save is sync
    for memory in registry.memories.values():
        memory.save()
    asyncio.create_task(forget(registry))  # done in its first step
    asyncio.create_task(settle(registry))  # error: AIO200
    from .base import Snapshot, Store, SyncStore

    Store.open().flush()  # error: AIO202
    SyncStore.open().flush()  # a SyncStore: its flush() is sync
    Snapshot("orders.json")  # error: AIO109
    Registry()


async def media(path: str) -> None:
    """Object state tested before a call on self: the file is read only without it."""
    from .media import Image

    image = Image(path=path)
    print(image.to_dict())  # content in memory whenever to_dict() reaches get_bytes()
    print(image.load())  # error: AIO109
