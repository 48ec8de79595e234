"""AIO300 and AIO301: ``asyncio.get_event_loop()`` where no loop may be set.

Inside a coroutine the call is AIO301 (``get_running_loop()`` says what is meant).
Outside one it is AIO300, except where the code shows that a loop is there or that the
line never runs on a current Python: a ``try`` that handles 3.14's ``RuntimeError``,
``nest_asyncio.apply()`` or ``set_event_loop(loop)`` before it, a helper that just
asked (see :mod:`~flake8_asyncio_tasks.probes`), the Python 3.6 fallback, and sync
methods that only the running loop calls.  Part of
:func:`~flake8_asyncio_tasks.task_findings.check`.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from typing import Final

from flake8_asyncio_tasks.layout import is_test_file
from flake8_asyncio_tasks.names import Scope, ScopeKind, _is_none, annotation_expr
from flake8_asyncio_tasks.probes import legacy_fallback, loop_checked
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, ProjectClass
from flake8_asyncio_tasks.rules import GET_EVENT_LOOP_INSIDE, GET_EVENT_LOOP_OUTSIDE
from flake8_asyncio_tasks.syntax import parameter_defaults
from flake8_asyncio_tasks.task_tables import CALLBACK_TAKERS
from flake8_asyncio_tasks.tasks import KIND_GET_LOOP
from flake8_asyncio_tasks.visitor import CallSite, Finding, Visitor


def get_event_loop_findings(site: CallSite, kind: int, visitor: Visitor) -> Iterator[Finding]:
    """AIO301 inside a coroutine; AIO300 where no coroutine encloses the call at all."""
    if kind != KIND_GET_LOOP:
        return
    node = site.node
    coroutine = site.scope.coroutine
    if coroutine is not None:
        if not _asserted(node, coroutine.node):
            yield Finding(node.lineno, node.col_offset,
                          GET_EVENT_LOOP_INSIDE.format(coro=coroutine.name))
        return
    scope: Scope | None = site.scope
    while scope is not None:
        if scope.kind is ScopeKind.COROUTINE:
            return  # a callback or helper defined in a coroutine runs in its loop
        scope = scope.parent
    if visitor.in_try_catching(site, "RuntimeError"):
        # try: loop = get_event_loop() except RuntimeError: loop = new_event_loop(): the
        # code is ready for Python 3.14, where no current loop raises
        return
    if "nest_asyncio" in visitor.imported_modules and _after_call(
            site, visitor, "apply", "nest_asyncio.apply"):
        return  # nest_asyncio.apply() replaced get_event_loop with one that makes a loop
    if _after_call(site, visitor, "set_event_loop", "asyncio.set_event_loop", same_block=True):
        return  # set_event_loop(loop) just before: the loop set is what it returns
    if _after_call(site, visitor, "get_event_loop", "asyncio.get_event_loop", same_block=True,
                   unconditional=True):
        # get_event_loop().run_until_complete(main()) then get_event_loop().run_forever():
        # the first call (reported) made the loop, or raised and the second never runs
        return
    if _loop_calls(site, visitor):
        return  # Protocol.data_received(), a sync __aexit__: only the loop calls them
    if legacy_fallback(site, site.scope.enclosing_function().node):
        return  # except AttributeError: of get_running_loop(): Python 3.6 and older
    if loop_checked(site, visitor):
        return  # if in_loop(): get_event_loop(): a helper just said a loop is there
    if _only_coroutines_call(site, visitor):
        return  # def _make_pool(): ... called only in coroutines' own frames
    if _fallback_of_required_loop(site, visitor):
        return  # loop or get_event_loop(), for a parameter loop: AbstractEventLoop
    if id(node) in visitor.default_calls:
        # def connect(loop=asyncio.get_event_loop()): one loop, fetched at import time
        yield Finding(node.lineno, node.col_offset, GET_EVENT_LOOP_OUTSIDE.format(
            fix="None as the default and asyncio.get_running_loop() in the function: a "
                "default is computed once, when the def runs (at import), so every call "
                "gets that loop"))
        return
    yield Finding(node.lineno, node.col_offset, GET_EVENT_LOOP_OUTSIDE.format())


#: the loop types a parameter annotation may name
_LOOP_TYPES: Final = frozenset({"asyncio.AbstractEventLoop", "asyncio.BaseEventLoop",
                                "asyncio.events.AbstractEventLoop"})


def _asserted(call: ast.Call, function: ast.AST) -> bool:
    """``assert asyncio.get_event_loop() is loop``: a test of what the call returns."""
    return any(isinstance(part, ast.Assert) and isinstance(part.test, ast.Compare) and (
        part.test.left is call or any(other is call for other in part.test.comparators))
        for part in ast.walk(function))


def _fallback_of_required_loop(site: CallSite, visitor: Visitor) -> bool:
    """``self.loop = loop or asyncio.get_event_loop()`` for a parameter ``loop:
    asyncio.AbstractEventLoop`` that has no default and is not optional: every caller
    that keeps to the signature passes a loop, so the fallback never runs."""
    function = site.scope.enclosing_function()
    node = function.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    required = {arg.arg: arg.annotation for arg in (*node.args.posonlyargs, *node.args.args,
                                                   *node.args.kwonlyargs)
                if arg.annotation is not None}
    for name in parameter_defaults(node.args):
        required.pop(name, None)
    if not required:
        return False
    for part in ast.walk(node):
        if isinstance(part, ast.BoolOp) and isinstance(part.op, ast.Or) and (
                part.values[-1] is site.node) and isinstance(part.values[0], ast.Name):
            annotation = required.get(part.values[0].id)
            parsed = annotation_expr(annotation) if annotation is not None else None
            return parsed is not None and visitor.resolver.resolve(
                parsed, function.parent or function) in _LOOP_TYPES
    return False


def _only_coroutines_call(site: CallSite, visitor: Visitor) -> bool:
    """The call is in a module-level function private to its module (``_make_pool``, or
    any function of a test module), undecorated, whose every use in the module is a
    call in a coroutine's own frame: the loop is running whenever it runs.  A function
    used any other way (a callback, a default, another module's import of a public
    name) may run before any loop exists."""
    function = site.scope.enclosing_function()
    node = function.node
    root = visitor.root
    if root is None or not isinstance(node, ast.FunctionDef) or node.decorator_list:
        return False
    name = node.name
    base = os.path.basename(visitor.filename)
    if not (name.startswith("_") and not name.endswith("__")
            or is_test_file(base) and base != "conftest.py"):
        return False
    cls = function.parent
    if cls is not None and cls.kind is ScopeKind.CLASS and cls.parent is root:
        return _only_coroutines_call_method(name, visitor)
    if function.parent is not root:
        return False
    reads = 0
    pending = [root]
    while pending:
        scope = pending.pop()
        reads += scope.loads.get(name, 0)
        pending.extend(scope.children)
    if not reads or name in root.global_names:
        return False
    calls = 0
    for other in visitor.calls:
        func = other.node.func
        if isinstance(func, ast.Name) and func.id == name:
            ref = visitor.resolver.lookup(name, other.scope)
            if not isinstance(ref, FunctionRef) or ref.node is not node or (
                    other.scope.coroutine is None):
                return False
            calls += 1
    return calls == reads


def _only_coroutines_call_method(name: str, visitor: Visitor,
                                 seen: frozenset[str] = frozenset()) -> bool:
    """Every read of the method ``name`` in the module is ``self.name`` (or ``cls.``)
    called in a coroutine's own frame, given to the loop as a callback
    (``loop.call_later(30, self._monitor)``), or called in another private method that
    only such code runs; and no string names it (``getattr``)."""
    root = visitor.root
    if root is None or len(seen) > 8:
        return False
    calls = {id(site.node.func): site for site in visitor.calls}
    callbacks = {id(site.node.args[position]) for site in visitor.calls
                 if isinstance(site.node.func, ast.Attribute)
                 and (position := CALLBACK_TAKERS.get(site.node.func.attr)) is not None
                 and len(site.node.args) > position}
    seen = seen | {name}
    used = False
    for part in ast.walk(root.node):
        if isinstance(part, ast.Constant) and part.value == name:
            return False
        if not (isinstance(part, ast.Attribute) and part.attr == name):
            continue
        if not (isinstance(part.value, ast.Name) and part.value.id in ("self", "cls")):
            return False
        used = True
        if id(part) in callbacks:
            continue  # the loop calls it
        caller = calls.get(id(part))
        if caller is None:
            return False
        if caller.scope.coroutine is not None:
            continue
        function = caller.scope.enclosing_function()
        other = function.node
        if not (isinstance(other, ast.FunctionDef) and not other.decorator_list
                and other.name.startswith("_") and not other.name.endswith("__")
                and function.parent is not None and function.parent.kind is ScopeKind.CLASS
                and (other.name in seen or _only_coroutines_call_method(
                    other.name, visitor, seen))):
            return False
    return used



#: methods that ``async with`` / ``async for`` / ``await`` call, on the loop
_ASYNC_PROTOCOL_METHODS: Final = frozenset({"__aenter__", "__aexit__", "__aiter__",
                                            "__anext__", "__await__"})
#: asyncio's protocol classes: the loop makes their instances (through the factory given
#: to create_connection, create_server...) and calls their methods
_PROTOCOLS: Final = frozenset({
    "asyncio.BaseProtocol", "asyncio.BufferedProtocol", "asyncio.DatagramProtocol",
    "asyncio.Protocol", "asyncio.SubprocessProtocol",
})


def _loop_calls(site: CallSite, visitor: Visitor) -> bool:
    """The call is in a sync method that only the running loop calls: a sync
    ``__aexit__`` (or ``__aenter__``, ``__anext__``...), or a method of an asyncio
    protocol class (its ``__init__`` too: the loop's factory call makes it)."""
    function = site.scope.enclosing_function()
    node = function.node
    cls = function.parent
    if not isinstance(node, ast.FunctionDef) or cls is None or (
            cls.kind is not ScopeKind.CLASS) or not isinstance(cls.node, ast.ClassDef):
        return False
    if node.name in _ASYNC_PROTOCOL_METHODS:
        return True
    return _derives_from_protocol(cls, visitor, 0)


def _derives_from_protocol(cls: Scope, visitor: Visitor, depth: int) -> bool:
    """A base of the class, or of its bases in this module or the project, is one of
    asyncio's protocol classes."""
    parent = cls.parent
    if parent is None or depth > 8 or not isinstance(cls.node, ast.ClassDef):
        return False
    for base in cls.node.bases:
        found = visitor.resolver.resolve(base, parent)
        if found in _PROTOCOLS:
            return True
        if isinstance(found, ClassRef) and found.scope is not cls and (
                _derives_from_protocol(found.scope, visitor, depth + 1)):
            return True
        if isinstance(found, ProjectClass) and any(
                dotted in _PROTOCOLS for dotted in found.summary.bases):
            return True
    return False


def _after_call(site: CallSite, visitor: Visitor, last: str, dotted: str,
                same_block: bool = False, unconditional: bool = False) -> bool:
    """A call of ``dotted`` (spelled ending in ``last``) earlier in the same function,
    with no ``None`` argument; with ``same_block``, in a statement of the block that
    holds the call (not in a branch that may not run).  ``nest_asyncio.apply()`` patches asyncio
    so that ``get_event_loop()`` makes and sets a loop when none is set (llama-index's
    ``asyncio_run``); after ``asyncio.set_event_loop(loop)``, ``get_event_loop()``
    returns that loop on every Python."""
    function = site.scope.enclosing_function()
    where = (site.node.lineno, site.node.col_offset)
    return any(
        other.scope.enclosing_function() is function
        and (other.node.lineno, other.node.col_offset) < where
        and (not same_block or _earlier_in_block(other.node, site.node, function.node,
                                                 unconditional))
        and not any(_is_none(argument) for argument in other.node.args)
        and visitor.resolver.callee(other) == dotted
        for other in visitor.calls
        if isinstance(other.node.func, (ast.Attribute, ast.Name))
        and (other.node.func.attr if isinstance(other.node.func, ast.Attribute)
             else other.node.func.id) == last)


def _earlier_in_block(first: ast.Call, then: ast.Call, function: ast.AST,
                      unconditional: bool = False) -> bool:
    """``first`` is part of a simple statement that comes before the statement holding
    ``then`` in one block of ``function`` (so it has run when ``then`` runs); with
    ``unconditional``, not in a part of it that may not run (``x or first()``), and in
    a block other than the module's own statements (a function, ``if __name__ ==
    "__main__":``)."""
    def within(call: ast.expr | ast.stmt, statement: ast.expr | ast.stmt) -> bool:
        return (statement.lineno, statement.col_offset) <= (call.lineno, call.col_offset) \
            <= (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)

    def conditional(call: ast.Call, statement: ast.stmt) -> bool:
        for node in ast.walk(statement):
            if isinstance(node, ast.BoolOp):
                parts: list[ast.expr] = list(node.values[1:])
            elif isinstance(node, ast.IfExp):
                parts = [node.body, node.orelse]
            elif isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                                   ast.GeneratorExp)):
                parts = [node]
            else:
                continue
            if any(within(call, part) for part in parts):
                return True
        return False

    for node in ast.walk(function):
        if node is not function and isinstance(node, _SCOPES):
            continue
        if unconditional and isinstance(node, ast.Module):
            continue  # the module's own statements: each line of a script stands alone
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list):
                continue
            before = False
            for statement in block:
                if within(then, statement):
                    if before:
                        return True
                    break
                if within(first, statement) and not isinstance(statement, _COMPOUND) and not (
                        unconditional and conditional(first, statement)):
                    before = True
    return False


_SCOPES: Final = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPOUND: Final = (ast.If, ast.Try, ast.For, ast.AsyncFor, ast.While, ast.With,
                    ast.AsyncWith, ast.Match, *_SCOPES[:3])
