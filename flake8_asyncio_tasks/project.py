"""The project index: which files are the project's modules, their summaries, and what a
dotted name of the project means.

flake8 hands the plugin one file at a time.  From that file's path the index finds the
project the way Python would: up through directories with ``__init__.py`` to the
directory the top-level package sits in, plus the project directory (the nearest one
above with ``pyproject.toml``, ``setup.cfg``, ``setup.py`` or ``.git``) and its ``src/``.
Absolute imports of the top-level packages found there, and relative imports, name
files; nothing else does: never site-packages, never a path outside those directories,
never ``importlib`` (which would run package ``__init__`` files).

Each module is read and summarized at most once per process (cached by path, size and
``mtime_ns``); the checked file's summary is made from the walk that checks it and
kept for the files importing it later.  Modules
are read lazily, only when a name a check resolves leads into them.  Every lookup is a
function of the files on disk and of where it starts, with its own depth and size caps,
so neither ``--jobs``, nor the files on the command line, nor their order change a
finding; at a cap the answer is silently "unknown".  Where the files are (roots, a
file's module, the source files of a text search) is :mod:`~flake8_asyncio_tasks.layout`.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Callable
from typing import Final

from flake8_asyncio_tasks import chains, project_members
from flake8_asyncio_tasks.chains import Chain
from flake8_asyncio_tasks.faults import debug_requested
from flake8_asyncio_tasks.layout import (
    Location,
    locate,
    mentions,
    read_source,
)
from flake8_asyncio_tasks.refs import ProjectClass, ProjectFunction, Ref
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.summarize import summarize
from flake8_asyncio_tasks.summary import ModuleSummary
from flake8_asyncio_tasks.tables import RETURNS
from flake8_asyncio_tasks.visitor import Visitor

#: distinct modules one checked file may consult; then everything else is unknown
MAX_MODULES_PER_FILE: Final = 300
_MAX_DEPTH: Final = 24
_STDLIB: Final = frozenset(getattr(sys, "stdlib_module_names", ())) | {"__future__"}


#: module path -> (size, mtime_ns, settings, summary or None when unreadable)
_SUMMARIES: dict[str, tuple[int, int, Settings, ModuleSummary | None]] = {}
#: (roots, top-level name) -> is it a project module or package
_FIRST_PARTY: dict[tuple[tuple[str, ...], str], bool] = {}
#: (roots, dotted module) -> its file, or None
_FILES: dict[tuple[tuple[str, ...], str], str | None] = {}
#: parses: modules parsed for their summary alone; reused: summaries found cached.
#: Walks are not kept for reuse: holding their trees makes every garbage collection of
#: the flake8 process slower than walking a file again (measured: +0.7 s of GC on
#: httpx + httpcore with 48 kept walks, against +0.06 s with none)
STATS: Final = {"parses": 0, "reused": 0}


class Project:
    """The project as one checked file sees it (see :class:`~names.ProjectLookup`)."""

    def __init__(self, location: Location, settings: Settings) -> None:
        self.location = location
        self.roots = location.roots
        self.settings = settings
        self._consulted: set[str] = set()
        self._chains: dict[str, Chain | None] = {}
        # what this file's lookups found already: each is asked many times per file
        self._files: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._lookups: dict[str, Ref | None] = {}
        self._members: dict[tuple[str, str, bool, str], tuple[bool, Ref | None]] = {}

    # -- files -----------------------------------------------------------------------
    def first_party(self, top: str) -> bool:
        key = (self.roots, top)
        known = _FIRST_PARTY.get(key)
        if known is None:
            known = _FIRST_PARTY[key] = top not in _STDLIB and top.isidentifier() and any(
                os.path.isfile(os.path.join(root, top + ".py"))
                or os.path.isdir(os.path.join(root, top)) for root in self.roots)
        return known

    def module_file(self, module: str) -> str | None:
        files = self._files
        if module in files:
            return files[module]
        files[module] = found = self._module_file(module)
        return found

    def _module_file(self, module: str) -> str | None:
        key = (self.roots, module)
        if key in _FILES:
            return _FILES[key]
        found = None
        parts = module.split(".")
        if all(part.isidentifier() for part in parts):
            for root in self.roots:
                base = os.path.join(root, *parts)
                for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                    if os.path.isfile(candidate):
                        found = candidate
                        break
                if found is not None:
                    break
        _FILES[key] = found
        return found

    def summary(self, module: str) -> ModuleSummary | None:
        """The summary of a project module, read from disk once per process."""
        summaries = self._summaries
        if module in summaries:
            return summaries[module]
        summaries[module] = found = self._summary(module)
        return found

    def _summary(self, module: str) -> ModuleSummary | None:
        path = self.module_file(module)
        if path is None:
            return None
        if path not in self._consulted:
            if len(self._consulted) >= MAX_MODULES_PER_FILE:
                return None
            self._consulted.add(path)
        try:
            stat = os.stat(path)
        except OSError:
            return None
        cached = _SUMMARIES.get(path)
        if cached is not None and cached[0] == stat.st_size and (
                cached[1] == stat.st_mtime_ns) and cached[2] == self.settings:
            STATS["reused"] += 1
            return cached[3]
        summary = self._parse(path, module)
        _SUMMARIES[path] = (stat.st_size, stat.st_mtime_ns, self.settings, summary)
        return summary

    def _parse(self, path: str, module: str) -> ModuleSummary | None:
        source = read_source(path)
        if source is None:
            return None
        STATS["parses"] += 1
        try:
            tree = ast.parse(source, filename=path)
            location = locate(path)
            package = location.package if location is not None else tuple(
                module.split(".")[:-1])
            visitor = Visitor(self.settings, path, package, summary_only=True)
            visitor.visit(tree)
            display = location.path if location is not None else os.path.basename(path)
            # which names are first-party, as seen from the module itself (not from the
            # file that asked): the summary must not depend on who reads it first
            own = Project(location, self.settings) if location is not None else self
            summary = summarize(visitor, module, display, own.first_party)
            visitor.release()
            return summary
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        except Exception:
            # a bug of ours on another module must not become a finding on this one
            if debug_requested():
                raise
            return None

    def store(self, source: str, make: Callable[[], ModuleSummary]) -> None:
        """Keep the checked file's summary (``make`` builds it from the check's walk) for
        the files importing it, unless it is cached already or the text flake8 checks is
        not the file on disk (an editor piping an unsaved buffer through stdin)."""
        path = self.location.file
        try:
            stat = os.stat(path)
        except OSError:
            return
        cached = _SUMMARIES.get(path)
        if cached is not None and cached[:3] == (stat.st_size, stat.st_mtime_ns,
                                                 self.settings):
            return
        if len(source.encode("utf-8")) != stat.st_size:
            return
        _SUMMARIES[path] = (stat.st_size, stat.st_mtime_ns, self.settings, make())

    def constant(self, dotted: str, depth: int = 0) -> ast.Constant | None:
        """The literal a project module binds the module-level name ``dotted`` to
        (``from .constants import API_KEY_VAR``), also through modules that import it
        in turn; ``None`` when it is no such name."""
        module, _, name = dotted.rpartition(".")
        if not module or depth > 4 or not self.first_party(module.partition(".")[0]):
            return None
        summary = self.summary(module)
        if summary is None:
            return None
        if name in summary.constants:
            return ast.Constant(value=summary.constants[name])
        imported = summary.names.get(name)
        return self.constant(imported, depth + 1) if imported else None

    # -- names -----------------------------------------------------------------------
    def lookup(self, dotted: str, depth: int) -> Ref | None:
        lookups = self._lookups
        if dotted in lookups:
            return lookups[dotted]
        if depth > _MAX_DEPTH:
            return None
        lookups[dotted] = None  # a name defined through itself is unknown
        lookups[dotted] = found = self._lookup(dotted, depth)
        return found

    def _lookup(self, dotted: str, depth: int) -> Ref | None:
        steps = _steps(dotted)
        names = []
        for step in steps:
            if step == "()":
                break
            names.append(step)
        module = None
        for count in range(len(names), 0, -1):
            candidate = ".".join(names[:count])
            if self.module_file(candidate) is not None:
                module, rest = candidate, steps[count:]
                break
        if module is None:
            return None
        ref: Ref = module
        for step in rest:
            found = self._step(ref, step, depth + 1)
            if found is None:
                return None
            ref = found
        return ref

    def _step(self, ref: Ref, step: str, depth: int) -> Ref | None:
        if isinstance(ref, str):
            if self.module_file(ref) is not None:  # a project module
                summary = self.summary(ref)
                if summary is None or step == "()":
                    return None  # a module that cannot be read, or called
                return self._module_attribute(summary, step, depth)
            dotted = f"{ref}{step}" if step == "()" else f"{ref}.{step}"
            return RETURNS.get(dotted, dotted)
        if isinstance(ref, ProjectClass):
            if step == "()":
                return None if ref.instance else ref.as_instance()
            return self.member(ref, step, depth)[1]
        if isinstance(ref, ProjectFunction) and step == "()" and not ref.summary.coroutine:
            return self.returned(ref, depth)
        return None

    def _module_attribute(self, summary: ModuleSummary, name: str, depth: int) -> Ref | None:
        function = summary.functions.get(name)
        if function is not None:
            return ProjectFunction(summary.name, summary.path, function)
        cls = summary.classes.get(name)
        if cls is not None:
            return ProjectClass(summary.name, summary.path, cls, instance=False)
        if name in summary.names:
            value = summary.names[name]
            return None if value is None else self.follow(value, depth + 1)
        submodule = f"{summary.name}.{name}"
        if self.module_file(submodule) is not None:
            return submodule
        return None  # a star import, a module __getattr__, or nothing: unknown

    def follow(self, dotted: str, depth: int) -> Ref | None:
        """A dotted name from a summary: the project's definition, or the name itself."""
        if depth > _MAX_DEPTH:
            return None
        if self.first_party(dotted.partition(".")[0]):
            return self.lookup(dotted, depth + 1)
        return dotted

    def member(self, cls: ProjectClass, attr: str, depth: int) -> tuple[bool, Ref | None]:
        key = (cls.module, cls.summary.name, cls.instance, attr)
        members = self._members
        if key in members:
            return members[key]
        if depth > _MAX_DEPTH:
            return True, None
        members[key] = (True, None)  # a class among its own bases: unknown
        members[key] = found = project_members.class_member(self, cls, attr, depth)
        return found

    def element_member(self, cls: ProjectClass, attr: str, values: bool, depth: int
                       ) -> Ref | None:
        """An element of the container attribute ``attr`` of ``cls``'s instances (see
        :func:`~project_members.element_member`)."""
        return project_members.element_member(self, cls, attr, values, depth)

    def returned(self, func: ProjectFunction, depth: int) -> Ref | None:
        returns = func.summary.returns
        if returns is None or not func.summary.plain:
            return None
        return self.follow(returns, depth + 1)

    # -- blocking chains ---------------------------------------------------------------
    def idle_loop(self, dotted: str) -> tuple[str, int] | None:
        module, _, name = dotted.rpartition(".")
        summary = self.summary(module) if module else None
        if summary is None or name not in summary.idle_loops:
            return None
        return summary.path, summary.idle_loops[name]

    def mentioned_elsewhere(self, words: tuple[str, ...], imported: str = "") -> bool:
        """Another source file of the project has ``words`` (see :func:`~layout.mentions`)."""
        return mentions(self.roots, words, imported, self.location.file)

    def blocking_chain(self, func: ProjectFunction) -> Chain | None:
        """The shortest chain from a sync project function down to a blocking call."""
        key = func.dotted
        if key in self._chains:
            return self._chains[key]
        self._chains[key] = None
        found = chains.search(self, func)
        self._chains[key] = found
        return found

    def blocking_chain_given(self, start: ProjectFunction,
                             given: dict[str, ast.expr]) -> Chain | None:
        """The shortest chain from ``start`` called with ``given`` (see
        :func:`~chains.search_given`)."""
        return chains.search_given(self, start, given)


def project_for(filename: str, settings: Settings) -> Project | None:
    """The project of the checked file, or ``None`` when it has none."""
    location = locate(filename)
    return None if location is None else Project(location, settings)


def _steps(dotted: str) -> list[str]:
    """``"a.b.C().m"`` -> ``["a", "b", "C", "()", "m"]``."""
    steps: list[str] = []
    for part in dotted.split("."):
        name = part
        while name.endswith("()"):
            name = name[:-2]
        if name:
            steps.append(name)
        steps += ["()"] * ((len(part) - len(name)) // 2)
    return steps
