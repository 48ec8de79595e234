"""Run every check on one module: one walk, then the checks over what it recorded."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Final

from flake8_asyncio_tasks import blocking, misuse, tasks, transitive
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.tables import (
    ASYNC_ANY_METHOD,
    ASYNC_CONTEXT_MANAGERS,
    COROUTINE_DECORATORS,
    LIBRARY_COROUTINES,
)
from flake8_asyncio_tasks.visitor import Finding, Visitor

#: a module without any of these words cannot produce a finding: skip the walk.
#: Coroutines (``async def``, generator-based ``coroutine``/``gen_test``), tasks and
#: loops; and an import of an async library whose calls make coroutines even in sync
#: code (``import bleak`` then ``client.connect()`` in a plain ``def``).
_WORDS: Final = ("async", "coroutine", "create_task", "ensure_future", "event_loop",
                 "gen_test")
_LIBRARIES: Final = frozenset(
    name.partition(".")[0] for name in (
        *LIBRARY_COROUTINES, *ASYNC_CONTEXT_MANAGERS, *ASYNC_ANY_METHOD,
        *COROUTINE_DECORATORS)
) - {"asyncio"}
#: one pass over the text for the library imports
_TRIGGER_PATTERN: Final = re.compile(
    r"\b(?:import|from)\s+(?:" + "|".join(re.escape(name) for name in sorted(_LIBRARIES))
    + r")\b")


def may_have_findings(source: str, settings: Settings) -> bool:
    """Cheap text test: does the module mention anything a rule looks for?"""
    if any(word in source for word in _WORDS):
        return True
    if _TRIGGER_PATTERN.search(source) is not None:
        return True
    return any(name.rpartition(".")[2] in source for name in settings.task_factories)


def check_module(
    tree: ast.AST, settings: Settings, filename: str = "", lines: Sequence[str] | None = None
) -> list[Finding]:
    """Every finding for one parsed module, sorted by position."""
    if lines is not None and not may_have_findings("".join(lines), settings):
        return []
    visitor = Visitor(settings, filename)
    visitor.visit(tree)
    blocker = blocking.BlockingCheck(visitor)
    helpers = transitive.TransitiveCheck(visitor, blocker)
    task_check = tasks.TaskCheck(visitor)
    misuses = misuse.MisuseCheck(visitor, task_check)
    # a blocking call written inside to_thread(...) is AIO111, not also AIO1xx
    results, offloaded = misuses.offloaded_results(blocker, helpers)
    # what blocks in a coroutine run only on a worker thread's own loop blocks that thread
    in_threads = blocking.thread_run_coroutines(visitor)
    results += blocking.check(visitor, blocker, offloaded, in_threads)
    helper_calls = []
    for site in visitor.calls:
        coroutine = site.scope.coroutine
        if coroutine is not None and id(site.node) not in offloaded and (
                id(coroutine) not in in_threads):
            ref = transitive.local_function(site, visitor)
            if ref is not None and not ref.is_async:
                helper_calls.append((site, ref))
    results += helpers.check(helper_calls)
    results += tasks.check(visitor, task_check)
    results += misuses.check()
    results += misuses.sync_withs()
    results.sort(key=lambda f: (f.line, f.col, f.text))
    return results
