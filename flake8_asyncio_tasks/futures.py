"""Futures that are done already, and the elements of containers of futures.

``future.result()`` of a submitted ``concurrent.futures.Future`` blocks until the worker
finishes (AIO106), unless the code has made sure it is finished: it awaited
``asyncio.wrap_future(future)`` (or ``asyncio.wait``/``gather`` of all of them wrapped)
first, waited with ``concurrent.futures.wait(futures)`` (reported itself), or tested
``future.done()``.  "First" means on every path: the settling statement comes earlier in
the same statement list as the call, or in one that encloses it; a wait in an ``if``,
a ``try`` or a loop body before the call does not count, nor one with a timeout or
``return_when``, which may return before everything is done.
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.names import AnnotatedValue, Scope, Value
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.syntax import dotted_source
from flake8_asyncio_tasks.walk import CallSite

#: waits of concurrent.futures.Future that return at once once it is done
FUTURE_WAITS: Final = frozenset({
    "concurrent.futures.Future().result", "concurrent.futures.Future().exception"})
#: statements that run whole when they run: a wait in one of them has finished
_SIMPLE: Final = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)
#: keywords that let a wait return before every future is done
_PARTIAL: Final = frozenset({"timeout", "return_when"})


def elements(container: ast.expr, scope: Scope, home: Scope
             ) -> list[tuple[ast.expr, Scope]]:
    """The element expressions of a display or comprehension that ``container`` is, or
    that a name of ``home`` bound once to one holds, each with the scope it runs in."""
    if isinstance(container, ast.Name):
        bindings = home.bindings.get(container.id, ())
        if len(bindings) != 1:
            return []
        binding = bindings[0]
        value = binding.value if isinstance(binding, AnnotatedValue) else binding
        if not isinstance(value, Value) or value.item is not None:
            return []
        container, scope = value.expr, value.scope
    if isinstance(container, (ast.List, ast.Tuple, ast.Set)):
        return [(item, scope) for item in container.elts]
    if isinstance(container, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        inner = scope.child_for(container)
        return [] if inner is None else [(container.elt, inner)]
    return []


def settled_before(site: CallSite, resolver: Resolver) -> bool:
    """``site`` (``f.result()`` in a coroutine) comes after code that finished ``f``."""
    coroutine = site.scope.coroutine
    bound = resolver.bound_method(site.node.func, site.scope)
    if coroutine is None or bound is None or not isinstance(bound[0].value, ast.Name):
        return False
    receiver = bound[0].value.id
    container = None  # for f in futures: f.result() -> "futures"
    home = resolver.owner(receiver, bound[1])
    for binding in home.bindings.get(receiver, ()):
        if isinstance(binding, Value) and binding.item == "*" and isinstance(
                binding.expr, ast.Name):
            container = binding.expr.id
    parents = _parents(coroutine.node)
    call = site.node
    if _guarded_by_done(call, receiver, parents):
        return True
    return any(_settles(statement, receiver, container, resolver, site.scope)
               for statement in _earlier_statements(coroutine.node, _blocks(call, parents)))


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _guarded_by_done(call: ast.AST, receiver: str, parents: dict[int, ast.AST]) -> bool:
    """In the body of ``if f.done():`` / ``while f.done():``, or the element of a
    comprehension filtered with ``if f.done()``."""
    node = call
    while id(node) in parents:
        parent = parents[id(node)]
        if isinstance(parent, (ast.If, ast.While)) and node in parent.body and _done_of(
                parent.test, receiver):
            return True
        if isinstance(parent, (ast.ListComp, ast.SetComp, ast.GeneratorExp)) and any(
                _done_of(condition, receiver)
                for generator in parent.generators for condition in generator.ifs):
            return True
        node = parent
    return False


def _done_of(test: ast.AST, receiver: str) -> bool:
    return any(isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute)
               and part.func.attr == "done" and isinstance(part.func.value, ast.Name)
               and part.func.value.id == receiver for part in ast.walk(test))


def _blocks(node: ast.AST, parents: dict[int, ast.AST]) -> list[tuple[int, int]]:
    """(id of the statement list, index in it) of each statement enclosing ``node``."""
    chain = []
    while id(node) in parents:
        parent = parents[id(node)]
        if isinstance(node, ast.stmt):
            for field in ("body", "orelse", "finalbody"):
                block = getattr(parent, field, None)
                if isinstance(block, list) and any(item is node for item in block):
                    chain.append((id(block), next(
                        i for i, item in enumerate(block) if item is node)))
                    break
        node = parent
    return chain


def _earlier_statements(tree: ast.AST, chain: list[tuple[int, int]]) -> list[ast.stmt]:
    """The statements that run before the call on every path: those earlier in one of
    the statement lists around it."""
    where = dict(chain)
    found = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and id(block) in where:
                found += [item for i, item in enumerate(block)
                          if i < where[id(block)] and isinstance(item, ast.stmt)]
    return found


def _settles(statement: ast.stmt, receiver: str, container: str | None,
             resolver: Resolver, scope: Scope) -> bool:
    """``await asyncio.wrap_future(f)``, ``await asyncio.wait([asyncio.wrap_future(f)
    for f in futures])``, ``concurrent.futures.wait(futures)``: all of them done."""
    if not isinstance(statement, _SIMPLE):
        return False  # an if, a loop, a try: its body may not run (or not to the end)
    for node in ast.walk(statement):
        if not isinstance(node, ast.Call):
            continue
        name = resolver.resolve(node.func, scope)
        if name == "concurrent.futures.wait" and node.args and not _partial(node):
            if _names(node.args[0], receiver, container):
                return True
    for node in ast.walk(statement):
        if isinstance(node, ast.Await) and not any(
                isinstance(part, ast.Call) and _partial(part) for part in ast.walk(node)):
            for part in ast.walk(node.value):
                if isinstance(part, ast.Call) and resolver.resolve(
                        part.func, scope) == "asyncio.wrap_future" and part.args and (
                        _wrapped(part, node.value, receiver, container)):
                    return True
    return False


def _partial(call: ast.Call) -> bool:
    return any(keyword.arg in _PARTIAL for keyword in call.keywords) or (
        isinstance(call.func, (ast.Name, ast.Attribute)) and (
            call.func.id if isinstance(call.func, ast.Name) else call.func.attr) == "wait_for")


def _names(node: ast.expr, receiver: str, container: str | None) -> bool:
    """``node`` is the future itself or its container (``futures``, ``[*futures]``...)."""
    if isinstance(node, ast.Name):
        return node.id == (container or receiver)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return container is None and any(
            isinstance(item, ast.Name) and item.id == receiver for item in node.elts)
    return False


def _wrapped(wrap: ast.Call, awaited: ast.expr, receiver: str, container: str | None) -> bool:
    """``asyncio.wrap_future(f)`` of the future itself, or of each element of its
    container inside a comprehension over that container."""
    argument = wrap.args[0]
    if container is None:
        return isinstance(argument, ast.Name) and argument.id == receiver
    for node in ast.walk(awaited):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)) and any(
                part is wrap for part in ast.walk(node.elt)):
            first = node.generators[0]
            if isinstance(first.iter, ast.Name) and first.iter.id == container and (
                    isinstance(first.target, ast.Name) and isinstance(argument, ast.Name)
                    and argument.id == first.target.id):
                return True
    return False


#: a child process's waits that return at once once it is known to have exited
PROCESS_WAITS: Final = frozenset({"subprocess.Popen().wait", "subprocess.Popen().communicate"})


def exited_before(site: CallSite) -> bool:
    """``p.wait()`` / ``p.communicate()`` in a coroutine where ``p`` is known to have
    exited: in the body of ``if p.poll() is not None:`` (or ``p.returncode is not None``),
    or after a ``while p.poll() is None:`` loop (``await asyncio.sleep()`` in it) among
    the statements that run before it on every path.  The poll may be the owner's
    (``while await self.poll() is None:`` before ``self.process.wait()``).  The same
    holds in a sync helper, whose chain (AIO109) then goes on to what else it calls."""
    coroutine = site.scope.coroutine or site.scope.enclosing_function()
    func = site.node.func
    if not isinstance(coroutine.node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not (
            isinstance(func, ast.Attribute)):
        return False
    receiver = dotted_source(func.value)
    if receiver is None:
        return False
    parents = _parents(coroutine.node)
    node: ast.AST = site.node
    while id(node) in parents:
        parent = parents[id(node)]
        if isinstance(parent, ast.If) and any(item is node for item in parent.body) and (
                _exit_test(parent.test, receiver, exited=True)):
            return True
        node = parent
    return any(
        isinstance(statement, ast.While) and not statement.orelse and _exit_test(
            statement.test, receiver, exited=False) and not any(
            isinstance(part, ast.Break) for part in ast.walk(statement))
        for statement in _earlier_statements(coroutine.node, _blocks(site.node, parents)))


def _exit_test(test: ast.expr, receiver: str, exited: bool) -> bool:
    """``p.poll() is not None`` (``exited``) or ``p.poll() is None`` (still running), also
    with ``p.returncode`` or an awaited ``poll()``, the poll's receiver ``p`` being the
    process or a dotted prefix of it (its owner)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not (
            isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return False
    operator = test.ops[0]
    if not isinstance(operator, ast.IsNot if exited else ast.Is):
        return False
    left = test.left.value if isinstance(test.left, ast.Await) else test.left
    if isinstance(left, ast.Call) and isinstance(left.func, ast.Attribute) and (
            left.func.attr == "poll") and not left.args:
        owner = dotted_source(left.func.value)
    elif isinstance(left, ast.Attribute) and left.attr == "returncode":
        owner = dotted_source(left.value)
    else:
        return False
    return owner is not None and (owner == receiver or receiver.startswith(owner + "."))
