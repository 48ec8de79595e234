"""AIO202's questions about a coroutine call that does not run: how its object is used
as if it were the result (:func:`misused`: dropped, tested, formatted, passed to a
function that reads a plain value or to a loop that needs a callback), and the shapes
that only look so (a method the function rebinds, an object a plain ``with`` could not
have entered, a sync override of a coroutine, a call only sync code makes).
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.blocking import may_be, resolve_candidate
from flake8_asyncio_tasks.members import async_only
from flake8_asyncio_tasks.names import Scope, ScopeKind, Value
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, ProjectFunction
from flake8_asyncio_tasks.syntax import display_name, dotted_source
from flake8_asyncio_tasks.tables import spelled_last_names
from flake8_asyncio_tasks.task_tables import LOOP_CALLBACKS, PLAIN_RESULTS, VALUE_CONSUMERS
from flake8_asyncio_tasks.tasks import (
    FUNCTION_SCOPES,
    TaskCheck,
    unread_target,
)
from flake8_asyncio_tasks.visitor import CallSite, Visitor
from flake8_asyncio_tasks.walk_bindings import LIBRARY_TOPS

_CONSUMER_LAST_NAMES: Final = spelled_last_names(VALUE_CONSUMERS)


def only_if_sync(site: CallSite) -> bool:
    """The call runs only where its callee is no coroutine function: in the body of
    ``if not inspect.iscoroutinefunction(self.close):`` or the ``else`` of ``if
    iscoroutinefunction(self.close):`` around ``self.close()`` (code shared by a sync
    and an async variant, as unasync generates), which never runs for a coroutine."""
    func = ast.dump(site.node.func)
    where = (site.node.lineno, site.node.col_offset)
    function = site.scope.enclosing_function().node

    def tests(test: ast.expr) -> bool:
        return isinstance(test, ast.Call) and len(test.args) == 1 and isinstance(
            test.func, (ast.Name, ast.Attribute)) and (
            test.func.id if isinstance(test.func, ast.Name) else test.func.attr) in (
            "iscoroutinefunction",) and ast.dump(test.args[0]) == func

    def holds(block: list[ast.stmt]) -> bool:
        return bool(block) and (block[0].lineno, block[0].col_offset) <= where <= (
            block[-1].end_lineno or block[-1].lineno, block[-1].end_col_offset or 0)

    for node in ast.walk(function):
        if not isinstance(node, ast.If):
            continue
        test = node.test
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and tests(
                test.operand) and holds(node.body):
            return True
        if tests(test) and holds(node.orelse):
            return True
    return False


def entered_by_plain_with(site: CallSite, visitor: Visitor) -> bool:
    """``with client.writer() as w: w.write(...)`` where the writer's class has only an
    ``async def __aenter__``: a plain ``with`` could not enter it, so either the code
    fails there (not at ``w.write()``) or the object is not what its type says (a wrong
    annotation upstream).  Either way the call is no lost coroutine."""
    func = site.node.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name):
        return False
    name = func.value.id
    bindings = visitor.resolver.owner(name, site.scope).bindings.get(name, ())
    entered = {id(expr) for expr, _, _ in visitor.with_items}
    return bool(bindings) and all(
        isinstance(binding, Value) and binding.item is None and id(binding.expr) in entered
        and async_only(visitor.resolver.resolve(binding.expr, binding.scope))
        for binding in bindings)


def rebound(site: CallSite) -> bool:
    """``session.begin = Mock()`` (or ``setattr(session, "begin", ...)``,
    ``monkeypatch.setattr(session, "begin", ...)``) in the same function: the call may
    reach the replacement, not the class's ``async def``."""
    func = site.node.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = dotted_source(func.value)
    if receiver is None:
        return False
    spelled_as = f"{receiver}.{func.attr}"
    for node in ast.walk(site.scope.enclosing_function().node):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Attribute) and dotted_source(target) == spelled_as
                   for target in targets):
                return True
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and (
                isinstance(node.func, (ast.Name, ast.Attribute))) and (
                (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
                == "setattr") and dotted_source(node.args[0]) == receiver and (
                isinstance(node.args[1], ast.Constant) and node.args[1].value == func.attr):
            return True
    return False


def misused(site: CallSite, visitor: Visitor, consumer: str | None) -> str | None:
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
        return consumer
    if usage == "return":
        declared = _plain_result(site, visitor)
        if declared is not None:
            return f"is returned by a sync function declared to return {declared}"
    if usage == "assign" and site.target is not None:
        if unread_target(site) and not deleted(site):
            return f"is assigned to {site.target!r} and never used"
        scope = site.scope
        iterated = visitor.iterated_names.get((id(scope), site.target), 0)
        if iterated and scope.kind in FUNCTION_SCOPES and iterated == scope.loads.get(
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
    if not (isinstance(declared, str) and declared in PLAIN_RESULTS):
        return None
    if function.parent.kind is ScopeKind.CLASS and _overrides_a_coroutine(
            node.name, function.parent, visitor):
        # def watch(self) -> list: return self.watch_many(...) overriding an async def
        # watch of a base: callers await it as the base's coroutine, so it runs
        return None
    return declared


def _overrides_a_coroutine(name: str, cls: Scope, visitor: Visitor) -> bool:
    """A base of the class (this module's or the project's) defines ``name`` as an
    ``async def``, or may: a base from a module that is no known library (another module
    of the project, read or not) may define anything."""
    inherited = visitor.resolver.inherited(ClassRef(cls, True), name)
    if isinstance(inherited, FunctionRef):
        return inherited.is_async
    if isinstance(inherited, str):
        return inherited.partition(".")[0] not in LIBRARY_TOPS
    return isinstance(inherited, ProjectFunction) and inherited.summary.coroutine


def consumed_arguments(visitor: Visitor, tasks: TaskCheck) -> dict[int, str]:
    """id(call) -> how a builtin or library function uses it as a plain value:
    ``print(fetch())``, ``len(scan())``, ``json.dumps(load())``, ``logging.info(...)``,
    and ``loop.call_later(5, abort())``, which needs a callable."""
    consumed: dict[int, str] = {}
    indirect = visitor.indirect_names
    for site in visitor.calls:
        node = site.node
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in LOOP_CALLBACKS:
            position = LOOP_CALLBACKS[func.attr]
            if len(node.args) > position and type(node.args[position]) is ast.Call and (
                    tasks.is_loop(func.value, site.scope)):
                # loop.call_later(5, self.abort()): the loop calls what it is given
                consumed[id(node.args[position])] = (
                    f"is passed to loop.{func.attr}() where a callable is expected (a "
                    "TypeError when the loop calls it)")
            continue
        if not may_be(site, _CONSUMER_LAST_NAMES, indirect):
            continue
        if not any(type(arg) is ast.Call for arg in (*node.args,
                                                     *(k.value for k in node.keywords))):
            continue
        candidate = resolve_candidate(site, _CONSUMER_LAST_NAMES, visitor)
        if candidate is None or candidate[1] not in VALUE_CONSUMERS:
            continue
        name = display_name(str(candidate[1]))
        for arg in (*node.args, *(k.value for k in node.keywords)):
            if type(arg) is ast.Call:
                consumed[id(arg)] = f"is passed to {name}() as a plain value"
    return consumed


def deleted(site: CallSite) -> bool:
    """``coro = f(); del coro``: the function disposes of the coroutine on purpose (a
    test of the "never awaited" warning)."""
    target = site.target
    function = site.scope.node
    return any(isinstance(node, ast.Delete) and any(
        isinstance(item, ast.Name) and item.id == target for item in node.targets)
        for node in ast.walk(function))
