"""AIO109: a coroutine calls a sync function of the same module that blocks.

Each sync function gets a summary, built once per file from the calls the visitor
recorded: its first direct blocking call, and the calls it makes to other sync
functions of the module.  Blocking then spreads backwards along those call edges,
breadth first from the functions that block directly, so every function is reached
once (linear in the module, cycles included) and each gets the shortest chain to a
root blocking call.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from flake8_asyncio_tasks.blocking import BlockingCheck, project_match
from flake8_asyncio_tasks.call_facts import cached_once, narrowed
from flake8_asyncio_tasks.contexts import awaited_later
from flake8_asyncio_tasks.edges import (
    call_parameters,
    drop_skipped_edges,
    forward_guards,
    hop,
)
from flake8_asyncio_tasks.given import (
    Alternatives,
    satisfied_by,
    skips,
)
from flake8_asyncio_tasks.guards import add_guard
from flake8_asyncio_tasks.names import Scope, ScopeKind
from flake8_asyncio_tasks.probes import probes_running_loop
from flake8_asyncio_tasks.refs import (
    ClassRef,
    FunctionRef,
    ProjectClass,
    ProjectFunction,
    ProjectLookup,
)
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.rules import LOOP_RUN_IN_COROUTINE, TRANSITIVE_BLOCKING
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.syntax import dotted_source, local_match, owner, spelled
from flake8_asyncio_tasks.task_tables import TRANSPARENT_DECORATORS
from flake8_asyncio_tasks.visitor import (
    CallSite,
    Finding,
    Unresolved,
    Visitor,
    decorator_callee,
)

_MAX_CHAIN = 6

#: calls that ask whether code runs on an event loop's thread (any module's spelling:
#: zeroconf's own ``get_running_loop()`` wraps asyncio's)


@dataclass(frozen=True, slots=True)
class _Summary:
    """Why a sync function blocks: its chain of helpers down to a blocking call."""

    root: tuple[str, str]  # (blocking call, or the project chain to it; where it is)
    via: FunctionRef | None  # the helper it calls that blocks; None: it blocks itself
    depth: int  # functions in the chain, this one included
    tail: tuple[str, ...]  # the last (at most two) hops of the chain, as edges.hop spells them


def is_plain(ref: FunctionRef, resolver: Resolver) -> bool:
    """No decorator that could turn the function into something else.

    ``@sync_to_async``, ``@app.task`` or ``@contextmanager`` return a different callable,
    so a call to the decorated name is not a call of the body we read.
    """
    for decorator in ref.node.decorator_list:
        name = resolver.resolve(decorator_callee(decorator), ref.scope.parent or ref.scope)
        if not isinstance(name, str) or name not in TRANSPARENT_DECORATORS:
            return False
    return True


def local_function(site: CallSite, visitor: Visitor,
                   constructors: bool = False) -> FunctionRef | None:
    """The ``def``/``async def`` of this module that ``site`` calls, if certain; with
    ``constructors``, also the ``__init__`` a call of a class of the module runs."""
    func = site.node.func
    if isinstance(func, ast.Name):
        name = func.id
    elif isinstance(func, ast.Attribute):
        name = func.attr  # self.m(), cls.m(), Cls.m(), self.repo.m() on a local class
    else:
        return None
    if name not in visitor.function_names:
        if not (constructors and "__init__" in visitor.function_names):
            return None
        # a class of the module, maybe: its __init__ (the callee is resolved once a site)
        ref = visitor.resolver.callee(site)
        if not isinstance(ref, ClassRef) or site.usage == "raise":
            return None
        ref = constructor(ref, visitor.resolver)
        return ref if isinstance(ref, FunctionRef) and is_plain(ref, visitor.resolver) else None
    ref = visitor.resolver.resolve(func, site.scope)
    if constructors and isinstance(ref, ClassRef) and site.usage != "raise":
        ref = constructor(ref, visitor.resolver)
    if isinstance(ref, FunctionRef) and is_plain(ref, visitor.resolver):
        return ref
    return None


#: what a constructor may start without waiting: an object wrapping a child process
#: (tornado's ``Subprocess``) forks and execs as asyncio's own subprocess API does
_WRAPPED_STARTS: Final = frozenset({"subprocess.Popen()"})


def _constructs(site: CallSite, ref: FunctionRef) -> bool:
    """``Settings(path)``: the call makes an object, running ``ref``, its ``__init__``."""
    func = site.node.func
    return ref.node.name == "__init__" and not (
        isinstance(func, ast.Attribute) and func.attr == "__init__")


def constructor(cls: ClassRef | ProjectClass, resolver: Resolver
                ) -> FunctionRef | ProjectFunction | None:
    """``Settings(path)`` runs the class's ``__init__``: its own or one it inherits from
    the module's or the project's classes (a library base's is unknown).  ``None`` for
    an instance (``obj()`` calls ``__call__``) and for a class with its own ``__new__``
    or a metaclass, which may do anything."""
    if cls.instance:
        return None
    if isinstance(cls, ClassRef):
        node = cls.scope.node
        if not isinstance(node, ast.ClassDef) or node.keywords or (
                "__new__" in cls.scope.bindings):
            return None
        found = resolver.member(ClassRef(cls.scope, instance=True), "__init__", 0)
    else:
        if "__new__" in cls.summary.methods or resolver.project is None:
            return None
        found = resolver.project.member(cls.as_instance(), "__init__", 1)[1]
    return found if isinstance(found, (FunctionRef, ProjectFunction)) else None


def iterated(site: CallSite, visitor: Visitor) -> bool:
    """The call's result is iterated where it is made: ``for row in rows():``,
    ``list(rows())``, a comprehension over it, ``yield from``, or ``it = rows()`` and
    then ``for row in it:`` in the same scope.  A generator function's body runs only
    then."""
    if site.usage in ("iterate", "yield-from"):
        return True
    return site.usage == "assign" and site.target is not None and (
        visitor.iterated_names.get((id(site.scope), site.target), 0) > 0)


def _calls_blocking(ref: ProjectFunction, project: ProjectLookup) -> bool:
    """One of the project functions ``ref`` calls may block (or is not known)."""
    for target, _, _, _ in ref.summary.calls:
        callee = project.lookup(target, 1) if project.first_party(
            target.partition(".")[0]) else None
        if not isinstance(callee, ProjectFunction) or project.blocking_chain(
                callee) is not None:
            return True
    return False


def project_function(site: CallSite, visitor: Visitor,
                     constructors: bool = False) -> ProjectFunction | None:
    """The function of another project module that ``site`` calls, if certain; with
    ``constructors``, also the ``__init__`` a call of a project class runs, when that
    ``__init__`` itself makes a blocking call (its summary's own, not a helper's)."""
    if visitor.resolver.project is None or site.usage == "raise":
        return None  # raise Error(...): an exception class, not a helper
    if isinstance(site.callee, Unresolved) and not visitor.may_name_a_definition(
            site.node.func, site.scope):
        return None
    callee = visitor.resolver.callee(site)
    if isinstance(callee, (ClassRef, ProjectClass)):
        if not constructors:
            return None
        callee = constructor(callee, visitor.resolver)  # Settings(path): its __init__
        if not isinstance(callee, ProjectFunction) or callee.summary.blocks is None or (
                f"{callee.summary.blocks[0]}()" in _WRAPPED_STARTS):
            return None
    if isinstance(callee, ProjectFunction) and callee.summary.plain:
        return callee
    return None


def _allowed(ref: FunctionRef, settings: Settings, filename: str) -> bool:
    return local_match(ref, settings.allowed_calls, filename) is not None


class TransitiveCheck:
    """Summaries of the module's sync functions, then AIO109 at calls in coroutines."""

    def __init__(self, visitor: Visitor, blocking: BlockingCheck) -> None:
        self.visitor = visitor
        self.blocking = blocking
        self.summaries: dict[int, _Summary] = {}  # id(function node) -> summary
        self._refs: dict[int, FunctionRef] = {}  # id(function node) -> its ref
        self._summarized = False
        #: id(function node) -> the guard tokens of each of its blocking calls
        self.guards: dict[int, Alternatives] = {}

    def _nonempty(self, site: CallSite) -> Callable[[str], bool] | None:
        """For ``self.method()`` calls: which ``self.<queue>`` the caller knows is not
        empty there (see ``guards``' ``"~"`` tokens)."""
        func = site.node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id == "self"):
            return None
        visitor = self.visitor
        return lambda receiver: visitor.checked_not_empty(receiver, site)

    def check(self, sites: list[tuple[CallSite, FunctionRef | ProjectFunction]]
              ) -> Iterator[Finding]:
        """AIO109 for each ``(call in a coroutine, sync helper it calls)``."""
        if not sites:
            return
        if not self._summarized:
            self._summarize()
        settings, filename = self.visitor.settings, self.visitor.filename
        project = self.visitor.resolver.project
        for site, ref in sites:
            if site.usage == "await" or awaited_later(site):
                continue  # awaited: a decorator or assignment made it async after all
            if self.visitor.patched(site.node.lineno):
                continue  # under mock.patch(...): the helper may call a stand-in
            written = dotted_source(site.node.func)
            if isinstance(ref, ProjectFunction):
                guarded = ref.summary.unless_given
                if guarded and project is not None and skips(
                        site.node, ref.summary.parameters, guarded, self._nonempty(site)) and (
                        not _calls_blocking(ref, project)):
                    continue  # from_file(path, file=buf): the open() needs file=None
                found = project.blocking_chain(ref) if project is not None else None
                if found is None or project is None or project_match(
                        ref, settings.allowed_calls):
                    continue
                given = narrowed(site, ref.summary.parameters, project)
                if given is not None:
                    # the arguments of this call, followed down the chain: a branch or
                    # a guarded call they skip is no path (unmarshal_event(data, None))
                    found = project.blocking_chain_given(ref, given)
                    if found is None:
                        continue
                chain_text = found.text()
                written = written or spelled(site.node.func)
            else:
                if _allowed(ref, settings, filename):
                    continue
                summary = self.summaries.get(id(ref.node))
                if summary is None or _constructs(site, ref) and (
                        summary.via is not None or summary.root[0] in _WRAPPED_STARTS):
                    continue  # a constructor counts only for its own blocking calls
                unless = self.guards.get(id(ref.node))
                handed = narrowed(site, call_parameters(ref), project) if unless else None
                if unless and handed is not None and satisfied_by(
                        handed, unless, self._nonempty(site)):
                    continue  # from_file(path, file=buf): the open() needs file=None
                call, where = summary.root
                chain_text = " -> ".join([*self._chain(summary, ref), f"{call} ({where})"])
                written = written or spelled(site.node.func)
            lazy = ref.summary.generator if isinstance(ref, ProjectFunction) else (
                ref.scope.is_generator)
            text = TRANSITIVE_BLOCKING.format(
                call=written,
                coro=site.scope.coroutine.name if site.scope.coroutine else "?",
                chain=chain_text,
                # a generator runs where it is iterated: consume it in the thread
                fix=f"await asyncio.to_thread(list, {written}(...))" if lazy else (
                    f"await asyncio.to_thread({written}, ...)"),
            )
            yield Finding(site.node.lineno, site.node.col_offset, text)

    def blocks(self, ref: FunctionRef) -> bool:
        """The module's sync function ``ref`` blocks, directly or through its helpers."""
        if not self._summarized:
            self._summarize()
        return id(ref.node) in self.summaries

    def _chain(self, summary: _Summary, ref: FunctionRef) -> list[str]:
        """Function names from ``ref`` to the root; long chains keep both ends only."""
        limit = 2 if summary.depth > _MAX_CHAIN else _MAX_CHAIN
        chain = [hop(ref)]
        while summary.via is not None and len(chain) < limit:
            chain.append(hop(summary.via))
            summary = self.summaries[id(summary.via.node)]
        if len(chain) == limit and summary.via is not None:
            chain += ["...", *summary.tail]
        return chain

    def _summarize(self) -> None:
        self._summarized = True
        visitor = self.visitor
        settings, filename = visitor.settings, visitor.filename
        direct: dict[int, tuple[tuple[int, int], str, str]] = {}
        project = visitor.resolver.project
        callers: dict[int, list[tuple[tuple[int, int], FunctionRef, ast.Call]]] = {}
        aware: set[int] = set()  # functions that test for a running loop
        #: function -> the guard tokens of each blocking call (``if file is None:
        #: open(path)``); None: some blocking call runs whatever the arguments
        guards: dict[int, list[frozenset[str]] | None] = {}
        #: call of a helper -> the guard tokens of the ranges around it
        edge_guards: dict[int, frozenset[str]] = {}
        for site in visitor.calls:
            frame = owner(site.scope)
            if frame.kind is not ScopeKind.FUNCTION:
                continue
            if probes_running_loop(site, visitor):
                aware.add(id(frame.node))
                continue
            node = site.node
            position = (node.lineno, node.col_offset)
            key = id(frame.node)
            caller_ref = self._ref_of(frame)
            if caller_ref is None or visitor.type_dispatched(site):
                continue  # if isinstance(src, str): open(src): up to the argument
            if cached_once(caller_ref, visitor.resolver):
                continue  # @functools.cache def version(): runs once, then a lookup
            found = self.blocking.classify(site)
            if found is not None and not self.blocking.chain_root(site, found[1]):
                continue
            if found is not None and found[1].rule is not LOOP_RUN_IN_COROUTINE:
                best = direct.get(key)
                if best is None or position < best[0]:
                    direct[key] = (position, f"{found[0]}()", f"line {node.lineno}")
                add_guard(guards, key, self.blocking.guards_of(site))
                continue
            callee = local_function(site, visitor)
            if callee is None and project is not None:
                # a helper of another module that blocks: a root of its own chain
                other = project_function(site, visitor)
                if other is not None and other.summary.generator and not iterated(
                        site, visitor):
                    continue  # rows() of a generator function: nothing of it runs yet
                chain = None
                if other is not None:
                    # get_secret("API_KEY"): the arguments decide the other module's
                    # branches, as for a call in a coroutine
                    given = narrowed(site, other.summary.parameters, project)
                    chain = project.blocking_chain(other) if given is None else (
                        project.blocking_chain_given(other, given))
                if chain is not None and other is not None and project_match(
                        other, settings.allowed_calls) is None:
                    best = direct.get(key)
                    if best is None or position < best[0]:
                        direct[key] = (position, chain.lead(), chain.where)
                    guards[key] = None  # a chain into another module: not followed
                continue
            if callee is None or callee.is_async or _allowed(callee, settings, filename):
                continue
            if callee.scope.is_generator and not iterated(site, visitor):
                continue  # rows() of a generator function: nothing of it runs yet
            callers.setdefault(id(callee.node), []).append((position, caller_ref, node))
            # a helper called in if not force: ... waits only as the caller's force says
            ranges = visitor.omitted_guard(site)
            if ranges:
                edge_guards[id(node)] = ranges
        forward_guards(callers, guards, direct, self._refs, edge_guards)
        drop_skipped_edges(callers, guards, self._refs, direct, edge_guards)
        # Breadth first from the direct blockers, backwards along call edges.
        queue: deque[int] = deque()
        for key, (_, call, where) in sorted(direct.items(), key=lambda item: item[1][0]):
            if key in aware:
                continue
            self.summaries[key] = _Summary((call, where), None, 1, (hop(self._refs[key]),))
            queue.append(key)
        while queue:
            callee_key = queue.popleft()
            callee_ref = self._refs[callee_key]
            reached = self.summaries[callee_key]
            for _, caller, _ in sorted(callers.get(callee_key, ()), key=lambda item: item[0]):
                caller_key = id(caller.node)
                if caller_key in self.summaries or caller_key in aware:
                    continue
                tail = reached.tail if len(reached.tail) == 2 else (
                    hop(caller), *reached.tail)
                self.summaries[caller_key] = _Summary(
                    reached.root, callee_ref, reached.depth + 1, tail)
                queue.append(caller_key)
        for callee_key in self.summaries:
            for _, caller, edge_call in callers.get(callee_key, ()):
                around = edge_guards.get(id(edge_call))
                if around:  # the helper is called only in a guarded branch
                    add_guard(guards, id(caller.node), around)
                else:
                    guards[id(caller.node)] = None  # blocks through a helper: no guard
        self.guards = {key: tuple(alts) for key, alts in guards.items() if alts}

    def _ref_of(self, frame: Scope) -> FunctionRef | None:
        node = frame.node
        if not isinstance(node, ast.FunctionDef) or frame.parent is None:
            return None
        ref = self._refs.get(id(node))
        if ref is None:
            ref = self._refs[id(node)] = FunctionRef(node, frame, is_async=False)
        return ref
