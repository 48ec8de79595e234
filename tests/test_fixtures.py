"""Every fixture, through the plugin class and through the real flake8 command line.

A line that must be reported ends in ``# error: AIO100`` (several codes separated by
commas); every other line must produce nothing.  A ``_py312`` suffix in the file name
skips interpreters older than 3.12.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import expected_codes, skip_reason

from flake8_asyncio_tasks.plugin import Plugin

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.py"))


def expected(path: Path) -> list[tuple[int, str]]:
    """The (line, code) pairs a fixture's ``# error:`` comments ask for."""
    return expected_codes(path.read_text(encoding="utf-8"))


def findings_via_class(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    plugin = Plugin(tree, str(path), source.splitlines(keepends=True))
    return sorted((line, message.split()[0]) for line, _, message, _ in plugin.run())


def test_fixtures_exist() -> None:
    assert len(FIXTURES) >= 1


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_via_class(path: Path) -> None:
    if reason := skip_reason(path):
        pytest.skip(reason)
    assert findings_via_class(path) == expected(path)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_via_cli(path: Path, cli_findings: dict[Path, list[tuple[int, str]]]) -> None:
    if reason := skip_reason(path):
        pytest.skip(reason)
    assert cli_findings.get(path.resolve(), []) == expected(path)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_compiles(path: Path) -> None:
    """``ast.parse`` accepts some code the compiler rejects: fixtures must be real Python."""
    if reason := skip_reason(path):
        pytest.skip(reason)
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
