"""Re-run a precision review's packages with the installed plugin and join its verdicts.

    python scripts/review_recheck.py REVIEW_DIR [OUT.tsv]

REVIEW_DIR holds ``src/<name>-<version>/`` (the unpacked packages) and ``verdicts.tsv``
(columns package, version, path, line, code, verdict, reason; path relative to the
package's top directory).  Each package is checked the way the reviews do
(``flake8 --isolated --select=AIO --exit-zero .`` in its top directory); the script
prints the verdicts no longer reported, the precision of those still reported, overall
and per code, and with OUT.tsv writes the verdicts with an ``after`` column
(``reported``/``gone``).  Findings that are new since the review are not judged here.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

FINDING = re.compile(r"\./(.*?):(\d+):\d+: (AIO\d+)")


def _key(name: str) -> str:
    return name.lower().replace("_", "-")


def main(review: Path, out: Path | None) -> int:
    rows = list(csv.DictReader(open(review / "verdicts.tsv", encoding="utf-8"), delimiter="\t"))
    now: dict[str, set[tuple[str, int, str]]] = {}
    for directory in sorted((review / "src").iterdir()):
        if not directory.is_dir():
            continue
        run = subprocess.run(
            [sys.executable, "-m", "flake8", "--isolated", "--select=AIO", "--exit-zero", "."],
            cwd=directory, capture_output=True, text=True, check=False,
            env={**os.environ, "FLAKE8_ASYNCIO_TASKS_DEBUG": "1"})
        if run.stderr.strip():
            print(f"stderr in {directory.name}:\n{run.stderr[:2000]}")
        now[_key(directory.name)] = {
            (m[1], int(m[2]), m[3]) for m in map(FINDING.match, run.stdout.splitlines()) if m}

    def still(row: dict[str, str]) -> bool:
        found = now.get(_key(f"{row['package']}-{row['version']}"), set())
        return (row["path"].removeprefix("./"), int(row["line"]), row["code"]) in found

    per_code: Counter[tuple[str, bool]] = Counter()
    for row in rows:
        if still(row):
            per_code[(row["code"], row["verdict"] != "false")] += 1
        else:
            print(f"gone: {row['verdict']:6} {row['package']} {row['path']}:{row['line']} "
                  f"{row['code']}  {row['reason'][:80]}")
    right = sum(n for (_, ok), n in per_code.items() if ok)
    judged = sum(per_code.values())
    print(f"still reported: {judged} judged, {right} right, {judged - right} false"
          + (f" ({100 * right / judged:.1f} %)" if judged else ""))
    for code in sorted({code for code, _ in per_code}):
        ok, bad = per_code[(code, True)], per_code[(code, False)]
        print(f"  {code}: {ok}/{ok + bad}")
    if out is not None:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write("package\tversion\tpath\tline\tcode\tverdict\treason\tafter\n")
            for row in rows:
                handle.write("\t".join([
                    row["package"], row["version"], row["path"].removeprefix("./"),
                    row["line"], row["code"], row["verdict"], row["reason"].replace("\t", " "),
                    "reported" if still(row) else "gone"]) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else None))
