"""The edges of the blocking graph of one module, as the guards decide them.

A call of a helper is an edge of the graph (AIO109) unless its own arguments skip every
way the helper blocks: ``put(item, block=False)`` of a ``put`` that waits only under
``if block:``; a call on ``self`` under ``if self.content:`` of a helper that blocks only
when ``self.content`` is false.  The guard tokens (see :mod:`~flake8_asyncio_tasks.guards`)
of a helper's blocking calls go up to the callers that pass their own parameters on.
Part of :class:`~flake8_asyncio_tasks.transitive.TransitiveCheck`.
"""

from __future__ import annotations

import ast
from collections import deque

from flake8_asyncio_tasks.given import (
    Alternatives,
    arguments_by_name,
    impossible,
    self_tokens,
    skips,
)
from flake8_asyncio_tasks.guards import (
    add_guard,
    add_tokens,
    renamed_parameter_token,
    token_parameter,
)
from flake8_asyncio_tasks.names import ScopeKind
from flake8_asyncio_tasks.refs import FunctionRef
from flake8_asyncio_tasks.syntax import parameter_defaults


def hop(ref: FunctionRef) -> str:
    """A hop of a chain in one module, with the line of its ``def``: ``load() (line 4)``."""
    return f"{hop_name(ref)}() (line {ref.node.lineno})"


def hop_name(ref: FunctionRef) -> str:
    """A function's name in a chain: ``load``; a constructor is ``Settings.__init__``."""
    name = ref.node.name
    parent = ref.scope.parent
    if name == "__init__" and parent is not None and parent.kind is ScopeKind.CLASS:
        return f"{parent.name}.__init__"
    return name


def drop_skipped_edges(
        callers: dict[int, list[tuple[tuple[int, int], FunctionRef, ast.Call]]],
        guards: dict[int, list[frozenset[str]] | None], refs: dict[int, FunctionRef],
        direct: dict[int, tuple[tuple[int, int], str, str]],
        edge_guards: dict[int, frozenset[str]]) -> None:
    """``put_nowait()`` is ``self.put(item, block=False)``, ``_accept()`` calls
    ``_result(data, estimate=False)`` whose only blocking path is a helper called under
    ``if estimate:``: a call whose constants skip every guarded way its callee blocks
    (its own blocking calls, and its calls of helpers that block) is no edge.  Nor is
    a call on ``self`` under ``if self.content:`` of a helper that blocks only when
    ``self.content`` is false (``if self.content: return self.content`` first), also
    through further calls on ``self``.  Repeated while edges go; bounded."""
    for _ in range(8):
        blocking = _blocking_functions(callers, direct)
        outgoing: dict[int, list[tuple[ast.Call, int]]] = {}
        for callee_key, edges in callers.items():
            if callee_key in blocking:
                for _, caller, call in edges:
                    outgoing.setdefault(id(caller.node), []).append((call, callee_key))
        ways = _ways_of_blocking(blocking, guards, outgoing, edge_guards)
        changed = False
        for callee_key, edges in callers.items():
            callee = refs.get(callee_key)
            alternatives = ways.get(callee_key)
            if callee is None or callee_key not in blocking or not edges or (
                    alternatives is None):
                continue
            parameters = call_parameters(callee)
            kept = [edge for edge in edges if not skips(edge[2], parameters, alternatives)
                    and not (_on_self(edge[2]) and all(impossible(
                        edge_guards.get(id(edge[2]), frozenset()) | self_tokens(way))
                        for way in alternatives))]
            if len(kept) < len(edges):
                callers[callee_key] = kept
                changed = True
        if not changed:
            return


def _ways_of_blocking(blocking: set[int], guards: dict[int, list[frozenset[str]] | None],
                      outgoing: dict[int, list[tuple[ast.Call, int]]],
                      edge_guards: dict[int, frozenset[str]]
                      ) -> dict[int, Alternatives | None]:
    """For each blocking function, the guard tokens of each way it blocks: its blocking
    calls, and its calls of blocking helpers (the tokens around the call; for a call on
    ``self``, with the helper's own ways on ``self``'s state too, as the object is the
    same).  ``None``: one way runs whatever the arguments and the state."""
    ways: dict[int, Alternatives | None] = {}
    for _ in range(8):
        changed = False
        for key in blocking:
            found: list[frozenset[str]] | None = list(guards.get(key) or ()) if not (
                key in guards and guards[key] is None) else None
            for call, callee_key in outgoing.get(key, ()):
                if found is None:
                    break
                around = edge_guards.get(id(call), frozenset())
                inner = ways.get(callee_key)
                if inner is not None and callee_key in ways and _on_self(call):
                    for way in inner:
                        tokens = around | self_tokens(way)
                        if not impossible(tokens):
                            found = add_tokens(found, tokens)
                            if found is None:
                                break
                else:
                    found = add_tokens(found, around)
            result = None if found is None else tuple(found)
            if key not in ways or ways[key] != result:
                ways[key] = result
                changed = True
        if not changed:
            break
    return ways


def _on_self(call: ast.Call) -> bool:
    """``self.helper(...)``: a method of the same object."""
    func = call.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
        func.value.id == "self")


def forward_guards(
        callers: dict[int, list[tuple[tuple[int, int], FunctionRef, ast.Call]]],
        guards: dict[int, list[frozenset[str]] | None],
        direct: dict[int, tuple[tuple[int, int], str, str]],
        refs: dict[int, FunctionRef], edge_guards: dict[int, frozenset[str]]) -> None:
    """``_try_acquire(force=force)`` over ``_delay_waiter(force=False)``, whose wait runs
    only when ``force`` is false: the caller hands its own parameter on, so its call
    of the helper waits only as that parameter says.  Such an edge becomes a guarded
    blocking call of the caller (the helper's tokens renamed to the caller's
    parameters), repeated up the callers of the caller; one module, bounded."""
    for _ in range(8):
        blocking = _blocking_functions(callers, direct)
        # a helper whose own helpers do not block: only its guarded waits count
        calls_blocking = {id(caller.node) for callee_key, edges in callers.items()
                          if callee_key in blocking for _, caller, _ in edges}
        changed = False
        for callee_key, edges in list(callers.items()):
            alternatives = guards.get(callee_key)
            callee = refs.get(callee_key)
            if not alternatives or callee is None or callee_key in calls_blocking or (
                    callee_key not in direct):
                continue
            parameters = call_parameters(callee)
            kept = []
            for edge in edges:
                position, caller, call = edge
                renamed = _renamed(call, parameters, tuple(alternatives), caller)
                if renamed is None:
                    kept.append(edge)
                    continue
                changed = True
                if not renamed:
                    continue  # the call's own constants skip every wait: no edge
                key = id(caller.node)
                ranges = edge_guards.get(id(call), frozenset())
                for tokens in renamed:
                    add_guard(guards, key, tokens | ranges)
                best = direct.get(key)
                _, root, where = direct[callee_key]
                if best is None or position < best[0]:
                    direct[key] = (position, f"{hop(callee)} -> {root}", where)
            callers[callee_key] = kept
        if not changed:
            return


def _blocking_functions(
        callers: dict[int, list[tuple[tuple[int, int], FunctionRef, ast.Call]]],
        direct: dict[int, tuple[tuple[int, int], str, str]]) -> set[int]:
    """The functions that block directly or through the call edges, as they stand."""
    found = set(direct)
    queue = deque(direct)
    while queue:
        for _, caller, _ in callers.get(queue.popleft(), ()):
            key = id(caller.node)
            if key not in found:
                found.add(key)
                queue.append(key)
    return found


def _renamed(call: ast.Call, parameters: tuple[str, ...], alternatives: Alternatives,
             caller: FunctionRef) -> Alternatives | None:
    """The helper's guard tokens as the caller's own: each blocking call's tokens whose
    parameter the call fills with a parameter of the caller, renamed to it; ``()`` when
    the call's own arguments skip every blocking call.  ``None`` when some blocking
    call keeps no token (it waits whatever the caller is given), or the call has
    ``*args``/``**kwargs``."""
    given = arguments_by_name(call, parameters)
    if given is None:
        return None
    args = caller.node.args
    own = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    defaults = parameter_defaults(args)
    renamed: list[frozenset[str]] = []
    for tokens in alternatives:
        if skips(call, parameters, (tokens,)):
            continue  # this wait is skipped by the call's own constants
        mine = set()
        for token in tokens:
            prefix, name = token_parameter(token)
            value = given.get(name)
            if prefix.startswith("~") or not isinstance(value, ast.Name) or (
                    value.id not in own or len(caller.scope.bindings.get(value.id, ())) != 1):
                continue
            # a parameter the caller passes on: its own default decides the "?" forms
            mine.add(renamed_parameter_token(token, value.id, defaults.get(value.id)))
        if not mine:
            return None
        renamed.append(frozenset(mine))
    return tuple(renamed)


def call_parameters(ref: FunctionRef) -> tuple[str, ...]:
    """The parameters a call fills positionally, without the ``self``/``cls`` that a
    method call binds (a ``@staticmethod`` binds none)."""
    args = ref.node.args
    names = tuple(a.arg for a in (*args.posonlyargs, *args.args))
    scope = ref.scope.parent
    if scope is not None and scope.kind is ScopeKind.CLASS and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod"
            for d in ref.node.decorator_list):
        names = names[1:]
    return names
