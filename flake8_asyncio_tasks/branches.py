"""Which lines of a module never run on the Pythons and flags the module itself says:
the arms of version tests that only older Pythons take (``if sys.version_info >= (3,
10): ... else: <legacy>``, early returns on a newer Python, module-level version flags)
and the dead arm of ``if FLAG:`` on a module-level ``FLAG = True/False``.  Part of the
walk (:class:`~flake8_asyncio_tasks.visitor.Visitor`); decided once, when a rule asks.
"""

from __future__ import annotations

import ast

from flake8_asyncio_tasks.conditions import older_pythons_branch, version_test
from flake8_asyncio_tasks.locks import statement_blocks
from flake8_asyncio_tasks.names import Scope, Value
from flake8_asyncio_tasks.syntax import dotted_source
from flake8_asyncio_tasks.tables import ASYNCIO_ADDED
from flake8_asyncio_tasks.walk import WalkState


class BranchQueries(WalkState):
    """The visitor's answers about branches that do not run (see the module)."""

    _legacy_decided: bool
    _dead: list[tuple[int, int]] | None
    _unreachable_ranges: dict[int, list[tuple[int, int]]]

    def in_legacy_branch(self, line: int, before: tuple[int, ...] | None = None) -> bool:
        """``line`` is in code that only Pythons older than a version test's run (with
        ``before``: a version no later than it)."""
        if not self._legacy_decided:
            self._legacy_decided = True
            self._decide_version_flags()
            self._early_exits()
            self._attribute_fallbacks()
        return any(first <= line <= last and (before is None or version <= before)
                   for first, last, version in self.legacy_branches)

    def in_dead_branch(self, line: int) -> bool:
        """``line`` is in the arm of ``if FLAG:`` / ``if not FLAG:`` that never runs,
        ``FLAG`` being bound once, at module level, to ``True`` or ``False`` (unasync's
        ``_IS_SYNC = False`` in the async copy of a module: its sync arms are dead), or
        in the arm of a literal test (``if True: ... else: <dead>``) that never runs."""
        dead = self._dead
        if dead is None:
            dead = self._dead = list(self.constant_dead)
            tests = [(test, False) for test in self.version_flag_tests]
            # if _IS_SYNC and connect: one false part and the body never runs
            tests += [(test, True) for test in self.flag_conjuncts]
            for (node, scope, name, plain), conjunct in tests:
                value = self._module_flag(name, scope)
                if not (isinstance(value, ast.Constant) and isinstance(value.value, bool)):
                    continue
                taken = value.value is plain
                block = node.body if not taken else [] if conjunct else node.orelse
                if block:
                    last = block[-1]
                    dead.append((block[0].lineno,
                                 getattr(last, "end_lineno", None) or last.lineno))
        if any(first <= line <= last for first, last in dead):
            return True
        return self._unreachable(line)

    def _unreachable(self, line: int) -> bool:
        """``line`` follows a ``return``/``raise``/``continue``/``break`` in its block,
        in the innermost function (or the module code) holding it; each function's
        blocks are read once, when a line of it is asked about."""
        scope = self.root
        if scope is None:
            return False
        function = scope.node
        while True:
            for child in scope.children:
                node = child.node
                first = getattr(node, "lineno", None)
                if first is not None and first <= line <= (
                        getattr(node, "end_lineno", None) or first):
                    scope = child
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        function = node
                    break
            else:
                break
        cache = self._unreachable_ranges
        found = cache.get(id(function))
        if found is None:
            found = cache[id(function)] = _unreachable(function)
        return any(first <= line <= last for first, last in found)

    def _decide_version_flags(self) -> None:
        """``PY37_OR_LATER = sys.version_info >= (3, 7)`` bound once at module level, then
        ``if PY37_OR_LATER: ... else: <old>``: the else is a legacy branch."""
        for node, scope, name, plain in self.version_flag_tests:
            value = self._module_flag(name, scope)
            if value is None:
                continue
            test = value if plain else ast.UnaryOp(op=ast.Not(), operand=value)
            found = older_pythons_branch(test, node.body, node.orelse)
            if found is not None:
                self.legacy_branches.append(found)

    def _attribute_fallbacks(self) -> None:
        """``Runner = getattr(asyncio, "Runner", _FallbackRunner)``: the module's class
        or function given as the default runs only where asyncio lacks the attribute,
        on Pythons older than the one that added it."""
        root = self.root
        if root is None or not isinstance(root.node, ast.Module):
            return
        defined = {node.name: node for node in root.node.body if isinstance(
            node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))}
        if not defined:
            return
        for site in self.calls:
            node = site.node
            if site.last != "getattr" or len(node.args) != 3 or not isinstance(
                    node.args[2], ast.Name) or node.args[2].id not in defined:
                continue
            name = node.args[1]
            added = ASYNCIO_ADDED.get(name.value) if isinstance(name, ast.Constant) and (
                isinstance(name.value, str)) else None
            if added is None or self.resolver.resolve(node.func, site.scope) != "getattr" or (
                    self.resolver.resolve(node.args[0], site.scope) != "asyncio"):
                continue
            fallback = defined[node.args[2].id]
            self.legacy_branches.append((fallback.lineno, fallback.end_lineno or (
                fallback.lineno), added))

    def _module_flag(self, name: str, scope: Scope) -> ast.expr | None:
        """The value of ``name`` read in ``scope`` when it is bound once, at module level
        (``PY37 = ...``), and not in the function reading it."""
        root = self.root
        function = scope.enclosing_function()
        if root is None or (function is not root and name in function.bindings):
            return None
        bindings = root.bindings.get(name, [])
        only = bindings[0] if len(bindings) == 1 else None
        return only.expr if isinstance(only, Value) and only.item is None else None

    def _early_exits(self) -> None:
        """``if sys.version_info >= (3, 7): return new()`` then the old code: what follows
        an ``if`` on a newer Python whose block always returns or raises is legacy.  Walks
        the module's statement blocks only, and only when a rule asks."""
        root = self.root
        if root is None:
            return
        flags = {id(node): (scope, name) for node, scope, name, plain
                 in self.version_flag_tests if plain}
        stack: list[ast.AST] = [root.node]
        while stack:
            for block in statement_blocks(stack.pop()):
                stack.extend(block)
                for statement in block:
                    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                            statement.decorator_list):
                        self._version_skipped(statement)
                for index, statement in enumerate(block[:-1]):
                    if not (isinstance(statement, ast.If) and not statement.orelse
                            and isinstance(statement.body[-1], (ast.Return, ast.Raise))):
                        continue
                    test: ast.expr | None = statement.test
                    flag = flags.get(id(statement))
                    if flag is not None:
                        test = self._module_flag(flag[1], flag[0])
                    found = version_test(test) if test is not None else None
                    if found is not None and found[0]:
                        last = block[-1]
                        self.legacy_branches.append((
                            block[index + 1].lineno,
                            getattr(last, "end_lineno", None) or last.lineno, found[1]))

    def _version_skipped(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """``@pytest.mark.skipif(sys.version_info >= (3, 12), ...)`` (or unittest's
        ``skipIf``/``skipUnless``): a test that only older Pythons run is legacy code."""
        for decorator in function.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            name = (dotted_source(decorator.func) or "").rpartition(".")[2]
            condition = decorator.args[0] if decorator.args else next(
                (k.value for k in decorator.keywords if k.arg == "condition"), None)
            if condition is None or name not in ("skipif", "skipIf", "skipUnless"):
                continue
            # skipif: the body runs when the condition is false; skipUnless: when true
            found = older_pythons_branch(condition, function.body, []) if (
                name == "skipUnless") else older_pythons_branch(condition, [], function.body)
            if found is not None:
                self.legacy_branches.append(found)


_TERMINAL = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_OWN_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _unreachable(function: ast.AST) -> list[tuple[int, int]]:
    """The statements of ``function`` (a def, or the module) that follow a ``return``,
    ``raise``, ``continue`` or ``break`` in the same block (left behind by an edit, or
    kept for later): they never run.  Nested functions and classes are their own."""
    found: list[tuple[int, int]] = []
    stack: list[ast.AST] = [function]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)) and not (
                    isinstance(child, _OWN_SCOPES)):
                stack.append(child)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if not isinstance(block, list) or len(block) < 2:
                continue
            for index, statement in enumerate(block[:-1]):
                if isinstance(statement, _TERMINAL):
                    last = block[-1]
                    found.append((block[index + 1].lineno,
                                  getattr(last, "end_lineno", None) or last.lineno))
                    break
    return found
