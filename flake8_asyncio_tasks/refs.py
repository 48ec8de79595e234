"""What a name resolves to, besides a dotted string: a function or class of the checked
module, or one of another project module (with its summary), and the protocols the
resolver uses to ask the project index about them.  See :mod:`~flake8_asyncio_tasks.names`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol, Union

from flake8_asyncio_tasks.summary import ClassSummary, FunctionSummary

if TYPE_CHECKING:
    from flake8_asyncio_tasks.names import Scope


class Unresolved:
    """The callee of a call site not resolved yet."""

    __slots__ = ()


UNRESOLVED: Final = Unresolved()


@dataclass(frozen=True, slots=True, eq=False)
class FunctionRef:
    """A ``def`` or ``async def`` written in the checked module."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    scope: Scope  # the function's own body scope
    is_async: bool


@dataclass(frozen=True, slots=True)
class ClassRef:
    """A class of the checked module; ``instance`` for ``self`` and ``Cls()``."""

    scope: Scope
    instance: bool


@dataclass(frozen=True, slots=True, eq=False)
class ProjectFunction:
    """A function or method defined in another module of the project."""

    module: str  # its module's dotted name
    path: str  # that module's path, for messages
    summary: FunctionSummary

    @property
    def dotted(self) -> str:
        """``shop.client.fetch`` / ``shop.client.Client.close``."""
        return f"{self.module}.{self.summary.qualname}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProjectFunction) and other.dotted == self.dotted

    def __hash__(self) -> int:
        return hash(self.dotted)


@dataclass(frozen=True, slots=True, eq=False)
class ProjectClass:
    """A class defined in another module of the project; ``instance`` for ``Cls()``."""

    module: str
    path: str
    summary: ClassSummary
    instance: bool

    def as_instance(self, instance: bool = True) -> ProjectClass:
        """The class itself (``instance=False``) or an instance of it."""
        if instance == self.instance:
            return self
        return ProjectClass(self.module, self.path, self.summary, instance)

    def _key(self) -> tuple[str, str, bool]:
        return self.module, self.summary.name, self.instance

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProjectClass) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(self._key())


Ref = Union[str, FunctionRef, ClassRef, ProjectFunction, ProjectClass]  # noqa: UP007


class ProjectLookup(Protocol):
    """What the resolver asks the project index (:mod:`~flake8_asyncio_tasks.project`)."""

    def first_party(self, top: str) -> bool:
        """``top`` is a top-level module or package of the project."""

    def lookup(self, dotted: str, depth: int) -> Ref | None:
        """What a dotted name of the project is (a module stays its dotted name)."""

    def member(self, cls: ProjectClass, attr: str, depth: int) -> tuple[bool, Ref | None]:
        """``(decided, what)`` for ``attr`` of a project class, through its bases.

        ``decided`` is false only when no class of its MRO defines ``attr`` and every
        base is known: a class deriving from it looks further.
        """

    def element_member(self, cls: ProjectClass, attr: str, values: bool, depth: int
                       ) -> Ref | None:
        """An element of a container attribute of ``cls``'s instances."""

    def returned(self, func: ProjectFunction, depth: int) -> Ref | None:
        """What calling (and, for a coroutine, awaiting) ``func`` gives."""

    def blocking_chain(self, func: ProjectFunction) -> BlockingChain | None:
        """Why a sync function of another module blocks, if it does."""

    def blocking_chain_given(self, func: ProjectFunction,
                             given: dict[str, ast.expr]) -> BlockingChain | None:
        """The same, for a call passing ``given`` (parameter -> value), followed down."""

    def constant(self, dotted: str) -> ast.Constant | None:
        """The literal a project module binds the module-level name ``dotted`` to."""

    def idle_loop(self, dotted: str) -> tuple[str, int] | None:
        """``(path, line)`` where a project module makes the module-level event loop
        ``dotted`` names, when that module never runs it nor hands it on."""

    def mentioned_elsewhere(self, words: tuple[str, ...], imported: str = "") -> bool:
        """Some other source file of the project has all ``words`` (as whole words), and
        ``imported`` in an import statement if given; or the project is too big to tell:
        the code there may use what this file made."""


class BlockingChain(Protocol):
    """The functions from a project function down to a blocking call."""

    @property
    def where(self) -> str:
        """Where the root blocking call is: ``shop/settings.py:14``."""

    def lead(self) -> str:
        """The chain without the root's place."""

    def text(self) -> str:
        """``settings.read_file() (shop/settings.py:12) -> open() (shop/settings.py:14)``."""
