"""An internal error on one file is one AIO000 finding there, and nothing else changes.

A check is forced to raise: through the plugin class (monkeypatched) and through the
real ``flake8`` command line with ``--jobs 1`` and ``--jobs 2`` (a ``sitecustomize``
module on ``PYTHONPATH`` patches every interpreter flake8 starts, its workers too,
whatever the multiprocessing start method).  The rest of the suite runs with
``FLAKE8_ASYNCIO_TASKS_DEBUG=1`` (see ``conftest.py``) so that any real internal error
fails the test that meets it; these tests unset it.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FLAKE8_LINE, run_flake8

from flake8_asyncio_tasks import blocking, tasks, visitor
from flake8_asyncio_tasks.plugin import Plugin
from flake8_asyncio_tasks.rules import ALL_RULES, DEBUG_ENV, INTERNAL_ERROR

DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "rules" / "AIO000.md"
#: the AIO000 message, with the parts that vary by failure as groups
MESSAGE = re.compile(
    r"^AIO000 internal error in flake8-asyncio-tasks \((?P<error>[A-Za-z]+Error)(?:: .+)?"
    r", at (?P<frame>[a-z_]+\.py:\d+)\), so this file was not checked; please report this "
    r"with the file at https://\S+ \(FLAKE8_ASYNCIO_TASKS_DEBUG=1 shows the traceback\)$")

GOOD = '''\
import asyncio
import time


async def poll() -> None:
    time.sleep(1)
    asyncio.create_task(poll())
    await asyncio.sleep(1)
'''
GOOD_FINDINGS = [(6, "AIO100"), (7, "AIO200")]

#: imported by every interpreter on PYTHONPATH: files named *explode* make a check raise
SITECUSTOMIZE = '''\
from flake8_asyncio_tasks import blocking

_classify = blocking.BlockingCheck.classify


def classify(self, site):
    if "explode" in self.visitor.filename:
        raise ZeroDivisionError("forced by the test")
    return _classify(self, site)


blocking.BlockingCheck.classify = classify
'''


@pytest.fixture(autouse=True)
def report_internal_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin's default: report AIO000 instead of raising."""
    monkeypatch.delenv(DEBUG_ENV, raising=False)
    yield


def run_plugin(source: str, filename: str = "mod.py") -> list[tuple[int, int, str]]:
    lines = source.splitlines(keepends=True)
    return [result[:3] for result in Plugin(ast.parse(source), filename, lines).run()]


def _raise(*args: object, **kwargs: object) -> None:
    raise RuntimeError("forced\nover two lines")


@pytest.mark.parametrize("target", [
    (blocking.BlockingCheck, "classify"),
    (tasks.TaskCheck, "kind"),
    (visitor.Visitor, "_call"),
    (visitor.Visitor, "visit"),
])
def test_a_failing_check_is_one_internal_error(
        target: tuple[type, str], monkeypatch: pytest.MonkeyPatch) -> None:
    owner, name = target
    monkeypatch.setattr(owner, name, _raise)
    results = run_plugin(GOOD)
    assert len(results) == 1, results
    line, col, text = results[0]
    match = MESSAGE.match(text)
    assert match, text
    assert match["error"] == "RuntimeError"
    assert "forced over two lines" in text  # one line, whatever the exception says
    # the innermost frame of the plugin, not the test's patched function
    assert match["frame"].partition(":")[0] in {
        "checks.py", "blocking.py", "blocking_findings.py", "tasks.py", "task_findings.py",
        "visitor.py"}, text
    assert 1 <= line <= GOOD.count("\n") and col >= 0


def test_the_position_is_the_node_being_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocking.BlockingCheck, "classify", _raise)
    (line, col, _), = run_plugin(GOOD)
    assert (line, col) == (6, 4)  # time.sleep(1), the first call the check looked at


def test_unknown_position_is_line_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(visitor.Visitor, "__init__", _raise)
    (line, col, text), = run_plugin(GOOD)
    assert (line, col) == (1, 0)
    assert MESSAGE.match(text), text


def test_debug_variable_reraises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocking.BlockingCheck, "classify", _raise)
    monkeypatch.setenv(DEBUG_ENV, "1")
    with pytest.raises(RuntimeError, match="forced"):
        run_plugin(GOOD)
    monkeypatch.setenv(DEBUG_ENV, "0")
    assert [text.split()[0] for _, _, text in run_plugin(GOOD)] == ["AIO000"]


def test_interrupts_are_not_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(blocking.BlockingCheck, "classify", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run_plugin(GOOD)


def test_other_files_are_unaffected(monkeypatch: pytest.MonkeyPatch) -> None:
    original = blocking.BlockingCheck.classify

    def classify(self: blocking.BlockingCheck, site: visitor.CallSite) -> object:
        if "explode" in self.visitor.filename:
            raise ZeroDivisionError("forced")
        return original(self, site)

    monkeypatch.setattr(blocking.BlockingCheck, "classify", classify)
    assert [text.split()[0] for *_, text in run_plugin(GOOD, "explode.py")] == ["AIO000"]
    found = [(line, text.split()[0]) for line, _, text in run_plugin(GOOD, "fine.py")]
    assert found == GOOD_FINDINGS


def test_registry_entry() -> None:
    assert ALL_RULES["AIO000"] is INTERNAL_ERROR
    assert INTERNAL_ERROR.default_enabled


# -- the real command line -------------------------------------------------------------
@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    for name in ("a_first.py", "explode.py", "z_last.py"):
        (project / name).write_text(GOOD, encoding="utf-8")
    return tmp_path


def cli_env(tree: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != DEBUG_ENV}
    hooks = str(tree / "hooks")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [hooks, env.get("PYTHONPATH")]))
    return env


@pytest.mark.skipif(sys.platform == "emscripten", reason="needs subprocesses")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_reports_the_failure_and_every_other_file(tree: Path, jobs: str) -> None:
    result = run_flake8("--isolated", "--select=AIO", f"--jobs={jobs}", "project",
                        cwd=tree, env=cli_env(tree))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and not result.stderr.strip(), result.stderr
    found: dict[str, list[tuple[int, str]]] = {}
    texts = []
    for line in result.stdout.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, line
        found.setdefault(Path(match["path"]).name, []).append(
            (int(match["line"]), match["code"]))
        texts.append(f'{match["code"]} {match["text"]}')
    assert found == {
        "a_first.py": GOOD_FINDINGS,
        "explode.py": [(6, "AIO000")],
        "z_last.py": GOOD_FINDINGS,
    }
    internal = [text for text in texts if text.startswith("AIO000")]
    match = MESSAGE.match(internal[0])
    assert match and match["error"] == "ZeroDivisionError", internal
    assert match["frame"].startswith("blocking_findings.py:"), internal


@pytest.mark.skipif(sys.platform == "emscripten", reason="needs subprocesses")
def test_cli_with_debug_shows_the_traceback(tree: Path) -> None:
    env = cli_env(tree) | {DEBUG_ENV: "1"}
    result = run_flake8("--isolated", "--select=AIO", "--jobs=1", "project/explode.py",
                        cwd=tree, env=env)
    assert result.returncode != 0
    assert "ZeroDivisionError: forced by the test" in result.stderr


@pytest.mark.skipif(sys.platform == "emscripten", reason="needs subprocesses")
def test_docs_page_shows_the_real_shape(tree: Path) -> None:
    """The page's example output is what a forced failure on its example prints."""
    text = DOCS_PAGE.read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", text, re.S)
    console = re.search(r"```console\n\$ flake8 (.*?) example.py\n(.*?)\n```", text, re.S)
    assert example and console
    (tree / "explode").mkdir()
    (tree / "explode" / "example.py").write_text(example.group(1), encoding="utf-8")
    result = run_flake8("--isolated", "--jobs=1", *console.group(1).split(),
                        "explode/example.py", cwd=tree, env=cli_env(tree))
    shown, actual = console.group(2), result.stdout.strip().removeprefix("explode/")
    assert result.returncode == 1, result.stderr
    # the same line, column and message; only the exception and the frame differ
    pattern = re.escape(shown)
    pattern = pattern.replace(re.escape("AttributeError: 'Name' object has no attribute "
                                        "'value'"), r"ZeroDivisionError: forced by the test")
    pattern = re.sub(r"blocking_findings\\.py:\d+", r"blocking_findings\\.py:\\d+", pattern)
    assert re.fullmatch(pattern, actual), (shown, actual)
