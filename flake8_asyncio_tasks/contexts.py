"""The visitor's answers about the context a call sits in, in its own function: a
``try`` catching ``BlockingIOError``/``RuntimeError``, a test that a queue is not empty,
``with mock.patch(...)`` and ``with pytest.raises(...)`` bodies, branches that run only
for some types or arguments of the function (the guard tokens of
:mod:`~flake8_asyncio_tasks.guards`), and what follows an early exit in a block.
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.locks import statement_blocks, statement_blocks_in
from flake8_asyncio_tasks.syntax import dotted_source, enclosing_ifs
from flake8_asyncio_tasks.walk import CallSite, WalkState

#: what a test's ``with`` that expects a failure (or a warning) calls
_EXPECTING_CALLS: Final = frozenset({"pytest.raises", "pytest.warns",
                                     "pytest.deprecated_call"})
#: the mock patchers: code run under them may call replaced classes and functions
_PATCHES: Final = frozenset(
    f"{module}.patch{suffix}" for module in ("unittest.mock", "mock")
    for suffix in ("", ".object", ".dict", ".multiple"))


class ContextQueries(WalkState):
    """What the checks ask about the context of a call (see the module)."""

    def expects_blocking_io_error(self, site: CallSite) -> bool:
        """The call sits in a ``try`` body whose handlers catch ``BlockingIOError``."""
        return self.in_try_catching(site, "BlockingIOError")

    def in_try_catching(self, site: CallSite, exception: str) -> bool:
        """The call sits in a ``try`` body whose handlers catch ``exception`` (one of
        ``BlockingIOError`` and ``RuntimeError``)."""
        if not self.catching_tries:
            return False
        function = id(site.scope.enclosing_function())
        line = site.node.lineno
        return any(
            owner == function and first <= line <= last and caught == exception
            for owner, first, last, caught in self.catching_tries
        )

    def checked_not_empty(self, receiver: str, site: CallSite) -> bool:
        """``site`` (a ``receiver.get()``) sits in the body of a test that the queue is not
        empty, in the same function."""
        if self.empty_waits:
            self._after_empty_waits()
        function = id(site.scope.enclosing_function())
        line = site.node.lineno
        return any(owner == function and name == receiver and first <= line <= last
                   for owner, name, first, last in self.nonempty_queues)

    def _after_early_exits(self) -> None:
        """``if force: return ...``: the rest of the block runs only when the test is
        false, so it gets the tokens of the ``if``'s (absent) ``else``."""
        exits, self.exit_guards = self.exit_guards, []
        for function, statement, tokens in exits:
            rest = rest_of_block(function.node, statement)
            if rest:
                start, end = rest[0], rest[-1]
                for token in tokens:
                    self.omitted_guards.append((
                        id(function), (start.lineno, start.col_offset),
                        (end.end_lineno or end.lineno, end.end_col_offset or 0), token))

    def _after_empty_waits(self) -> None:
        """``while q.empty(): await ...`` with no ``break``: the statements after the
        loop in its block find ``q`` non-empty, up to the first that takes from it (one
        wait, one item)."""
        waits, self.empty_waits = self.empty_waits, []
        for function, receiver, loop in waits:
            for block in statement_blocks_in(function.node):
                if loop in block:
                    rest = block[block.index(loop) + 1:]
                    taking = next((index for index, statement in enumerate(rest)
                                   if _takes_from(statement, receiver)), None)
                    if taking is not None:
                        rest = rest[:taking + 1]
                    if rest:
                        last = rest[-1]
                        self.nonempty_queues.append((
                            id(function), receiver, rest[0].lineno,
                            getattr(last, "end_lineno", None) or last.lineno))
                    break

    def patched(self, line: int) -> bool:
        """``line`` is in the body of ``with unittest.mock.patch(...)`` (or
        ``patch.object``, ``patch.dict``, ``patch.multiple``, the ``mock`` backport)."""
        return any(first <= line <= last and self.resolver.resolve(func, scope) in _PATCHES
                   for func, scope, first, last in self.patched_blocks)

    def expects_failure(self, line: int, warning: bool = False) -> bool:
        """``line`` is in the body of a test's ``with pytest.raises(...):`` (or
        ``self.assertRaises(...)``; with ``warning``, also ``pytest.warns(...)``,
        ``pytest.deprecated_call()``, ``self.assertWarns(...)``): the test expects it
        to fail, so it is no mistake that the loop or the task would suffer."""
        for func, scope, first, last in self.expecting_blocks:
            if not first <= line <= last:
                continue
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if not warning and name in ("warns", "deprecated_call", "assertWarns",
                                        "assertWarnsRegex"):
                continue
            if name.startswith("assert"):
                owner = func.value if isinstance(func, ast.Attribute) else None
                if isinstance(owner, ast.Name) and owner.id == "self":
                    return True  # a unittest.TestCase's own assertion
                continue
            if self.resolver.resolve(func, scope) in _EXPECTING_CALLS:
                return True
        return False

    def type_dispatched(self, site: CallSite) -> bool:
        """``site`` runs only for some types of an argument of its function: a blocking
        call there is not the function's, for a caller that cannot see that type."""
        if self.type_exits:
            exits, self.type_exits = self.type_exits, []
            for owner, statement in exits:
                rest = rest_of_block(owner.node, statement)
                if rest:
                    self.type_dispatch.append((id(owner), rest[0].lineno, getattr(
                        rest[-1], "end_lineno", None) or rest[-1].lineno))
        if not self.type_dispatch:
            return False
        function = id(site.scope.enclosing_function())
        line = site.node.lineno
        return any(owner == function and first <= line <= last
                   for owner, first, last in self.type_dispatch)

    def omitted_guard(self, site: CallSite) -> frozenset[str]:
        """The guard tokens (see ``guards``) of the branches around ``site`` in its
        function: ``if p is None:`` (``"p"``), ``if block:`` or the ``else`` of ``if not
        block:`` (``"!block"``).  Empty: it runs whatever the arguments."""
        if self.exit_guards:
            self._after_early_exits()
        if not self.omitted_guards:
            return frozenset()
        function = id(site.scope.enclosing_function())
        position = (site.node.lineno, site.node.col_offset)
        return frozenset(token for owner, start, end, token in self.omitted_guards
                         if owner == function and start <= position < end)


def rest_of_block(function: ast.AST, statement: ast.stmt, depth: int = 0) -> list[ast.stmt]:
    """The statements after ``statement`` in its block of ``function``, and, when that
    block is a ``with`` body, those after the ``with`` too (leaving the body normally
    passes ``statement``)."""
    stack: list[ast.AST] = [function]
    while stack:
        node = stack.pop()
        for block in statement_blocks(node):
            if statement in block:
                rest = block[block.index(statement) + 1:]
                if isinstance(node, (ast.With, ast.AsyncWith)) and depth < 8:
                    rest += rest_of_block(function, node, depth + 1)
                return rest
            stack.extend(child for child in block if not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    return []


def _takes_from(statement: ast.stmt, receiver: str) -> bool:
    """``statement`` calls ``receiver.get(...)`` (or a method on ``self`` that may)."""
    for part in ast.walk(statement):
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and (
                part.func.attr == "get" and dotted_source(part.func.value) == receiver
                or receiver.startswith("self.") and isinstance(part.func.value, ast.Name)
                and part.func.value.id == "self"):
            return True
    return False


def piped_stdin(site: CallSite) -> bool:
    """The read sits in the body of an ``if`` whose test needs ``not sys.stdin.isatty()``
    (alone or in an ``and``): stdin is a pipe or a file there, not a user at a prompt."""
    function = site.scope.enclosing_function().node
    for test in (statement.test for statement in enclosing_ifs(function, site.node)):
        parts = test.values if isinstance(test, ast.BoolOp) and isinstance(
            test.op, ast.And) else [test]
        for part in parts:
            if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not) and isinstance(
                    part.operand, ast.Call) and isinstance(part.operand.func, ast.Attribute) and (
                    part.operand.func.attr == "isatty") and dotted_source(
                    part.operand.func.value) in ("sys.stdin", "stdin"):
                return True
    return False


def awaited_later(site: CallSite) -> bool:
    """``res = limiter.acquire()`` and then ``await res`` in the same coroutine: the
    helper handed back an awaitable on this path (``if isawaitable(ok): return ok``),
    which its blocking path could not be."""
    target = site.target
    if site.usage != "assign" or not target or not target.isidentifier():
        return False
    function = site.scope.enclosing_function()
    awaited = function.awaited_names
    if awaited is None:
        awaited = function.awaited_names = frozenset(
            node.value.id for node in ast.walk(function.node)
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Name))
    return target in awaited
