"""Benchmark flake8-asyncio-tasks on real code, as ratios measured in one run.

In one process, package by package over the corpus (see ``corpus.py``):

1. read every ``.py`` file the way flake8 does (``flake8.processor.FileProcessor``) and
   time ``ast.parse`` of its source, best of N (files that fail to parse are skipped
   and counted);
2. time the plugin exactly as flake8 drives it, over the same parsed trees, best of N:
   options go through flake8's own machinery (``flake8.options.parse_args``, so the
   plugin's ``add_options``/``parse_options`` run), the plugin class is constructed
   with the keyword arguments flake8's processor supplies for its ``__init__``
   parameters, and ``run()`` is drained as flake8's checker drains it;
3. with ``--peer`` (``pip install -e '.[bench]'``): the same for flake8-async on a
   subset of packages, and our speed-up over it on the same files;
4. end to end: the real flake8 CLI over a subset with only its built-in checkers, then
   with our plugin too (``run_flake8.py``), best of N each, as overhead percent;
5. scaling: generated modules of about 1k, 10k and 100k lines (``generate.py``),
   per-line cost of the plugin at each size; deep nesting must not fail.

Timings use ``time.perf_counter`` with the garbage collector disabled, best of N.
The report goes to stdout; ``--json PATH`` writes the same figures as JSON.

    python benchmarks/corpus.py                     # once: fetch the pinned corpus
    python benchmarks/bench.py --peer --json bench.json
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import datetime
import gc
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import corpus
import generate
from flake8.options.parse_args import parse_args
from flake8.plugins.finder import LoadedPlugin
from flake8.processor import FileProcessor

HERE: Final = Path(__file__).resolve().parent
OURS: Final = "flake8-asyncio-tasks"
PEER: Final = "flake8-async"
DEFAULT_SUBSET: Final = "httpx,httpcore"
E2E_BASE_SELECT: Final = "E,F,W,C90"


# --------------------------------------------------------------------------- timing

def best_of(repeat: int, func: Callable[[], object]) -> float:
    """Smallest wall time of ``repeat`` calls, garbage collector off while timing."""
    best = float("inf")
    enabled = gc.isenabled()
    try:
        for _ in range(max(1, repeat)):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            func()
            best = min(best, time.perf_counter() - start)
            gc.enable()
    finally:
        if enabled:
            gc.enable()
        else:
            gc.disable()
    return best


# --------------------------------------------------------------------------- files

@dataclass(slots=True)
class SourceFile:
    """One corpus file: flake8's processor for it, its source, and its parsed tree."""

    package: str
    path: Path
    processor: FileProcessor
    source: str
    tree: ast.AST | None = None

    @property
    def lines(self) -> int:
        return len(self.processor.lines)


def read_files(package: str, paths: Iterable[Path], options: argparse.Namespace
               ) -> list[SourceFile]:
    """Read files the way flake8 does (encoding cookie, BOM, latin-1 fallback)."""
    files = []
    for path in paths:
        processor = FileProcessor(str(path), options)
        files.append(SourceFile(package, path, processor, "".join(processor.lines)))
    return files


def parse_all(files: Sequence[SourceFile]) -> None:
    """``ast.parse`` every source (what flake8's ``build_ast`` does); None if it fails."""
    for f in files:
        try:
            f.tree = ast.parse(f.source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            f.tree = None


# --------------------------------------------------------------------------- plugins

def tree_plugin(plugins: Any, package: str) -> LoadedPlugin | None:
    """The loaded tree-checker plugin of one distribution, if flake8 found it."""
    for loaded in plugins.checkers.tree:
        if corpus_name(loaded.plugin.package) == package:
            return loaded
    return None


def corpus_name(name: str) -> str:
    return name.lower().replace("_", "-")


@dataclass(slots=True)
class Driver:
    """Runs one flake8 tree plugin over parsed files the way flake8's checker does."""

    loaded: LoadedPlugin
    errors: list[dict[str, str]] = field(default_factory=list)

    def arguments(self, f: SourceFile) -> dict[str, Any]:
        """``tree=`` plus whatever else the plugin's ``__init__`` asks flake8 for."""
        arguments = {"tree": f.tree}
        params = f.processor.keyword_arguments_for(self.loaded.parameters, arguments)
        return {**arguments, **params}

    def prepare(self, files: Sequence[SourceFile]) -> list[tuple[SourceFile, dict[str, Any]]]:
        return [(f, self.arguments(f)) for f in files if f.tree is not None]

    def drain(self, jobs: Sequence[tuple[SourceFile, dict[str, Any]]]) -> int:
        """One timed pass: construct, ``run()``, unpack every result; count them."""
        obj = self.loaded.obj
        count = 0
        for f, kwargs in jobs:
            try:
                checker = obj(**kwargs)
                try:
                    runner = checker.run()
                except AttributeError:
                    runner = checker
                for _line, _col, _text, _ in runner:
                    count += 1
            except Exception:  # noqa: BLE001 - every plugin failure is reported
                self.record_error(f)
        return count

    def findings(self, jobs: Sequence[tuple[SourceFile, dict[str, Any]]]
                 ) -> list[tuple[SourceFile, int, int, str]]:
        """An untimed pass that keeps every finding."""
        found: list[tuple[SourceFile, int, int, str]] = []
        for f, kwargs in jobs:
            try:
                checker = self.loaded.obj(**kwargs)
                runner = checker.run() if hasattr(checker, "run") else checker
                found.extend((f, line, col, text) for line, col, text, _ in runner)
            except Exception:  # noqa: BLE001
                self.record_error(f)
        return found

    def record_error(self, f: SourceFile) -> None:
        if not any(e["file"] == str(f.path) for e in self.errors):
            self.errors.append({"file": str(f.path), "traceback": traceback.format_exc()})


# --------------------------------------------------------------------------- project analysis

#: the asyncio-heavy multi-module packages the project-analysis target is set on
HEAVY: Final = ("aiohttp", "asyncssh", "redis", "httpx", "httpcore")


def set_project_analysis(driver: Driver, on: bool) -> bool:
    """Switch our plugin's project analysis (its settings are per process); False if the
    plugin has no such setting (an older revision)."""
    settings = getattr(driver.loaded.obj, "_settings", None)
    if settings is None or not hasattr(settings, "project_analysis"):
        return False
    driver.loaded.obj._settings = replace(settings, project_analysis=on)
    return True


def cold_caches() -> None:
    """Forget every module summary: the next pass reads the project as a new run would."""
    project = sys.modules.get("flake8_asyncio_tasks.project")
    if project is not None:
        for name in ("_SUMMARIES", "_FIRST_PARTY", "_FILES"):
            getattr(project, name).clear()


def extra_parses() -> int:
    """Modules parsed so far for their summary alone (not handed over by flake8)."""
    project = sys.modules.get("flake8_asyncio_tasks.project")
    return project.STATS["parses"] if project is not None else 0


def cold_drain(driver: Driver, jobs: Sequence[tuple[SourceFile, dict[str, Any]]]) -> int:
    cold_caches()
    return driver.drain(jobs)


# --------------------------------------------------------------------------- corpus run

@dataclass(slots=True)
class PackageResult:
    """Figures for one package (seconds are best of N)."""

    name: str
    files: int
    lines: int
    skipped: int
    parse_s: float
    plugin_s: float
    findings: Counter[str]
    peer_s: float | None = None
    peer_findings: Counter[str] | None = None
    #: with project analysis off (one file at a time)
    plugin_off_s: float | None = None
    findings_off: Counter[str] | None = None
    #: modules parsed for their summary alone, in one cold pass
    extra_parses: int = 0

    @property
    def ratio_off(self) -> float:
        if self.plugin_off_s is None or not self.parse_s:
            return float("nan")
        return self.plugin_off_s / self.parse_s

    @property
    def ratio(self) -> float:
        return self.plugin_s / self.parse_s if self.parse_s else float("nan")


def run_corpus(args: argparse.Namespace, ours: Driver, peer: Driver | None,
               options: argparse.Namespace, profiler: cProfile.Profile | None,
               findings_out: io.TextIOBase | None) -> list[PackageResult]:
    """Parse and check the corpus package by package (only one package's trees in memory)."""
    root = corpus.cache_dir(args.corpus)
    wanted = {p for p in args.packages.split(",") if p}
    peer_subset = set(args.peer_packages.split(","))
    results = []
    for directory in corpus.package_dirs(root):
        if wanted and directory.name not in wanted:
            continue
        files = read_files(directory.name, corpus.python_files(directory), options)
        if not files:
            continue
        parse_s = best_of(args.repeat, lambda: parse_all(files))
        jobs = ours.prepare(files)
        switchable = set_project_analysis(ours, True)
        cold_caches()
        parses_before = extra_parses()
        found = ours.findings(jobs)
        parsed = extra_parses() - parses_before
        if findings_out is not None:
            for f, line, col, text in found:
                findings_out.write(f"{f.path}:{line}:{col + 1}: {text}\n")
        # every repeat starts with no summary cached: what one flake8 run pays
        plugin_s = best_of(args.repeat, lambda: cold_drain(ours, jobs))
        if profiler is not None:
            cold_caches()
            profiler.enable()
            ours.drain(jobs)
            profiler.disable()
        result = PackageResult(directory.name, len(files), sum(f.lines for f in files),
                               sum(f.tree is None for f in files), parse_s, plugin_s,
                               Counter(text.split(" ", 1)[0] for _, _, _, text in found),
                               extra_parses=parsed)
        if switchable:
            set_project_analysis(ours, False)
            result.findings_off = Counter(
                text.split(" ", 1)[0] for _, _, _, text in ours.findings(jobs))
            result.plugin_off_s = best_of(args.repeat, lambda: ours.drain(jobs))
            set_project_analysis(ours, True)
        if peer is not None and directory.name in peer_subset:
            peer_jobs = peer.prepare(files)
            result.peer_findings = Counter(text.split(" ", 1)[0]
                                           for _, _, _, text in peer.findings(peer_jobs))
            result.peer_s = best_of(args.peer_repeat, lambda: peer.drain(peer_jobs))
        results.append(result)
        print(f"  {directory.name:<14} {result.lines:>9,} lines  parse {parse_s:7.3f}s  "
              f"plugin {plugin_s:7.3f}s  ({result.ratio:.3f}x; one-file "
              f"{result.ratio_off:.3f}x; {parsed} extra parses)"
              + (f"  flake8-async {result.peer_s:.1f}s" if result.peer_s else ""),
              file=sys.stderr, flush=True)
    return results


# --------------------------------------------------------------------------- end to end

def run_e2e(args: argparse.Namespace, with_peer: bool) -> dict[str, Any] | None:
    """The real flake8 CLI, one core, with and without the plugin; best of N wall times."""
    root = corpus.cache_dir(args.corpus)
    targets = [str(root / p) for p in args.e2e_packages.split(",") if (root / p).is_dir()]
    if not targets:
        return None
    variants: dict[str, tuple[str, str, tuple[str, ...]]] = {
        "builtin": ("", E2E_BASE_SELECT, ()),
        "ours": (OURS, E2E_BASE_SELECT + ",AIO", ()),
        "ours-one-file": (OURS, E2E_BASE_SELECT + ",AIO", ("--asyncio-project-analysis=no",)),
    }
    if with_peer:
        variants["flake8-async"] = (PEER, E2E_BASE_SELECT + ",ASYNC", ())
    best = {name: float("inf") for name in variants}
    best_cpu = {name: float("inf") for name in variants}
    peak_rss_mb = {name: 0.0 for name in variants}
    reported: dict[str, int] = {}
    # bytecode as an installed package has it: pip compiles on install, while an
    # editable install under PYTHONDONTWRITEBYTECODE=1 would compile the plugin at every
    # start (about 40 ms, 2 % of this run); round 0 compiles into a private prefix and
    # is not timed
    pycache = tempfile.mkdtemp(prefix="bench-pycache-")
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base_env["PYTHONPYCACHEPREFIX"] = pycache
    for round_ in range(max(1, args.e2e_repeat) + 1):
        for name, (keep, select, extra) in variants.items():
            if name == "flake8-async" and round_ > max(1, args.peer_repeat):
                continue
            cmd = [sys.executable, str(HERE / "run_flake8.py"), keep, "--", "--isolated",
                   "--jobs=1", "--exit-zero", f"--select={select}", *extra, *targets]
            # wait4: this child's own CPU time and peak RSS
            with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
                    tempfile.NamedTemporaryFile("r") as rss:
                env = {**base_env, "BENCH_PEAK_RSS_FILE": rss.name}
                start = time.perf_counter()
                proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                        env=env)
                _, status, usage = os.wait4(proc.pid, 0)
                elapsed = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
                out.seek(0)
                err.seek(0)
                stdout, stderr = out.read().decode(), err.read().decode()
                peak_kib = int(rss.read().strip() or 0)
            if proc.returncode != 0 or "Traceback" in stderr:
                raise RuntimeError(f"flake8 failed: {' '.join(cmd)}\n{stderr}")
            if round_ == 0:
                continue  # compiled the bytecode
            cpu = usage.ru_utime + usage.ru_stime
            best_cpu[name] = min(best_cpu[name], cpu)
            peak_rss_mb[name] = max(peak_rss_mb[name], peak_kib / 1024)
            best[name] = min(best[name], elapsed)
            reported[name] = len(stdout.splitlines())
    shutil.rmtree(pycache, ignore_errors=True)
    result: dict[str, Any] = {
        "packages": args.e2e_packages.split(","),
        "seconds": best,
        "cpu_seconds": best_cpu,
        "reported_lines": reported,
        "overhead_percent": _overhead(best, "ours"),
        "cpu_overhead_percent": _overhead(best_cpu, "ours"),
        "one_file_overhead_percent": _overhead(best, "ours-one-file"),
        "one_file_cpu_overhead_percent": _overhead(best_cpu, "ours-one-file"),
        "peak_rss_mb": peak_rss_mb,
    }
    if with_peer:
        result["peer_overhead_percent"] = _overhead(best, "flake8-async")
        result["peer_cpu_overhead_percent"] = _overhead(best_cpu, "flake8-async")
    return result


def _overhead(seconds: dict[str, float], name: str) -> float:
    return 100 * (seconds[name] - seconds["builtin"]) / seconds["builtin"]


# --------------------------------------------------------------------------- scaling

def run_scaling(args: argparse.Namespace, ours: Driver, options: argparse.Namespace
                ) -> dict[str, Any]:
    """Per-line cost on generated modules of growing size; deep nesting must not fail.

    Each size is timed twice: one module alone (its tree stays in the CPU caches when
    small), and as many copies as make up the largest size, each its own tree, so that
    every size walks the same number of lines and nodes.  Growth between the smallest
    and largest size in the second figure can only come from the algorithm (a lookup
    that grows with the module), not from caches.
    """
    targets = [int(s) for s in args.scaling_sizes.split(",") if s]
    sizes = []
    for target in targets:
        source = generate.generate_module(target)
        lines = source.splitlines(keepends=True)
        copies = max(1, round(max(targets) / target))
        batch = []
        for index in range(copies):
            processor = FileProcessor(f"generated_{target}_{index}.py", options, lines=lines)
            batch.append(SourceFile("generated", Path(processor.filename), processor, source))
        single = batch[:1]
        parse_s = best_of(args.repeat, lambda: parse_all(single))
        parse_all(batch)
        jobs = ours.prepare(batch)
        found = len(ours.findings(jobs[:1]))
        plugin_s = best_of(args.repeat, lambda: ours.drain(jobs[:1]))
        batch_parse_s = best_of(args.repeat, lambda: parse_all(batch))
        batch_plugin_s = best_of(args.repeat, lambda: ours.drain(jobs))
        total = len(lines) * copies
        sizes.append({"lines": len(lines), "parse_s": parse_s, "plugin_s": plugin_s,
                      "plugin_us_per_line": 1e6 * plugin_s / len(lines),
                      "parse_us_per_line": 1e6 * parse_s / len(lines), "findings": found,
                      "copies": copies, "batch_parse_s": batch_parse_s,
                      "batch_plugin_s": batch_plugin_s,
                      "batch_plugin_us_per_line": 1e6 * batch_plugin_s / total,
                      "batch_parse_us_per_line": 1e6 * batch_parse_s / total})
    result: dict[str, Any] = {"sizes": sizes}
    if len(sizes) >= 2:
        first, last = sizes[0], sizes[-1]
        result["per_line_growth"] = (last["batch_plugin_us_per_line"]
                                     / first["batch_plugin_us_per_line"])
        result["per_line_growth_single"] = (last["plugin_us_per_line"]
                                            / first["plugin_us_per_line"])
    result["deep"] = run_deep(args.deep_depth, ours, options)
    return result


def run_project_scaling(args: argparse.Namespace, ours: Driver,
                        options: argparse.Namespace) -> list[dict[str, Any]] | None:
    """Generated projects of growing size (``generate.generate_project``), every module
    checked with project analysis on, cold caches each pass: cost per line must stay
    flat as the project grows."""
    sizes = [int(s) for s in args.project_sizes.split(",") if s]
    if not sizes or not set_project_analysis(ours, True):
        return None
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root = Path(tmp, f"project{size}")
            for relative, text in generate.generate_project(size).items():
                path = root / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            files = read_files(f"project{size}", sorted(root.rglob("*.py")), options)
            parse_s = best_of(args.repeat, lambda: parse_all(files))
            jobs = ours.prepare(files)
            cold_caches()
            before = extra_parses()
            found = ours.findings(jobs)
            parsed = extra_parses() - before
            plugin_s = best_of(args.repeat, lambda: cold_drain(ours, jobs))
            set_project_analysis(ours, False)
            off_s = best_of(args.repeat, lambda: ours.drain(jobs))
            set_project_analysis(ours, True)
            lines = sum(f.lines for f in files)
            rows.append({"modules": size, "lines": lines, "findings": len(found),
                         "extra_parses": parsed, "parse_s": parse_s, "plugin_s": plugin_s,
                         "one_file_s": off_s,
                         "plugin_us_per_line": 1e6 * plugin_s / lines,
                         "plugin_over_parse": plugin_s / parse_s})
    return rows


def run_deep(depth: int, ours: Driver, options: argparse.Namespace) -> list[dict[str, Any]]:
    """A deeply nested module from source, and a tree nested ``depth`` levels by hand."""
    cases = []
    source = generate.deep_nesting_module(depth)
    lines = source.splitlines(keepends=True)
    processor = FileProcessor("deep_source.py", options, lines=lines)
    from_source = SourceFile("deep", Path("deep_source.py"), processor, source)
    parse_all([from_source])
    hand_built = SourceFile("deep", Path("deep_tree.py"), processor, source,
                            generate.deep_nesting_tree(depth))
    for label, f in (("source (95 blocks + lambdas + calls)", from_source),
                     (f"tree ({depth} nested functions)", hand_built)):
        before = len(ours.errors)
        jobs = ours.prepare([f])
        start = time.perf_counter()
        found = len(ours.findings(jobs))
        cases.append({"case": label, "parsed": f.tree is not None, "findings": found,
                      "seconds": time.perf_counter() - start,
                      "ok": f.tree is not None and len(ours.errors) == before})
    return cases


# --------------------------------------------------------------------------- report

def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def plugin_revision() -> str:
    """The commit the plugin was measured at, ``+dirty`` if its package has local edits."""
    package = Path(sys.modules["flake8_asyncio_tasks"].__file__ or "").parent

    def git(*cmd: str) -> str:
        done = subprocess.run(["git", *cmd], cwd=package, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    return commit + ("+dirty" if git("status", "--porcelain", "--", ".") else "")


def versions(plugins: Any) -> dict[str, str]:
    return {corpus_name(p.plugin.package): p.plugin.version for p in plugins.all_plugins()}


def profile_table(profiler: cProfile.Profile, top: int) -> list[dict[str, Any]]:
    """The functions where the plugin spends its own time (``tottime``), biggest first."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    for (filename, line, name), (_cc, calls, tottime, cumtime, _) in sorted(
            stats.stats.items(), key=lambda kv: -kv[1][2]):  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(filename)}:{line}({name})", "calls": calls,
                     "tottime_s": tottime, "cumtime_s": cumtime,
                     "share_percent": 100 * tottime / total if total else 0.0})
        if len(rows) >= top:
            break
    return rows


def _short(filename: str) -> str:
    for marker in ("flake8_asyncio_tasks/", "site-packages/", "lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1] if marker != "flake8_asyncio_tasks/" \
                else marker + filename.split(marker, 1)[1]
    return filename


def summarize(results: Sequence[PackageResult]) -> dict[str, Any]:
    parse_s = sum(r.parse_s for r in results)
    plugin_s = sum(r.plugin_s for r in results)
    findings: Counter[str] = Counter()
    for r in results:
        findings.update(r.findings)
    summary: dict[str, Any] = {
        "files": sum(r.files for r in results),
        "lines": sum(r.lines for r in results),
        "skipped": sum(r.skipped for r in results),
        "parse_s": parse_s,
        "plugin_s": plugin_s,
        "plugin_over_parse": plugin_s / parse_s if parse_s else None,
        # not swayed by one big package whose files mostly skip the walk
        "median_package_plugin_over_parse": statistics.median(r.ratio for r in results),
        "findings": dict(sorted(findings.items())),
        "extra_parses": sum(r.extra_parses for r in results),
    }
    off = [r for r in results if r.plugin_off_s is not None]
    if off:
        off_s = sum(r.plugin_off_s or 0.0 for r in off)
        off_findings: Counter[str] = Counter()
        for r in off:
            off_findings.update(r.findings_off or {})
        summary["one_file"] = {
            "plugin_s": off_s,
            "plugin_over_parse": off_s / sum(r.parse_s for r in off),
            "findings": dict(sorted(off_findings.items())),
        }
    heavy = [r for r in results if r.name in HEAVY]
    if heavy:
        heavy_parse = sum(r.parse_s for r in heavy)
        summary["heavy"] = {
            "packages": [r.name for r in heavy],
            "plugin_over_parse": sum(r.plugin_s for r in heavy) / heavy_parse,
            "one_file_plugin_over_parse": (
                sum(r.plugin_off_s or 0.0 for r in heavy) / heavy_parse
                if all(r.plugin_off_s is not None for r in heavy) else None),
        }
    peered = [r for r in results if r.peer_s is not None]
    if peered:
        ours_s = sum(r.plugin_s for r in peered)
        peer_s = sum(r.peer_s or 0.0 for r in peered)
        parse_sub = sum(r.parse_s for r in peered)
        peer_findings: Counter[str] = Counter()
        for r in peered:
            peer_findings.update(r.peer_findings or {})
        summary["peer"] = {
            "packages": [r.name for r in peered],
            "files": sum(r.files for r in peered),
            "lines": sum(r.lines for r in peered),
            "parse_s": parse_sub,
            "ours_s": ours_s,
            "peer_s": peer_s,
            "ours_over_parse": ours_s / parse_sub,
            "peer_over_parse": peer_s / parse_sub,
            "speedup": peer_s / ours_s if ours_s else None,
            "peer_findings": dict(sorted(peer_findings.items())),
        }
    return summary


def print_report(report: dict[str, Any]) -> None:
    """The human-readable report."""
    m = report["machine"]
    cfg = report["config"]
    print(f"flake8-asyncio-tasks benchmark, {m['date']}")
    print(f"{m['python']} on {m['platform']}; {m['cores']} cores ({m['cpu']}); "
          f"load average at start {m['load_average']}")
    print(f"versions: {', '.join(f'{k} {v}' for k, v in report['versions'].items())}; "
          f"plugin at {report['plugin_revision']}")
    print(f"best of {cfg['repeat']} (flake8-async: best of {cfg['peer_repeat']}), "
          "gc disabled while timing\n")
    print(f"{'package':<14} {'files':>6} {'lines':>10} {'skip':>5} {'parse s':>9} "
          f"{'plugin s':>9} {'plugin/parse':>12} {'findings':>9}")
    for r in report["packages"]:
        print(f"{r['name']:<14} {r['files']:>6} {r['lines']:>10,} {r['skipped']:>5} "
              f"{r['parse_s']:>9.3f} {r['plugin_s']:>9.3f} {r['plugin_over_parse']:>12.3f} "
              f"{sum(r['findings'].values()):>9}")
    s = report["summary"]
    print(f"{'total':<14} {s['files']:>6} {s['lines']:>10,} {s['skipped']:>5} "
          f"{s['parse_s']:>9.3f} {s['plugin_s']:>9.3f} {s['plugin_over_parse']:>12.3f} "
          f"{sum(s['findings'].values()):>9}")
    print(f"\nplugin time / ast.parse time: {s['plugin_over_parse']:.3f}x  (target <= 0.5x); "
          f"median over packages {s['median_package_plugin_over_parse']:.3f}x")
    if "one_file" in s:
        o = s["one_file"]
        print(f"  project analysis on (cold caches each pass) {s['plugin_over_parse']:.3f}x, "
              f"off {o['plugin_over_parse']:.3f}x; modules parsed for a summary alone: "
              f"{s['extra_parses']}")
        extra = {k: v - o["findings"].get(k, 0) for k, v in s["findings"].items()
                 if v != o["findings"].get(k, 0)}
        print("  findings gained by project analysis: " + (
            ", ".join(f"{k} {v:+d}" for k, v in extra.items()) or "none"))
    if "heavy" in s:
        h = s["heavy"]
        off_ratio = h["one_file_plugin_over_parse"]
        print(f"  asyncio-heavy packages ({', '.join(h['packages'])}): "
              f"{h['plugin_over_parse']:.3f}x on (target <= 1.0x)"
              + (f", {off_ratio:.3f}x off" if off_ratio is not None else ""))
    print("findings per code: " + (", ".join(f"{k} {v}" for k, v in s["findings"].items())
                                   or "none"))
    errors = report["plugin_exceptions"]
    print(f"plugin exceptions: {len(errors)}")
    for e in errors:
        print(f"--- {e['file']}\n{e['traceback']}")
    if "peer" in s:
        p = s["peer"]
        print(f"\nflake8-async on {', '.join(p['packages'])} ({p['files']} files, "
              f"{p['lines']:,} lines):")
        print(f"  ast.parse {p['parse_s']:.3f}s, ours {p['ours_s']:.3f}s "
              f"({p['ours_over_parse']:.3f}x parse), flake8-async {p['peer_s']:.2f}s "
              f"({p['peer_over_parse']:.0f}x parse)")
        print(f"  speed-up of ours over flake8-async: {p['speedup']:.0f}x  (target >= 100x)")
        print(f"  flake8-async exceptions: {len(report.get('peer_exceptions', []))}; "
              f"findings: {', '.join(f'{k} {v}' for k, v in p['peer_findings'].items())}")
    e2e = report.get("e2e")
    if e2e:
        secs, cpu = e2e["seconds"], e2e["cpu_seconds"]
        print(f"\nend to end, flake8 --isolated --jobs=1 on {', '.join(e2e['packages'])} "
              f"(best of {cfg['e2e_repeat']}; wall / CPU seconds of the flake8 process):")
        print(f"  built-in checkers only ({E2E_BASE_SELECT}): {secs['builtin']:.2f}s / "
              f"{cpu['builtin']:.2f}s")
        print(f"  + flake8-asyncio-tasks: {secs['ours']:.2f}s / {cpu['ours']:.2f}s  "
              f"overhead {e2e['overhead_percent']:+.1f}% wall, "
              f"{e2e['cpu_overhead_percent']:+.1f}% CPU  (target <= 5%)")
        print(f"  + flake8-asyncio-tasks, --asyncio-project-analysis=no: "
              f"{secs['ours-one-file']:.2f}s / {cpu['ours-one-file']:.2f}s  overhead "
              f"{e2e['one_file_overhead_percent']:+.1f}% wall, "
              f"{e2e['one_file_cpu_overhead_percent']:+.1f}% CPU")
        rss = e2e["peak_rss_mb"]
        print("  peak RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items()))
        if "flake8-async" in secs:
            print(f"  + flake8-async: {secs['flake8-async']:.2f}s / {cpu['flake8-async']:.2f}s"
                  f"  overhead {e2e['peer_overhead_percent']:+.0f}% wall, "
                  f"{e2e['peer_cpu_overhead_percent']:+.0f}% CPU "
                  f"({secs['flake8-async'] / secs['builtin']:.1f}x wall)")
    sc = report.get("scaling")
    if sc:
        print("\nscaling on generated modules (us per line; 'same total' = enough copies of "
              "the module, each its own tree, to make up the largest size):")
        print(f"  {'lines':>8} {'findings':>9} {'alone: parse':>13} {'plugin':>8} "
              f"{'same total: copies':>19} {'parse':>7} {'plugin':>8} {'plugin/parse':>13}")
        for row in sc["sizes"]:
            print(f"  {row['lines']:>8,} {row['findings']:>9} "
                  f"{row['parse_us_per_line']:>13.2f} {row['plugin_us_per_line']:>8.2f} "
                  f"{row['copies']:>19} {row['batch_parse_us_per_line']:>7.2f} "
                  f"{row['batch_plugin_us_per_line']:>8.2f} "
                  f"{row['batch_plugin_s'] / row['batch_parse_s']:>13.3f}")
        if "per_line_growth" in sc:
            print(f"  per-line cost, largest / smallest size: {sc['per_line_growth']:.2f}x "
                  f"on the same total (target <= 1.5x); {sc['per_line_growth_single']:.2f}x "
                  "for a module alone")
        for case in sc["deep"]:
            print(f"  deep nesting, {case['case']}: "
                  f"{'ok' if case['ok'] else 'FAILED'}, {case['findings']} findings, "
                  f"{case['seconds'] * 1000:.1f} ms")
    ps = report.get("project_scaling")
    if ps:
        print("\nproject analysis on generated projects (every module checked, cold caches):")
        print(f"  {'modules':>8} {'lines':>8} {'findings':>9} {'extra parses':>13} "
              f"{'us/line':>8} {'plugin/parse':>13} {'one-file/parse':>15}")
        for row in ps:
            print(f"  {row['modules']:>8} {row['lines']:>8,} {row['findings']:>9} "
                  f"{row['extra_parses']:>13} {row['plugin_us_per_line']:>8.2f} "
                  f"{row['plugin_over_parse']:>13.3f} "
                  f"{row['one_file_s'] / row['parse_s']:>15.3f}")
        if len(ps) >= 2:
            print(f"  per-line cost, largest / smallest project: "
                  f"{ps[-1]['plugin_us_per_line'] / ps[0]['plugin_us_per_line']:.2f}x "
                  "(linear growth: about 1x)")
    prof = report.get("profile")
    if prof:
        print("\nprofile of one plugin pass over the corpus (own time, top functions):")
        for row in prof:
            print(f"  {row['share_percent']:5.1f}%  {row['tottime_s']:7.3f}s  "
                  f"{row['calls']:>9}  {row['function']}")


# --------------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Benchmark flake8-asyncio-tasks against ast.parse, flake8-async "
                    "and flake8 itself, in one run.")
    parser.add_argument("--corpus", help="corpus directory (default: as corpus.py)")
    parser.add_argument("--packages", default="", help="only these corpus packages")
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--flake8-arg", action="append", default=[], metavar="ARG",
                        help="extra flake8 option, e.g. --flake8-arg=--asyncio-"
                             "blocking-calls=mylib.get (repeatable)")
    parser.add_argument("--peer", action="store_true",
                        help="also time flake8-async (the 'bench' extra)")
    parser.add_argument("--peer-packages", default=DEFAULT_SUBSET,
                        help=f"packages flake8-async runs on (default {DEFAULT_SUBSET})")
    parser.add_argument("--peer-repeat", type=int, default=1,
                        help="best of N for flake8-async (default 1; it is slow)")
    parser.add_argument("--e2e-packages", default=DEFAULT_SUBSET,
                        help=f"packages for the flake8 CLI runs (default {DEFAULT_SUBSET})")
    parser.add_argument("--e2e-repeat", type=int, default=3)
    parser.add_argument("--no-e2e", action="store_true", help="skip the flake8 CLI runs")
    parser.add_argument("--scaling-sizes", default="1000,10000,100000",
                        help="generated module sizes in lines")
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--project-sizes", default="10,100,1000",
                        help="modules in the generated projects (project analysis scaling)")
    parser.add_argument("--deep-depth", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="cProfile one extra plugin pass; print the top N functions")
    parser.add_argument("--profile-out", help="also dump the pstats file here")
    parser.add_argument("--findings-out", help="write every finding, flake8-style, here")
    parser.add_argument("--json", help="write the report as JSON here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run everything asked for, print the report; exit 1 if our plugin raised."""
    args = build_parser().parse_args(argv)
    warnings.simplefilter("ignore")  # SyntaxWarnings of old corpus code are not ours
    plugins, options = parse_args(["--isolated", *args.flake8_arg])
    loaded = tree_plugin(plugins, OURS)
    if loaded is None:
        print(f"{OURS} is not installed where flake8 can find it", file=sys.stderr)
        return 2
    ours = Driver(loaded)
    peer = None
    if args.peer:
        peer_loaded = tree_plugin(plugins, PEER)
        if peer_loaded is None:
            print("--peer: flake8-async is not installed (pip install -e '.[bench]')",
                  file=sys.stderr)
            return 2
        peer = Driver(peer_loaded)
    import flake8_asyncio_tasks  # noqa: F401  (loaded by flake8 already; for its path)

    report: dict[str, Any] = {"machine": machine(), "versions": versions(plugins),
                              "plugin_revision": plugin_revision(),
                              "config": {"argv": list(sys.argv[1:] if argv is None else argv),
                                         "repeat": args.repeat,
                                         "peer_repeat": args.peer_repeat,
                                         "e2e_repeat": args.e2e_repeat,
                                         "corpus": str(corpus.cache_dir(args.corpus))}}
    profiler = cProfile.Profile() if args.profile else None
    findings_out = open(args.findings_out, "w") if args.findings_out else None
    try:
        results = run_corpus(args, ours, peer, options, profiler, findings_out)
    finally:
        if findings_out is not None:
            findings_out.close()
    if not results:
        print(f"no Python files under {report['config']['corpus']}; "
              "run benchmarks/corpus.py first", file=sys.stderr)
        return 2
    report["packages"] = [{
        "name": r.name, "files": r.files, "lines": r.lines, "skipped": r.skipped,
        "parse_s": r.parse_s, "plugin_s": r.plugin_s, "plugin_over_parse": r.ratio,
        "plugin_one_file_s": r.plugin_off_s, "extra_parses": r.extra_parses,
        "findings_one_file": dict(sorted((r.findings_off or {}).items())),
        "findings": dict(sorted(r.findings.items())),
        **({"peer_s": r.peer_s} if r.peer_s is not None else {}),
    } for r in results]
    report["summary"] = summarize(results)
    if not args.no_e2e:
        report["e2e"] = run_e2e(args, with_peer=peer is not None)
    if not args.no_scaling:
        report["scaling"] = run_scaling(args, ours, options)
        report["project_scaling"] = run_project_scaling(args, ours, options)
    report["plugin_exceptions"] = ours.errors
    if peer is not None:
        report["peer_exceptions"] = peer.errors
    if profiler is not None:
        report["profile"] = profile_table(profiler, args.profile)
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
    report["machine"]["load_average_end"] = (list(os.getloadavg())
                                             if hasattr(os, "getloadavg") else None)
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 1 if ours.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
