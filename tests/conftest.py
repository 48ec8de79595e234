"""Shared fixtures: run flake8 for real, once per session, over all rule fixtures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

import pytest

from flake8_asyncio_tasks.rules import DEBUG_ENV

# Any internal error of the plugin fails the test that hits it: with this set, the
# plugin re-raises instead of reporting AIO000, in this process and in every flake8
# subprocess the tests start (they inherit the environment).  Only
# tests/test_fault_isolation.py unsets it, to test the AIO000 report itself.
os.environ[DEBUG_ENV] = "1"

FIXTURES_DIR = Path(__file__).parent / "fixtures"
#: fixtures are source for the plugin to read, never tests to run, even when named the
#: way pytest collects (``AIO109_patched_test.py`` is a test module to the plugin)
collect_ignore_glob = ["fixtures/*", "projects/*"]
#: one line of flake8's default output format
FLAKE8_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<text>.*)$")
#: a fixture line that must be reported: ``# error: AIO100`` (several: comma-separated)
EXPECT = re.compile(r"#\s*error:\s*(AIO\d{3}(?:\s*,\s*AIO\d{3})*)")
#: Pyodide (CPython on WebAssembly, scripts/python-tiers.sh) cannot start processes:
#: tests that run the real flake8 command skip there
NO_SUBPROCESS = sys.platform == "emscripten"


#: a fixture named ``*_py312*`` needs Python 3.12 or later
_MIN_VERSION = re.compile(r"_py3(\d+)")


def skip_reason(path: Path) -> str | None:
    """Why this interpreter cannot parse the fixture ``path``, or ``None``."""
    match = _MIN_VERSION.search(path.stem)
    if match and sys.version_info < (3, int(match.group(1))):
        return f"needs Python 3.{match.group(1)}"
    return None


def expected_codes(source: str) -> list[tuple[int, str]]:
    """The sorted (line, code) pairs the ``# error:`` comments of ``source`` ask for."""
    pairs = []
    for lineno, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            pairs += [(lineno, code.strip()) for code in match.group(1).split(",")]
    return sorted(pairs)


def run_flake8(*args: str, cwd: Path | None = None, stdin: str | None = None,
               env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m flake8 ARGS`` with this interpreter, where the plugin is installed."""
    if NO_SUBPROCESS:
        pytest.skip("no subprocesses on emscripten (Pyodide): the flake8 command cannot run")
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        env=None if env is None else dict(env),
        timeout=600,
    )


def count_resolutions(source: str, monkeypatch: pytest.MonkeyPatch,
                      filename: str = "mod.py") -> tuple[int, int]:
    """(``Resolver.resolve`` calls, findings) for one run of the plugin class on ``source``.

    Work counted, not time: a test can prove linear cost on a loaded machine.
    """
    import ast

    from flake8_asyncio_tasks import names, resolver
    from flake8_asyncio_tasks.plugin import Plugin

    calls = 0
    original = resolver.Resolver.resolve

    def counting(self: resolver.Resolver, node: ast.expr, scope: names.Scope,
                 depth: int = 0) -> names.Ref | None:
        nonlocal calls
        calls += 1
        return original(self, node, scope, depth)

    with monkeypatch.context() as patch:
        patch.setattr(resolver.Resolver, "resolve", counting)
        findings = list(Plugin(ast.parse(source), filename).run())
    return calls, len(findings)


@pytest.fixture(scope="session")
def cli_findings() -> dict[Path, list[tuple[int, str]]]:
    """(line, code) pairs per fixture file, from one real ``flake8`` run over all of them."""
    if NO_SUBPROCESS:
        pytest.skip("no subprocesses on emscripten (Pyodide): the flake8 command cannot run")
    result = run_flake8("--isolated", "--select=AIO", "--jobs=1", str(FIXTURES_DIR))
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    found: dict[Path, list[tuple[int, str]]] = defaultdict(list)
    for line in result.stdout.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, f"unexpected flake8 output line: {line!r}"
        found[Path(match["path"]).resolve()].append((int(match["line"]), match["code"]))
    return {path: sorted(pairs) for path, pairs in found.items()}
