"""Recall of flake8-asyncio-tasks on the peers' own test fixtures.

Usage:
    python scripts/peer_recall.py [--cache DIR] [--ruff-source DIR] [--table]

flake8-async and ruff test their blocking-call and dangling-task rules on fixture files.
This script fetches the pinned sdists (never committed; cached in ``--cache``, default
``~/.cache/flake8-asyncio-tasks/peers``), finds the fixtures of the categories we share
with them (:data:`PEER_RULES`), takes as expected the lines each peer marks there, adds
the imports the fixtures leave out (:data:`FORGOTTEN_IMPORTS`) and runs three linters on
the same text: this plugin (through its flake8 ``Plugin`` class), flake8-async and
ruff (each installed in its own virtualenv in the cache, never in the project's).

Expected lines:

- flake8-async eval files (``tests/eval_files/``) mark them in comments,
  ``# ASYNC210: 4, 'requests.get'`` or ``# error: ...`` (the code of the file name);
- ruff fixtures: the insta snapshots next to the rules, when they match the fixture text;
  otherwise what the pinned ruff reports on the unmodified fixture (the same thing the
  snapshot records). ruff's sdist leaves fixtures and snapshots out (its
  ``[tool.maturin] exclude``), so they come from ``--ruff-source``, a directory laid out
  like ruff's repository (a checkout of the pinned tag); without one only the examples of
  ruff's rule docs (in the sdist's ``.rs`` files) are used;
- ruff rule docs: each rule's ``## Example`` block, expected = what ruff reports on it.

Blocking categories only count lines inside an ``async def`` (a nested ``def`` or
``lambda`` is not); dangling tasks count everywhere. Recall is per line: a line is found
when the linter reports a code of the line's category on it. A missed line is explained
by :data:`DESIGN_CHOICES` (excluded from the counted lines), :data:`DOCUMENTED_LIMITS`
(counted), "reported under another code", or is a gap, shown with its callee.

Without ``--table`` it prints every missed line; ``--table`` prints markdown for
docs/precision.md. Needs network access to PyPI the first time only.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import fnmatch
import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# --------------------------------------------------------------------------------------
# Data tables
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    """One peer release: the sdist that holds its fixtures, and what to pip install."""

    name: str
    version: str
    sdist: str
    sha256: str
    extra: tuple[str, ...] = ()  # installed next to it in its virtualenv


#: flake8-async 26.8.1 is the newest release on PyPI (2026-12); ruff 0.17.6 is the one
#: docs/precision.md already compares with.
PINS: Mapping[str, Pin] = {
    # flake8-async does not depend on flake8 (it has its own CLI): run it as a plugin
    "flake8-async": Pin("flake8-async", "26.8.1", "flake8_async-26.8.1.tar.gz",
                        "c2d9e7b318169a85d821c8b2e661959481e59db1551626b7471c6e4627c99d9b",
                        ("flake8==7.5.0",)),
    "ruff": Pin("ruff", "0.17.6", "ruff-0.17.6.tar.gz",
                "2b04276561331300325040bdca21460770029ec574d4c479099e39e8ad1ed43c"),
}


@dataclass(frozen=True)
class Category:
    """A kind of problem both we and a peer report, and the codes we report it with."""

    title: str
    ours: tuple[str, ...]
    in_async_def: bool  # True: a line counts only inside an `async def`


CATEGORIES: Mapping[str, Category] = {
    "http": Category("HTTP", ("AIO101",), True),
    "subprocess": Category("subprocess", ("AIO102",), True),
    "file": Category("file (open/read/write)", ("AIO103",), True),
    "file-methods": Category("file-object methods", ("AIO103",), True),
    "stat": Category("os.path / Path metadata", ("AIO103",), True),
    "input": Category("input()", ("AIO105",), True),
    "sleep": Category("sleep", ("AIO100",), True),
    # AIO203 too: a task on a loop that never runs is dangling, reported more precisely
    "task": Category("dangling task", ("AIO200", "AIO201", "AIO203"), False),
}

#: peer code -> category. Read from the peers' rule sources and docs
#: (flake8_async/visitors/visitor2xx.py, ruff's rules/flake8_async/rules/*.rs).
PEER_RULES: Mapping[str, str] = {
    # flake8-async & ruff: requests.*/httpx.* module functions, urllib3.request,
    # urllib.request.urlopen (flake8-async also bare urlopen/request.urlopen, httpx2)
    "ASYNC210": "http",
    # flake8-async: urllib3 PoolManager().request("VERB", ...) with a literal HTTP verb
    "ASYNC211": "http",
    # both: methods of a sync httpx.Client (flake8-async: also urllib3 pools, httpx2)
    "ASYNC212": "http",
    # both: subprocess.Popen, os.spawn*(P_NOWAIT...): starts a process
    "ASYNC220": "subprocess",
    # both: subprocess.run/call/check_*/getoutput, os.system, os.posix_spawn*, os.spawn*
    "ASYNC221": "subprocess",
    # both: os.wait/wait3/wait4/waitid/waitpid
    "ASYNC222": "subprocess",
    # both: open(), io.open_code; ruff also pathlib.Path.open/read_*/write_*/touch
    "ASYNC230": "file",
    # flake8-async: os.fdopen
    "ASYNC231": "file",
    # flake8-async: any method of a variable typed/assigned as an io file object
    "ASYNC232": "file-methods",
    # both: os.path.* (flake8-async: stat family and normpath/relpath; ruff: abspath,
    # exists...) and ruff pathlib.Path metadata methods (exists, is_file...)
    "ASYNC240": "stat",
    # both: builtin input()
    "ASYNC250": "input",
    # both: time.sleep
    "ASYNC251": "sleep",
    # ruff: asyncio.create_task/ensure_future/loop.create_task result dropped or unused
    "RUF006": "task",
}


@dataclass(frozen=True)
class Reason:
    """Why a missed line is missed, when a rule doc of ours says so."""

    key: str
    codes: frozenset[str]  # peer codes it applies to
    pattern: str  # regex on the source line ("" = any line of those codes)
    doc: str  # the rule doc that says so, relative to the repository
    evidence: str  # words of that doc: the reason holds only while the doc says them
    text: str

    #: also true of the line's code (module tree, line): what the regex cannot see
    holds: Callable[[ast.Module, int, str], bool] | None = None

    def matches(self, codes: Iterable[str], line: str, tree: ast.Module | None = None,
                number: int = 0, text: str = "") -> bool:
        return bool(self.codes.intersection(codes)) and (
            not self.pattern or re.search(self.pattern, line) is not None) and (
            self.holds is None or (tree is not None and self.holds(tree, number, text)))

    def documented(self) -> bool:
        """Does the rule doc still say so? (A reason a doc no longer gives is not used.)"""
        doc = REPOSITORY / self.doc
        return doc.exists() and self.evidence in " ".join(doc.read_text().split())


REPOSITORY = Path(__file__).resolve().parent.parent

def _method_call(tree: ast.Module, number: int) -> tuple[ast.Attribute, ast.AST] | None:
    """The ``receiver.method`` of the first method call on line ``number``, and the
    innermost function (else the module) around it."""
    owner: ast.AST = tree
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                node.lineno <= number <= (node.end_lineno or node.lineno)):
            if owner is tree or node.lineno >= getattr(owner, "lineno", 0):
                owner = node
    calls = [n for n in ast.walk(owner) if isinstance(n, ast.Call) and n.lineno == number
             and isinstance(n.func, ast.Attribute)]
    if not calls:
        return None
    func = min(calls, key=lambda n: n.col_offset).func
    assert isinstance(func, ast.Attribute)
    return func, owner


def _receiver_opened_here(tree: ast.Module, number: int, text: str) -> bool:
    """``f = open(p)`` / ``with open(p) as f`` in the same function, then ``f.read()``."""
    found = _method_call(tree, number)
    if found is None or not isinstance(found[0].value, ast.Name):
        return False
    name, owner = found[0].value.id, found[1]
    for node in ast.walk(owner):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets) and (
                isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "open"):
            return True
        if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) and (
                node.optional_vars.id == name) and isinstance(node.context_expr, ast.Call) and (
                ast.unparse(node.context_expr.func) == "open"):
            return True
    return False


def _no_such_file_method(tree: ast.Module, number: int, text: str) -> bool:
    """``f.anything()``: io's file classes have no method of that name."""
    import io
    found = _method_call(tree, number)
    return found is not None and not any(
        hasattr(kind, found[0].attr) for kind in (io.TextIOWrapper, io.BufferedRandom))


def _no_such_client_method(tree: ast.Module, number: int, text: str) -> bool:
    """``pool.anything()``: no table entry of ours has a method of that name."""
    from flake8_asyncio_tasks.tables import BLOCKING_CALLS
    found = _method_call(tree, number)
    return found is not None and not any(
        key.endswith(f"().{found[0].attr}") for key in BLOCKING_CALLS)


def _module_name_bound_twice(tree: ast.Module, number: int, text: str) -> bool:
    """``client = httpx.Client()`` and later ``client: int = 4``, both at module level."""
    found = _method_call(tree, number)
    if found is None or not isinstance(found[0].value, ast.Name):
        return False
    name = found[0].value.id
    bound = [node for node in tree.body if (
        isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets)) or (
        isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        and node.target.id == name)]
    return len(bound) > 1


def _after_known_unhandled(tree: ast.Module, number: int, text: str) -> bool:
    """In the fixture's own "Known unhandled cases" part, where its comments say the peer
    reports lines that are no file calls (``f = 7; f.read()``) after a re-assignment."""
    before = "\n".join(text.split("\n")[:number])
    if "Known unhandled cases" not in before:
        return False
    found = _method_call(tree, number)
    if found is None or not isinstance(found[0].value, ast.Name):
        return False
    name, owner = found[0].value.id, found[1]
    return any(isinstance(node, ast.Assign) and node.lineno < number and any(
        isinstance(t, ast.Name) and t.id == name for t in node.targets) and not (
        isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "open")
        for node in ast.walk(owner))


#: Missed lines a documented design choice of ours excludes: left out of the counted
#: lines (shown in their own column). Only lines we miss: a line we report counts.
DESIGN_CHOICES: Sequence[Reason] = (
    Reason("stat-family", frozenset({"ASYNC240"}), "", "docs/rules/AIO103.md",
           "cheap metadata calls",
           "metadata calls (os.path.*, os.stat, Path.exists/is_file/is_dir/stat) are not "
           "reported by design: one system call answered from the kernel's cache"),
    Reason("fdopen", frozenset({"ASYNC230", "ASYNC231"}), r"\bfdopen\(", "docs/rules/AIO103.md",
           "`os.fdopen(fd)` is not reported",
           "os.fdopen(fd) wraps a descriptor that is open already (often a pipe or a "
           "socket) and waits on nothing"),
    Reason("spawn-nowait", frozenset({"ASYNC220"}), r"\bspawn\w*\(.*P_NOWAIT",
           "docs/rules/AIO102.md", "unless `P_NOWAIT`",
           "os.spawn*(P_NOWAIT) starts a process without waiting for it, so AIO102 leaves "
           "it out"),
    Reason("opened-in-the-coroutine", frozenset({"ASYNC232"}), "", "docs/rules/AIO103.md",
           "A file opened in the same coroutine is reported at its `open()` only",
           "a file opened in the same coroutine is reported once, at its open() (which "
           "we report), not again at each f.read()", _receiver_opened_here),
    Reason("no-such-method", frozenset({"ASYNC212", "ASYNC232"}), "",
           "docs/rules/AIO101.md", "a method name no table lists",
           "only methods that do I/O are reported; f.anything() / pool.anything() is "
           "no method of a file object or a connection pool",
           lambda tree, number, text: _no_such_file_method(tree, number, text)
           and _no_such_client_method(tree, number, text)),
    Reason("client-close", frozenset({"ASYNC212"}), r"\.close\(\)", "docs/rules/AIO101.md",
           "`close()` of a sync client",
           "close() of a sync HTTP client closes its sockets without a round trip; an "
           "async class's aclose() commonly closes a sync client it also holds"),
    Reason("rebound-module-name", frozenset({"ASYNC212", "ASYNC232"}), "",
           "docs/rules/AIO101.md", "bound more than once at module level",
           "a module-level name bound twice (client = httpx.Client(), later client: int "
           "= 4) is of unknown type: a coroutine runs after the module is imported and "
           "sees the last binding", _module_name_bound_twice),
    Reason("peer-known-false", frozenset({"ASYNC232"}), "", "docs/precision.md",
           "flake8-async's own fixture marks as known",
           "lines the fixture itself lists under \"Known unhandled cases\": f = "
           "arbitrary_function() / f = 7, then f.read(), reported by flake8-async "
           "though f is no file there", _after_known_unhandled),
)

#: Missed lines a documented known limitation of ours explains: still counted as missed.
DOCUMENTED_LIMITS: Sequence[Reason] = (
    Reason("flow-sensitive-types", frozenset({"ASYNC232"}), "", "docs/rules/AIO103.md",
           "bound to two types in one function any other way",
           "a name annotated with two types in one function (f: int = 7, later f: "
           "TextIOWrapper = ...) is of unknown type; types are not followed statement "
           "by statement"),
)

#: Names the fixtures use without importing them, and the import that binds each. Only
#: names a fixture leaves unbound are added (flake8-async matches names as written; we
#: and ruff resolve imports).
FORGOTTEN_IMPORTS: Mapping[str, str] = {
    "asyncio": "import asyncio",
    "trio": "import trio",
    "anyio": "import anyio",
    "os": "import os",
    "io": "import io",
    "subprocess": "import subprocess",
    "time": "import time",
    "requests": "import requests",
    "httpx": "import httpx",
    "httpx2": "import httpx2",
    "urllib3": "import urllib3",
    "urllib": "import urllib.request",
    "request": "from urllib import request",  # async210.py: request.urlopen()
    "urlopen": "from urllib.request import urlopen",  # async210.py: urlopen()
    "Optional": "from typing import Optional",
    "Path": "from pathlib import Path",
}

#: Where the fixtures are, inside each source tree.
F8A_EVAL_DIR = "tests/eval_files"
RUFF_FIXTURE_DIRS = ("crates/ruff_linter/resources/test/fixtures/flake8_async",
                     "crates/ruff_linter/resources/test/fixtures/ruff")
RUFF_SNAPSHOT_DIRS = ("crates/ruff_linter/src/rules/flake8_async/snapshots",
                      "crates/ruff_linter/src/rules/ruff/snapshots")
#: ruff rule sources whose `## Example` doc block is a fixture of a shared rule
RUFF_RULE_DOCS = ("crates/ruff_linter/src/rules/flake8_async/rules/blocking_*.rs",
                  "crates/ruff_linter/src/rules/flake8_async/rules/blocking_process_invocation.rs",
                  "crates/ruff_linter/src/rules/ruff/rules/asyncio_dangling_task.rs")
#: parts of the sdists to extract (the ruff sdist is 49 MB unpacked)
EXTRACT = {
    "flake8-async": (f"{F8A_EVAL_DIR}/*.py",),
    "ruff": (*(f"{d}/*" for d in RUFF_FIXTURE_DIRS), *(f"{d}/*" for d in RUFF_SNAPSHOT_DIRS),
             *RUFF_RULE_DOCS, "pyproject.toml"),
}

CA_FILE = "/etc/ssl/certs/ca-certificates.crt"
DEFAULT_CACHE = Path.home() / ".cache" / "flake8-asyncio-tasks" / "peers"

# --------------------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------------------


def _ssl_context() -> ssl.SSLContext:
    cafile = os.environ.get("PIP_CERT") or (CA_FILE if os.path.exists(CA_FILE) else None)
    return ssl.create_default_context(cafile=cafile)


def download_sdist(pin: Pin, cache: Path) -> Path:
    """The pinned sdist in the cache, downloaded once from PyPI and checked by sha256."""
    target = cache / pin.sdist
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == pin.sha256:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    data = None
    try:  # the PEP 691 JSON simple index gives the file's URL
        request = urllib.request.Request(
            f"https://pypi.org/simple/{pin.name}/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"})
        with urllib.request.urlopen(request, context=_ssl_context(), timeout=120) as reply:
            files = json.load(reply)["files"]
        url = next(f["url"] for f in files if f["filename"] == pin.sdist)
        with urllib.request.urlopen(url, context=_ssl_context(), timeout=600) as reply:
            data = reply.read()
    except Exception as error:  # fall back on pip, which has its own proxy settings
        print(f"urllib download of {pin.sdist} failed ({error}); trying pip", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--no-binary", pin.name, "--dest", tmp,
                            f"{pin.name}=={pin.version}"], check=True)
            data = (Path(tmp) / pin.sdist).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != pin.sha256:
        raise SystemExit(f"{pin.sdist}: sha256 {digest}, expected {pin.sha256}")
    target.write_bytes(data)
    return target


def extract(pin: Pin, cache: Path) -> Path:
    """The parts of the sdist this script reads, unpacked once under ``cache/src``."""
    root = cache / "src" / f"{pin.name}-{pin.version}"
    marker = root / ".extracted"
    if marker.exists():
        return root
    archive = download_sdist(pin, cache)
    if root.exists():
        shutil.rmtree(root)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            relative = member.name.partition("/")[2]
            if not member.isfile() or ".." in Path(relative).parts:
                continue
            if any(fnmatch.fnmatch(relative, pattern) for pattern in EXTRACT[pin.name]):
                source = tar.extractfile(member)
                assert source is not None
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_bytes(source.read())
    marker.write_text(pin.version + "\n")
    return root


def peer_venv(pin: Pin, cache: Path) -> Path:
    """A virtualenv in the cache with only this peer installed; its ``bin`` directory."""
    venv = cache / f"venv-{pin.name}-{pin.version}"
    marker = venv / ".installed"
    wanted = " ".join((f"{pin.name}=={pin.version}", *pin.extra))
    if not marker.exists() or marker.read_text().strip() != wanted:
        if venv.exists():
            shutil.rmtree(venv)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--quiet", *wanted.split()], check=True)
        marker.write_text(wanted + "\n")
    return venv / "bin"


# --------------------------------------------------------------------------------------
# Fixtures and their expected lines
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One expected finding: 1-based line, 0-based column, peer code."""

    line: int
    col: int
    code: str


@dataclass
class Fixture:
    """One fixture file, where it comes from, and what its own peer expects on it."""

    source: str  # "flake8-async", "ruff", "ruff-docs"
    name: str  # shown in reports: path inside the source tree
    text: str
    expected: list[Mark] = field(default_factory=list)
    expected_from: str = ""

    @property
    def peer(self) -> str:
        return "flake8-async" if self.source == "flake8-async" else "ruff"


_MARKER = re.compile(r"#\s*(error|ASYNC\d{3})(_\w+)?:([^#]*)")


def flake8_async_marks(stem: str, text: str) -> list[Mark]:
    """The ``# ASYNCxxx: col, ...`` / ``# error: col, ...`` markers of an eval file."""
    file_code = stem.split("_")[0].upper()
    marks = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or "#" not in stripped:
            continue
        for code, _variant, arguments in _MARKER.findall(line):
            column = re.match(r"\s*(\d+)", arguments)
            marks.append(Mark(number, int(column.group(1)) if column else 0,
                              file_code if code == "error" else code))
    return marks


def flake8_async_fixtures(root: Path) -> list[Fixture]:
    """Eval files of flake8-async with a marker of a shared rule."""
    fixtures = []
    for path in sorted((root / F8A_EVAL_DIR).glob("*.py")):
        text = path.read_text(encoding="utf-8")
        marks = [m for m in flake8_async_marks(path.stem, text) if m.code in PEER_RULES]
        if marks:
            fixtures.append(Fixture("flake8-async", f"{F8A_EVAL_DIR}/{path.name}", text,
                                    marks, "comment markers"))
    return fixtures


_SNAP_NEW = re.compile(r"^([A-Z]+[0-9]+) .*\n\s*--> ([^\s:]+):(\d+):(\d+)", re.MULTILINE)
_SNAP_OLD = re.compile(r"^([^\s:]+\.pyi?):(\d+):(\d+): ([A-Z]+[0-9]+) ", re.MULTILINE)
_SNAP_SOURCE = re.compile(r"^\s*(\d+) \|(?: (.*))?$")


def snapshot_marks(snapshot: str, fixture_name: str, lines: Sequence[str]) -> list[Mark] | None:
    """Diagnostics of an insta snapshot for one fixture; None if it does not match the text.

    Both layouts are read: ``CODE message`` then `` --> FILE:LINE:COL`` (ruff >= 0.12)
    and ``FILE:LINE:COL: CODE message`` (older). The source excerpt under each diagnostic
    must equal the fixture's line, or the snapshot is of another version of the file.
    """
    found: list[tuple[str, int, int, int]] = []  # code, line, col, offset in snapshot
    for match in _SNAP_NEW.finditer(snapshot):
        if match.group(2) == fixture_name:
            found.append((match.group(1), int(match.group(3)), int(match.group(4)),
                          match.end()))
    for match in _SNAP_OLD.finditer(snapshot):
        if match.group(1) == fixture_name:
            found.append((match.group(4), int(match.group(2)), int(match.group(3)),
                          match.end()))
    marks = []
    for code, line, col, offset in found:
        if line > len(lines):
            return None
        for excerpt in snapshot[offset:].split("\n")[1:12]:
            source = _SNAP_SOURCE.match(excerpt)
            if source and int(source.group(1)) == line:
                if (source.group(2) or "").rstrip() != lines[line - 1].rstrip():
                    return None
                break
        marks.append(Mark(line, col - 1, code))
    return marks


def ruff_fixtures(source_root: Path | None, label: str) -> list[Fixture]:
    """ruff's fixtures of shared rules (ASYNC2xx, RUF006) under a ruff source tree."""
    if source_root is None:
        return []
    fixtures = []
    for directory in RUFF_FIXTURE_DIRS:
        for path in sorted((source_root / directory).glob("*.py")):
            # ASYNC22x.py tests ASYNC220..222: an "x" stands for any digit
            pattern = re.escape(path.stem.split("_")[0]).replace("x", r"\d")
            if not any(re.fullmatch(pattern, code) for code in PEER_RULES):
                continue
            text = path.read_text(encoding="utf-8")
            fixture = Fixture("ruff", f"{directory}/{path.name}", text)
            lines = text.split("\n")
            snaps: list[Mark] | None = []
            snapshot_files = [
                snap for snap_dir in RUFF_SNAPSHOT_DIRS
                for snap in sorted((source_root / snap_dir).glob(f"*_{path.name}.snap"))
                if "__preview__" not in snap.name]
            for snap in snapshot_files:
                marks = snapshot_marks(snap.read_text(encoding="utf-8"), path.name, lines)
                if marks is None or snaps is None:
                    snaps = None
                else:
                    snaps.extend(m for m in marks if m.code in PEER_RULES)
            if snapshot_files and snaps is not None:
                fixture.expected, fixture.expected_from = snaps, f"snapshots ({label})"
            else:
                fixture.expected_from = (f"ruff run ({label}; snapshot of another version)"
                                         if snapshot_files else f"ruff run ({label})")
            fixtures.append(fixture)
    return fixtures


def ruff_doc_fixtures(root: Path) -> list[Fixture]:
    """The ``## Example`` block of each shared ruff rule's doc comment, as a fixture."""
    fixtures = []
    paths = sorted({p for pattern in RUFF_RULE_DOCS for p in root.glob(pattern)})
    for path in paths:
        doc: list[str] = []
        examples: list[str] = []
        for line in path.read_text(encoding="utf-8").split("\n"):
            stripped = line.strip()
            if stripped.startswith("///"):
                doc.append(stripped[4:] if stripped.startswith("/// ") else stripped[3:])
                continue
            examples.extend(_doc_examples(doc))
            doc = []
        for number, example in enumerate(examples, start=1):
            fixtures.append(Fixture("ruff-docs", f"{path.relative_to(root)}#example{number}",
                                    example, expected_from="ruff run (rule docs)"))
    return fixtures


def _doc_examples(doc: Sequence[str]) -> Iterator[str]:
    """The first python code block after each ``## Example`` heading."""
    in_example = in_code = False
    code: list[str] = []
    for line in doc:
        if line.startswith("## "):
            in_example = line.strip() == "## Example"
        elif in_example and not in_code and line.strip() == "```python":
            in_code, code = True, []
        elif in_code and line.strip() == "```":
            in_code = in_example = False
            yield "\n".join(code) + "\n"
        elif in_code:
            code.append(line)


# --------------------------------------------------------------------------------------
# Preparing the text and running the linters
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A fixture with the forgotten imports inserted before line ``at``."""

    text: str
    at: int
    added: tuple[str, ...]

    def original_line(self, line: int) -> int | None:
        """The fixture's line number for a line of the prepared text (None: an import)."""
        if line < self.at:
            return line
        if line < self.at + len(self.added):
            return None
        return line - len(self.added)


def _bound_names(tree: ast.AST) -> set[str]:
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).partition(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound


def prepare(text: str) -> Prepared:
    """Insert the imports of :data:`FORGOTTEN_IMPORTS` for names the fixture leaves unbound.

    They go on their own lines after any ``from __future__`` import (line numbers are
    mapped back by :meth:`Prepared.original_line`).
    """
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return Prepared(text, 1, ())
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Load)}
    missing = sorted(loaded - _bound_names(tree) - set(dir(builtins)))
    added = tuple(dict.fromkeys(FORGOTTEN_IMPORTS[n] for n in missing
                                if n in FORGOTTEN_IMPORTS))
    at = 1
    for statement in getattr(tree, "body", []):
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            at = (statement.end_lineno or statement.lineno) + 1
    lines = text.split("\n")
    return Prepared("\n".join([*lines[:at - 1], *added, *lines[at - 1:]]), at, added)


Hit = tuple[int, int, str]  # line, 0-based column, code


def run_ours(prepared: Prepared, name: str) -> list[Hit]:
    """This plugin's findings, through the flake8 Plugin class, on the prepared text."""
    from flake8_asyncio_tasks.plugin import Plugin

    tree = ast.parse(prepared.text)
    lines = prepared.text.splitlines(True)
    return [(line, col, message.split()[0])
            for line, col, message, _ in Plugin(tree, name, lines).run()]


def run_flake8_async(bindir: Path, paths: Sequence[Path]) -> dict[Path, list[Hit]]:
    """flake8-async's ASYNC findings, default options (every rule on by default)."""
    if not paths:
        return {}
    done = subprocess.run(
        [str(bindir / "python"), "-m", "flake8", "--isolated", "--select=ASYNC",
         "--format=%(path)s\t%(row)d\t%(col)d\t%(code)s", *map(str, paths)],
        capture_output=True, text=True)
    if done.returncode not in (0, 1) or (done.returncode and not done.stdout):
        raise SystemExit(f"flake8-async failed:\n{done.stderr}")
    hits: dict[Path, list[Hit]] = defaultdict(list)
    for row in done.stdout.splitlines():
        path, line, col, code = row.split("\t")
        hits[Path(path)].append((int(line), int(col) - 1, code))
    return hits


def run_ruff(bindir: Path, paths: Sequence[Path]) -> dict[Path, list[Hit]]:
    """ruff's findings of its flake8-async rules and RUF006 (stable rules, no preview)."""
    if not paths:
        return {}
    done = subprocess.run(
        [str(bindir / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero",
         "--select=ASYNC,RUF006", "--output-format=json", *map(str, paths)],
        capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"ruff failed:\n{done.stderr}")
    hits: dict[Path, list[Hit]] = defaultdict(list)
    for item in json.loads(done.stdout or "[]"):
        location = item["location"]
        hits[Path(item["filename"])].append(
            (location["row"], location["column"] - 1, item["code"] or ""))
    return hits


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------


def _scopes(tree: ast.AST) -> list[tuple[tuple[int, int], tuple[int, int], bool]]:
    """(start, end, is_async) of each function or lambda body."""
    scopes = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            start = (first.lineno, first.col_offset)
        elif isinstance(node, ast.Lambda):
            start = (node.body.lineno, node.body.col_offset)
        else:
            continue
        end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
        scopes.append((start, end, isinstance(node, ast.AsyncFunctionDef)))
    return scopes


def in_async_def(tree: ast.AST, line: int, col: int) -> bool:
    """Is the innermost function around (line, col) an ``async def``?"""
    inner = None
    for start, end, is_async in _scopes(tree):
        if start <= (line, col) < end and (inner is None or start > inner[0]):
            inner = (start, is_async)
    return inner is not None and inner[1]


@dataclass
class Line:
    """One expected line of one category in one fixture, and who reports it."""

    fixture: Fixture
    line: int
    category: str
    codes: set[str]
    cols: set[int] = field(default_factory=set)
    found: dict[str, bool] = field(default_factory=dict)  # linter -> found
    ours_other: set[str] = field(default_factory=set)  # our codes of other categories
    design: Reason | None = None
    limit: Reason | None = None
    callee: str = ""

    @property
    def source_line(self) -> str:
        return self.fixture.text.split("\n")[self.line - 1].strip()


LINTERS = ("ours", "flake8-async", "ruff")


def _callee(tree: ast.AST, line: int, cols: Iterable[int]) -> str:
    """The called name at an expected position (else the line's first call), for grouping."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno == line]
    if not calls:
        return "?"
    at = [c for c in calls if c.col_offset in set(cols)]
    call = min(at or calls, key=lambda c: c.col_offset)
    return ast.unparse(call.func)


def score(fixture: Fixture, hits: Mapping[str, list[Hit]]) -> tuple[list[Line], int]:
    """The fixture's expected lines with who found them; also how many were dropped."""
    tree = ast.parse(fixture.text)
    by_line: dict[tuple[int, str], Line] = {}
    dropped = 0
    for mark in fixture.expected:
        category = PEER_RULES[mark.code]
        if CATEGORIES[category].in_async_def and not in_async_def(tree, mark.line, mark.col):
            dropped += 1
            continue
        key = (mark.line, category)
        if key not in by_line:
            by_line[key] = Line(fixture, mark.line, category, set())
        by_line[key].codes.add(mark.code)
        by_line[key].cols.add(mark.col)
    for (line, category), entry in by_line.items():
        for linter in LINTERS:
            if linter == "ours":
                wanted = set(CATEGORIES[category].ours)
            else:
                wanted = {code for code, cat in PEER_RULES.items() if cat == category}
            codes = {code for hit_line, _, code in hits.get(linter, []) if hit_line == line}
            entry.found[linter] = bool(codes & wanted)
            if linter == "ours":
                entry.ours_other = {c for c in codes - wanted if c.startswith("AIO")}
        if not entry.found["ours"]:
            entry.design = next((r for r in DESIGN_CHOICES if r.documented()
                                 and r.matches(entry.codes, entry.source_line, tree, line,
                                               fixture.text)), None)
            entry.limit = next((r for r in DOCUMENTED_LIMITS if r.documented()
                                and r.matches(entry.codes, entry.source_line, tree, line,
                                              fixture.text)), None)
        entry.callee = _callee(tree, line, entry.cols)
    return sorted(by_line.values(), key=lambda e: (e.line, e.category)), dropped


def reason_of(entry: Line) -> str:
    """Group of a line we miss: a documented reason, another code, or the callee."""
    if entry.design:
        return f"design choice: {entry.design.key}"
    if entry.limit:
        return f"documented limitation: {entry.limit.key}"
    if entry.ours_other:
        return f"reported as {', '.join(sorted(entry.ours_other))}"
    return "not recognised"


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def _recall(found: int, total: int) -> str:
    return f"{found}/{total} ({found / total:.0%})" if total else "-"


def summary_rows(lines: Sequence[Line]) -> list[list[str]]:
    """One row per category: counted lines, design exclusions, each linter's recall."""
    rows = []
    for key, category in CATEGORIES.items():
        entries = [e for e in lines if e.category == key]
        if not entries:
            continue
        counted = [e for e in entries if not e.design]
        ours_all = sum(e.found["ours"] for e in entries)
        cells = [f"{category.title} ({', '.join(sorted({c for e in entries for c in e.codes}))}"
                 f" / {', '.join(category.ours)})", str(len(entries)),
                 str(len(entries) - len(counted)), str(len(counted))]
        for linter in LINTERS:
            cells.append(_recall(sum(e.found[linter] for e in counted), len(counted)))
        cells.append(_recall(ours_all, len(entries)))
        rows.append(cells)
    return rows


def source_rows(lines: Sequence[Line]) -> list[list[str]]:
    """Per fixture source and category, counted lines only."""
    rows = []
    for source in ("flake8-async", "ruff", "ruff-docs"):
        for key, category in CATEGORIES.items():
            counted = [e for e in lines if e.fixture.source == source and e.category == key
                       and not e.design]
            if counted:
                rows.append([source, category.title, str(len(counted)),
                             *(_recall(sum(e.found[lnt] for e in counted), len(counted))
                               for lnt in LINTERS)])
    return rows


def _markdown(header: Sequence[str], rows: Sequence[Sequence[str]], right: int) -> str:
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i < right else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def missed_groups(lines: Sequence[Line]) -> dict[str, list[Line]]:
    groups: dict[str, list[Line]] = defaultdict(list)
    for entry in lines:
        if not entry.found["ours"]:
            groups[reason_of(entry)].append(entry)
    return dict(sorted(groups.items(), key=lambda kv: (not kv[0].startswith("not"),
                                                      -len(kv[1]), kv[0])))


def report(lines: Sequence[Line], fixtures: Sequence[Fixture], dropped: int,
           notes: Sequence[str], table: bool) -> str:
    header = ["category (peer codes / ours)", "expected lines", "excluded by design",
              "counted lines", "flake8-asyncio-tasks", "flake8-async", "ruff",
              "ours on all expected"]
    out = []
    if table:
        out.append(_markdown(header, summary_rows(lines), 1))
        out.append("")
        out.append("By fixture source (counted lines):")
        out.append("")
        out.append(_markdown(["fixtures", "category", "lines", *LINTERS],
                             source_rows(lines), 2))
    else:
        for row in summary_rows(lines):
            out.append("  ".join(f"{h}: {c}" for h, c in zip(header, row, strict=True)))
    out.append("")
    out.append(f"Fixtures: {len(fixtures)} files "
               + ", ".join(f"{s} {sum(f.source == s for f in fixtures)}"
                           for s in ("flake8-async", "ruff", "ruff-docs"))
               + f"; {dropped} expected findings outside an `async def` not counted "
               "(blocking categories).")
    out.extend(notes)
    out.append("")
    out.append("Lines we miss, by reason and fixture (callee and line numbers):"
               if table else "Missed lines:")
    for reason, entries in missed_groups(lines).items():
        doc = next((r for r in (*DESIGN_CHOICES, *DOCUMENTED_LIMITS)
                    if reason.endswith(r.key)), None)
        out.append("")
        out.append(f"- **{reason}** ({len(entries)})" + (f": {doc.text} ({doc.doc})"
                                                        if doc else ""))
        by_file: dict[str, list[Line]] = defaultdict(list)
        for entry in entries:
            by_file[f"{entry.fixture.source}:{Path(entry.fixture.name).name}"].append(entry)
        for where, group in sorted(by_file.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            codes = ", ".join(sorted({c for e in group for c in e.codes}))
            peers = ", ".join(f"{p} {sum(e.found[p] for e in group)}"
                              for p in ("flake8-async", "ruff"))
            out.append(f"  - {where} [{codes}] {len(group)} lines (found by {peers}):")
            callees: dict[str, list[Line]] = defaultdict(list)
            for entry in group:
                callees[entry.callee].append(entry)
            if table:
                out.append("    " + "; ".join(
                    f"`{callee}` {', '.join(str(e.line) for e in same)}"
                    for callee, same in callees.items()))
            else:
                for entry in group:
                    out.append(f"      {entry.line}: {entry.source_line}")
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"download and virtualenv cache (default: {DEFAULT_CACHE})")
    parser.add_argument("--ruff-source", type=Path,
                        help="a directory laid out like ruff's repository (a checkout of "
                        f"ruff {PINS['ruff'].version}), for the fixtures its sdist leaves "
                        "out (default: CACHE/ruff-source if it exists)")
    parser.add_argument("--table", action="store_true", help="print markdown")
    args = parser.parse_args(argv)
    cache: Path = args.cache.expanduser()

    f8a_root = extract(PINS["flake8-async"], cache)
    ruff_root = extract(PINS["ruff"], cache)
    notes = [f"Pinned: flake8-async {PINS['flake8-async'].version}, ruff "
             f"{PINS['ruff'].version} (sdists and tools)."]
    fixtures = flake8_async_fixtures(f8a_root)
    in_sdist = ruff_fixtures(ruff_root, f"ruff {PINS['ruff'].version} sdist")
    if in_sdist:
        fixtures += in_sdist
    else:
        source = args.ruff_source or (cache / "ruff-source")
        if source.is_dir():
            fixtures += ruff_fixtures(source, str(source))
            provenance = source / "PROVENANCE.txt"
            notes.append(f"ruff fixtures are not in its sdist; read from {source}"
                         + (" (see its PROVENANCE.txt)." if provenance.exists() else "."))
        else:
            notes.append("ruff fixtures are not in its sdist and no --ruff-source was "
                         "given: only ruff's rule-doc examples stand for ruff.")
    fixtures += ruff_doc_fixtures(ruff_root)

    f8a_bin = peer_venv(PINS["flake8-async"], cache)
    ruff_bin = peer_venv(PINS["ruff"], cache)
    with tempfile.TemporaryDirectory(prefix="peer-recall-") as tmp:
        prepared_dir, original_dir = Path(tmp) / "prepared", Path(tmp) / "original"
        prepared: dict[Path, tuple[Fixture, Prepared]] = {}
        originals: dict[Path, Fixture] = {}
        for number, fixture in enumerate(fixtures):
            base = f"f{number:03d}_{Path(fixture.name.split('#')[0]).stem}.py"
            pre = prepare(fixture.text)
            path = prepared_dir / base
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(pre.text, encoding="utf-8")
            prepared[path.resolve()] = (fixture, pre)
            if not fixture.expected_from or fixture.expected_from.startswith("ruff run"):
                original = original_dir / base
                original.parent.mkdir(parents=True, exist_ok=True)
                original.write_text(fixture.text, encoding="utf-8")
                originals[original.resolve()] = fixture
        for path, own in run_ruff(ruff_bin, sorted(originals)).items():
            fixture = originals[path.resolve()]
            fixture.expected = [Mark(line, col, code) for line, col, code in own
                                if code in PEER_RULES]
        peer_hits = {"flake8-async": run_flake8_async(f8a_bin, sorted(prepared)),
                     "ruff": run_ruff(ruff_bin, sorted(prepared))}
        all_lines: list[Line] = []
        dropped = 0
        for path, (fixture, pre) in prepared.items():
            hits: dict[str, list[Hit]] = {"ours": run_ours(pre, fixture.name)}
            for peer, per_file in peer_hits.items():
                hits[peer] = per_file.get(path, [])
            mapped = {}
            for linter, found in hits.items():
                mapped[linter] = [(orig, col, code) for line, col, code in found
                                  if (orig := pre.original_line(line)) is not None]
            lines, lost = score(fixture, mapped)
            all_lines += lines
            dropped += lost
    fixtures = [f for f in fixtures if f.expected]
    origins: dict[str, int] = defaultdict(int)
    for fixture in fixtures:
        origins[f"{fixture.source}: {fixture.expected_from}"] += 1
    notes.append("Expected lines from: " + "; ".join(f"{k} ({v} files)"
                                                     for k, v in sorted(origins.items())))
    for reason in (*DESIGN_CHOICES, *DOCUMENTED_LIMITS):
        if not reason.documented():
            notes.append(f"Not applied: {reason.key} ({reason.doc} no longer says "
                         f"{reason.evidence!r}).")
    print(report(all_lines, fixtures, dropped, notes, args.table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
