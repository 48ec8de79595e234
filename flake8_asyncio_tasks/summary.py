"""Module summaries: what one module defines that the project's other modules can use.

A summary is plain, frozen data, built from one module alone (see
:mod:`~flake8_asyncio_tasks.summarize`): every type and call target in it is a dotted
name as that module spells it once its imports are applied (``"requests.Session()"``,
``"shop.client.Client().close"``).  Nothing in it depends on another module, on the
order files are checked or on which files flake8 was given, so a cached summary is
always the same as a fresh one; the project index
(:mod:`~flake8_asyncio_tasks.project`) follows the names across modules when a check
asks.

In dotted names ``()`` marks a call result: ``"pkg.models.Repo()"`` is an instance of
``Repo``; ``None`` always means unknown (bound two ways, or to something no table and
no project module explains).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

#: what a summary says a value is: ``("c", value)`` a constant, ``("p", name)`` the
#: function's own parameter, ``("?", None)`` anything else
Passed = tuple[str, object]
#: the constants a summary keeps by value
KEPT_CONSTANTS: Final = (str, int, float, bool, type(None))
UNKNOWN: Final[Passed] = ("?", None)
#: the key of a ``call_guards`` entry that marks a call on ``self`` (``self.helper()``):
#: what the caller knows of the object's state goes on to the callee
SELF_CALL: Final = "self"


def passed(node: ast.expr) -> Passed:
    """``("c", value)`` for a constant a summary keeps, else :data:`UNKNOWN`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, KEPT_CONSTANTS):
        return ("c", node.value)
    return UNKNOWN


def as_value(kind: str, value: object) -> ast.expr | None:
    """The expression a :data:`Passed` constant stands for; ``None`` for the others."""
    if kind == "c" and isinstance(value, KEPT_CONSTANTS):
        return ast.Constant(value=value)
    return None


_NO_CONSTANTS: Final[Mapping[str, str | int | float | bool | None]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FunctionSummary:
    """A module-level function or a method of a module-level class."""

    #: ``fetch``, or ``Client.close`` for a method
    qualname: str
    #: the line of the ``def``
    line: int
    #: calling it makes a coroutine object: an ``async def`` that is no async generator,
    #: or a ``def`` decorated into a coroutine function (``@sync_to_async``)
    coroutine: bool
    #: no decorator that could turn the function into a different callable
    plain: bool
    #: what its return annotation says it returns (an instance), if known
    returns: str | None
    #: its first direct blocking call: (name for messages, line); sync functions only
    blocks: tuple[str, int] | None
    #: the functions it calls that may block in turn: (dotted target, line, whether the
    #: call's result is iterated there, whether its arguments skip every direct
    #: blocking call of the callee, as ``put(item, block=False)`` does), in order; sync
    #: functions only
    calls: tuple[tuple[str, int, bool, bool], ...]
    #: it returns the task that this factory makes (``return asyncio.create_task(c)``)
    spawns: str | None
    #: it runs an event loop itself: (``asyncio.run`` or the like, line); sync only
    runs_loop: tuple[str, int] | None
    #: a plain sync generator function: calling it runs none of its body, iterating
    #: the result does
    generator: bool = False
    #: the guard tokens of each direct blocking call (``if p is None:``, ``if block:``;
    #: see ``guards``): a call that satisfies one token of each skips them all
    unless_given: tuple[frozenset[str], ...] = ()
    #: the parameters a call fills by position (``self``/``cls`` of a method left out)
    parameters: tuple[str, ...] = ()
    #: a coroutine function whose body never awaits: its task ends in its first step
    instant: bool = False
    #: a method annotated ``-> Self``: it returns an instance of its receiver's class
    returns_self: bool = False
    #: a sync function that asks whether a loop runs (``try: get_running_loop()``):
    #: ``if in_loop(): asyncio.get_event_loop()`` has a loop (AIO300)
    probes_loop: bool = False
    #: a plain ``def`` that gives nothing back (``-> None``, or no ``return`` of a value):
    #: ``create_task(f())`` of it makes no task
    returns_nothing: bool = False
    #: for each of ``calls``: the guard tokens of the branches around the call (it runs
    #: only as they say), and what the call passes, as (parameter name, or ``#i`` for
    #: position i; then ``("p", name)`` for this function's own parameter ``name``,
    #: ``("c", value)`` for a constant, ``("?", None)`` for anything else)
    call_guards: tuple[tuple[frozenset[str], tuple[tuple[str, Passed], ...]], ...] = ()
    #: with ``call_guards``: the parameters' defaults, ``("c", value)`` for a constant,
    #: ``("?", None)`` for anything else (what a caller leaving one out hands on)
    defaults: tuple[tuple[str, Passed], ...] = ()


@dataclass(frozen=True, slots=True)
class ClassSummary:
    """A module-level class: its bases, methods and what its attributes hold."""

    name: str
    line: int
    #: the bases, left to right, as dotted names (``None``: a base nothing explains)
    bases: tuple[str | None, ...]
    methods: Mapping[str, FunctionSummary]
    #: ``@property`` methods: attribute -> the type the getter is annotated to return
    properties: Mapping[str, str | None]
    #: what an instance's attributes hold (``self.x = Repo()``, ``x: Repo`` in the
    #: class body, plain class attributes): attribute -> type
    attributes: Mapping[str, str | None]
    #: names bound in the class body other than methods: attribute -> type
    class_attributes: Mapping[str, str | None]
    #: attributes declared as containers of one type (``self.all: list[Repo] = []``):
    #: attribute -> (the type of an element iterated over, of ``x[key]``/``.values()``)
    elements: Mapping[str, tuple[str | None, str | None]]


@dataclass(frozen=True, slots=True)
class ModuleSummary:
    """One module of the project."""

    #: its dotted name (``shop.client``)
    name: str
    #: its path for messages, relative to the directory its top-level package is in
    path: str
    functions: Mapping[str, FunctionSummary]
    classes: Mapping[str, ClassSummary]
    #: every other module-level name: imports (re-exports), aliases and values
    names: Mapping[str, str | None]
    #: ``from x import *``: a name it does not define may come from there (unknown)
    star_import: bool
    #: module-level event loops the module never runs nor hands on: name -> the line
    #: that makes it (another module importing one may run it, or only schedule on it)
    idle_loops: Mapping[str, int]
    #: module-level names bound once to a literal (``API_KEY_VAR = "OPENAI_API_KEY"``):
    #: what a caller importing one passes (the guards of AIO109 read it)
    constants: Mapping[str, str | int | float | bool | None] = field(
        default_factory=lambda: _NO_CONSTANTS)
