"""Where a project's files are: its roots, the module a file is, its source files.

Found from a checked file's path the way Python would (see :func:`locate`); read as
text only, never imported.  Everything here is a function of the files on disk, cached
per process (directories, source lists, answers to text searches).
"""

from __future__ import annotations

import os
import re
import tokenize
from dataclasses import dataclass
from typing import Final

#: files marking the top directory of a project
_PROJECT_MARKERS: Final = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
#: directories never searched: installed packages are not the project's source
_INSTALLED: Final = frozenset({"site-packages", "dist-packages"})
#: a module bigger than this is not read (generated code, vendored bundles)
MAX_MODULE_BYTES: Final = 2_000_000
_MAX_LEVELS: Final = 40


@dataclass(frozen=True, slots=True)
class Location:
    """Where a checked file sits in its project."""

    #: directories absolute imports are searched in, in order
    roots: tuple[str, ...]
    #: the module's dotted name (``shop.client``; ``shop`` for ``shop/__init__.py``)
    module: str
    #: the package relative imports start from
    package: tuple[str, ...]
    #: the file's path for messages, relative to its root
    path: str
    #: the file's absolute path
    file: str


#: directory -> the packages it is inside, where the top one sits, the import roots
_DIRECTORIES: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {}
#: project roots -> the project's source files (``None``: more than the cap)
_SOURCES: dict[tuple[str, ...], tuple[str, ...] | None] = {}
#: (roots, words, the file asking) -> does another source file have them all
_MENTIONS: dict[tuple[tuple[str, ...], tuple[str, ...], str], bool] = {}
#: source files and directories a mention search reads at most; beyond, "maybe"
MAX_SEARCH_FILES: Final = 3000
_MAX_SEARCH_DIRS: Final = 3000
#: directories a mention search skips: tools' caches, environments
_NOT_SOURCE: Final = frozenset({"__pycache__", "node_modules", "site-packages",
                                "dist-packages"})
#: build output, skipped right under a root only (``app/build/`` may be a package)
_BUILD_OUTPUT: Final = frozenset({"build", "dist"})


def is_test_file(filename: str) -> bool:
    """``test_x.py``, ``x_test.py`` or ``conftest.py``: a module pytest collects."""
    name = os.path.basename(filename.replace("\\", "/"))
    return name == "conftest.py" or (name.endswith(".py") and (
        name.startswith("test_") or name.endswith("_test.py")))


def locate(filename: str) -> Location | None:
    """The project around ``filename``, or ``None`` (stdin, not a file, installed code)."""
    if not filename.endswith(".py") or not os.path.isfile(filename):
        return None
    path = os.path.abspath(filename)
    if not _INSTALLED.isdisjoint(path.split(os.sep)):
        return None
    directory, name = os.path.split(path)
    stem = name[:-3]
    found = _DIRECTORIES.get(directory)
    if found is None:
        found = _DIRECTORIES[directory] = _packages_above(directory)
    packages, root, roots = found
    parts = [*packages] if stem == "__init__" else [*packages, stem]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    package = tuple(parts if stem == "__init__" else parts[:-1])
    relative = os.path.relpath(path, root).replace(os.sep, "/")
    return Location(roots, ".".join(parts), package, relative, path)


def _packages_above(directory: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """For a directory: the packages it is inside (``("shop", "api")``), the directory
    the top one sits in, and the roots absolute imports are searched in."""
    parts: list[str] = []
    package_dirs = 0
    while package_dirs < _MAX_LEVELS and (os.path.isfile(os.path.join(
            directory, "__init__.py")) or _inside_a_package(directory)):
        parent, base = os.path.split(directory)
        if not base.isidentifier() or parent == directory:
            break
        parts.insert(0, base)
        directory = parent
        package_dirs += 1
    roots = [directory]
    top = _project_top(directory)
    if top is not None:
        for extra in (top, os.path.join(top, "src")):
            if extra not in roots and os.path.isdir(extra):
                roots.append(extra)
    return tuple(parts), directory, tuple(roots)


#: directories without ``__init__.py`` between a module and a regular package above it
_MAX_NAMESPACE_LEVELS: Final = 3


def _inside_a_package(directory: str) -> bool:
    """``directory`` has no ``__init__.py`` but sits (through at most a few more such
    directories) inside a regular package: a namespace portion that Python imports
    as ``pkg.sub`` (``litellm/secret_managers/main.py`` is ``litellm.secret_managers.main``)."""
    current = directory
    for _ in range(_MAX_NAMESPACE_LEVELS):
        parent = os.path.dirname(current)
        if parent == current or not os.path.basename(current).isidentifier():
            return False
        if os.path.isfile(os.path.join(parent, "__init__.py")):
            return True
        current = parent
    return False


def _project_top(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` that marks a project."""
    current = directory
    for _ in range(_MAX_LEVELS):
        if any(os.path.exists(os.path.join(current, marker)) for marker in _PROJECT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None


def source_files(roots: tuple[str, ...]) -> tuple[str, ...] | None:
    """Every ``.py`` file under the project's roots (skipping hidden directories,
    virtual environments and build output), or ``None`` past the caps."""
    if roots in _SOURCES:
        return _SOURCES[roots]
    found: list[str] = []
    seen: set[str] = set()
    directories = 0
    result: tuple[str, ...] | None = None
    try:
        for root in roots:
            for directory, subdirs, files in os.walk(root):
                real = os.path.realpath(directory)
                directories += 1
                if real in seen or directories > _MAX_SEARCH_DIRS or "pyvenv.cfg" in files:
                    subdirs[:] = []
                    if directories > _MAX_SEARCH_DIRS:
                        raise OverflowError
                    continue
                seen.add(real)
                top = os.path.realpath(root) == real
                subdirs[:] = sorted(d for d in subdirs
                                    if not d.startswith(".") and d not in _NOT_SOURCE
                                    and not (top and d in _BUILD_OUTPUT))
                found += [os.path.join(real, f) for f in sorted(files) if f.endswith(".py")]
                if len(found) > MAX_SEARCH_FILES:
                    raise OverflowError
        result = tuple(found)
    except OverflowError:
        result = None
    _SOURCES[roots] = result
    return result


def read_source(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MODULE_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_MODULE_BYTES:
        return None
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None


def mentions(roots: tuple[str, ...], words: tuple[str, ...], imported: str, file: str
             ) -> bool:
    """Another source file under ``roots`` than ``file`` has every word of ``words`` as
    a whole word, and ``imported`` (a module's name) in an import statement when given;
    also ``True`` when the project is too big to search (see :data:`MAX_SEARCH_FILES`)
    or a file cannot be read.  Reads text only, once per question and process."""
    me = os.path.realpath(file)
    key = (roots, (imported, *words), me)
    if key in _MENTIONS:
        return _MENTIONS[key]
    files = source_files(roots)
    found = files is None
    if files is not None:
        patterns = [re.compile(rf"\b{re.escape(word)}\b") for word in words]
        uses: list[tuple[re.Pattern[str], ...]] = []
        if imported:
            # ``from .worker import loop`` / ``from shop.worker import (\n loop,\n)``,
            # or the module imported (``import shop.worker``, ``from shop import
            # worker``) and an attribute of that name read (``worker.loop``)
            module = re.escape(imported)
            names = "|".join(re.escape(word) for word in words)
            uses = [
                (re.compile(rf"^[ \t]*from[ \t]+[.\w]*\b{module}[ \t]+import[ \t]+"
                            rf"(?:\([^)]*|[^\n]*)\b(?:{names})\b", re.MULTILINE),),
                (re.compile(rf"^[ \t]*(?:from|import)[ \t][^\n(]*(?:\([^)]*)?\b{module}\b",
                            re.MULTILINE), re.compile(rf"\.(?:{names})\b"))]
        for path in files:
            if path == me:
                continue
            text = read_source(path)
            if text is None or all(p.search(text) for p in patterns) and (
                    not uses or any(all(p.search(text) for p in use) for use in uses)):
                found = True  # an unreadable file might mention them too
                break
    _MENTIONS[key] = found
    return found
