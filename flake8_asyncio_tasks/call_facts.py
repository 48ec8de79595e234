"""What the surroundings of a call fix about it, for the blocking chains: the arguments it
passes with what its branches and the module's constants say (:func:`narrowed`), and
helpers whose body runs once (:func:`cached_once`: ``@functools.cache`` without
parameters, a hand-written memo of a module global).
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.conditions import global_test
from flake8_asyncio_tasks.given import (
    arguments_by_name,
    in_memory_stream,
)
from flake8_asyncio_tasks.guards import equality
from flake8_asyncio_tasks.names import AnnotatedValue, Imported, Scope, ScopeKind, Value
from flake8_asyncio_tasks.refs import (
    FunctionRef,
    ProjectLookup,
)
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.visitor import (
    CallSite,
    decorator_callee,
)

_CACHES: Final = frozenset({"functools.cache", "functools.lru_cache"})


def cached_once(ref: FunctionRef, resolver: Resolver) -> bool:
    """``@functools.cache`` (or ``lru_cache``) over a function without parameters, or a
    hand-written memo of a module global (see :func:`_memoized`): its body runs once per
    process, and what blocks there is a one-off cost (a version or settings file read
    once), not a wait on every call."""
    if _memoized(ref):
        return True
    arguments = ref.node.args
    if not ref.node.decorator_list or arguments.posonlyargs or arguments.args or (
            arguments.kwonlyargs or arguments.vararg or arguments.kwarg):
        return False
    return any(resolver.resolve(decorator_callee(decorator), ref.scope.parent or ref.scope)
               in _CACHES for decorator in ref.node.decorator_list)


def _memoized(ref: FunctionRef) -> bool:
    """The function starts with ``if _cache is not None: return _cache`` (or ``if
    _cache: return _cache``), or with ``if _cache is None: _cache = ...`` (``if not
    _cache:``), ``_cache`` a module global it declares ``global``: after the first call
    it returns what that call stored, whatever its arguments.  A memo keyed by an
    argument (``if key in _cache:``) is not: each new key runs the body again."""
    body = [statement for statement in ref.node.body if not isinstance(statement, ast.Global)]
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and (
            isinstance(body[0].value.value, str)):
        body = body[1:]  # the docstring
    first = body[0] if body else None
    if not isinstance(first, ast.If) or first.orelse:
        return False
    found = global_test(first.test)
    if found is None or found[0] not in ref.scope.global_names:
        return False
    name, stored = found
    if stored:  # if _cache is not None: return _cache
        last = first.body[-1]
        return isinstance(last, ast.Return) and isinstance(last.value, ast.Name) and (
            last.value.id == name)
    return any(isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
        isinstance(target, ast.Name) and target.id == name
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target]))
        for statement in first.body for node in ast.walk(statement)
    )  # if _cache is None: with open(p) as f: _cache = f.read()


def narrowed(site: CallSite, parameters: tuple[str, ...],
             project: ProjectLookup | None = None) -> dict[str, ast.expr] | None:
    """The arguments of the call at ``site`` by parameter (see ``arguments_by_name``),
    with what the branches around it fix (see :func:`_branch_facts`): a name passed on
    becomes the constant an enclosing ``if name == "async":`` compares it with (a
    coroutine defined in the async half of code written for both: ``fetch(colour)``
    there is ``fetch("async")``), and a call on ``self`` under ``if self._colour ==
    "async":`` hands that on as ``self._colour``."""
    given = arguments_by_name(site.node, parameters)
    if given is None:
        return given
    for key, value in list(given.items()):
        if isinstance(value, ast.Name):
            stream = _local_stream(value.id, site.scope)
            if stream is not None:
                given[key] = stream  # file = BytesIO(content); verify(file)
                continue
            # host=DEFAULT_HOST, bound once at module level to "127.0.0.1" (here, or in
            # the project module it is imported from)
            constant = module_constant(value.id, site.scope)
            if constant is None and project is not None:
                constant = imported_constant(value.id, site.scope, project)
            if constant is not None:
                given[key] = constant
    facts = _branch_facts(site)
    if not facts:
        return given
    for key, value in list(given.items()):
        if isinstance(value, ast.Name) and value.id in facts:
            given[key] = facts[value.id]
    func = site.node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
            func.value.id == "self"):
        given.update((key, value) for key, value in facts.items() if key.startswith("self."))
    return given


def _local_stream(name: str, scope: Scope) -> ast.expr | None:
    """The ``io.BytesIO(...)`` a local bound once to one holds (see
    :func:`~given.in_memory_stream`)."""
    bindings = scope.enclosing_function().bindings.get(name, ())
    if len(bindings) == 1 and isinstance(bindings[0], Value) and bindings[0].item is None and (
            in_memory_stream(bindings[0].expr)):
        return bindings[0].expr
    return None


def module_constant(name: str, scope: Scope) -> ast.Constant | None:
    """The constant ``name`` read in ``scope`` holds when it is bound once, at module
    level, to a literal (``DEFAULT_HOST = "127.0.0.1"``), and nowhere else."""
    owner = Resolver.owner(name, scope)
    if owner.kind is not ScopeKind.MODULE:
        return None
    bindings = owner.bindings.get(name, ())
    if len(bindings) != 1:
        return None
    binding = bindings[0]
    if isinstance(binding, AnnotatedValue):
        binding = binding.value
    if isinstance(binding, Value) and binding.item is None and isinstance(
            binding.expr, ast.Constant):
        return binding.expr
    return None


def imported_constant(name: str, scope: Scope, project: ProjectLookup) -> ast.Constant | None:
    """The literal of ``name`` when the module imports it, once, from a project module
    that binds it to one (``from .constants import API_KEY_VAR``)."""
    owner = Resolver.owner(name, scope)
    if owner.kind is not ScopeKind.MODULE:
        return None
    bindings = owner.bindings.get(name, ())
    if len(bindings) != 1 or not isinstance(bindings[0], Imported):
        return None
    return project.constant(bindings[0].name)


def _branch_facts(site: CallSite) -> dict[str, ast.Constant]:
    """``{"colour": "async", "self._colour": "async"}``: what each ``if x == <constant>:``
    around ``site`` fixes, in its function or the ones it is nested in.  A name counts
    in the function that binds it, once (a parameter); ``self.x`` up to the method
    whose ``self`` it is."""
    facts: dict[str, ast.Constant] = {}
    where = (site.node.lineno, site.node.col_offset)
    inner: set[str] = set()  # names bound by a function nearer the call: not these
    in_method = True
    scope: Scope | None = site.scope.enclosing_function()
    while scope is not None and scope.kind in (ScopeKind.FUNCTION, ScopeKind.COROUTINE,
                                               ScopeKind.LAMBDA):
        if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement, fact in _equality_ifs(scope):
                first, last = statement.body[0], statement.body[-1]
                if not (first.lineno, first.col_offset) <= where <= (
                        last.end_lineno or last.lineno, last.end_col_offset or 0):
                    continue
                key, constant = fact
                if key.startswith("self."):
                    if in_method:
                        facts.setdefault(key, constant)
                elif key not in inner and len(scope.bindings.get(key, ())) == 1:
                    facts.setdefault(key, constant)
        inner.update(scope.bindings)
        if "self" in scope.bindings:
            in_method = False  # the method whose self this is
        scope = scope.parent
    return facts


def _equality_ifs(scope: Scope) -> list[tuple[ast.If, tuple[str, ast.Constant]]]:
    """The ``if x == <constant>:`` statements of the function of ``scope`` (nested
    functions included), with what each fixes; made once per function."""
    found = scope.equality_ifs
    if found is None:
        found = scope.equality_ifs = []
        for statement in ast.walk(scope.node):
            if isinstance(statement, ast.If) and statement.body:
                fact = equality(statement.test)
                if fact is not None:
                    found.append((statement, fact))
    return found
