"""A sync override of a base class's coroutine (the base in another module) that returns
a sibling coroutine: callers await it like the base's, so nothing is lost; the same
return from a method that overrides nothing is reported."""
from shop.base import Repository


class CachedRepository(Repository):
    async def reload(self) -> dict[str, int]:
        return {}

    def refresh(self) -> dict[str, int]:  # type: ignore[override]
        return self.reload()  # type: ignore[return-value]

    def warm(self) -> dict[str, int]:
        return self.reload()  # error: AIO202
