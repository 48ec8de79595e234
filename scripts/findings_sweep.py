"""Print every finding of the plugin class over a tree of Python files, flake8-style.

    python scripts/findings_sweep.py DIR > findings.txt

Runs with FLAKE8_ASYNCIO_TASKS_DEBUG=1, so an internal error stops the sweep with its
traceback instead of becoming an AIO000 finding.  Files Python cannot parse are skipped
(flake8 would report them as E999).  Directories named ``*-sdist`` are skipped.
"""

from __future__ import annotations

import ast
import os
import sys
import tokenize
import warnings
from pathlib import Path

os.environ["FLAKE8_ASYNCIO_TASKS_DEBUG"] = "1"

from flake8_asyncio_tasks.plugin import Plugin  # noqa: E402  (after the variable is set)


def main(root: Path) -> int:
    files = 0
    for path in sorted(root.rglob("*.py")):
        if any(part.endswith("-sdist") for part in path.parts) or not path.is_file():
            continue
        try:
            with tokenize.open(path) as handle:
                source = handle.read()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError, LookupError, RecursionError):
            continue
        files += 1
        for line, col, text, _ in Plugin(tree, str(path), source.splitlines(True)).run():
            print(f"{path}:{line}:{col + 1}: {text}")
    print(f"# {files} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
