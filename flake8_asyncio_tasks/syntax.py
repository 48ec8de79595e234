"""Questions about the syntax tree that need no resolution: parameters, qualified and
display names of definitions, dotted sources of expressions, how a call is spelled, and
the shape of function bodies (``never_suspends``) and of the ``if`` tests around a node.
"""

from __future__ import annotations

import ast
from collections.abc import Collection
from pathlib import PurePath
from typing import Final

from flake8_asyncio_tasks.names import Scope, ScopeKind
from flake8_asyncio_tasks.refs import FunctionRef
from flake8_asyncio_tasks.tables import DISPLAY_NAMES


def parameter_defaults(arguments: ast.arguments) -> dict[str, ast.expr]:
    """Each parameter that has a default, with its default expression."""
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults = {arg.arg: default for arg, default in zip(
        positional[len(positional) - len(arguments.defaults):], arguments.defaults,
        strict=False)}
    defaults.update((arg.arg, default) for arg, default in zip(
        arguments.kwonlyargs, arguments.kw_defaults, strict=False) if default is not None)
    return defaults


def parameter_names(arguments: ast.arguments) -> set[str]:
    """Every parameter a ``def`` or ``lambda`` binds, ``*args`` and ``**kwargs`` too."""
    return {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                            arguments.vararg, arguments.kwarg) if a is not None}


def qualname(scope: Scope) -> str | None:
    """``f`` / ``Cls`` / ``Cls.m`` for a module-level definition's scope, else ``None``."""
    parent = scope.parent
    if parent is None:
        return None
    if parent.kind is ScopeKind.MODULE:
        return scope.name
    grand = parent.parent
    if parent.kind is ScopeKind.CLASS and grand is not None and (
            grand.kind is ScopeKind.MODULE) and scope.kind is not ScopeKind.CLASS:
        return f"{parent.name}.{scope.name}"
    return None


def display_name(ref: str) -> str:
    """``"requests.Session().get"`` -> ``"requests.Session.get"`` for messages."""
    name = ref.replace("()", "")
    for internal, public in DISPLAY_NAMES.items():
        if name.startswith(internal + "."):
            return public + name[len(internal):]
    return name


def dotted_source(node: ast.expr) -> str | None:
    """``self._sock`` -> ``"self._sock"``: a key for a receiver, without ``ast.unparse``."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def spelled(node: ast.expr) -> str:
    """A short spelling of a callee for messages: ``asyncio.get_running_loop().create_task``."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        elif isinstance(node, ast.Subscript):
            parts.append("[...]")  # self.clients[key].close
            node = node.value
        else:
            break
    parts.append(node.id if isinstance(node, ast.Name) else "...")
    text = ""
    for part in reversed(parts):
        text += part if part in ("()", "[...]") or not text else "." + part
    return text


def local_match(ref: FunctionRef, names: Collection[str], filename: str) -> str | None:
    """The entry of ``names`` that names this module's function ``ref``, if any.

    A function ``load`` of class ``Repo`` in ``app/store.py`` is ``Repo.load``,
    ``store.Repo.load`` or any dotted path ending so (``app.store.Repo.load``): flake8
    sees one file at a time and cannot know the package the module is imported as.
    """
    if not names:
        return None
    parts = [ref.node.name]
    scope: Scope | None = ref.scope.parent
    while scope is not None and scope.kind is not ScopeKind.MODULE:
        parts.append(scope.name)
        scope = scope.parent
    qualname = ".".join(reversed(parts))
    path = PurePath(filename)
    module = path.parent.name if path.stem == "__init__" else path.stem
    dotted = f"{module}.{qualname}" if module else qualname
    for entry in names:
        if entry in (qualname, dotted) or entry.endswith("." + dotted):
            return entry
    return None


def owner(scope: Scope) -> Scope:
    """The function (or module) whose frame runs code of ``scope``."""
    while scope.kind is ScopeKind.COMPREHENSION and scope.parent is not None:
        scope = scope.parent
    return scope


_SUSPENDING: Final = (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom)
_NESTED: Final = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def never_suspends(node: ast.AsyncFunctionDef) -> bool:
    """An ``async def`` whose body has no ``await``, ``async for``/``async with`` or
    ``yield`` (nested functions aside): its coroutine runs to its end in the first
    step, so a task of it is done the first time the loop runs it.  (One that only
    yields with ``await asyncio.sleep(0)`` would be safe too, but that is also how
    examples and tests stand in for real work: it still counts.)  A stub (``...``,
    ``pass``, a docstring, ``raise NotImplementedError``) says nothing: it stands for
    the work an override or a later version does."""
    if all(isinstance(statement, ast.Pass) or _raises_not_implemented(statement) or (
            isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))
           for statement in node.body):
        return False
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, _SUSPENDING):
            return False
        if isinstance(current, ast.comprehension) and current.is_async:
            return False
        if isinstance(current, _NESTED):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return True


def _raises_not_implemented(statement: ast.stmt) -> bool:
    """``raise NotImplementedError`` (or ``raise NotImplementedError(...)``), the body
    of an abstract method; another ``raise`` is the coroutine's real (failing) work."""
    if not isinstance(statement, ast.Raise):
        return False
    exc = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
    name = exc.attr if isinstance(exc, ast.Attribute) else exc.id if isinstance(
        exc, ast.Name) else None
    return exc is None or name == "NotImplementedError"


def enclosing_ifs(function: ast.AST, node: ast.AST) -> list[ast.If]:
    """The ``if`` statements of ``function`` (nested functions included) whose body
    holds ``node``, by position."""
    where = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
    found: list[ast.If] = []
    for statement in ast.walk(function):
        if isinstance(statement, ast.If) and statement.body:
            first, last = statement.body[0], statement.body[-1]
            if (first.lineno, first.col_offset) <= where <= (
                    last.end_lineno or last.lineno, last.end_col_offset or 0):
                found.append(statement)
    return found


def returns_nothing(ref: FunctionRef) -> bool:
    """A plain ``def`` (no decorator, no generator) that gives nothing back: annotated
    ``-> None``, or unannotated with no ``return`` of a value."""
    if ref.is_async or ref.node.decorator_list or ref.scope.is_generator:
        return False
    returns = ref.node.returns
    if returns is not None:
        return isinstance(returns, ast.Constant) and returns.value is None
    return not any(value is not None for value in ref.scope.return_values or ())
