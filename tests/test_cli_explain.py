"""``flake8-asyncio-tasks explain CODE`` / ``rules``: in-process, and as installed commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flake8_asyncio_tasks import __version__, cli
from flake8_asyncio_tasks.rules import ALL_RULES

DOCS_DIR = Path(__file__).resolve().parents[1] / "docs" / "rules"


def page_text(code: str) -> str:
    return (DOCS_DIR / f"{code}.md").read_text(encoding="utf-8")


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_command(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_explain_prints_the_rule_page(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(capsys, "explain", "AIO100")
    assert (status, err) == (0, "")
    assert out == page_text("AIO100")
    assert out.startswith(f"# AIO100: {ALL_RULES['AIO100'].name}\n")


@pytest.mark.parametrize("code", sorted(ALL_RULES))
def test_explain_prints_each_documented_page(capsys: pytest.CaptureFixture[str],
                                             code: str) -> None:
    status, out, err = run_main(capsys, "explain", code)
    assert (status, out, err) == (0, page_text(code), "")


@pytest.mark.parametrize("spelling",
                         ["aio100", "Aio100", " AIO100 ", "blocking-sleep-in-coroutine"])
def test_explain_accepts_any_case_and_the_rule_name(capsys: pytest.CaptureFixture[str],
                                                    spelling: str) -> None:
    status, out, err = run_main(capsys, "explain", spelling)
    assert (status, out, err) == (0, page_text("AIO100"), "")


def test_explain_several_codes_prints_each_page_in_order(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "explain", "AIO100", "AIO100")
    assert status == 0
    assert out == page_text("AIO100") + "\n" + page_text("AIO100")


@pytest.mark.parametrize("query", ["AIO999", "E501", "AIO10", "sleep"])
def test_unknown_code_is_one_line_on_stderr_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                        query: str) -> None:
    status, out, err = run_main(capsys, "explain", query)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert f"unknown rule {query!r}" in err
    assert "flake8-asyncio-tasks rules" in err


def test_unknown_code_among_known_ones_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(capsys, "explain", "AIO100", "AIO999")
    assert (status, out) == (2, "")
    assert "AIO999" in err


def test_missing_page_falls_back_to_the_registry(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "doc_dirs", lambda: iter([tmp_path]))
    rule = ALL_RULES["AIO200"]
    status, out, err = run_main(capsys, "explain", "AIO200")
    assert status == 0
    assert out.startswith(f"# AIO200: {rule.name}\n")
    assert rule.summary in out
    assert rule.fix in out
    assert "no documentation page for AIO200" in err


def test_rules_lists_every_code_name_and_summary_in_registry_order(
        capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(capsys, "rules")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(ALL_RULES)
    for line, rule in zip(lines, ALL_RULES.values(), strict=True):
        code, name, summary = line.split(maxsplit=2)
        assert (code, name) == (rule.code, rule.name)
        assert summary.startswith(rule.summary)


def test_help_lists_both_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "explain" in out and "rules" in out
    assert out.startswith("usage: flake8-asyncio-tasks ")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"flake8-asyncio-tasks {__version__}\n"


@pytest.mark.parametrize("argv", [[], ["explain"], ["frobnicate"]])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_python_dash_m_explains_and_fails_like_the_script() -> None:
    ok = run_command(sys.executable, "-m", "flake8_asyncio_tasks", "explain", "aio100")
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, page_text("AIO100"), "")
    bad = run_command(sys.executable, "-m", "flake8_asyncio_tasks", "explain", "AIO999")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("python -m flake8_asyncio_tasks: unknown rule 'AIO999'")


def test_installed_console_script() -> None:
    # The script is generated by `pip install` from [project.scripts], next to python.
    script = Path(sys.executable).with_name("flake8-asyncio-tasks")
    assert script.is_file(), f"{script} missing: install the project (pip install -e .)"
    result = run_command(str(script), "explain", "AIO100")
    assert (result.returncode, result.stdout, result.stderr) == (0, page_text("AIO100"), "")
    listing = run_command(str(script), "rules")
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(ALL_RULES)


def test_reader_closing_the_pipe_early_is_not_an_error() -> None:
    # `flake8-asyncio-tasks rules | head -1`: closing our end before the child writes
    # makes its write fail with EPIPE every time.
    proc = subprocess.Popen([sys.executable, "-m", "flake8_asyncio_tasks", "rules"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""
