"""List the plugin's findings on the benchmark corpus, for the precision review.

Usage: python scripts/precision.py [--corpus DIR] [--sample 30] [--seed 0] [--code AIO100]

Prints, per code, the number of findings and a reproducible sample (all findings when
there are at most --sample) with the source line, so each can be judged by reading it.
The corpus is the one ``benchmarks/corpus.py`` downloads (never committed).
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

from flake8_asyncio_tasks.checks import check_module
from flake8_asyncio_tasks.settings import Settings

DEFAULT_CORPUS = Path(
    os.environ.get("AIO_CORPUS", Path.home() / ".cache" / "flake8-asyncio-tasks" / "corpus")
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--code", action="append", default=[])
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}: run benchmarks/corpus.py first", file=sys.stderr)
        return 2
    by_code: dict[str, list[tuple[Path, int, str, str]]] = defaultdict(list)
    files = 0
    for path in sorted(args.corpus.rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source, filename=str(path))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        files += 1
        lines = source.splitlines(keepends=True)
        for finding in check_module(tree, Settings(), str(path), lines):
            code = finding.text.split()[0]
            text = lines[finding.line - 1].strip() if finding.line <= len(lines) else ""
            by_code[code].append((path, finding.line, finding.text, text))
    print(f"{files} files; findings per code:")
    for code in sorted(by_code):
        print(f"  {code}: {len(by_code[code])}")
    rng = random.Random(args.seed)
    for code in sorted(by_code):
        if args.code and code not in args.code:
            continue
        findings = by_code[code]
        shown = findings if len(findings) <= args.sample else rng.sample(findings, args.sample)
        print(f"\n== {code}: {len(findings)} findings, showing {len(shown)}")
        for path, line, message, text in sorted(shown):
            print(f"{path.relative_to(args.corpus)}:{line}: {message}\n    | {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
