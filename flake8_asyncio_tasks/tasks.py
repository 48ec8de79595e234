"""What a call makes, for AIO200-AIO203 and AIO300-AIO301: a task, a gathering, a
coroutine, an event loop fetched or made (:class:`TaskCheck`), and which module-level
loops a module never runs.  The findings are made in
:mod:`~flake8_asyncio_tasks.task_findings`, from what the visitor recorded about each
call's surroundings (statement, ``await``, truth test, assignment) and the names read
in the function.  A call that cannot be resolved makes nothing: unknown means silent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from flake8_asyncio_tasks.blocking import may_be, resolve_candidate
from flake8_asyncio_tasks.clients import CLIENT_MODULES, client_method
from flake8_asyncio_tasks.names import Scope, ScopeKind
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, ProjectClass, ProjectFunction, Ref
from flake8_asyncio_tasks.syntax import display_name, dotted_source, local_match, spelled
from flake8_asyncio_tasks.tables import LOOP_RUN_METHODS, spelled_last_names
from flake8_asyncio_tasks.task_tables import (
    ASYNC_ANY_METHOD,
    ASYNC_ANY_MODULES,
    COROUTINE_DECORATORS,
    GATHERS,
    GET_EVENT_LOOP,
    LIBRARY_COROUTINES,
    LOOP_NAMES,
    LOOPS,
    NEW_LOOPS,
    TASK_FACTORIES,
)
from flake8_asyncio_tasks.transitive import is_plain
from flake8_asyncio_tasks.visitor import (
    CallSite,
    Visitor,
    decorator_callee,
)

KIND_TASK, KIND_GATHER, KIND_COROUTINE, KIND_GET_LOOP, KIND_NEW_LOOP = range(5)
#: what a call's surroundings do with a value that is lost if it is a coroutine or task:
#: with project analysis, such a call is resolved whatever its name
_LOSING_USAGES: Final = frozenset({
    "expr", "chained", "cancelled", "truth", "format", "compare", "iterate", "late"})
_SET_EVENT_LOOP: Final = frozenset({"set_event_loop"})
FUNCTION_SCOPES: Final = (ScopeKind.FUNCTION, ScopeKind.COROUTINE)
_LIBRARY_LAST_NAMES: Final = spelled_last_names(
    frozenset({*LIBRARY_COROUTINES, *TASK_FACTORIES, *GATHERS, *NEW_LOOPS, GET_EVENT_LOOP})
) | {"create_task"}


def kind_is_task(kind: int) -> bool:
    """A :meth:`TaskCheck.kind` that creates a task."""
    return kind == KIND_TASK


def kind_is_coroutine(kind: int) -> bool:
    """A :meth:`TaskCheck.kind` that makes a coroutine object."""
    return kind == KIND_COROUTINE


class TaskCheck:
    """Classifies the calls of one module and reports lost tasks and coroutines."""

    def __init__(self, visitor: Visitor) -> None:
        self.visitor = visitor
        self.resolver = visitor.resolver
        factories = visitor.settings.task_factories
        self.factories = TASK_FACTORIES | factories
        self.last_names = (
            _LIBRARY_LAST_NAMES
            | {name.rpartition(".")[2] for name in factories}
            | visitor.function_names
        )
        self._kinds: dict[int, tuple[int, str] | None] = {}
        self._sites: dict[int, CallSite] | None = None
        self.user_factories = bool(factories)
        #: the module uses a library whose objects are async in every method (redis)
        self.any_attribute = not visitor.imported_modules.isdisjoint(
            ASYNC_ANY_MODULES) or not visitor.imported_modules.isdisjoint(CLIENT_MODULES)

    def sites(self) -> dict[int, CallSite]:
        """id(call node) -> its call site, built when first asked."""
        if self._sites is None:
            self._sites = {id(site.node): site for site in self.visitor.calls}
        return self._sites

    def kind(self, site: CallSite) -> tuple[int, str] | None:
        """What the call makes (task, gather, coroutine, loop) and its name for messages."""
        key = id(site.node)
        if key in self._kinds:
            return self._kinds[key]
        found = self._kinds[key] = self._kind(site)
        return found

    def _kind(self, site: CallSite) -> tuple[int, str] | None:
        func = site.node.func
        candidate = resolve_candidate(site, self.last_names, self.visitor, self.any_attribute)
        if candidate is not None:
            ref = candidate[1]
        elif self.resolver.project is not None and self._may_lose(site) and (
                self.visitor.may_name_a_definition(func, site.scope)):
            # ``self.client.close()``: a method of a class of another module
            ref = self.resolver.callee(site)
            if not isinstance(ref, ProjectFunction):
                return None
        else:
            return None
        if isinstance(ref, str):
            if ref in self.factories:
                return KIND_TASK, display_name(ref)
            if self.user_factories and display_name(ref) in self.factories:
                return KIND_TASK, display_name(ref)
            found_client = client_method(ref)
            if found_client is not None and not found_client[1].sync:
                return KIND_COROUTINE, spelled(func)  # await client.messages.create(...)
            if ASYNC_ANY_METHOD:
                owner_type, _, method_name = ref.rpartition(".")
                exceptions = ASYNC_ANY_METHOD.get(owner_type)
                if exceptions is not None and method_name not in exceptions and not (
                        method_name.startswith("_")):
                    return KIND_COROUTINE, spelled(func)  # a client async in every method
            if ref in GATHERS:
                return KIND_GATHER, display_name(ref)
            if ref in LIBRARY_COROUTINES:
                if ref.rpartition(".")[0] in LOOPS:
                    return KIND_COROUTINE, spelled(func)  # loop.sock_recv(...), as written
                return KIND_COROUTINE, display_name(ref)
            if ref == GET_EVENT_LOOP:
                return KIND_GET_LOOP, display_name(ref)
            if ref in NEW_LOOPS:
                return KIND_NEW_LOOP, display_name(ref)
        if isinstance(ref, ProjectFunction):
            summary = ref.summary
            if ref.dotted in self.factories or summary.spawns is not None:
                return KIND_TASK, spelled(func)
            if summary.coroutine:
                return KIND_COROUTINE, spelled(func)
            return None
        if isinstance(ref, ProjectClass):
            return None
        if isinstance(ref, FunctionRef):
            if local_match(ref, self.visitor.settings.task_factories, self.visitor.filename):
                return KIND_TASK, spelled(func)
            own = self.visitor.own_function(ref) if (
                self.resolver.project is not None) else None
            if own is not None and own.spawns is not None and not ref.is_async:
                return KIND_TASK, spelled(func)  # def spawn(c): return asyncio.create_task(c)
            if ref.is_async and not ref.scope.is_generator and is_plain(ref, self.resolver):
                return KIND_COROUTINE, spelled(func)
            if not ref.is_async and self._made_async(ref):
                return KIND_COROUTINE, spelled(func)  # @sync_to_async def ...
            return None
        if isinstance(ref, ClassRef):
            return None
        # loop.create_task(...), also through an alias: spawn = loop.create_task
        method = self.resolver.bound_method(func, site.scope)
        if method is not None and method[0].attr == "create_task":
            attribute, where = method
            if self.is_loop(attribute.value, where):
                return KIND_TASK, spelled(attribute)
        return None

    def _may_lose(self, site: CallSite) -> bool:
        """The call's value is used in a way that loses a coroutine or task."""
        usage = site.usage
        if usage in _LOSING_USAGES:
            return True
        if usage != "assign" or site.target is None:
            return False
        return unread_target(site) or (id(site.scope), site.target) in self.visitor.iterated_names

    def _made_async(self, ref: FunctionRef) -> bool:
        """A sync ``def`` whose only decorator makes it a coroutine function."""
        decorators = ref.node.decorator_list
        if len(decorators) != 1 or ref.scope.parent is None:
            return False
        return self.resolver.resolve(
            decorator_callee(decorators[0]), ref.scope.parent) in COROUTINE_DECORATORS

    def is_loop(self, node: ast.expr, scope: Scope) -> bool:
        """An event loop: a known loop value, or an unknown one named ``loop``.

        A ``TaskGroup``, nursery or any other known object is not a loop.
        """
        ref: Ref | None = self.resolver.resolve(node, scope)
        if isinstance(ref, str):
            return ref in LOOPS
        if isinstance(ref, (FunctionRef, ClassRef)):
            return False
        name = dotted_source(node)
        return name is not None and name.rpartition(".")[2] in LOOP_NAMES


@dataclass
class _LoopUses:
    """What the calls of one scope do with event loops, keyed by variable name."""

    runs_some_loop: bool = False  # any .run_until_complete() / .run_forever()
    create_task: dict[str, list[ast.Call]] = field(default_factory=dict)
    #: name -> calls of asyncio functions given ``loop=name`` (harmless uses)
    loop_keyword: dict[str, list[tuple[ast.Call, str]]] = field(default_factory=dict)
    set_event_loop: dict[str, int] = field(default_factory=dict)


def _loop_uses(calls: list[CallSite], tasks: TaskCheck, scope: Scope) -> _LoopUses:
    """One pass over a scope's calls; each call is resolved at most once."""
    uses = _LoopUses()
    indirect = tasks.visitor.indirect_names
    for call in calls:
        node = call.node
        func = node.func
        # loop.run_forever() / loop.create_task(), also through an alias of the method
        method = None
        if isinstance(func, ast.Attribute) or (isinstance(func, ast.Name)
                                               and func.id in indirect):
            method = tasks.resolver.bound_method(func, call.scope)
        if method is not None:
            attribute, _ = method
            if attribute.attr in LOOP_RUN_METHODS:
                uses.runs_some_loop = True
            elif attribute.attr == "create_task" and isinstance(attribute.value, ast.Name):
                uses.create_task.setdefault(attribute.value.id, []).append(node)
        loop_names = [k.value.id for k in node.keywords
                      if k.arg == "loop" and isinstance(k.value, ast.Name)]
        first = node.args[0] if node.args else None
        setter = first.id if isinstance(first, ast.Name) and may_be(
            call, _SET_EVENT_LOOP, indirect) else None
        if not loop_names and setter is None:
            continue
        callee = tasks.resolver.resolve(func, scope)
        if not isinstance(callee, str):
            continue
        if callee.startswith("asyncio."):
            for name in loop_names:
                uses.loop_keyword.setdefault(name, []).append((node, callee))
        if setter is not None and callee == "asyncio.set_event_loop":
            uses.set_event_loop[setter] = uses.set_event_loop.get(setter, 0) + 1
    return uses


def idle_module_loops(visitor: Visitor) -> dict[str, int]:
    """Module-level loops the module itself never runs nor hands on (another module
    may still import one): name -> line of the call that makes it.  For summaries."""
    tasks = TaskCheck(visitor)
    loops: list[tuple[CallSite, str]] = []
    for site in visitor.calls:
        if site.scope.kind is not ScopeKind.MODULE or site.usage != "assign" or (
                not site.target):
            continue
        found = tasks.kind(site)
        if found is not None and found[0] in (KIND_GET_LOOP, KIND_NEW_LOOP):
            loops.append((site, found[1]))
    return {name: site.node.lineno for site, name, _ in idle_loops(visitor, tasks, loops)}


def idle_loops(
    visitor: Visitor, tasks: TaskCheck, loops: list[tuple[CallSite, str]]
) -> Iterator[tuple[CallSite, str, list[ast.Call]]]:
    """The loops of ``loops`` (``name = new_event_loop()`` calls) that their scope never
    runs nor hands on, each with the calls that schedule tasks on it, in order."""
    calls_by_scope: dict[int, list[CallSite]] = {}
    for call in visitor.calls:
        calls_by_scope.setdefault(id(call.scope), []).append(call)
    summaries: dict[int, _LoopUses] = {}
    for site, source in loops:
        scope, name = site.scope, site.target
        assert name is not None
        if source == GET_EVENT_LOOP and scope.kind is not ScopeKind.MODULE:
            continue
        if len(scope.bindings.get(name, ())) != 1 or name in scope.global_names:
            continue
        if scope.read_inside(name):
            continue  # a nested function may run it
        if (id(scope), name) in visitor.runs_loop:
            continue
        uses = summaries.get(id(scope))
        if uses is None:
            uses = summaries[id(scope)] = _loop_uses(
                calls_by_scope.get(id(scope), []), tasks, scope)
        keyword_uses = uses.loop_keyword.get(name, [])
        set_as_current = uses.set_event_loop.get(name, 0)
        harmless = visitor.attribute_bases.get((id(scope), name), 0)
        harmless += len(keyword_uses) + set_as_current
        if scope.loads.get(name, 0) > harmless:
            continue  # returned, passed on, stored: someone else may run it
        if set_as_current and uses.runs_some_loop:
            continue
        scheduling = list(uses.create_task.get(name, []))
        scheduling += [node for node, callee in keyword_uses if callee in TASK_FACTORIES]
        yield site, name, sorted(scheduling, key=lambda n: (n.lineno, n.col_offset))


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def unread_target(site: CallSite) -> bool:
    """Assigned to a local name that nothing in the function ever reads."""
    scope = site.scope
    target = site.target
    if target is None or scope.kind not in FUNCTION_SCOPES:
        return target == "_" and site.usage == "assign"
    return target not in scope.all_loads()
