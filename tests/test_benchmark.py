"""The benchmark runs end to end on a tiny generated corpus (no network, no timings checked)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402

CUSTOM_BLOCKING = '''\
import fakelib


async def handler():
    fakelib.block()
'''


def make_corpus(root: Path) -> None:
    """Two fake packages: generated asyncio code, a custom blocking call, a broken file."""
    alpha = root / "alpha" / "alpha"
    alpha.mkdir(parents=True)
    (alpha / "service.py").write_text(generate.generate_module(200))
    (alpha / "broken.py").write_text("def oops(:\n    pass\n")
    beta = root / "beta"
    beta.mkdir()
    (beta / "custom.py").write_text(CUSTOM_BLOCKING)
    (beta / "empty.py").write_text("")
    (root / ".hidden").mkdir()  # not a package: ignored


BenchRun = tuple[subprocess.CompletedProcess[str], dict[str, Any]]


def run_bench(tmp_path: Path, *extra: str) -> BenchRun:
    make_corpus(tmp_path / "corpus")
    out = tmp_path / "report.json"
    findings = tmp_path / "findings.txt"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench.py"), "--corpus", str(tmp_path / "corpus"),
         "--repeat", "1", "--e2e-packages", "alpha,beta", "--e2e-repeat", "1",
         "--scaling-sizes", "100,300", "--deep-depth", "200", "--profile", "5",
         "--project-sizes", "5,20",
         "--flake8-arg=--asyncio-blocking-calls=fakelib.block",
         "--findings-out", str(findings), "--json", str(out), *extra],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text())
    report["_findings_file"] = findings.read_text()
    return done, report


def test_benchmark_reports_ratio_findings_and_no_exception(tmp_path: Path) -> None:
    done, report = run_bench(tmp_path)
    summary = report["summary"]
    assert [p["name"] for p in report["packages"]] == ["alpha", "beta"]
    assert summary["files"] == 4
    assert summary["skipped"] == 1  # broken.py does not parse
    assert summary["plugin_over_parse"] > 0
    assert "plugin time / ast.parse time:" in done.stdout
    # generated code has blocking calls and lost tasks; AIO108 only exists because the
    # option went through flake8's option machinery into the plugin
    assert summary["findings"]["AIO100"] > 0
    assert summary["findings"]["AIO200"] > 0
    assert summary["findings"]["AIO108"] == 1
    assert "custom.py:5:5: AIO108 " in report["_findings_file"]
    assert report["plugin_exceptions"] == []
    assert "plugin exceptions: 0" in done.stdout
    e2e = report["e2e"]
    assert set(e2e["seconds"]) == {"builtin", "ours", "ours-one-file"}
    assert isinstance(e2e["overhead_percent"], float)
    assert isinstance(e2e["one_file_overhead_percent"], float)
    assert all(mb > 10 for mb in e2e["peak_rss_mb"].values())
    # project analysis on and off, in the same run
    assert summary["one_file"]["plugin_over_parse"] > 0
    assert "project analysis on (cold caches each pass)" in done.stdout
    assert isinstance(summary["extra_parses"], int)
    # the CLI run with our plugin reports what the built-in-only run cannot
    assert e2e["reported_lines"]["ours"] > e2e["reported_lines"]["builtin"]
    scaling = report["scaling"]
    assert [row["copies"] for row in scaling["sizes"]] == [3, 1]
    assert all(row["findings"] > 0 for row in scaling["sizes"])
    assert scaling["per_line_growth"] > 0
    assert [case["ok"] for case in scaling["deep"]] == [True, True]
    projects = report["project_scaling"]
    assert [row["modules"] for row in projects] == [5, 20]
    # each generated module has a lost coroutine, an imported one, a blocking chain
    assert all(row["findings"] >= 2 * row["modules"] for row in projects)
    assert report["profile"] and "flake8_asyncio_tasks/" in "".join(
        row["function"] for row in report["profile"])


@pytest.mark.skipif(importlib.util.find_spec("flake8_async") is None,
                    reason="flake8-async (the 'bench' extra) is not installed")
def test_benchmark_peer_speedup(tmp_path: Path) -> None:
    done, report = run_bench(tmp_path, "--peer", "--peer-packages", "alpha",
                             "--no-scaling")
    peer = report["summary"]["peer"]
    assert peer["packages"] == ["alpha"]
    assert peer["speedup"] > 0
    assert peer["peer_findings"]  # flake8-async finds ASYNCxxx in the generated code
    assert "speed-up of ours over flake8-async" in done.stdout
    assert "flake8-async" in report["e2e"]["seconds"]
