"""What one element of an iterable is, when every element is the same: the element
types of :meth:`~flake8_asyncio_tasks.resolver.Resolver.element` (``for p in
root.rglob("*")``, ``[f.result() for f in futures]`` with ``futures`` filled by
``executor.submit(...)``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Final

from flake8_asyncio_tasks.names import (
    Annotated,
    AnnotatedValue,
    Binding,
    Scope,
    ScopeKind,
    Value,
    required_annotation,
)
from flake8_asyncio_tasks.refs import ClassRef, ProjectClass, Ref
from flake8_asyncio_tasks.tables import RETURNS

if TYPE_CHECKING:
    from flake8_asyncio_tasks.resolver import Resolver

_MAX_DEPTH: Final = 24
#: values whose elements :func:`element` knows, when a name holds one
_CONTAINERS: Final = (ast.List, ast.Tuple, ast.Set, ast.ListComp, ast.SetComp,
                      ast.GeneratorExp, ast.Call)
#: methods that put elements into a list or set
_FILLERS: Final = frozenset({"append", "add", "insert", "extend"})


def _empty(node: ast.expr) -> bool:
    """``[]``, ``set()``, ``list()``: a container to be filled later."""
    if isinstance(node, ast.List):
        return not node.elts
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
        node.func.id in ("list", "set")) and not node.args and not node.keywords


#: builtins whose result holds the same elements as their one argument
_ORDER_KEEPING: Final = frozenset({"iter", "list", "reversed", "set", "sorted", "tuple"})


def element(resolver: Resolver, node: ast.expr, scope: Scope, depth: int = 0) -> Ref | None:
    """What one element of the iterable ``node`` is, when every element is the same.

    ``path.rglob("*")`` gives paths (:data:`RETURNS` says so); a list, set or tuple
    display whose items all resolve alike, a comprehension's element (``[pool.submit(f,
    x) for x in xs]``), a name bound once to one of those, and ``list()``, ``tuple()``,
    ``set()``, ``sorted()``, ``reversed()`` or ``iter()`` of one keep the type.  A
    dict iterates over its keys and a starred item may be anything: unknown.
    """
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        found: Ref | None = None
        for item in node.elts:
            ref = None if isinstance(item, ast.Starred) else resolver.resolve(
                item, scope, depth + 1)
            if ref is None or (found is not None and ref != found):
                return None
            found = ref
        return found
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        if isinstance(node.elt, ast.Starred):  # Python 3.15 (PEP 798): [*x for x in xs]
            return None
        if any(isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute)
               and part.func.attr == "done" for generator in node.generators
               for condition in generator.ifs for part in ast.walk(condition)):
            return None  # [f for f in futures if f.done()]: the finished ones
        inner = scope.child_for(node)
        return None if inner is None else resolver.resolve(node.elt, inner, depth + 1)
    if isinstance(node, ast.Name):
        bindings = resolver.owner(node.id, scope).bindings.get(node.id)
        if not bindings or len(bindings) != 1:
            return None
        binding = bindings[0]
        if isinstance(binding, AnnotatedValue):
            binding = binding.value
        if isinstance(binding, Value) and binding.item is None and _empty(binding.expr):
            return _filled(resolver, node.id, binding.scope, depth + 1)
        if isinstance(binding, Value) and binding.item is None and isinstance(
                binding.expr, _CONTAINERS):
            return element(resolver, binding.expr, binding.scope, depth + 1)
    elif isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords and (
            not isinstance(node.args[0], ast.Starred)) and isinstance(node.func, ast.Name):
        if resolver.resolve(node.func, scope, depth + 1) in _ORDER_KEEPING:
            return element(resolver, node.args[0], scope, depth + 1)
    elif isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(
            node.func, ast.Attribute) and node.func.attr == "values":
        # for client in self.clients.values(), self.clients: dict[str, Client]
        return declared_element(resolver, node.func.value, scope, depth + 1, values=True)
    if isinstance(node, (ast.Name, ast.Attribute)):
        declared = declared_element(resolver, node, scope, depth + 1)
        if declared is not None:
            return declared
    ref = resolver.resolve(node, scope, depth + 1)
    return RETURNS.get(f"{ref}[*]") if isinstance(ref, str) else None

def _filled(resolver: Resolver, name: str, scope: Scope, depth: int) -> Ref | None:
    """``futures = []`` then ``futures.append(pool.submit(f, x))``: the elements
    every ``append``/``add``/``insert``/``extend`` in the scope's code agrees on."""
    if scope.kind not in (ScopeKind.FUNCTION, ScopeKind.COROUTINE):
        return None  # a module's or class's registry: filled from anywhere
    found: Ref | None = None
    for node in ast.walk(scope.node):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == name
                and node.func.attr in _FILLERS):
            continue
        if not node.args or node.keywords or isinstance(node.args[-1], ast.Starred):
            return None
        item = node.args[-1]
        ref = element(resolver, item, scope, depth + 1) if node.func.attr == "extend" else (
            resolver.resolve(item, scope, depth + 1))
        if ref is None or (found is not None and ref != found):
            return None
        found = ref
    return found


#: generics whose one argument is the type of every element they iterate over
_SEQUENCES: Final = frozenset({
    "list", "set", "frozenset", "typing.List", "typing.Set", "typing.FrozenSet",
    "typing.Sequence", "typing.MutableSequence", "typing.Iterable", "typing.Iterator",
    "typing.Collection", "typing.AbstractSet", "typing.MutableSet", "typing.Deque",
    "collections.deque", "collections.abc.Sequence", "collections.abc.MutableSequence",
    "collections.abc.Iterable", "collections.abc.Iterator", "collections.abc.Collection",
    "collections.abc.Set", "collections.abc.MutableSet",
})
#: generics ``[K, V]`` whose subscript and ``values()`` give a ``V``
_MAPPINGS: Final = frozenset({
    "dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping",
    "typing.DefaultDict", "typing.OrderedDict", "collections.defaultdict",
    "collections.OrderedDict", "collections.abc.Mapping", "collections.abc.MutableMapping",
})


def declared_element(resolver: Resolver, node: ast.expr, scope: Scope, depth: int,
                     values: bool = False) -> Ref | None:
    """An element of a name or ``self`` attribute annotated as a container of one type
    (``clients: list[Client]``, ``self.by_id: dict[int, Repo] = {}``): an instance of
    that type.  ``values`` asks for a mapping's values (``.values()``, ``d[key]``) and
    is the only way a mapping answers; anything else is unknown."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Attribute):
        owner = resolver.resolve(node.value, scope, depth + 1)
        if isinstance(owner, ProjectClass) and owner.instance and resolver.project:
            # registry.all of another module's ``self.all: list[Repo] = []``
            return resolver.project.element_member(owner, node.attr, values, depth + 1)
        if not isinstance(owner, ClassRef) or not owner.instance:
            return None
        found = attribute_declaration(owner, node.attr)
    else:
        found = _declaration(resolver, node, scope)
    if found is None:
        return None
    return _declared_item(resolver, found, depth, values)


def attribute_element(resolver: Resolver, cls: ClassRef, attr: str, values: bool
                      ) -> Ref | None:
    """An element of the attribute ``attr`` of ``cls``'s instances, when it is declared
    as a container of one type (see :func:`declared_element`)."""
    found = attribute_declaration(cls, attr)
    return None if found is None else _declared_item(resolver, found, 0, values)


def _declared_item(resolver: Resolver, found: tuple[ast.expr, Scope], depth: int,
                   values: bool) -> Ref | None:
    declared, home = found
    annotation = required_annotation(declared, resolver, home, depth)
    if not isinstance(annotation, ast.Subscript):
        return None
    wrapper = resolver.resolve(annotation.value, home, depth + 1)
    arguments = annotation.slice
    if not values and wrapper in _SEQUENCES and not isinstance(arguments, ast.Tuple):
        item: ast.expr = arguments
    elif not values and wrapper in ("tuple", "typing.Tuple") and isinstance(
            arguments, ast.Tuple) and len(arguments.elts) == 2 and isinstance(
            arguments.elts[1], ast.Constant) and arguments.elts[1].value is Ellipsis:
        item = arguments.elts[0]  # tuple[Client, ...]
    elif values and wrapper in _MAPPINGS and isinstance(arguments, ast.Tuple) and len(
            arguments.elts) == 2:
        item = arguments.elts[1]
    elif values and wrapper in _SEQUENCES and wrapper not in _UNINDEXED and not (
            isinstance(arguments, ast.Tuple)):
        item = arguments  # clients[0] of a list[Client]
    else:
        return None
    return Annotated(item, home).resolve(resolver, depth + 1)


#: sequences a subscript does not index
_UNINDEXED: Final = frozenset({
    "set", "frozenset", "typing.Set", "typing.FrozenSet", "typing.Iterable",
    "typing.Iterator", "typing.Collection", "typing.AbstractSet", "typing.MutableSet",
    "collections.abc.Iterable", "collections.abc.Iterator", "collections.abc.Collection",
    "collections.abc.Set", "collections.abc.MutableSet",
})


def _declaration(resolver: Resolver, node: ast.expr, scope: Scope
                 ) -> tuple[ast.expr, Scope] | None:
    """The annotation a name bound once is declared with (with the scope it is read
    in)."""
    if not isinstance(node, ast.Name):
        return None
    bindings = list(resolver.owner(node.id, scope).bindings.get(node.id, ()))
    if len(bindings) != 1:
        return None
    return _agreed_annotation(bindings)


def attribute_declaration(cls: ClassRef, attr: str) -> tuple[ast.expr, Scope] | None:
    """The annotation an attribute of ``cls`` is declared with, when all of its
    annotations (in the class body and on ``self``) agree."""
    return _agreed_annotation([*cls.scope.bindings.get(attr, ()),
                               *cls.scope.attr_bindings.get(attr, ())])


def _agreed_annotation(bindings: list[Binding]) -> tuple[ast.expr, Scope] | None:
    found: tuple[ast.expr, Scope] | None = None
    for binding in bindings:
        if isinstance(binding, AnnotatedValue):
            binding = binding.annotated
        if not isinstance(binding, Annotated):
            continue
        if found is not None and ast.dump(found[0]) != ast.dump(binding.annotation):
            return None
        found = (binding.annotation, binding.scope)
    return found
