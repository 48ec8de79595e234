"""AIO203 for loops that outlive one scope: kept on ``self``, or made at module level.

The scope-local part of AIO203 (a loop in a variable that its scope never runs) is in
:mod:`~flake8_asyncio_tasks.tasks`.  A loop kept on ``self`` or made at module level can
be run by code anywhere: these checks read the whole module, and with project analysis
search the project's other source files for the names involved (text only, never
parsed or imported).  Where another file could use the loop, the answer is "maybe", so
nothing is reported: unknown means silent.  Without project analysis these loops are
left as the one-file analysis leaves them.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from typing import Final

from flake8_asyncio_tasks.names import AnnotatedValue, Imported, Scope, ScopeKind, SelfParam, Value
from flake8_asyncio_tasks.rules import TASK_ON_UNRUN_LOOP
from flake8_asyncio_tasks.syntax import spelled
from flake8_asyncio_tasks.tables import LOOP_RUN_METHODS
from flake8_asyncio_tasks.task_tables import NEW_LOOPS
from flake8_asyncio_tasks.visitor import CallSite, Finding, Visitor

#: how a self-kept loop's tasks are made
_SCHEDULING: Final = frozenset({"create_task"})


def module_word(visitor: Visitor) -> str | None:
    """The name other modules import this one by (``client`` for ``shop/client.py``,
    ``shop`` for ``shop/__init__.py``)."""
    stem = os.path.splitext(os.path.basename(visitor.filename))[0]
    if stem == "__init__":
        return visitor.package[-1] if visitor.package else None
    return stem if stem.isidentifier() else None


def used_by_other_modules(visitor: Visitor, name: str) -> bool:
    """With project analysis: another project file names both this module and ``name``
    (it may import the module-level loop and run it).  ``False`` without the project."""
    project = visitor.resolver.project
    if project is None:
        return False
    word = module_word(visitor)
    return word is None or project.mentioned_elsewhere((name,), imported=word)


def unrun_self_loops(visitor: Visitor, sites: list[CallSite]) -> Iterator[tuple[Finding, int]]:
    """AIO203: ``self._loop = asyncio.new_event_loop()`` in a method, tasks scheduled
    with ``self._loop.create_task()``, and nothing that runs the loop or hands it on:
    no ``.run_forever``/``.run_until_complete`` read on that attribute anywhere in the
    module, the attribute never passed, returned or stored elsewhere, and no other
    project source file naming the attribute.  Needs project analysis."""
    project = visitor.resolver.project
    root = visitor.root
    if project is None or root is None:
        return
    made: dict[tuple[int, str], Scope] = {}  # (class, attribute) -> the class
    for site in sites:
        target = site.target or ""
        base, _, attr = target.partition(".")
        cls = _method_class(site.scope)
        # a public attribute is the class's interface: its users may run the loop
        if base == "self" and attr.startswith("_") and "." not in attr and cls is not None:
            made[(id(cls), attr)] = cls
    scopes = {id(site.node): site.scope for site in visitor.calls}
    for (_, attr), cls in made.items():
        if not all(_new_loop_or_none(binding, visitor) for binding in (
                *cls.attr_bindings.get(attr, ()), *cls.bindings.get(attr, ()))):
            continue
        scheduling = [node for node in _only_scheduled(root.node, attr)
                      if _on_self(node, attr) and id(node) in scopes
                      and _method_class(scopes[id(node)]) is cls]
        if not scheduling or project.mentioned_elsewhere((attr,)):
            continue
        for node in scheduling:
            text = TASK_ON_UNRUN_LOOP.format(
                call=spelled(node.func), loop=f"self.{attr}",
                fix="asyncio.create_task() in a coroutine of the running loop, or run "
                f"it: threading.Thread(target=self.{attr}.run_forever).start()")
            yield Finding(node.lineno, node.col_offset, text), id(node)


def _on_self(node: ast.Call, attr: str) -> bool:
    """``self.<attr>.create_task(...)``."""
    func = node.func
    return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and (
        func.value.attr == attr) and isinstance(func.value.value, ast.Name) and (
        func.value.value.id == "self")


def _method_class(scope: Scope) -> Scope | None:
    """The class whose method (with a ``self`` parameter) ``scope`` is part of."""
    function = scope.enclosing_function()
    if function.kind not in (ScopeKind.FUNCTION, ScopeKind.COROUTINE):
        return None
    bindings = function.bindings.get("self")
    if not bindings or len(bindings) != 1 or not isinstance(bindings[0], SelfParam):
        return None
    return bindings[0].ref.scope


def _new_loop_or_none(binding: object, visitor: Visitor) -> bool:
    if isinstance(binding, AnnotatedValue):
        binding = binding.value  # self._loop: AbstractEventLoop = new_event_loop()
    if not isinstance(binding, Value) or binding.item is not None:
        return False
    if binding.is_none:
        return True
    expr = binding.expr
    return isinstance(expr, ast.Call) and (
        visitor.resolver.resolve(expr.func, binding.scope) in NEW_LOOPS)


def imported_idle_loops(visitor: Visitor) -> Iterator[tuple[Finding, int]]:
    """AIO203: ``from .loops import loop`` then ``loop.create_task(job())``, where the
    module that makes the loop never runs it nor hands it on, this module only schedules
    on it (and tests it), and no other project file imports it.  Needs the project."""
    project = visitor.resolver.project
    root = visitor.root
    if project is None or root is None:
        return
    imported: dict[str, str] = {}  # local name -> the dotted name it imports
    for site in visitor.calls:
        func = site.node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _SCHEDULING
                and isinstance(func.value, ast.Name)):
            continue
        name = func.value.id
        home = visitor.resolver.owner(name, site.scope)
        bindings = home.bindings.get(name, ())
        if home is root and len(bindings) == 1 and isinstance(bindings[0], Imported):
            imported[name] = bindings[0].name
    for name, dotted in imported.items():
        made = project.idle_loop(dotted)
        if made is None or _bound_in_a_function(root, name):
            continue
        scheduling = _only_scheduled(root.node, name, by_name=True)
        module = dotted.rpartition(".")[0].rpartition(".")[2]
        if not scheduling or project.mentioned_elsewhere((name,), imported=module):
            continue
        path, line = made
        for node in scheduling:
            text = TASK_ON_UNRUN_LOOP.format(
                call=spelled(node.func), loop=name,
                fix=f"asyncio.run(main()); the loop comes from {path}:{line}, and no "
                "module of the project runs it")
            yield Finding(node.lineno, node.col_offset, text), id(node)


def _bound_in_a_function(root: Scope, name: str) -> bool:
    """A scope of the module other than the module itself binds ``name``."""
    stack = list(root.children)
    while stack:
        scope = stack.pop()
        if name in scope.bindings:
            return True
        stack.extend(scope.children)
    return False


def _only_scheduled(tree: ast.AST, attr: str, by_name: bool = False) -> list[ast.Call]:
    """The ``x.<attr>.create_task(...)`` calls of the module, when every other read of
    ``.<attr>`` only tests it or calls a method that does not run it; else ``[]``.
    ``by_name``: the same for reads of the name ``attr`` (``loop.create_task()``)."""
    scheduling: set[int] = set()
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            if isinstance(child, ast.Constant) and child.value == attr:
                return []  # getattr(self, "_loop"): read some other way
            if by_name:
                if not isinstance(child, ast.Name) or child.id != attr:
                    continue
            elif not isinstance(child, ast.Attribute) or child.attr != attr:
                continue
            if not isinstance(child.ctx, ast.Load):
                continue  # assigned (the class's bindings say to what) or deleted
            if isinstance(parent, ast.Attribute):
                if parent.attr in LOOP_RUN_METHODS:
                    return []  # run here, or handed on to be run: Thread(target=...)
                if parent.attr in _SCHEDULING:
                    scheduling.add(id(parent))
                continue  # call_soon(), close(), is_running(): no way to run it
            if _only_tested(parent, child):
                continue
            return []  # passed, returned, stored: someone else may run it
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and id(node.func) in scheduling]
    return sorted(calls, key=lambda n: (n.lineno, n.col_offset))


def _only_tested(parent: ast.AST, child: ast.expr) -> bool:
    """``if self._loop is None:``, ``if not self._loop:``: the value goes nowhere."""
    if isinstance(parent, ast.Compare):
        return True
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
        return True
    return isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and (
        parent.test is child)
