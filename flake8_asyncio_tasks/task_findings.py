"""AIO200-AIO203, AIO300-AIO301: the findings, from what each call makes according to
:class:`~flake8_asyncio_tasks.tasks.TaskCheck`.

Whatever lets a task or coroutine escape counts as keeping it: ``await``, ``return``,
``yield``, passing it to any call, storing it in an attribute, container or global,
or reading the variable anywhere in the function (nested functions included).
When unsure, stay silent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Final

from flake8_asyncio_tasks.event_loop_calls import get_event_loop_findings
from flake8_asyncio_tasks.loops import (
    imported_idle_loops,
    unrun_self_loops,
    used_by_other_modules,
)
from flake8_asyncio_tasks.names import Scope, ScopeKind, Value
from flake8_asyncio_tasks.refs import FunctionRef, ProjectFunction
from flake8_asyncio_tasks.rules import (
    AWAIT_BINDS_LATE,
    DISCARDED_AWAITABLE,
    DISCARDED_TASK,
    TASK_ON_UNRUN_LOOP,
    UNAWAITED_COROUTINE,
    UNUSED_TASK,
    with_note,
)
from flake8_asyncio_tasks.syntax import never_suspends, returns_nothing, spelled
from flake8_asyncio_tasks.task_tables import LOOP_CALLBACKS, LOOPS, NEW_LOOPS
from flake8_asyncio_tasks.tasks import (
    FUNCTION_SCOPES,
    KIND_COROUTINE,
    KIND_GATHER,
    KIND_GET_LOOP,
    KIND_NEW_LOOP,
    KIND_TASK,
    TaskCheck,
    idle_loops,
    unread_target,
)
from flake8_asyncio_tasks.unawaited import (
    consumed_arguments,
    deleted,
    entered_by_plain_with,
    misused,
    only_if_sync,
    rebound,
)
from flake8_asyncio_tasks.visitor import CallSite, Finding, Visitor


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
        if kind in (KIND_GET_LOOP, KIND_NEW_LOOP):
            if not visitor.in_legacy_branch(site.node.lineno):
                yield from get_event_loop_findings(site, kind, visitor)
            if site.usage == "assign" and site.target:
                loops.append((site, name))
            elif site.usage == "attribute" and kind == KIND_NEW_LOOP:
                self_loops.append(site)
        else:
            classified.append((site, kind, name))
    consumed = consumed_arguments(visitor, tasks) if any(
        kind == KIND_COROUTINE for _, kind, _ in classified) else {}
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
    yield from _factory_callbacks(visitor, tasks)
    for site, kind, name in classified:
        node = site.node
        usage = site.usage
        if kind == KIND_TASK and (fresh := _fresh_loop(site, tasks)) is not None:
            # asyncio.new_event_loop().create_task(...): nothing can ever run that loop
            yield Finding(node.lineno, node.col_offset, TASK_ON_UNRUN_LOOP.format(
                call=name, loop=fresh, fix="asyncio.run(main()), or keep the loop in a "
                "variable and run it with run_until_complete()"))
        elif kind in (KIND_TASK, KIND_GATHER):
            if kind == KIND_TASK and (_instant(site, tasks) or _uncalled(site, tasks) or (
                    _plain_call(site, tasks))):
                # a coroutine that never awaits: done in the task's first step; a
                # coroutine function passed uncalled: the call raises TypeError at once
                continue
            if usage in ("expr", "chained") and id(node) not in on_unrun_loop and not (
                    _passes_on_a_task(site, tasks)):
                # ensure_future(loop.run_in_executor(...)): the thread runs anyway; what is
                # lost is the result and the exception (AIO204), not the work
                rule = DISCARDED_AWAITABLE if _wraps_executor(site, tasks) else DISCARDED_TASK
                yield Finding(node.lineno, node.col_offset, rule.format(call=name))
            elif kind == KIND_TASK and usage == "assign" and id(node) not in on_unrun_loop and (
                    _only_given_callbacks(site)):
                # task = create_task(...); task.add_done_callback(cb): the callback lives
                # on the task, so nothing keeps the task once the function returns
                yield Finding(node.lineno, node.col_offset, with_note(
                    DISCARDED_TASK.format(call=name), name,
                    "kept only to add a done callback"))
            elif kind == KIND_TASK and usage == "assign" and unread_target(site) and (
                    id(node) not in on_unrun_loop) and not (
                    site.target != "_" and deleted(site)):
                # ``del task`` after loop.run_forever(): the name kept it until then
                # _ = create_task(...): the name says "thrown away", and so it is
                yield Finding(node.lineno, node.col_offset, DISCARDED_TASK.format(
                    call=name) if site.target == "_" else UNUSED_TASK.format(
                    name=site.target, call=name))
        elif kind == KIND_COROUTINE:
            if usage == "late":
                rest = site.target or "[...]"
                applied = "is indexed" if rest == "[...]" else (
                    f"has its method {rest} called" if rest.endswith("()")
                    else f"has its attribute {rest} read")
                yield Finding(node.lineno, node.col_offset, AWAIT_BINDS_LATE.format(
                    call=spelled(node.func), problem=applied, rest=rest))
                continue
            misuse = misused(site, visitor, consumed.get(id(node)))
            if misuse is not None and not only_if_sync(site) and not rebound(site) and (
                    not entered_by_plain_with(site, visitor)):
                yield Finding(node.lineno, node.col_offset,
                              UNAWAITED_COROUTINE.format(call=name, problem=misuse))




def _factory_callbacks(visitor: Visitor, tasks: TaskCheck) -> Iterator[Finding]:
    """AIO200 for ``loop.call_soon_threadsafe(asyncio.create_task, listen())``: the loop
    calls the task factory and drops what it returns, the task (a callback that is a
    lambda making one is marked where the walk reads it)."""
    resolver = tasks.resolver
    for site in visitor.calls:
        position = LOOP_CALLBACKS.get(site.last or "")
        node = site.node
        if position is None or len(node.args) <= position + 1 or not isinstance(
                node.func, ast.Attribute):
            continue
        callback = node.args[position]
        if not isinstance(callback, (ast.Name, ast.Attribute)):
            continue
        if resolver.resolve(node.func.value, site.scope) not in LOOPS:
            continue
        made = resolver.resolve(callback, site.scope)
        if not isinstance(made, str) or not (made in tasks.factories or (
                made.rpartition(".")[0] in LOOPS and made.endswith(".create_task"))):
            continue
        factory = spelled(callback)
        yield Finding(node.lineno, node.col_offset, with_note(
            DISCARDED_TASK.format(call=factory), factory,
            f"called by {spelled(node.func)}(), which drops what it returns"))


def _instant(site: CallSite, tasks: TaskCheck) -> bool:
    """``create_task(self.terminate())`` of an ``async def`` that never awaits: the
    loop's queue holds the task until its first step, which runs the coroutine to its
    end, so nothing can collect it mid-flight.  Only a coroutine function of this
    module or of the project, called directly and not decorated."""
    argument = _task_argument(site.node)
    if not isinstance(argument, ast.Call):
        return False
    callee = tasks.resolver.resolve(argument.func, site.scope)
    if isinstance(callee, FunctionRef):
        return callee.is_async and isinstance(callee.node, ast.AsyncFunctionDef) and (
            not callee.node.decorator_list) and never_suspends(callee.node)
    if isinstance(callee, ProjectFunction):
        return callee.summary.plain and callee.summary.instant
    return False


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
        if found is None or found[0] != KIND_TASK:
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
        if found is not None and found[0] == KIND_TASK:
            name = found[1]
            text = with_note(DISCARDED_TASK.format(call=name), name,
                             f"kept only in the weakref.WeakSet {spelled(func.value)}, "
                             "which does not keep it alive")
            yield Finding(task.lineno, task.col_offset, text)


def _only_use(name: ast.Name, scope: Scope) -> ast.Call | None:
    """The call a function-local ``name`` is bound to, once, when this read is the only
    read of it anywhere in the function (nested scopes included)."""
    if scope.kind not in FUNCTION_SCOPES or scope.loads.get(name.id) != 1:
        return None
    bindings = scope.bindings.get(name.id, ())
    if len(bindings) != 1 or not isinstance(bindings[0], Value) or (
            bindings[0].item is not None) or not isinstance(bindings[0].expr, ast.Call):
        return None
    if any(name.id in child.all_loads() for child in scope.children):
        return None
    return bindings[0].expr


def _task_argument(node: ast.Call) -> ast.expr | None:
    """The coroutine (or awaitable) a ``create_task``/``ensure_future`` call is given."""
    return node.args[0] if node.args else next(
        (k.value for k in node.keywords if k.arg in ("coro", "coro_or_future")), None)


def _wraps_executor(site: CallSite, tasks: TaskCheck) -> bool:
    """``ensure_future(loop.run_in_executor(...))``, ``create_task(asyncio.to_thread(...))``:
    a task around work in a thread.  The executor's future holds the task's wake-up
    until the thread is done, so nothing collects it; its result and exception are lost."""
    inner = _task_argument(site.node)
    if not isinstance(inner, ast.Call):
        return False
    if isinstance(inner.func, ast.Attribute) and inner.func.attr == "run_in_executor":
        return True
    return tasks.resolver.resolve(inner.func, site.scope) == "asyncio.to_thread"


def _only_given_callbacks(site: CallSite) -> bool:
    """A local bound once to the task whose every read, in this function only, is the
    statement ``name.add_done_callback(...)``."""
    scope = site.scope
    name = site.target
    if name is None or not name.isidentifier() or scope.kind not in FUNCTION_SCOPES or (
            name in scope.global_names) or len(scope.bindings.get(name, ())) != 1 or (
            scope.read_inside(name)):
        return False
    reads = scope.loads.get(name, 0)
    if not reads:
        return False
    callbacks = 0
    for part in ast.walk(scope.node):
        call = part.value if isinstance(part, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and (
                call.func.attr == "add_done_callback") and isinstance(
                call.func.value, ast.Name) and call.func.value.id == name:
            callbacks += 1
    return callbacks == reads


def _plain_call(site: CallSite, tasks: TaskCheck) -> bool:
    """``create_task(self.close_impl())`` of a plain ``def`` (of this module or the
    project) that returns nothing (annotated ``-> None``, or no ``return`` with a
    value): no coroutine is made, the call raises ``TypeError`` (the sync copy an
    unasync script leaves)."""
    argument = _task_argument(site.node)
    if not isinstance(argument, ast.Call) or isinstance(
            tasks.resolver.callee(site), (FunctionRef, ProjectFunction)):
        return False
    callee = tasks.resolver.resolve(argument.func, site.scope)
    if isinstance(callee, ProjectFunction):
        return callee.summary.returns_nothing and not callee.summary.coroutine
    return isinstance(callee, FunctionRef) and returns_nothing(callee)


def _uncalled(site: CallSite, tasks: TaskCheck) -> bool:
    """``ensure_future(self.refresh)`` of an ``async def`` not called: no task is made
    (the call raises ``TypeError``), so none is lost."""
    argument = _task_argument(site.node)
    if not isinstance(argument, (ast.Name, ast.Attribute)) or isinstance(
            tasks.resolver.callee(site), (FunctionRef, ProjectFunction)):
        return False  # spawn(work) of a helper of ours: it may call what it is given
    ref = tasks.resolver.resolve(argument, site.scope)
    return isinstance(ref, FunctionRef) and ref.is_async or isinstance(
        ref, ProjectFunction) and ref.summary.coroutine


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


def _unrun_loops(
    visitor: Visitor, tasks: TaskCheck, loops: list[tuple[CallSite, str]]
) -> Iterator[tuple[Finding, int]]:
    """AIO203: ``loop.create_task()`` on a loop that this scope never runs or hands on.

    ``get_event_loop()`` counts only at module level: in a function it is usually a
    callback's way to reach the loop that is already running.
    """
    for site, name, scheduling in idle_loops(visitor, tasks, loops):
        if scheduling and site.scope.kind is ScopeKind.MODULE and used_by_other_modules(
                visitor, name):
            continue  # another module may import the loop and run it
        for node in scheduling:
            text = TASK_ON_UNRUN_LOOP.format(call=spelled(node.func), loop=name)
            yield Finding(node.lineno, node.col_offset, text), id(node)


