"""The walk's assignments: what each target of ``=``, ``:=``, ``+=``, an annotated
assignment and a ``for`` loop is bound to, ``self.x = ...`` in methods included (an
attribute binding of the class)."""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.names import (
    OPAQUE,
    Annotated,
    AnnotatedValue,
    Binding,
    Scope,
    ScopeKind,
    SelfParam,
    Value,
)
from flake8_asyncio_tasks.syntax import dotted_source, parameter_defaults
from flake8_asyncio_tasks.walk import WalkState

#: defaults that make a stream parameter the console (``file: IO = sys.stderr``)
_CONSOLE_STREAMS: Final = frozenset({
    "sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__",
})


class TargetWalk(WalkState):
    """Handlers for assignments and loop targets."""

    def _bind_target(
        self,
        target: ast.expr,
        scope: Scope,
        value: ast.expr | None,
        item: str | None = None,
        value_scope: Scope | None = None,
    ) -> None:
        """Bind the names in an assignment target to (a part of) ``value``.

        ``item`` is the part a name gets: ``"0"``, ``"1"``... when a tuple target unpacks
        a value, ``"*"`` for a loop target (one element of the iterable).
        """
        if isinstance(target, ast.Name):
            if value is None:
                scope.bind(target.id, OPAQUE)
            else:
                scope.bind(target.id, Value(value, value_scope or scope, item))
                if item is None and isinstance(value, (ast.Name, ast.Attribute)):
                    self.indirect_names.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            if isinstance(value, (ast.Tuple, ast.List)) and item is None and (
                len(value.elts) == len(elements)
            ):
                for element, part in zip(elements, value.elts, strict=True):
                    self._bind_target(element, scope, part, None, value_scope)
                return
            if item == "*" and len(elements) == 2 and isinstance(value, ast.Call) and (
                    isinstance(value.func, ast.Attribute)) and value.func.attr == "items" and (
                    not value.args and not value.keywords) and isinstance(elements[1], ast.Name):
                # for key, client in self.clients.items(): one value of the mapping
                self._bind_target(elements[0], scope, None)
                scope.bind(elements[1].id, Value(value.func.value, value_scope or scope, "*values"))
                return
            for index, element in enumerate(elements):
                known = value is not None and item is None and not isinstance(
                    element, ast.Starred)
                self._bind_target(element, scope, value if known else None,
                                  str(index) if known else None, value_scope)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, scope, None)
        elif isinstance(target, ast.Attribute):
            self._bind_attribute(target, scope, value if item is None else None)

    def _bind_attribute(self, target: ast.Attribute, scope: Scope,
                        value: ast.expr | None, annotation: ast.expr | None = None) -> None:
        """``self.x = value`` in a method: an attribute binding of the class.  With an
        annotation (``self.x: Repo | None = None``) the annotation is what the value's
        type falls back to, and ``self.x: Repo`` alone declares the type."""
        base = target.value
        if not isinstance(base, ast.Name):
            return
        function = scope.enclosing_function()
        bindings = function.bindings.get(base.id)
        if bindings and len(bindings) == 1 and isinstance(bindings[0], SelfParam):
            cls = bindings[0].ref.scope
            binding: Binding
            if annotation is None:
                binding = Value(value, scope) if value is not None else OPAQUE
            elif value is None:
                binding = Annotated(annotation, scope)
            elif isinstance(value, ast.Name) and isinstance(
                    function.node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    console_default(parameter_defaults(function.node.args).get(value.id))):
                # self.file: IO = file, for file: IO = sys.stderr: the caller decides
                binding = Value(value, scope)
            else:
                binding = AnnotatedValue(Value(value, scope), Annotated(annotation, scope))
            cls.attr_bindings.setdefault(target.attr, []).append(binding)

    def _assign(self, node: ast.Assign, scope: Scope) -> None:
        value = node.value
        for target in node.targets:
            self._bind_target(target, scope, value)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self._mark_assigned(value, node.targets[0].id, scope)
        elif len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute):
            site = self._site(value, scope)
            if site is not None:
                site.usage, site.target = "attribute", dotted_source(node.targets[0])
        self._stack.append((value, scope))
        # plain names are bound above; other targets (x[k], self.a) also read names
        self._push([t for t in node.targets if type(t) is not ast.Name], scope)

    def _ann_assign(self, node: ast.AnnAssign, scope: Scope) -> None:
        if scope.kind is ScopeKind.CLASS and isinstance(node.target, ast.Name):
            # A class-level declaration states the attribute's type; the value is a
            # default or a dataclass field(...), not what instances hold.
            scope.bind(node.target.id, Annotated(node.annotation, scope))
            if node.value is not None:
                self._stack.append((node.value, scope))
        elif node.value is not None:
            if isinstance(node.target, ast.Name):
                # the value's type when known, else what the annotation says
                scope.bind(node.target.id, AnnotatedValue(
                    Value(node.value, scope), Annotated(node.annotation, scope)))
                if isinstance(node.value, (ast.Name, ast.Attribute)):
                    self.indirect_names.add(node.target.id)
                self._mark_assigned(node.value, node.target.id, scope)
            elif isinstance(node.target, ast.Attribute):
                self._bind_attribute(node.target, scope, node.value, node.annotation)
            else:
                self._bind_target(node.target, scope, node.value)
            self._stack.append((node.value, scope))
        elif isinstance(node.target, ast.Name) and scope.kind is not ScopeKind.MODULE:
            scope.bind(node.target.id, OPAQUE)
        elif isinstance(node.target, ast.Attribute):
            self._bind_attribute(node.target, scope, None, node.annotation)
        self._stack.append((node.target, scope))

    def _aug_assign(self, node: ast.AugAssign, scope: Scope) -> None:
        if isinstance(node.target, ast.Name):
            scope.bind(node.target.id, OPAQUE)
            scope.load(node.target.id)
        elif isinstance(node.target, ast.Attribute):
            self._bind_attribute(node.target, scope, None)
        self._push([node.target, node.value], scope)

    def _named_expr(self, node: ast.NamedExpr, scope: Scope) -> None:
        # A walrus in a comprehension binds in the enclosing function (PEP 572).
        owner = scope
        while owner.kind is ScopeKind.COMPREHENSION and owner.parent is not None:
            owner = owner.parent
        owner.bind(node.target.id, Value(node.value, owner))
        if isinstance(node.value, (ast.Name, ast.Attribute)):
            self.indirect_names.add(node.target.id)
        self._stack.append((node.value, scope))

    def _for(self, node: ast.For | ast.AsyncFor, scope: Scope) -> None:
        # an async for iterates an async iterable: its elements are not what RETURNS knows
        iterable = node.iter if isinstance(node, ast.For) else None
        if iterable is not None:
            self.iterations.append((iterable, scope))
            self._mark(iterable, "iterate", scope)
            if isinstance(iterable, ast.Name):
                key = (id(scope), iterable.id)
                self.iterated_names[key] = self.iterated_names.get(key, 0) + 1
        self._bind_target(node.target, scope, iterable, "*")
        self._generic(node, scope)


def console_default(default: ast.expr | None) -> bool:
    """``file: IO = sys.stderr``: the annotation says "a stream", the default says the
    console; what a caller passes instead is unknown, so the parameter's type is too."""
    return isinstance(default, ast.Attribute) and isinstance(default.value, ast.Name) and (
        f"{default.value.id}.{default.attr}" in _CONSOLE_STREAMS)
