"""The plugin through the real ``python -m flake8``: what a CI gate or an editor relies on.

Exit codes, output formats and files, counts and statistics, code selection, ``# noqa`` on
multi-line calls, ``--jobs`` and stdin.  Everything runs in a temporary directory with
``--isolated`` (no stray config) unless a test is about config files.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import FLAKE8_LINE, run_flake8

SAMPLE = '''\
import asyncio
import time


async def work() -> None:
    await asyncio.sleep(0)


async def main() -> None:
    time.sleep(1)
    asyncio.create_task(work())
    work()
# a comment long enough to break pycodestyle's default limit of seventy-nine characters
'''
#: (line, code) pairs flake8 must report for SAMPLE, with every code selected.
SAMPLE_AIO = [(10, "AIO100"), (11, "AIO200"), (12, "AIO202")]
SAMPLE_ALL = sorted([*SAMPLE_AIO, (13, "E501")])

CLEAN = '''\
import asyncio


async def main() -> None:
    await asyncio.sleep(1)
    task = asyncio.create_task(main())
    await task
'''

# Codes of flake8 itself and of this plugin; other installed plugins are ignored.
_OURS = re.compile(r"^(AIO|E|W|F|C9)\d")


def findings(stdout: str, *, with_path: bool = False) -> list[Any]:
    """Sorted (line, code) pairs from default-format output, ours and flake8's only.

    With ``with_path``: (path, line, code), the path as flake8 printed it, in posix form.
    """
    found: list[Any] = []
    for line in stdout.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, f"unexpected flake8 output line: {line!r}"
        if _OURS.match(match["code"]):
            line_code = (int(match["line"]), match["code"])
            if with_path:
                found.append((Path(match["path"]).as_posix().removeprefix("./"), *line_code))
            else:
                found.append(line_code)
    return sorted(found)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "app.py"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "clean.py"
    path.write_text(CLEAN, encoding="utf-8")
    return path


# -- exit codes: what a CI gate checks --------------------------------------------------


def test_clean_file_exits_0_with_no_output(clean: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", clean.name, cwd=clean.parent)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_findings_exit_1(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", sample.name, cwd=sample.parent)
    assert result.returncode == 1
    assert findings(result.stdout) == SAMPLE_AIO
    assert result.stderr == ""


def test_exit_zero_reports_but_passes(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", "--exit-zero", sample.name,
                        cwd=sample.parent)
    assert result.returncode == 0
    assert findings(result.stdout) == SAMPLE_AIO


def test_unparsable_file_passes_with_select_aio_alone_but_fails_with_e9(tmp_path: Path) -> None:
    """Why the README's CI snippets and the pre-commit hook select ``AIO,E9``."""
    (tmp_path / "broken.py").write_text("async def poll(:\n", encoding="utf-8")
    assert run_flake8("--isolated", "--select=AIO", "broken.py", cwd=tmp_path).returncode == 0
    result = run_flake8("--isolated", "--select=AIO,E9", "broken.py", "missing.py",
                        cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["E999", "E902"]


# -- output formats, files, counts ------------------------------------------------------


def test_pylint_format(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", "--format=pylint", sample.name,
                        cwd=sample.parent)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split(": [")[0] for line in lines] == [f"app.py:{n}" for n, _ in SAMPLE_AIO]
    assert all(line.startswith(f"app.py:{n}: [{code}] ")
               for line, (n, code) in zip(lines, SAMPLE_AIO, strict=True))


def test_custom_format_string(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", "--format=%(path)s|%(row)d|%(code)s",
                        sample.name, cwd=sample.parent)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"app.py|{n}|{code}" for n, code in SAMPLE_AIO]


def test_github_annotation_format_from_the_readme(sample: Path) -> None:
    fmt = "::error file=%(path)s,line=%(row)d,col=%(col)d,title=%(code)s::%(code)s %(text)s"
    result = run_flake8("--isolated", "--select=AIO,E9", f"--format={fmt}", sample.name,
                        cwd=sample.parent)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split("::")[1] for line in lines] == [
        f"error file=app.py,line={n},col=5,title={code}" for n, code in SAMPLE_AIO]
    assert lines[0].endswith("::AIO100 blocking call time.sleep() in coroutine 'main'; "
                             "use await asyncio.sleep()")


def test_output_file_gets_the_report_and_stdout_stays_empty(sample: Path) -> None:
    report = sample.parent / "reports" / "flake8.txt"
    report.parent.mkdir()
    result = run_flake8("--isolated", "--select=AIO", f"--output-file={report}", sample.name,
                        cwd=sample.parent)
    assert (result.returncode, result.stdout) == (1, "")
    assert findings(report.read_text(encoding="utf-8")) == SAMPLE_AIO


def test_output_file_with_tee_writes_both(sample: Path) -> None:
    report = sample.parent / "flake8.txt"
    result = run_flake8("--isolated", "--select=AIO", f"--output-file={report}", "--tee",
                        sample.name, cwd=sample.parent)
    assert result.returncode == 1
    assert result.stdout == report.read_text(encoding="utf-8")
    assert findings(result.stdout) == SAMPLE_AIO


def test_count_prints_the_total_last(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", "--count", sample.name,
                        cwd=sample.parent)
    *report, total = result.stdout.splitlines()
    assert result.returncode == 1
    assert findings("\n".join(report)) == SAMPLE_AIO
    assert total == str(len(SAMPLE_AIO))


def test_statistics_count_each_code(sample: Path, tmp_path: Path) -> None:
    # A second file with another time.sleep: AIO100 must be counted twice.
    (tmp_path / "more.py").write_text(
        "import time\n\n\nasync def tick() -> None:\n    time.sleep(1)\n", encoding="utf-8")
    result = run_flake8("--isolated", "--select=AIO", "--statistics", "-q", ".", cwd=tmp_path)
    assert result.returncode == 1
    stats = {}
    for line in result.stdout.splitlines():
        match = re.match(r"^(\d+)\s+(AIO\d{3}) ", line)
        if match:
            stats[match[2]] = int(match[1])
    expected = Counter(code for _, code in SAMPLE_AIO)
    expected["AIO100"] += 1
    assert stats == dict(expected)


# -- choosing codes -----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "codes"), [
    ([], {"AIO100", "AIO200", "AIO202", "E501"}),
    (["--select=AIO"], {"AIO100", "AIO200", "AIO202"}),
    (["--select=AIO2"], {"AIO200", "AIO202"}),
    (["--select=E501"], {"E501"}),
    (["--select=E501", "--extend-select=AIO1"], {"AIO100", "E501"}),
    (["--ignore=AIO100"], {"AIO200", "AIO202", "E501"}),
    (["--extend-ignore=AIO2"], {"AIO100", "E501"}),
    (["--select=AIO", "--extend-ignore=AIO202"], {"AIO100", "AIO200"}),
    (["--select=AIO", "--per-file-ignores=app.py:AIO200"], {"AIO100", "AIO202"}),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_select_and_ignore(sample: Path, args: list[str], codes: set[str]) -> None:
    result = run_flake8("--isolated", *args, sample.name, cwd=sample.parent)
    assert result.returncode == 1
    assert {code for _, code in findings(result.stdout)} == codes
    assert all(pair in SAMPLE_ALL for pair in findings(result.stdout))


def test_config_file_settings_apply(tmp_path: Path) -> None:
    """A gradual rollout as the README shows it: the config file alone decides."""
    (tmp_path / ".flake8").write_text(textwrap.dedent("""\
        [flake8]
        select = E,F,W
        extend-select = AIO1
        per-file-ignores =
            legacy/*.py: AIO
        asyncio-allowed-calls = time.sleep
        """), encoding="utf-8")
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "svc.py").write_text(SAMPLE.replace("time.sleep(1)", "time.sleep(1)\n"
                                                    "    open('x').read()"), encoding="utf-8")
    result = run_flake8("svc.py", "legacy", cwd=tmp_path)
    assert result.returncode == 1
    # time.sleep is allowed, AIO2 is not selected and legacy/ is exempt from AIO codes:
    # what remains is the new open() (AIO103) and flake8's own E501 in both files.
    assert findings(result.stdout, with_path=True) == [
        ("legacy/old.py", 13, "E501"),
        ("svc.py", 11, "AIO103"),
        ("svc.py", 14, "E501"),
    ]


# -- noqa on multi-line calls ---------------------------------------------------------------

#: One snippet per rule: MARK sits on the first line of the multi-line call that rule
#: reports, which is where flake8 shows the finding and where users put ``# noqa``.
MARK = "  #MARK"
NOQA_SNIPPETS = {
    "AIO100": """\
        import time

        async def handler() -> None:
            time.sleep(  #MARK
                1,
            )
        """,
    "AIO101": """\
        import requests

        async def handler() -> None:
            requests.get(  #MARK
                "https://example.com",
                timeout=3,
            )
        """,
    "AIO109": """\
        import time

        def helper(delay: float) -> None:
            time.sleep(delay)

        async def handler() -> None:
            helper(  #MARK
                1,
            )
        """,
    "AIO200": """\
        import asyncio

        async def work() -> None: ...

        async def handler() -> None:
            asyncio.create_task(  #MARK
                work(),
            )
        """,
    "AIO201": """\
        import asyncio

        async def work() -> None: ...

        async def handler() -> None:
            task = asyncio.create_task(  #MARK
                work(),
            )
        """,
    "AIO202": """\
        async def work(delay: float) -> None: ...

        async def handler() -> None:
            work(  #MARK
                1,
            )
        """,
    "AIO300": """\
        import asyncio

        loop = asyncio.get_event_loop(  #MARK
        )
        """,
}
NOQA_VARIANTS = {
    "none": "",
    "specific": "  # noqa: {code}",
    "bare": "  # noqa",
    "lowercase": "  # NOQA:{code}",
    "with-reason": "  # noqa: {code} the registry in on_start() keeps it",
    "other-code": "  # noqa: E501",
}
SILENCED = {"specific", "bare", "lowercase", "with-reason"}


@pytest.fixture(scope="module")
def noqa_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str]]]:
    """One flake8 run over every snippet in every variant; findings per file stem."""
    root = tmp_path_factory.mktemp("noqa")
    for code, snippet in NOQA_SNIPPETS.items():
        for variant, comment in NOQA_VARIANTS.items():
            text = textwrap.dedent(snippet).replace(MARK, comment.format(code=code))
            (root / f"{code}_{variant.replace('-', '_')}.py").write_text(text, encoding="utf-8")
    result = run_flake8("--isolated", "--select=AIO", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    per_file: dict[str, list[tuple[int, str]]] = {
        path.stem: [] for path in root.glob("*.py")}
    for path, line, code in findings(result.stdout, with_path=True):
        per_file[Path(path).stem].append((line, code))
    return per_file


@pytest.mark.parametrize("variant", NOQA_VARIANTS)
@pytest.mark.parametrize("code", NOQA_SNIPPETS)
def test_noqa_on_first_line_of_multiline_call(noqa_results: dict[str, list[tuple[int, str]]],
                                             code: str, variant: str) -> None:
    mark_line = next(n for n, line in enumerate(
        textwrap.dedent(NOQA_SNIPPETS[code]).splitlines(), start=1) if MARK in line)
    got = noqa_results[f"{code}_{variant.replace('-', '_')}"]
    assert got == ([] if variant in SILENCED else [(mark_line, code)])


def test_noqa_goes_on_the_reported_calls_own_first_line(tmp_path: Path) -> None:
    """flake8 reads ``# noqa`` from the reported physical line only (multi-line strings
    aside): on the first line of an enclosing multi-line statement it does not cover a
    call that starts further down."""
    source = textwrap.dedent("""\
        import asyncio
        import time

        async def handler() -> None:
            await asyncio.gather(  #OUTER
                asyncio.to_thread(time.sleep, 1),
                asyncio.to_thread(
                    time.sleep(  #INNER
                        1,
                    ),
                ),
            )
        """)
    # time.sleep(1) inside to_thread(...) runs on the loop: AIO111 on its own line
    for name, outer, inner in [("plain", "", ""), ("outer", "  # noqa: AIO111", ""),
                               ("inner", "", "  # noqa: AIO111")]:
        text = source.replace("  #OUTER", outer).replace("  #INNER", inner)
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    result = run_flake8("--isolated", "--select=AIO", ".", cwd=tmp_path)
    assert findings(result.stdout, with_path=True) == [
        ("outer.py", 8, "AIO111"), ("plain.py", 8, "AIO111")]


# -- parallel runs and stdin ------------------------------------------------------------------

def _project_tree(root: Path) -> None:
    """Several files in nested packages, using the settings options as well."""
    configured = textwrap.dedent("""\
        import mylib

        async def fetch() -> None:
            mylib.fetch_sync()
            mylib.allowed_sync()
        """)
    for index in range(4):
        package = root / f"pkg{index}" / "sub"
        package.mkdir(parents=True)
        (package / "service.py").write_text(SAMPLE, encoding="utf-8")
        (package / "clean.py").write_text(CLEAN, encoding="utf-8")
        (root / f"pkg{index}" / "configured.py").write_text(configured, encoding="utf-8")


def test_jobs_2_and_jobs_1_report_the_same(tmp_path: Path) -> None:
    _project_tree(tmp_path)
    options = ["--isolated", "--select=AIO", "--asyncio-blocking-calls=mylib.fetch_sync",
               "--asyncio-allowed-calls=mylib.allowed_sync", "."]
    serial = run_flake8("--jobs=1", *options, cwd=tmp_path)
    parallel = run_flake8("--jobs=2", *options, cwd=tmp_path)
    assert (serial.returncode, parallel.returncode) == (1, 1)
    assert parallel.stdout == serial.stdout
    # The options reached the worker processes: AIO108 for the configured call only.
    assert Counter(code for _, _, code in findings(parallel.stdout, with_path=True)) == {
        "AIO100": 4, "AIO200": 4, "AIO202": 4, "AIO108": 4}
    assert "allowed_sync" not in parallel.stdout


def test_stdin(sample: Path) -> None:
    from_file = run_flake8("--isolated", "--select=AIO", sample.name, cwd=sample.parent)
    from_stdin = run_flake8("--isolated", "--select=AIO", "-", cwd=sample.parent, stdin=SAMPLE)
    assert from_stdin.returncode == 1
    assert from_stdin.stdout == from_file.stdout.replace("app.py:", "stdin:")
    named = run_flake8("--isolated", "--select=AIO", "--stdin-display-name=svc/app.py",
                       "--per-file-ignores=svc/*.py:AIO202", "-", cwd=sample.parent,
                       stdin=SAMPLE)
    assert findings(named.stdout, with_path=True) == [
        ("svc/app.py", n, code) for n, code in SAMPLE_AIO if code != "AIO202"]


def test_clean_stdin_exits_0(clean: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", "-", stdin=CLEAN, cwd=clean.parent)
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.parametrize("library", ["trio", "anyio"])
def test_advice_names_the_event_loop_library_the_module_uses(
        tmp_path: Path, library: str) -> None:
    """A module that imports trio or anyio (and not asyncio) gets that library's API in
    the advice, through the CLI and the plugin class alike."""
    import ast as ast_module

    from flake8_asyncio_tasks.plugin import Plugin

    source = textwrap.dedent(f"""\
        import time

        import {library}


        def load(path):
            with open(path) as handle:
                return handle.read()


        async def main(path):
            time.sleep(1)
            load(path)
            await {library}.sleep(0)
        """)
    path = tmp_path / "job.py"
    path.write_text(source, encoding="utf-8")
    result = run_flake8("--isolated", "--select=AIO", str(path))
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[1].split()[0] for line in lines] == ["AIO100", "AIO109"]
    assert lines[0].endswith(f"use await {library}.sleep()")
    assert lines[1].endswith(f"use await {library}.to_thread.run_sync(load, ...)")
    assert "asyncio" not in result.stdout
    via_class = [message for _, _, message, _ in Plugin(
        ast_module.parse(source), str(path), source.splitlines(True)).run()]
    assert via_class == [line.split(": ", 1)[1] for line in lines]
    # with asyncio imported too, the asyncio advice stays
    path.write_text("import asyncio\n" + source, encoding="utf-8")
    mixed = run_flake8("--isolated", "--select=AIO", str(path)).stdout
    assert "await asyncio.sleep()" in mixed and f"{library}.to_thread" not in mixed


def test_aio300_on_a_default_argument_says_when_it_runs(tmp_path: Path) -> None:
    path = tmp_path / "client.py"
    path.write_text("import asyncio\n\n\ndef connect(loop=asyncio.get_event_loop()):\n"
                    "    return loop\n", encoding="utf-8")
    out = run_flake8("--isolated", "--select=AIO", str(path)).stdout
    assert ":4:18: AIO300 " in out
    assert "use None as the default and asyncio.get_running_loop() in the function" in out


@pytest.mark.parametrize(("name", "reported"), [
    ("test_files.py", True), ("files_test.py", True), ("conftest.py", True),
    ("files.py", False)])
def test_pytest_tmp_path_is_a_path_in_test_modules(
        tmp_path: Path, name: str, reported: bool) -> None:
    """pytest's ``tmp_path`` fixture is a ``pathlib.Path``: in a module pytest collects,
    an unannotated ``tmp_path`` parameter has that type; elsewhere it is unknown."""
    import ast as ast_module

    from flake8_asyncio_tasks.plugin import Plugin

    source = textwrap.dedent("""\
        import asyncio


        def write(tmp_path):
            (tmp_path / "a.txt").write_text("x")


        async def test_write(tmp_path):
            (tmp_path / "a.txt").write_text("x")
            write(tmp_path)
            await asyncio.to_thread((tmp_path / "c").write_text, "x")
            print(lambda: tmp_path.read_text())


        async def test_default(tmp_path="x"):
            tmp_path.read_text()
        """)
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    out = run_flake8("--isolated", "--select=AIO", str(path)).stdout
    codes = [(int(line.split(":")[1]), line.split(": ", 1)[1].split()[0])
             for line in out.splitlines()]
    assert codes == ([(9, "AIO103"), (10, "AIO109")] if reported else [])
    via_class = [(line, message.split()[0]) for line, _, message, _ in Plugin(
        ast_module.parse(source), str(path), source.splitlines(True)).run()]
    assert via_class == codes
