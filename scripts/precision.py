"""List the plugin's findings on the benchmark corpus, for the precision review.

Usage:
    python scripts/precision.py [--corpus DIR] [--sample 30] [--seed 0] [--code AIO100]
                                [--context N] [--verdicts FILE [--table] [--missing]]

Prints, per code, the number of findings and a reproducible sample (all findings when
there are at most --sample) with the source line (or --context N lines around it), so
each can be judged by reading it. The corpus is the one ``benchmarks/corpus.py``
downloads (never committed).

The sample is ranked by a hash of (seed, code, path:line), not drawn from a shared random
stream: when a fix removes some findings of a code, the rest of that code's sample stays
the same and only the next-ranked findings move in, so earlier verdicts stay valid.

With ``--verdicts docs/precision-verdicts.tsv`` (columns: code, path:line, verdict,
pattern, note; verdict is true, false or unclear) each sampled finding shows its verdict;
``--table`` prints instead the per-code table of docs/precision.md, and ``--missing``
lists sampled findings that have no verdict yet (exit status 1 if there are any).

A verdict "true" whose pattern starts with ``policy-`` is true for the rule as its
maintainers define it, but was judged false under a stricter reading (see
docs/precision.md). ``--table --strict`` counts those as false, to show the precision under
that reading.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import os
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from flake8_asyncio_tasks.checks import check_module
from flake8_asyncio_tasks.settings import Settings

DEFAULT_CORPUS = Path(
    os.environ.get(
        "FLAKE8_ASYNCIO_TASKS_CORPUS",
        os.environ.get("AIO_CORPUS", Path.home() / ".cache" / "flake8-asyncio-tasks" / "corpus"),
    )
)
VERDICTS = ("true", "false", "unclear")
TEST_DIRS = frozenset({"test", "tests", "testing"})
EXAMPLE_DIRS = frozenset({"example", "examples", "docs", "doc", "demo", "demos"})


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding: where (relative to the corpus), what, and the source lines."""

    code: str
    path: str
    line: int
    col: int
    message: str

    @property
    def key(self) -> str:
        """``path:line``, the key of a verdict (findings of one code on one line share it)."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A reviewer's judgement of one finding."""

    verdict: str
    pattern: str
    note: str


def kind_of(path: str) -> str:
    """``tests``, ``examples`` or ``library``, from the path inside the package."""
    parts = path.split("/")
    name = parts[-1]
    if (TEST_DIRS & set(parts[:-1]) or name.startswith("test_") or name.endswith("_test.py")
            or name == "conftest.py"):
        return "tests"
    if EXAMPLE_DIRS & set(parts[:-1]):
        return "examples"
    return "library"


def collect(corpus: Path) -> tuple[int, dict[str, list[Hit]], dict[str, list[str]]]:
    """Run the plugin over every parsable ``.py`` file: (files, hits by code, lines by path)."""
    by_code: dict[str, list[Hit]] = defaultdict(list)
    sources: dict[str, list[str]] = {}
    files = 0
    for path in sorted(corpus.rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source, filename=str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        files += 1
        lines = source.splitlines(keepends=True)
        rel = path.relative_to(corpus).as_posix()
        for finding in check_module(tree, Settings(), str(path), lines):
            code = finding.text.split()[0]
            by_code[code].append(Hit(code, rel, finding.line, finding.col, finding.text))
            sources[rel] = lines
    return files, by_code, sources


def rank(code: str, key: str, seed: int) -> str:
    """Stable pseudo-random rank of the line ``key`` within the sample of ``code``."""
    return hashlib.sha256(f"{seed}\0{code}\0{key}".encode()).hexdigest()


def sample(hits: Sequence[Hit], size: int, seed: int) -> list[Hit]:
    """All hits when they are on at most ``size`` lines, else those of the best-ranked lines.

    Hits of one code on one line share a verdict, so the sample is of lines: ``size``
    lines, which may hold a few more hits.
    """
    if not hits:
        return []
    code = hits[0].code
    keys = sorted({h.key for h in hits}, key=lambda key: rank(code, key, seed))
    chosen = set(keys[:size])
    return sorted((h for h in hits if h.key in chosen), key=_position)


def _position(hit: Hit) -> tuple[str, int, int]:
    return hit.path, hit.line, hit.col


def read_verdicts(path: Path) -> dict[tuple[str, str], Verdict]:
    """``(code, path:line) -> Verdict`` from the TSV file (``#`` lines are comments)."""
    result: dict[tuple[str, str], Verdict] = {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader((line for line in f if line.strip() and not line.startswith("#")),
                          delimiter="\t")
        for number, row in enumerate(rows, start=1):
            if row[:2] == ["code", "location"]:
                continue
            if len(row) < 3 or row[2] not in VERDICTS:
                raise SystemExit(f"{path}: bad row {number}: {row!r}")
            pattern = row[3] if len(row) > 3 else ""
            note = row[4] if len(row) > 4 else ""
            result[(row[0], row[1])] = Verdict(row[2], pattern, note)
    return result


def show(hit: Hit, lines: Sequence[str], context: int, verdict: Verdict | None) -> str:
    """A finding as ``path:line: message`` and its source line(s)."""
    head = f"{hit.path}:{hit.line}: {hit.message}"
    if verdict is not None:
        head += f"\n    => {verdict.verdict}" + (f" [{verdict.pattern}]" if verdict.pattern else "")
        if verdict.note:
            head += f" {verdict.note}"
    first = max(1, hit.line - context)
    last = min(len(lines), hit.line + context)
    body = []
    for number in range(first, last + 1):
        marker = ">" if number == hit.line and context else " "
        text = lines[number - 1].rstrip("\r\n")
        body.append(f"  {marker}{number:>6} | {text}" if context else f"    | {text.strip()}")
    return head + "\n" + "\n".join(body)


def table(by_code: Mapping[str, Sequence[Hit]], samples: Mapping[str, Sequence[Hit]],
          verdicts: Mapping[tuple[str, str], Verdict], strict: bool = False) -> str:
    """The per-code Markdown table of docs/precision.md.

    Counts are of lines (findings of one code on one line share a verdict). "Sample"
    columns are the reviewed sample the precision target is about; "all judged" adds the
    findings judged outside the sample, where the review went further. With ``strict``,
    true-by-policy verdicts (pattern ``policy-...``) count as false.
    """
    if strict:
        verdicts = {key: Verdict("false", v.pattern, v.note)
                    if v.verdict == "true" and v.pattern.startswith("policy-") else v
                    for key, v in verdicts.items()}
    rows = ["| code | findings | in tests | in examples | sample | true | false | unclear "
            "| precision | all judged | precision (all judged) | FP patterns |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for code in sorted(by_code):
        hits = by_code[code]
        kinds = Counter(kind_of(h.path) for h in hits)
        reviewed = sorted({h.key for h in samples[code]})
        counts: Counter[str] = Counter()
        for key in reviewed:
            verdict = verdicts.get((code, key))
            counts[verdict.verdict if verdict else "missing"] += 1
        every: Counter[str] = Counter()
        patterns: set[str] = set()
        for key in {h.key for h in hits}:
            verdict = verdicts.get((code, key))
            if verdict is None:
                continue
            every[verdict.verdict] += 1
            if verdict.verdict != "true" and verdict.pattern:
                patterns.add(verdict.pattern)
            elif verdict.pattern.startswith("policy-"):
                patterns.add(f"{verdict.pattern} (true by policy)")
        rows.append(
            f"| {code} | {len(hits)} | {_share(kinds['tests'], len(hits))} "
            f"| {_share(kinds['examples'], len(hits))} | {len(reviewed)} "
            f"| {counts['true']} | {counts['false']} | {counts['unclear']} "
            f"| {_precision(counts)} | {sum(every.values())} | {_precision(every)} "
            f"| {', '.join(sorted(patterns)) or '-'} |")
    return "\n".join(rows)


def _precision(counts: Counter[str]) -> str:
    judged = counts["true"] + counts["false"] + counts["unclear"]
    text = f"{100 * counts['true'] / judged:.0f}%" if judged else "-"
    if counts["missing"]:
        text += f" ({counts['missing']} unjudged)"
    return text


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else "0"


def main(argv: Iterable[str] | None = None) -> int:
    """Command line: list findings, or with verdicts, the review table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sample", type=int, default=30, help="lines reviewed per code")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--code", action="append", default=[], help="only this code")
    parser.add_argument("--context", type=int, default=0, help="source lines around each")
    parser.add_argument("--verdicts", type=Path, help="TSV of judgements to show or tabulate")
    parser.add_argument("--table", action="store_true", help="print the per-code table")
    parser.add_argument("--strict", action="store_true",
                        help="with --table: count true-by-policy verdicts as false")
    parser.add_argument("--missing", action="store_true",
                        help="list sampled findings without a verdict")
    args = parser.parse_args(None if argv is None else list(argv))
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: run benchmarks/corpus.py first", file=sys.stderr)
        return 2
    if (args.table or args.missing) and args.verdicts is None:
        parser.error("--table and --missing need --verdicts")
    verdicts = read_verdicts(args.verdicts) if args.verdicts else {}
    files, by_code, sources = collect(args.corpus)
    samples = {code: sample(hits, args.sample, args.seed) for code, hits in by_code.items()}
    if args.table:
        print(table(by_code, samples, verdicts, strict=args.strict))
        return 0
    if args.missing:
        missing = [h for code in sorted(samples) for h in samples[code]
                   if (h.code, h.key) not in verdicts]
        for hit in missing:
            print(f"{hit.code}\t{hit.key}\t{hit.message}")
        return 1 if missing else 0
    print(f"{files} files; findings per code:")
    for code in sorted(by_code):
        print(f"  {code}: {len(by_code[code])}")
    for code in sorted(by_code):
        if args.code and code not in args.code:
            continue
        shown = samples[code]
        print(f"\n== {code}: {len(by_code[code])} findings, showing {len(shown)}")
        for hit in shown:
            print(show(hit, sources[hit.path], args.context, verdicts.get((code, hit.key))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
