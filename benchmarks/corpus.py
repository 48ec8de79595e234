"""Fetch the benchmark corpus: pinned sdists of real asyncio-heavy packages.

Each package is downloaded once with ``pip download --no-deps --no-binary NAME``
(source only, never built or installed), and only its ``.py`` files are extracted into
``<cache>/<package>/``.  The cache lives outside the repository (default
``~/.cache/flake8-asyncio-tasks/corpus``; ``--cache DIR`` or the
``FLAKE8_ASYNCIO_TASKS_CORPUS`` environment variable override it); nothing downloaded
is ever committed.  Running it again only prints the table: a package whose directory
holds a ``.complete`` marker for the pinned version is skipped.

    python benchmarks/corpus.py              # fetch what is missing, print files/lines
    python benchmarks/corpus.py --list       # print the table of what is cached
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final, TextIO

ENV_VAR: Final = "FLAKE8_ASYNCIO_TASKS_CORPUS"
DEFAULT_CACHE: Final = Path("~/.cache/flake8-asyncio-tasks/corpus")
MARKER: Final = ".complete"

#: (distribution name, pinned version); the directory name is the distribution name.
PACKAGES: Final[tuple[tuple[str, str], ...]] = (
    ("aio-pika", "10.2.1"),
    ("aiofiles", "25.1.0"),
    ("aiohttp", "3.14.5"),
    ("aiokafka", "0.14.0"),
    ("aiomysql", "0.3.2"),
    ("aiormq", "7.2.4"),
    ("aiosqlite", "0.22.1"),
    ("anyio", "4.16.0"),
    ("asgiref", "3.13.0"),
    ("asyncpg", "0.32.0"),
    ("asyncssh", "2.24.1"),
    ("channels", "4.3.2"),
    ("django", "5.2.19"),
    ("fastapi", "0.165.0"),
    ("httpcore", "1.0.9"),
    ("httpx", "0.28.1"),
    ("motor", "3.7.1"),
    ("redis", "8.1.0"),
    ("sanic", "25.12.1"),
    ("starlette", "1.10.0"),
    ("tornado", "6.6.1"),
    ("uvicorn", "0.54.0"),
    ("websockets", "17.4"),
)


def cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The corpus directory: ``explicit``, else ``$FLAKE8_ASYNCIO_TASKS_CORPUS``, else default."""
    raw = explicit or os.environ.get(ENV_VAR) or DEFAULT_CACHE
    return Path(raw).expanduser().resolve()


@dataclass(frozen=True, slots=True)
class PackageStats:
    """Size of one extracted package."""

    name: str
    version: str
    files: int
    lines: int


def python_files(package_dir: Path) -> list[Path]:
    """Every ``.py`` file under one package directory, in a stable order."""
    return sorted(p for p in package_dir.rglob("*.py") if p.is_file())


def count_lines(path: Path) -> int:
    """Physical lines of a file (bytes, so an odd encoding cannot stop the count)."""
    with path.open("rb") as f:
        return sum(1 for _ in f)


def package_dirs(root: Path) -> Iterator[Path]:
    """The package directories of a corpus: every visible subdirectory of ``root``."""
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.name.startswith((".", "_")):
            yield child


def stats(root: Path) -> list[PackageStats]:
    """Files and lines of every package directory under ``root``."""
    result = []
    for directory in package_dirs(root):
        marker = directory / MARKER
        version = marker.read_text().strip() if marker.exists() else "?"
        files = python_files(directory)
        result.append(PackageStats(directory.name, version, len(files),
                                   sum(count_lines(p) for p in files)))
    return result


def _members(archive: Path) -> Iterator[tuple[PurePosixPath, bytes]]:
    """``(path inside the sdist, content)`` of every ``.py`` member, top directory stripped."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir() and info.filename.endswith(".py"):
                    yield PurePosixPath(info.filename), zf.read(info)
        return
    with tarfile.open(archive) as tf:
        for member in tf:
            if member.isfile() and member.name.endswith(".py"):
                handle = tf.extractfile(member)
                if handle is not None:
                    yield PurePosixPath(member.name), handle.read()


def extract_python_files(archive: Path, target: Path) -> int:
    """Write the ``.py`` files of an sdist under ``target``; return how many."""
    count = 0
    for path, content in _members(archive):
        parts = path.parts[1:]  # drop "name-version/"
        # never write outside target, whatever the archive says
        if not parts or any(p in ("", ".", "..") for p in parts) or path.is_absolute():
            continue
        out = target.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        count += 1
    return count


def fetch(name: str, version: str, root: Path, pip: Sequence[str]) -> bool:
    """Download and extract one package unless cached; return True if it was fetched."""
    target = root / name
    marker = target / MARKER
    if marker.exists() and marker.read_text().strip() == version:
        return False
    if target.exists():
        shutil.rmtree(target)
    with tempfile.TemporaryDirectory(prefix="corpus-", dir=root) as tmp:
        cmd = [*pip, "download", "--quiet", "--no-deps", "--no-binary", name,
               "--dest", tmp, f"{name}=={version}"]
        done = subprocess.run(cmd, capture_output=True, text=True)
        archives = [p for p in Path(tmp).iterdir()
                    if p.name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".zip"))]
        if done.returncode != 0 or len(archives) != 1:
            raise RuntimeError(f"pip download of {name}=={version} failed:\n"
                               f"{done.stdout}{done.stderr}")
        target.mkdir(parents=True)
        extract_python_files(archives[0], target)
    marker.write_text(version + "\n")
    return True


def print_table(rows: Sequence[PackageStats], stream: TextIO | None = None) -> None:
    """Print files and lines per package, then the total."""
    print(f"{'package':<14} {'version':<10} {'files':>7} {'lines':>10}", file=stream)
    for row in rows:
        print(f"{row.name:<14} {row.version:<10} {row.files:>7} {row.lines:>10,}", file=stream)
    print(f"{'total':<14} {'':<10} {sum(r.files for r in rows):>7} "
          f"{sum(r.lines for r in rows):>10,}", file=stream)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fetch the pinned corpus (or just list it) and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", help=f"corpus directory (default: ${ENV_VAR} "
                        f"or {DEFAULT_CACHE})")
    parser.add_argument("--list", action="store_true", help="only print what is cached")
    parser.add_argument("--only", default="", help="comma-separated subset of packages")
    args = parser.parse_args(argv)
    root = cache_dir(args.cache)
    root.mkdir(parents=True, exist_ok=True)
    if not args.list:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        pip = [sys.executable, "-m", "pip"]
        for name, version in PACKAGES:
            if wanted and name not in wanted:
                continue
            fetched = fetch(name, version, root, pip)
            print(f"{'fetched' if fetched else 'cached '} {name}=={version}", file=sys.stderr)
    print(f"corpus: {root}")
    print_table(stats(root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
