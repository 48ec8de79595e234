"""Blocking chains across modules: from a sync project function, breadth first through
the project functions it calls (their summaries' ``calls``), down to a direct blocking
call, so that AIO109 can name each hop's module and line.  With the caller's
arguments, each hop's branches and blocking calls are tested against what is passed
(:func:`search_given`); without, a call is followed unless its summary says the branch
it sits in skips it (:func:`search`).  Both stop silently at :data:`MAX_CHAIN_SEARCH`.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from flake8_asyncio_tasks.given import satisfied_by, state_facts
from flake8_asyncio_tasks.refs import ProjectFunction
from flake8_asyncio_tasks.summary import SELF_CALL, UNKNOWN, Passed, as_value

if TYPE_CHECKING:
    from flake8_asyncio_tasks.project import Project

#: functions one blocking-chain search visits at most
MAX_CHAIN_SEARCH: Final = 64
#: hops of another module a message shows in full; beyond, the middle becomes ``...``
_MAX_HOPS_SHOWN: Final = 5


@dataclass(frozen=True, slots=True)
class Hop:
    """One function of a blocking chain that lies in another module."""

    name: str  # ``settings.read_file``
    path: str  # ``shop/settings.py``
    line: int


@dataclass(frozen=True, slots=True)
class Chain:
    """Why a project function blocks: the functions down to the blocking call."""

    hops: tuple[Hop, ...]
    call: str  # ``open``
    path: str
    line: int

    def lead(self) -> str:
        """``settings.read_file() (shop/settings.py:12) -> open()``: all but the root's
        place."""
        parts = [f"{hop.name}() ({hop.path}:{hop.line})" for hop in self.hops]
        if len(parts) > _MAX_HOPS_SHOWN:  # both ends tell where to look; the middle less
            parts[2:-2] = ["..."]
        parts.append(f"{self.call}()")
        return " -> ".join(parts)

    @property
    def where(self) -> str:
        """Where the root blocking call is: ``shop/settings.py:14``."""
        return f"{self.path}:{self.line}"

    def text(self) -> str:
        """``settings.read_file() (shop/settings.py:12) -> open() (shop/settings.py:14)``."""
        return f"{self.lead()} ({self.where})"


def search(project: Project, start: ProjectFunction) -> Chain | None:
    if start.summary.coroutine or not start.summary.plain:
        return None
    # (function, how it was reached, whether the call skips its direct blocking)
    queue: deque[tuple[ProjectFunction, tuple[ProjectFunction, ...], bool]] = deque(
        [(start, (start,), False)])
    seen = {(start.dotted, False)}
    while queue and len(seen) <= MAX_CHAIN_SEARCH:
        func, path, skipped = queue.popleft()
        summary = func.summary
        if summary.blocks is not None and not skipped:
            return _chain(path, func, *summary.blocks)
        for target, _, iterates, skips in summary.calls:
            ref = project.follow(target, 1) if project.first_party(
                target.partition(".")[0]) else None
            if isinstance(ref, ProjectFunction) and (
                    ref.dotted, skips) not in seen and (
                    ref.summary.plain and not ref.summary.coroutine) and (
                    iterates or not ref.summary.generator):
                seen.add((ref.dotted, skips))
                queue.append((ref, (*path, ref), skips))
    return None


def search_given(project: Project, start: ProjectFunction,
                         given: dict[str, ast.expr]) -> Chain | None:
    """The shortest chain from ``start``, called with the arguments ``given``
    (parameter -> value), down to a blocking call those arguments do not skip: each
    hop's branches (``if response_type:``) and direct blocking calls are tested
    against what the caller passes, constants and its own parameters followed from
    hop to hop (``unmarshal_event(data, None)`` never reaches ``deserialize()``,
    ``deserialize(data, "float")`` never its ``"file"`` branch).  ``None`` as a
    hop's arguments: nothing known (``f(*args)``), so nothing is skipped there."""
    if start.summary.coroutine or not start.summary.plain:
        return None
    queue: deque[tuple[ProjectFunction, tuple[ProjectFunction, ...],
                       dict[str, ast.expr] | None]] = deque([(start, (start,), given)])
    seen = {(start.dotted, _signature(given))}
    while queue:
        if len(seen) > MAX_CHAIN_SEARCH:
            return project.blocking_chain(start)  # too big to follow: as if unguarded
        func, path, arguments = queue.popleft()
        summary = func.summary
        if summary.blocks is not None and not (arguments is not None and satisfied_by(
                arguments, summary.unless_given)):
            return _chain(path, func, *summary.blocks)
        guards = summary.call_guards if len(summary.call_guards) == len(
            summary.calls) else ()
        defaults = dict(summary.defaults)
        for index, (target, _, iterates, _) in enumerate(summary.calls):
            tokens, passed = guards[index] if guards else (frozenset(), ())
            if tokens and arguments is not None and satisfied_by(arguments, (tokens,)):
                continue  # this call sits in a branch the arguments skip
            ref = project.follow(target, 1) if project.first_party(
                target.partition(".")[0]) else None
            if not isinstance(ref, ProjectFunction) or any(
                    ref.dotted == hop.dotted for hop in path) or not (
                    ref.summary.plain and not ref.summary.coroutine) or not (
                    iterates or not ref.summary.generator):
                continue
            # no call_guards: none of this function's calls passes anything
            handed = _handed(passed, ref.summary.parameters, arguments, defaults)
            if handed is not None and any(key == SELF_CALL for key, _ in passed):
                # self.to_base64() under if self.content: the object's state, as
                # known here and as the branches around the call fix it
                handed.update((key, value) for key, value in (arguments or {}).items()
                              if key.startswith("self."))
                handed.update(state_facts(tokens))
            state = (ref.dotted, _signature(handed))
            if state not in seen:
                seen.add(state)
                queue.append((ref, (*path, ref), handed))
    return None


def _chain(path: tuple[ProjectFunction, ...], func: ProjectFunction, call: str,
           line: int) -> Chain:
    """The chain along ``path`` to ``call`` at ``line`` of ``func``."""
    hops = tuple(Hop(f"{f.module.rpartition('.')[2]}.{f.summary.qualname}", f.path,
                     f.summary.line) for f in path)
    return Chain(hops, call, func.path, line)


#: a value nobody can read: given, not a constant
_UNREAD: Final = ast.Name(id="?")


def _handed(passed: tuple[tuple[str, Passed], ...], names: tuple[str, ...],
            arguments: dict[str, ast.expr] | None, defaults: dict[str, Passed]
            ) -> dict[str, ast.expr] | None:
    """What a call that passes ``passed`` (see ``FunctionSummary.call_guards``) hands a
    callee whose positional parameters are ``names``, in a function called with
    ``arguments`` (``None``: unknown) whose defaults are ``defaults``."""
    handed: dict[str, ast.expr] = {}
    for key, (kind, value) in passed:
        if key == "*":
            return None  # f(*args): which argument goes where is unknown
        if key == SELF_CALL:
            continue
        name = key if not key.startswith("#") else (
            names[int(key[1:])] if int(key[1:]) < len(names) else None)
        if name is None:
            continue
        if kind == "p" and isinstance(value, str):
            if arguments is None:
                return None  # our own arguments are unknown: so are these
            if value in arguments:
                handed[name] = arguments[value]
            else:  # left out by our caller: its default is what goes on
                handed[name] = as_value(*defaults.get(value, UNKNOWN)) or _UNREAD
        else:
            handed[name] = as_value(kind, value) or _UNREAD
    return handed


def _signature(given: dict[str, ast.expr] | None) -> tuple[tuple[str, object], ...]:
    """What ``given`` says, comparable: constants by value, anything else as unknown."""
    if given is None:
        return (("*", "?"),)
    return tuple(sorted(
        (name, ("c", repr(value.value)) if isinstance(value, ast.Constant) else ("?",))
        for name, value in given.items()))
