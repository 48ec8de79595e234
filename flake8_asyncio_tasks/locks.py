"""When taking a thread lock in a coroutine is a bug: it is held across a suspension.

A ``threading.Lock`` (or ``RLock``, or a ``Condition``'s lock) taken in a coroutine for a
few statements without an ``await`` is the usual guard of state shared with threads: the
loop waits at most for another thread's equally short section, and no coroutine can be
suspended while it holds the lock.  Held across an ``await`` (or an ``async for``/``async
with``, or a ``yield`` of an async generator) it is a bug: another coroutine of the same
loop that takes the lock blocks the loop's thread forever, since the holder can never
resume to release it.  These functions find that suspension, following ``release()`` and
``acquire()`` of the same lock in between (janus releases its mutex around each wait).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import Final

from flake8_asyncio_tasks.syntax import spelled

#: where a coroutine may be suspended, letting other coroutines of its loop run
_SUSPENSIONS: Final = (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom)
#: code that does not run where it is written
_DEFERRED: Final = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_STATEMENT_LISTS: Final = ("body", "orelse", "finalbody")
_TRIES: Final = tuple(getattr(ast, name) for name in ("Try", "TryStar") if hasattr(ast, name))


def _in_order(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and what it contains in source order, not entering nested functions."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = [child for child in ast.iter_child_nodes(current)
                    if not isinstance(child, _DEFERRED)]
        stack.extend(reversed(children))


def _lock_call(node: ast.AST, key: str) -> str | None:
    """``"acquire"``/``"release"`` for a call of that method on the lock spelled ``key``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
            node.func.attr in ("acquire", "release")) and spelled(node.func.value) == key:
        return node.func.attr
    return None


def _scan(statements: Sequence[ast.stmt], key: str, held: bool, *,
          reacquired: bool = True) -> tuple[str | None, bool]:
    """Where the first suspension while the lock is held is (for the message), and
    whether it is held after ``statements``: ``release()`` and, when ``reacquired``,
    ``acquire()`` of the lock change it (else the first release ends the scan)."""
    for statement in statements:
        for node in _in_order(statement):
            method = _lock_call(node, key)
            if method is not None:
                held = method == "acquire"
                if not held and not reacquired:
                    return None, False
            elif held and isinstance(node, _SUSPENSIONS):
                return _where(node), held
    return None, held


def _where(node: ast.AST) -> str:
    """``held across the await at line 12`` (the rest of the finding's note)."""
    kind = {ast.Await: "await", ast.AsyncFor: "async for", ast.AsyncWith: "async with",
            ast.Yield: "yield", ast.YieldFrom: "yield from"}.get(type(node), "suspension")
    return f"held across the {kind} at line {getattr(node, 'lineno', '?')}"


def held_in_with(statement: ast.With, expr: ast.expr) -> str | None:
    """``with lock: ... await ...``: the note for the finding, or ``None`` when the body
    never suspends while holding the lock."""
    where, _ = _scan(statement.body, spelled(expr), True)
    return where


def held_after_acquire(call: ast.Call, function: ast.AST) -> str | None:
    """``lock.acquire()`` in the coroutine ``function``: the note for the finding when the
    lock is still held at a suspension or when the coroutine returns, else ``None``;
    ``""`` (report, no note) when the lock is not named (``take = lock.acquire; take()``).

    Inside ``with lock:`` on the same lock (a re-acquire after releasing it around a
    wait), the ``with`` decides."""
    if not isinstance(call.func, ast.Attribute):
        return ""
    key = spelled(call.func.value)
    path = _path_to(function, call)
    if path is None:
        return None
    for statements, index in path[:-1]:
        owner = statements[index]
        if isinstance(owner, ast.With) and any(
                spelled(item.context_expr) == key for item in owner.items):
            return None
    statements, index = path[-1]
    if index > 0 and _made_just_before(statements[index - 1], key):
        return None  # lock = threading.Lock(); lock.acquire(): nobody else has it yet
    where, held = _scan(_after_call(statements[index], call), key, True, reacquired=False)
    # then the rest of the statement list holding the call, and of each enclosing one;
    # leaving an ``async with`` block, or the next turn of an ``async for``, suspends
    level = len(path) - 1
    while where is None and held and level >= 0:
        statements, index = path[level]
        rest = statements[index + 1:]
        where, held = _scan(rest, key, held, reacquired=False)
        if where is None and held and any(isinstance(s, (ast.Return, ast.Raise))
                                          for s in rest):
            break  # the block returns: what follows the enclosing ones is not reached
        if where is None and held and level > 0:
            outer, position = path[level - 1]
            if isinstance(outer[position], (ast.AsyncWith, ast.AsyncFor)):
                where = _where(outer[position])
        level -= 1
    if where is not None:
        return where
    return "still held when the coroutine returns" if held else None


#: constructors of a thread lock
_LOCK_MAKERS: Final = frozenset({"Lock", "RLock", "allocate_lock"})


def _made_just_before(statement: ast.stmt, key: str) -> bool:
    """``statement`` binds ``key`` to a new lock (``lock = threading.Lock()``): taken
    right after, no other thread can hold it, so ``acquire()`` returns at once."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.value, ast.Call)):
        return False
    made = spelled(statement.value.func).rpartition(".")[2]
    return spelled(statement.targets[0]) == key and made in _LOCK_MAKERS


def _after_call(statement: ast.stmt, call: ast.Call) -> list[ast.stmt]:
    """The statements of ``statement``'s own blocks (``if lock.acquire(): ...``)."""
    nested: list[ast.stmt] = []
    for field in _STATEMENT_LISTS:
        value = getattr(statement, field, None)
        if isinstance(value, list):
            nested.extend(s for s in value if isinstance(s, ast.stmt))
    return nested if call in ast.walk(_header(statement)) else []


def _header(statement: ast.stmt) -> ast.AST:
    """The part of a compound statement before its blocks (its test, its iterable)."""
    if isinstance(statement, (ast.If, ast.While)):
        return statement.test
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return statement.iter
    return statement


def _path_to(function: ast.AST, call: ast.Call) -> list[tuple[list[ast.stmt], int]] | None:
    """The statement lists from ``function``'s body down to the innermost statement that
    contains ``call``, each with the index of the statement taken; ``None`` if not found."""
    path: list[tuple[list[ast.stmt], int]] = []
    current: ast.AST = function
    while True:
        found = None
        for statements in statement_blocks(current):
            for index, statement in enumerate(statements):
                if any(node is call for node in _in_order(statement)):
                    found = (statements, index)
                    break
            if found is not None:
                break
        if found is None:
            return path or None
        path.append(found)
        current = found[0][found[1]]


def statement_blocks(node: ast.AST) -> Iterator[list[ast.stmt]]:
    """The statement lists directly inside ``node`` (``try`` handlers and ``match`` cases
    included)."""
    for field in _STATEMENT_LISTS:
        value = getattr(node, field, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    if isinstance(node, _TRIES):
        for handler in node.handlers:
            yield handler.body
    if isinstance(node, ast.Match):
        for case in node.cases:
            yield case.body


def statement_blocks_in(function: ast.AST) -> Iterator[list[ast.stmt]]:
    """Every statement list of ``function``'s own code, nested blocks included (not the
    bodies of functions or classes defined in it)."""
    stack: list[ast.AST] = [function]
    while stack:
        for block in statement_blocks(stack.pop()):
            yield block
            stack.extend(statement for statement in block if not isinstance(
                statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
