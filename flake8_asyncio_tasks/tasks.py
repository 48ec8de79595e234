"""AIO200-AIO203, AIO300-AIO301: tasks and coroutines that never run or are lost.

Every decision is made from what the visitor recorded about the call's surroundings
(statement, ``await``, truth test, assignment) and the names read in the function.
Whatever lets a task or coroutine escape counts as keeping it: ``await``, ``return``,
``yield``, passing it to any call, storing it in an attribute, container or global,
or reading the variable anywhere in the function (nested functions included).
When unsure, stay silent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from flake8_asyncio_tasks.blocking import may_be, resolve_candidate
from flake8_asyncio_tasks.clients import CLIENT_MODULES, client_method
from flake8_asyncio_tasks.loops import (
    imported_idle_loops,
    unrun_self_loops,
    used_by_other_modules,
)
from flake8_asyncio_tasks.names import (
    ClassRef,
    FunctionRef,
    ProjectClass,
    ProjectFunction,
    Ref,
    Scope,
    ScopeKind,
    Value,
    display_name,
    dotted_source,
    local_match,
    spelled,
)
from flake8_asyncio_tasks.rules import (
    AWAIT_BINDS_LATE,
    DISCARDED_AWAITABLE,
    DISCARDED_TASK,
    GET_EVENT_LOOP_INSIDE,
    GET_EVENT_LOOP_OUTSIDE,
    TASK_ON_UNRUN_LOOP,
    UNAWAITED_COROUTINE,
    UNUSED_TASK,
    with_note,
)
from flake8_asyncio_tasks.tables import (
    ASYNC_ANY_METHOD,
    ASYNC_ANY_MODULES,
    COROUTINE_DECORATORS,
    GATHERS,
    GET_EVENT_LOOP,
    LIBRARY_COROUTINES,
    LOOP_NAMES,
    LOOP_RUN_METHODS,
    LOOPS,
    NEW_LOOPS,
    PLAIN_RESULTS,
    TASK_FACTORIES,
    VALUE_CONSUMERS,
    spelled_last_names,
)
from flake8_asyncio_tasks.transitive import is_plain
from flake8_asyncio_tasks.visitor import (
    CallSite,
    Finding,
    Visitor,
    decorator_callee,
)

_TASK, _GATHER, _COROUTINE, _GET_LOOP, _NEW_LOOP = range(5)
#: what a call's surroundings do with a value that is lost if it is a coroutine or task:
#: with project analysis, such a call is resolved whatever its name
_LOSING_USAGES: Final = frozenset({
    "expr", "chained", "cancelled", "truth", "format", "compare", "iterate", "late"})
_SET_EVENT_LOOP: Final = frozenset({"set_event_loop"})
_FUNCTION_SCOPES: Final = (ScopeKind.FUNCTION, ScopeKind.COROUTINE)
_CONSUMER_LAST_NAMES: Final = spelled_last_names(VALUE_CONSUMERS)
_LIBRARY_LAST_NAMES: Final = spelled_last_names(
    frozenset({*LIBRARY_COROUTINES, *TASK_FACTORIES, *GATHERS, *NEW_LOOPS, GET_EVENT_LOOP})
) | {"create_task"}


def kind_is_task(kind: int) -> bool:
    """A :meth:`TaskCheck.kind` that creates a task."""
    return kind == _TASK


def kind_is_coroutine(kind: int) -> bool:
    """A :meth:`TaskCheck.kind` that makes a coroutine object."""
    return kind == _COROUTINE


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
                return _TASK, display_name(ref)
            if self.user_factories and display_name(ref) in self.factories:
                return _TASK, display_name(ref)
            found_client = client_method(ref)
            if found_client is not None and not found_client[1].sync:
                return _COROUTINE, spelled(func)  # await client.messages.create(...)
            if ASYNC_ANY_METHOD:
                owner_type, _, method_name = ref.rpartition(".")
                exceptions = ASYNC_ANY_METHOD.get(owner_type)
                if exceptions is not None and method_name not in exceptions and not (
                        method_name.startswith("_")):
                    return _COROUTINE, spelled(func)  # a client async in every method
            if ref in GATHERS:
                return _GATHER, display_name(ref)
            if ref in LIBRARY_COROUTINES:
                return _COROUTINE, display_name(ref)
            if ref == GET_EVENT_LOOP:
                return _GET_LOOP, display_name(ref)
            if ref in NEW_LOOPS:
                return _NEW_LOOP, display_name(ref)
        if isinstance(ref, ProjectFunction):
            summary = ref.summary
            if ref.dotted in self.factories or summary.spawns is not None:
                return _TASK, spelled(func)
            if summary.coroutine:
                return _COROUTINE, spelled(func)
            return None
        if isinstance(ref, ProjectClass):
            return None
        if isinstance(ref, FunctionRef):
            if local_match(ref, self.visitor.settings.task_factories, self.visitor.filename):
                return _TASK, spelled(func)
            own = self.visitor.own_function(ref) if (
                self.resolver.project is not None) else None
            if own is not None and own.spawns is not None and not ref.is_async:
                return _TASK, spelled(func)  # def spawn(c): return asyncio.create_task(c)
            if ref.is_async and not ref.scope.is_generator and is_plain(ref, self.resolver):
                return _COROUTINE, spelled(func)
            if not ref.is_async and self._made_async(ref):
                return _COROUTINE, spelled(func)  # @sync_to_async def ...
            return None
        if isinstance(ref, ClassRef):
            return None
        # loop.create_task(...), also through an alias: spawn = loop.create_task
        method = self.resolver.bound_method(func, site.scope)
        if method is not None and method[0].attr == "create_task":
            attribute, where = method
            if self.is_loop(attribute.value, where):
                return _TASK, spelled(attribute)
        return None

    def _may_lose(self, site: CallSite) -> bool:
        """The call's value is used in a way that loses a coroutine or task."""
        usage = site.usage
        if usage in _LOSING_USAGES:
            return True
        if usage != "assign" or site.target is None:
            return False
        return _unused(site) or (id(site.scope), site.target) in self.visitor.iterated_names

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


def _unused(site: CallSite) -> bool:
    """Assigned to a local name that nothing in the function ever reads."""
    scope = site.scope
    target = site.target
    if target is None or scope.kind not in _FUNCTION_SCOPES:
        return target == "_" and site.usage == "assign"
    return target not in scope.all_loads()


def check(visitor: Visitor, tasks: TaskCheck) -> Iterator[Finding]:
    """AIO200-AIO203 and AIO300-AIO301 for the calls of one module."""
    loops: list[tuple[CallSite, str]] = []
    self_loops: list[CallSite] = []  # self._loop = asyncio.new_event_loop()
    on_unrun_loop: set[int] = set()
    classified: list[tuple[CallSite, int, str]] = []
    for site in visitor.calls:
        found = tasks.kind(site)
        if found is None:
            continue
        kind, name = found
        if kind in (_GET_LOOP, _NEW_LOOP):
            if not visitor.in_legacy_branch(site.node.lineno):
                yield from _get_event_loop(site, kind, visitor)
            if site.usage == "assign" and site.target:
                loops.append((site, name))
            elif site.usage == "attribute" and kind == _NEW_LOOP:
                self_loops.append(site)
        else:
            classified.append((site, kind, name))
    consumed = _consumed_arguments(visitor, tasks) if any(
        kind == _COROUTINE for _, kind, _ in classified) else {}
    if loops:
        for finding, call_id in _unrun_loops(visitor, tasks, loops):
            on_unrun_loop.add(call_id)
            yield finding
    if self_loops:
        for finding, call_id in unrun_self_loops(visitor, self_loops):
            on_unrun_loop.add(call_id)
            yield finding
    for finding, call_id in imported_idle_loops(visitor):
        on_unrun_loop.add(call_id)
        yield finding
    if "weakref" in visitor.imported_modules:
        yield from _weakly_kept(visitor, tasks)
    for site, kind, name in classified:
        node = site.node
        usage = site.usage
        if kind == _TASK and (fresh := _fresh_loop(site, tasks)) is not None:
            # asyncio.new_event_loop().create_task(...): nothing can ever run that loop
            yield Finding(node.lineno, node.col_offset, TASK_ON_UNRUN_LOOP.format(
                call=name, loop=fresh, fix="asyncio.run(main()), or keep the loop in a "
                "variable and run it with run_until_complete()"))
        elif kind in (_TASK, _GATHER):
            if usage in ("expr", "chained") and id(node) not in on_unrun_loop and not (
                    _passes_on_a_task(site, tasks)):
                # ensure_future(loop.run_in_executor(...)): the thread runs anyway; what is
                # lost is the result and the exception (AIO204), not the work
                rule = DISCARDED_AWAITABLE if _wraps_executor(node) else DISCARDED_TASK
                yield Finding(node.lineno, node.col_offset, rule.format(call=name))
            elif kind == _TASK and usage == "assign" and _unused(site) and (
                    id(node) not in on_unrun_loop):
                yield Finding(node.lineno, node.col_offset,
                              UNUSED_TASK.format(name=site.target, call=name))
        elif kind == _COROUTINE:
            if usage == "late":
                rest = site.target or "[...]"
                applied = "is indexed" if rest == "[...]" else (
                    f"has its method {rest} called" if rest.endswith("()")
                    else f"has its attribute {rest} read")
                yield Finding(node.lineno, node.col_offset, AWAIT_BINDS_LATE.format(
                    call=spelled(node.func), problem=applied, rest=rest))
                continue
            misuse = _misused(site, visitor, consumed.get(id(node)))
            if misuse is not None:
                yield Finding(node.lineno, node.col_offset,
                              UNAWAITED_COROUTINE.format(call=name, problem=misuse))


def _passes_on_a_task(site: CallSite, tasks: TaskCheck) -> bool:
    """``asyncio.ensure_future(task)`` of a name bound only to tasks (``task =
    loop.create_task(...)``): it returns that same task, which the name keeps."""
    node = site.node
    if site.last != "ensure_future" or len(node.args) != 1 or not isinstance(
            node.args[0], ast.Name):
        return False
    name = node.args[0].id
    if _kept_by_name(name, site.scope.enclosing_function().node):
        return True
    bindings = tasks.resolver.owner(name, site.scope).bindings.get(name, ())
    sites = tasks.sites()
    for binding in bindings or ():
        made = sites.get(id(binding.expr)) if isinstance(binding, Value) and (
            binding.item is None) else None
        found = tasks.kind(made) if made is not None else None
        if found is None or found[0] != _TASK:
            return False
    return bool(bindings)


def _kept_by_name(name: str, function: ast.AST) -> bool:
    """The function returns ``name`` or stores it (``refs.add(name)``, ``self.x = name``,
    ``d[k] = name``): a task it names is kept, and ``ensure_future(name)`` of a task
    returns that task."""
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name) and (
                node.value.id == name):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                node.func.attr in _STORES) and any(
                isinstance(arg, ast.Name) and arg.id == name for arg in node.args):
            return True
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and (
                node.value.id == name) and any(
                isinstance(target, (ast.Attribute, ast.Subscript)) for target in node.targets):
            return True
    return False


#: container methods that keep their argument
_STORES: Final = frozenset({"add", "append", "appendleft", "insert", "put_nowait", "setdefault"})


def _weakly_kept(visitor: Visitor, tasks: TaskCheck) -> Iterator[Finding]:
    """AIO200 for ``weak_tasks.add(asyncio.create_task(...))`` on a ``weakref.WeakSet``:
    a weak set does not keep the task alive, so it is as good as discarded."""
    sites: dict[int, CallSite] | None = None
    for site in visitor.calls:
        node = site.node
        func = node.func
        if site.last != "add" or len(node.args) != 1 or node.keywords or not isinstance(
                func, ast.Attribute) or not isinstance(node.args[0], (ast.Call, ast.Name)):
            continue
        if visitor.resolver.resolve(func.value, site.scope) != "weakref.WeakSet()":
            continue
        if sites is None:
            sites = tasks.sites()
        argument = node.args[0]
        # task = loop.create_task(...); weak.add(task): the add is its only read
        task = _only_use(argument, site.scope) if isinstance(argument, ast.Name) else (
            argument if isinstance(argument, ast.Call) else None)
        if task is None:
            continue
        inner = sites.get(id(task))
        found = tasks.kind(inner) if inner is not None else None
        if found is not None and found[0] == _TASK:
            name = found[1]
            text = with_note(DISCARDED_TASK.format(call=name), name,
                             f"kept only in the weakref.WeakSet {spelled(func.value)}, "
                             "which does not keep it alive")
            yield Finding(task.lineno, task.col_offset, text)


def _only_use(name: ast.Name, scope: Scope) -> ast.Call | None:
    """The call a function-local ``name`` is bound to, once, when this read is the only
    read of it anywhere in the function (nested scopes included)."""
    if scope.kind not in _FUNCTION_SCOPES or scope.loads.get(name.id) != 1:
        return None
    bindings = scope.bindings.get(name.id, ())
    if len(bindings) != 1 or not isinstance(bindings[0], Value) or (
            bindings[0].item is not None) or not isinstance(bindings[0].expr, ast.Call):
        return None
    if any(name.id in child.all_loads() for child in scope.children):
        return None
    return bindings[0].expr


def _wraps_executor(call: ast.Call) -> bool:
    """``ensure_future(loop.run_in_executor(...))``: a task around work in a thread."""
    inner = call.args[0] if call.args else None
    return isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and (
        inner.func.attr == "run_in_executor")


def _misused(site: CallSite, visitor: Visitor, consumer: str | None) -> str | None:
    """How a coroutine object is used as if it were its result, or ``None`` if it may run."""
    usage = site.usage
    if usage == "expr":
        return "is never awaited"
    if usage == "truth":
        return "is used as a truth value, which is always true"
    if usage == "format":
        return "is formatted into a string"
    if usage == "compare":
        return "is compared with a value"
    if usage == "iterate":
        return "is iterated (a TypeError)"
    if usage == "arg" and consumer is not None:
        return f"is passed to {consumer}() as a plain value"
    if usage == "return":
        declared = _plain_result(site, visitor)
        if declared is not None:
            return f"is returned by a sync function declared to return {declared}"
    if usage == "assign" and site.target is not None:
        if _unused(site):
            return f"is assigned to {site.target!r} and never used"
        scope = site.scope
        iterated = visitor.iterated_names.get((id(scope), site.target), 0)
        if iterated and scope.kind in _FUNCTION_SCOPES and iterated == scope.loads.get(
                site.target, 0) and not scope.read_inside(site.target):
            return f"is assigned to {site.target!r} and iterated (a TypeError)"
    return None


def _plain_result(site: CallSite, visitor: Visitor) -> str | None:
    """The plain type (``str``, ``dict``...) the sync function around ``site`` declares."""
    function = site.scope
    node = function.node
    if function.kind is not ScopeKind.FUNCTION or not isinstance(node, ast.FunctionDef):
        return None
    returns = node.returns
    if returns is None or function.parent is None:
        return None
    if isinstance(returns, ast.Subscript):
        returns = returns.value  # dict[str, int] is a dict
    declared = visitor.resolver.resolve(returns, function.parent)
    return declared if isinstance(declared, str) and declared in PLAIN_RESULTS else None


def _consumed_arguments(visitor: Visitor, tasks: TaskCheck) -> dict[int, str]:
    """id(call) -> the builtin or library function that reads it as a plain value:
    ``print(fetch())``, ``len(scan())``, ``json.dumps(load())``, ``logging.info(...)``."""
    consumed: dict[int, str] = {}
    indirect = visitor.indirect_names
    for site in visitor.calls:
        if not may_be(site, _CONSUMER_LAST_NAMES, indirect):
            continue
        node = site.node
        if not any(type(arg) is ast.Call for arg in (*node.args,
                                                     *(k.value for k in node.keywords))):
            continue
        candidate = resolve_candidate(site, _CONSUMER_LAST_NAMES, visitor)
        if candidate is None or candidate[1] not in VALUE_CONSUMERS:
            continue
        name = display_name(str(candidate[1]))
        for arg in (*node.args, *(k.value for k in node.keywords)):
            if type(arg) is ast.Call:
                consumed[id(arg)] = name
    return consumed


def _fresh_loop(site: CallSite, tasks: TaskCheck) -> str | None:
    """``asyncio.new_event_loop().create_task(...)``: the new loop's call, as written."""
    method = tasks.resolver.bound_method(site.node.func, site.scope)
    if method is None or method[0].attr != "create_task":
        return None
    receiver, where = method[0].value, method[1]
    if not isinstance(receiver, ast.Call):
        return None
    made = tasks.resolver.resolve(receiver.func, where)
    return f"{spelled(receiver.func)}()" if made in NEW_LOOPS else None


def _get_event_loop(site: CallSite, kind: int, visitor: Visitor) -> Iterator[Finding]:
    """AIO301 inside a coroutine; AIO300 where no coroutine encloses the call at all."""
    if kind != _GET_LOOP:
        return
    node = site.node
    coroutine = site.scope.coroutine
    if coroutine is not None:
        yield Finding(node.lineno, node.col_offset,
                      GET_EVENT_LOOP_INSIDE.format(coro=coroutine.name))
        return
    scope: Scope | None = site.scope
    while scope is not None:
        if scope.kind is ScopeKind.COROUTINE:
            return  # a callback or helper defined in a coroutine runs in its loop
        scope = scope.parent
    if id(node) in visitor.default_calls:
        # def connect(loop=asyncio.get_event_loop()): one loop, fetched at import time
        yield Finding(node.lineno, node.col_offset, GET_EVENT_LOOP_OUTSIDE.format(
            fix="None as the default and asyncio.get_running_loop() in the function: a "
                "default is computed once, when the def runs (at import), so every call "
                "gets that loop"))
        return
    yield Finding(node.lineno, node.col_offset, GET_EVENT_LOOP_OUTSIDE.format())


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


def _unrun_loops(
    visitor: Visitor, tasks: TaskCheck, loops: list[tuple[CallSite, str]]
) -> Iterator[tuple[Finding, int]]:
    """AIO203: ``loop.create_task()`` on a loop that this scope never runs or hands on.

    ``get_event_loop()`` counts only at module level: in a function it is usually a
    callback's way to reach the loop that is already running.
    """
    for site, name, scheduling in _idle_loops(visitor, tasks, loops):
        if scheduling and site.scope.kind is ScopeKind.MODULE and used_by_other_modules(
                visitor, name):
            continue  # another module may import the loop and run it
        for node in scheduling:
            text = TASK_ON_UNRUN_LOOP.format(call=spelled(node.func), loop=name)
            yield Finding(node.lineno, node.col_offset, text), id(node)


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
        if found is not None and found[0] in (_GET_LOOP, _NEW_LOOP):
            loops.append((site, found[1]))
    return {name: site.node.lineno for site, name, _ in _idle_loops(visitor, tasks, loops)}


def _idle_loops(
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
