"""Code that asks whether an event loop runs, before it uses one.

``try: asyncio.get_running_loop() except RuntimeError: ...`` and ``loop.is_running()``
decide at run time what to do on the loop's thread; so does a call of a helper that asks
(``def in_loop(): try: asyncio.get_running_loop() ...``).  AIO109 leaves helpers that
ask alone (whether they block on the loop is up to them), and AIO300 leaves a
``get_event_loop()`` alone where such a test has just said that a loop runs or is set.
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.contexts import rest_of_block
from flake8_asyncio_tasks.refs import FunctionRef, ProjectFunction
from flake8_asyncio_tasks.visitor import CallSite, Visitor

_RUNNING_PROBES: Final = frozenset({"get_running_loop", "_get_running_loop"})


def probes_running_loop(site: CallSite, visitor: Visitor) -> bool:
    """``site`` asks whether its function runs on the loop's thread: a call of
    ``get_running_loop()`` (asyncio's or a wrapper of the same name) that is tested or
    sits in a ``try`` that catches ``RuntimeError``, or ``loop.is_running()`` tested on
    a receiver named as a loop.  A sync function that asks decides at run time what to
    do on the loop (zeroconf's ``close()`` joins its thread only when it is not called
    from the loop), so whether it blocks there is unknown, and unknown means silent.
    ``loop = asyncio.get_running_loop()`` alone only fetches the loop: no probe."""
    last = site.last
    if last in _RUNNING_PROBES:
        return site.usage in ("truth", "compare") or visitor.in_try_catching(
            site, "RuntimeError")
    if last != "is_running" or site.usage not in ("truth", "compare"):
        return False
    func = site.node.func
    if not isinstance(func, ast.Attribute):
        return False
    receiver = func.value
    name = receiver.attr if isinstance(receiver, ast.Attribute) else (
        receiver.id if isinstance(receiver, ast.Name) else "")
    return name.lower().endswith("loop")


def loop_checked(site: CallSite, visitor: Visitor) -> bool:
    """``site`` runs only after a helper said a loop is there: inside ``if in_loop():``
    (or ``if in_loop() and ...:``), or after ``if not in_loop(): raise ...`` (or
    ``return``) earlier in its block, where ``in_loop`` is a sync function of this
    module or the project that asks with ``get_running_loop()`` (see
    :func:`probes_running_loop`)."""
    function = site.scope.enclosing_function()
    node = function.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    where = (site.node.lineno, site.node.col_offset)
    asking: set[int] = set()
    for other in visitor.calls:
        if probes_running_loop(other, visitor):
            asking.add(id(other.scope.enclosing_function().node))

    def asks(test: ast.expr) -> bool:
        parts = test.values if isinstance(test, ast.BoolOp) and isinstance(
            test.op, ast.And) else [test]
        for part in parts:
            if not isinstance(part, ast.Call):
                continue
            ref = visitor.resolver.resolve(part.func, function)
            if isinstance(ref, FunctionRef) and not ref.is_async and (
                    id(ref.node) in asking):
                return True
            if isinstance(ref, ProjectFunction) and ref.summary.probes_loop:
                return True
        return False

    for statement in ast.walk(node):
        if not isinstance(statement, ast.If) or not statement.body:
            continue
        first, last = statement.body[0], statement.body[-1]
        inside = (first.lineno, first.col_offset) <= where <= (
            last.end_lineno or last.lineno, last.end_col_offset or 0)
        if inside and asks(statement.test):
            return True
        test = statement.test
        if not inside and isinstance(test, ast.UnaryOp) and isinstance(
                test.op, ast.Not) and not statement.orelse and isinstance(
                last, (ast.Return, ast.Raise)) and (
                statement.end_lineno or statement.lineno) < site.node.lineno and any(
                (later.lineno, later.col_offset) <= where <= (
                    later.end_lineno or later.lineno, later.end_col_offset or 0)
                for later in rest_of_block(node, statement)) and asks(test.operand):
            return True
    return False




def legacy_fallback(site: CallSite, function: ast.AST) -> bool:
    """``site`` is in an ``except AttributeError:`` of a ``try`` that calls
    ``get_running_loop()``: the fallback for Pythons without it (before 3.7), which no
    current Python runs."""
    where = (site.node.lineno, site.node.col_offset)
    for node in ast.walk(function):
        if not isinstance(node, ast.Try):
            continue
        if not any(isinstance(call, ast.Call) and (
                (call.func.attr if isinstance(call.func, ast.Attribute) else
                 call.func.id if isinstance(call.func, ast.Name) else "") in _RUNNING_PROBES)
                for statement in node.body for call in ast.walk(statement)):
            continue
        for handler in node.handlers:
            caught = handler.type
            names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
            if not names or not all(isinstance(name, ast.Name) and name.id == "AttributeError"
                                    for name in names):
                continue
            if handler.body and (handler.body[0].lineno, handler.body[0].col_offset) <= (
                    where) <= (handler.body[-1].end_lineno or handler.body[-1].lineno,
                               handler.body[-1].end_col_offset or 0):
                return True
    return False
