"""The walk's shared parts: call-site records, the state it fills, and the helpers
that push nodes and mark how a call's value is used (see :mod:`~flake8_asyncio_tasks.visitor`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Final

from flake8_asyncio_tasks.names import Scope
from flake8_asyncio_tasks.refs import UNRESOLVED, Ref, Unresolved
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.summary import ModuleSummary


@dataclass(frozen=True, slots=True)
class Finding:
    """One report: position (1-based line, 0-based column) and ``"AIOxxx message"``."""

    line: int
    col: int
    text: str


@dataclass(slots=True)
class CallSite:
    """A call and what its surroundings do with the value it returns."""

    node: ast.Call
    scope: Scope
    #: "expr" (statement), "await", "truth", "assign", "return", "arg", "attribute"
    #: (``self.x = call``), "late" (``await call()[k]``: await applies to the subscript),
    #: "format" (in an f-string, t-string or ``%``), "compare", "iterate", "raise"
    #: (``raise Error(...)``), "chained" (``call().method()`` as a statement),
    #: "cancelled" (``call().cancel()``), "yield-from" (``yield from call()``), "" (other)
    usage: str = ""
    #: for usage "assign": the single local name the value is bound to; for "attribute":
    #: the dotted target (``self._task``); for "late": what is applied before the await
    #: (``"[...]"`` or ``".attr"``)
    target: str | None = None
    #: the callee's last name as written (``get`` for ``s.get()``, ``f`` for ``f()``,
    #: ``sync_to_async()`` for ``sync_to_async(f)()``): the checks' cheap first filter
    last: str | None = None
    #: the callee is a plain name (which an import or alias may bind to anything)
    by_name: bool = False
    #: what the callee resolves to, once asked (:func:`~flake8_asyncio_tasks.blocking.
    #: resolve_candidate` resolves each call once for every check)
    callee: Ref | None | Unresolved = None
    #: the same, resolved without the project (what a summary of the module records)
    local_callee: Ref | None | Unresolved = None

    def __post_init__(self) -> None:
        self.callee = self.local_callee = UNRESOLVED




#: fields that never hold a node worth visiting (contexts, operators)
_SKIPPED_FIELDS: Final = frozenset({"ctx", "op", "ops", "type_ignores"})

#: nodes with nothing below them that any check reads
_LEAVES: Final = frozenset({ast.Constant, ast.Pass, ast.Break, ast.Continue})

#: node type -> its child fields, last first, worth visiting (filled on first sight)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}



class WalkState:
    """What the walk records (set up by :class:`~flake8_asyncio_tasks.visitor.Visitor`),
    and the helpers every part of the walk uses to push nodes and mark call sites."""

    settings: Settings
    filename: str
    package: tuple[str, ...] | None
    resolver: Resolver
    root: Scope | None
    summary: ModuleSummary | None
    calls: list[CallSite]
    _sites: dict[int, CallSite]
    with_items: list[tuple[ast.expr, Scope, ast.With]]
    iterations: list[tuple[ast.expr, Scope]]
    non_blocking: dict[str, int]
    attribute_bases: dict[tuple[int, str], int]
    runs_loop: set[tuple[int, str]]
    function_names: set[str]
    indirect_names: set[str]
    from_imported: set[str]
    summary_only: bool
    imported_modules: set[str]
    catching_tries: list[tuple[int, int, int, str]]
    nonempty_queues: list[tuple[int, str, int, int]]
    #: ``while q.empty(): await ...`` loops: (function scope, receiver, the loop)
    empty_waits: list[tuple[Scope, str, ast.While]]
    legacy_branches: list[tuple[int, int, tuple[int, ...]]]
    version_flag_tests: list[tuple[ast.If, Scope, str, bool]]
    flag_conjuncts: list[tuple[ast.If, Scope, str, bool]]
    constant_dead: list[tuple[int, int]]
    default_calls: set[int]
    type_dispatch: list[tuple[int, int, int]]
    omitted_guards: list[tuple[int, tuple[int, int], tuple[int, int], str]]
    #: ``if force: return ...`` with the tokens of its ``else``: (function, the if, tokens)
    exit_guards: list[tuple[Scope, ast.If, list[str]]]
    type_exits: list[tuple[Scope, ast.If]]
    patched_blocks: list[tuple[ast.expr, Scope, int, int]]
    expecting_blocks: list[tuple[ast.expr, Scope, int, int]]
    attribute_reads: set[str]
    iterated_names: dict[tuple[int, str], int]
    _stack: list[tuple[ast.AST, Scope]]
    #: ids of the function scopes that return a ``create_task``-like call, and of those
    #: that call something named ``run``/``run_until_complete``/``run_forever``
    task_returns: set[int]
    loop_runners: set[int]
    _truth_tested: set[int]

    def _push(self, nodes: list[ast.AST] | list[ast.expr] | list[ast.stmt], scope: Scope) -> None:
        stack = self._stack
        for node in reversed(nodes):
            stack.append((node, scope))

    def _generic(self, node: ast.AST, scope: Scope) -> None:
        """Push the children worth visiting, last first (so they pop in source order)."""
        kind = type(node)
        fields = _CHILD_FIELDS.get(kind)
        if fields is None:
            # getattr: whatever a future Python adds, a node type without fields (or a
            # stray non-node) has no children, never an AttributeError
            fields = _CHILD_FIELDS[kind] = tuple(reversed(
                [f for f in getattr(kind, "_fields", ()) if f not in _SKIPPED_FIELDS]))
        push = self._stack.append
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                        push((item, scope))
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                push((value, scope))

    def _leaf(self, node: ast.AST, scope: Scope) -> None:
        """Constants and the like: nothing below them can matter."""

    def _site(self, call: ast.AST, scope: Scope) -> CallSite | None:
        """The record for ``call`` if it is a call, created ahead of its visit."""
        if not isinstance(call, ast.Call) or (self.summary_only and scope.coroutine is not None):
            return None
        site = self._sites.get(id(call))
        if site is None:
            site = CallSite(call, scope)
            self._sites[id(call)] = site
        return site

    def _mark_assigned(self, value: ast.expr, target: str, scope: Scope) -> None:
        """``target = call`` (also ``target = call if c else other``): bound, not used."""
        values = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
        for candidate in values:
            if type(candidate) is ast.Call:
                site = self._site(candidate, scope)
                if site is not None:
                    site.usage, site.target = "assign", target

    def _mark(self, value: ast.AST | None, usage: str, scope: Scope) -> None:
        if type(value) is ast.Call:
            site = self._site(value, scope)
            if site is not None:
                site.usage = usage

    def _truth(self, node: ast.expr, scope: Scope) -> None:
        """``node``'s value is only tested for truth (``if``, ``while``, ``not``...)."""
        if isinstance(node, ast.BoolOp):
            self._truth_tested.add(id(node))
        else:
            self._mark(node, "truth", scope)


def receiver_key(receiver: str, scope: Scope) -> str:
    """Key of a receiver such as ``sock`` (per function) or ``self._sock`` (per class)."""
    if receiver.startswith("self."):
        return receiver
    return f"{id(scope.enclosing_function())}:{receiver}"


def decorator_callee(decorator: ast.expr) -> ast.expr:
    """``@functools.lru_cache(maxsize=8)`` -> ``functools.lru_cache``."""
    return decorator.func if isinstance(decorator, ast.Call) else decorator

