"""AIO100-AIO108, AIO110: the findings for the calls, iterations and ``with`` items of
a module's coroutines, from what :class:`~flake8_asyncio_tasks.blocking.BlockingCheck`
says each one is.

A call is checked where it runs: in a coroutine's own frame, including its
comprehensions and generator expressions, but not in a ``def``, ``lambda`` or ``class``
nested in it (that code runs whenever something calls it, often in a thread).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Final

from flake8_asyncio_tasks.blocking import BlockingCheck, is_allowed, resolve_candidate
from flake8_asyncio_tasks.contexts import awaited_later
from flake8_asyncio_tasks.locks import held_after_acquire, held_in_with
from flake8_asyncio_tasks.names import Scope
from flake8_asyncio_tasks.rules import LOOP_RUN_IN_COROUTINE, with_note
from flake8_asyncio_tasks.syntax import spelled
from flake8_asyncio_tasks.tables import BLOCKING_WITH, ITERATION_BLOCKS, Blocking
from flake8_asyncio_tasks.visitor import Finding, Visitor


def _forking_coroutines(visitor: Visitor) -> set[int]:
    """Coroutines that call ``os.fork()``: their child process has no running loop."""
    forking = set()
    for site in visitor.calls:
        if site.scope.coroutine is not None and resolve_candidate(
            site, _FORK, visitor
        ) == ("fork", "os.fork"):
            forking.add(id(site.scope.coroutine))
    return forking


_FORK: Final = frozenset({"fork"})


def _on_a_reported_call(node: ast.Call, reported: set[int]) -> bool:
    """``node`` is a method called on the result of a reported call
    (``conn.execute(sql).fetchone()``, ``Popen(args).wait()``)."""
    func = node.func
    value = func.value if isinstance(func, ast.Attribute) else None
    while value is not None:
        if isinstance(value, ast.Call):
            if id(value) in reported:
                return True
            value = value.func
        elif isinstance(value, (ast.Attribute, ast.Subscript)):
            value = value.value
        else:
            return False
    return False


def check(visitor: Visitor, blocking: BlockingCheck,
          skip: set[int] | frozenset[int] = frozenset(),
          in_threads: set[int] | frozenset[int] = frozenset()) -> Iterator[Finding]:
    """AIO100-AIO108 and AIO110 for every call and sync ``with`` in a coroutine.

    ``skip``: ids of calls another rule reports instead (AIO111); ``in_threads``: ids of
    coroutines that run on a loop of their own in a worker thread (see
    :func:`~flake8_asyncio_tasks.threads.thread_run_coroutines`).
    """
    forking: set[int] | None = None
    found_calls: list[tuple[ast.Call, str]] = []
    for site in visitor.calls:
        coroutine = site.scope.coroutine
        if coroutine is None or id(site.node) in skip or id(coroutine) in in_threads:
            continue
        found = blocking.classify(site)
        if found is not None and found[1].rule is not LOOP_RUN_IN_COROUTINE and (
                site.usage == "await" or awaited_later(site)):
            # await session.get(url): a sync API's result cannot be awaited, so this is
            # another API of that name (a subclass whose request() runs in a thread)
            continue
        if found is not None:
            name, entry = found
            if entry.rule is LOOP_RUN_IN_COROUTINE:
                if forking is None:
                    forking = _forking_coroutines(visitor)
                if id(coroutine) in forking:
                    continue  # the child of os.fork() may run a loop of its own
            text = entry.message(name, coroutine.name)
            if entry.mutex:
                held = held_after_acquire(site.node, coroutine.node)
                if held is None:
                    continue  # released before any suspension
                if held:
                    text = with_note(text, name, held)
            found_calls.append((site.node, text))
    reported = {id(node) for node, _ in found_calls}
    for node, text in found_calls:
        # conn.execute(sql).fetchone(): one finding for the chain, at its first call
        if not _on_a_reported_call(node, reported):
            yield Finding(node.lineno, node.col_offset, text)
    for expr, scope in visitor.iterations:  # for row in Article.objects.all():
        coroutine = scope.coroutine
        if coroutine is None or id(coroutine) in in_threads:
            continue
        iterated = blocking.resolver.resolve(expr, scope)
        query = ITERATION_BLOCKS.get(iterated) if isinstance(iterated, str) else None
        if query is not None:
            written = f"{spelled(expr.func)}(...)" if isinstance(expr, ast.Call) else (
                spelled(expr))
            # the for loop calls __iter__, which runs the query
            yield Finding(expr.lineno, expr.col_offset,
                          query.message(f"{written}.__iter__", coroutine.name))
    for expr, scope, statement in visitor.with_items:
        if scope.coroutine is None or id(scope.coroutine) in in_threads:
            continue
        found_with = _classify_with(blocking, expr, scope)
        if found_with is not None and scope.coroutine is not None:
            name, entry = found_with
            note = f"entering `with {spelled(expr)}:`"
            if entry.mutex:
                held = held_in_with(statement, expr)
                if held is None:
                    continue  # a short section shared with threads
                note += f", {held}"
            # with self._lock: calls acquire() on entering; the message says where
            text = with_note(entry.message(name, scope.coroutine.name), name, note)
            yield Finding(expr.lineno, expr.col_offset, text)


def _classify_with(blocking: BlockingCheck, expr: ast.expr, scope: Scope
                   ) -> tuple[str, Blocking] | None:
    """``with lock:`` where ``lock`` is a ``threading`` lock, condition or semaphore."""
    ref = blocking.resolver.resolve(expr, scope)
    if not isinstance(ref, str):
        return None
    entry = BLOCKING_WITH.get(ref)
    if entry is None or is_allowed(entry[0], blocking.settings):
        return None
    return entry
