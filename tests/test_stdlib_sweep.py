"""The plugin never raises on any file of the running interpreter's standard library.

Every ``.py`` under ``sysconfig.get_paths()["stdlib"]`` (test directories included,
``site-packages`` excluded) that the interpreter itself can decode and ``ast.parse``
goes through the flake8 plugin class, with default and with configured options.
Files ``ast.parse`` rejects (``lib2to3`` test data, deliberately bad test inputs) are
skipped, as flake8 itself would report them as E999 without running plugins.

Marked ``slow`` (15-35 s on a shared 2-core machine); CI runs every marker::

    python -m pytest -q tests/test_stdlib_sweep.py
"""

from __future__ import annotations

import argparse
import ast
import sysconfig
import tokenize
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from flake8_asyncio_tasks.plugin import Plugin
from flake8_asyncio_tasks.rules import ALL_RULES

STDLIB = Path(sysconfig.get_paths()["stdlib"])

#: every option set, so the configured code paths run on real code too
CONFIGURED = argparse.Namespace(
    asyncio_blocking_calls="os.getcwd=os.getcwdb, json.loads, self.read=self.aread",
    asyncio_allowed_calls="time.sleep, subprocess, socket.socket.recv",
    asyncio_task_factories="asyncio.create_task, concurrent.futures.Executor.submit, spawn",
)


def stdlib_files() -> Iterator[Path]:
    """Every ``.py`` file of the standard library, outside ``site-packages``."""
    for path in sorted(STDLIB.rglob("*.py")):
        relative = path.relative_to(STDLIB)
        if "site-packages" in relative.parts or "dist-packages" in relative.parts:
            continue
        if path.is_file():
            yield path


def parse(path: Path) -> tuple[ast.AST, list[str]] | None:
    """The tree and lines of ``path``, or ``None`` when Python itself cannot read it."""
    try:
        with tokenize.open(path) as handle:
            source = handle.read()
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return tree, source.splitlines(keepends=True)


def problems_in(results: list[tuple[object, ...]], line_count: int) -> list[str]:
    """What is wrong with the plugin's results for one file (empty: all well formed)."""
    problems = []
    for result in results:
        line, col, text, kind = result
        if not (type(line) is int and 1 <= line <= max(line_count, 1)):
            problems.append(f"bad line in {result!r}")
        if not (type(col) is int and col >= 0):
            problems.append(f"bad column in {result!r}")
        if isinstance(text, str) and text.startswith("AIO000"):
            problems.append(f"internal error {result!r}")
        if not (isinstance(text, str) and text.partition(" ")[0] in ALL_RULES
                and "\n" not in text):
            problems.append(f"bad message in {result!r}")
        if kind is not Plugin:
            problems.append(f"bad type in {result!r}")
    return problems


def run_plugin(tree: ast.AST, path: Path, lines: list[str] | None) -> list[tuple[object, ...]]:
    return list(Plugin(tree, str(path), lines).run())


@pytest.mark.slow
def test_plugin_never_raises_on_the_standard_library() -> None:
    checked = skipped = findings = 0
    failures: list[str] = []
    default_settings = Plugin._settings
    try:
        for path in stdlib_files():
            parsed = parse(path)
            if parsed is None:
                skipped += 1
                continue
            tree, lines = parsed
            checked += 1
            name = path.relative_to(STDLIB).as_posix()
            try:
                Plugin._settings = default_settings
                walked = run_plugin(tree, path, None)  # lines=None: never skip the walk
                # as flake8 calls it: the text pre-filter must not hide any finding
                filtered = run_plugin(tree, path, lines)
                Plugin.parse_options(CONFIGURED)
                configured = run_plugin(tree, path, None)
            except Exception:  # noqa: BLE001 - collect every crash, report them together
                failures.append(f"{name}:\n{traceback.format_exc(limit=-3)}")
                continue
            findings += len(walked)
            problems = problems_in(walked + configured, len(lines))
            if filtered != walked:
                problems.append(f"pre-filter changed the findings: {filtered} != {walked}")
            failures += [f"{name}: {problem}" for problem in problems]
    finally:
        Plugin._settings = default_settings
    assert checked > 500, f"only {checked} stdlib files checked under {STDLIB}"
    assert not failures, (
        f"{len(failures)} problem(s) in {checked} stdlib files ({skipped} skipped):\n\n"
        + "\n".join(failures)
    )
