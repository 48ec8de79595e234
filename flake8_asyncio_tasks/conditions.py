"""What the tests of ``if``/``while`` statements say, without resolving anything: a
dispatch on the type or kind of a parameter (``isinstance(p, X)``,
``iscoroutinefunction(p)``), a memo's early return, a queue tested not empty, and the
arms that only Pythons older than a version take (``sys.version_info``, ``hasattr(asyncio,
"to_thread")``).  The walk (:mod:`~flake8_asyncio_tasks.walk_uses`) records what they find.
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.guards import fallback_token, flag_tests
from flake8_asyncio_tasks.names import Scope
from flake8_asyncio_tasks.syntax import dotted_source, parameter_names
from flake8_asyncio_tasks.tables import ASYNCIO_ADDED


def _kind_tested(part: ast.AST) -> ast.expr | None:
    """What ``asyncio.iscoroutinefunction(f)`` (or another ``asyncio.``/``inspect.``
    test of ``_KIND_TESTS``) tests: ``f``; ``None`` for any other node."""
    if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and (
            part.func.attr in _KIND_TESTS) and isinstance(part.func.value, ast.Name) and (
            part.func.value.id in ("asyncio", "inspect")) and part.args:
        return part.args[0]
    return None


def tests_a_callable_kind(test: ast.expr) -> bool:
    """``asyncio.iscoroutinefunction(f)`` and the other ``_KIND_TESTS`` in ``test``."""
    return any(_kind_tested(part) is not None for part in ast.walk(test))


def global_test(test: ast.expr) -> tuple[str, bool] | None:
    """``G is not None`` / ``G``: ``(G, True)`` (the value is stored); ``G is None`` /
    ``not G``: ``(G, False)``."""
    if isinstance(test, ast.Name):
        return test.id, True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(
            test.operand, ast.Name):
        return test.operand.id, False
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(
            test.left, ast.Name) and isinstance(test.comparators[0], ast.Constant) and (
            test.comparators[0].value is None) and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
        return test.left.id, isinstance(test.ops[0], ast.IsNot)
    return None


def without_memo(node: ast.If | ast.IfExp, scope: Scope) -> ast.expr:
    """The test of ``if not as_lines and _cache is not None: return _cache`` without its
    memo part: a global the function declares and returns there is set after the first
    call, so what follows runs only when ``as_lines`` is true (see
    ``transitive.cached_once`` for a memo alone)."""
    test = node.test
    if not (isinstance(node, ast.If) and isinstance(test, ast.BoolOp) and isinstance(
            test.op, ast.And) and isinstance(node.body[-1], ast.Return) and isinstance(
            node.body[-1].value, ast.Name)):
        return test
    name = node.body[-1].value.id
    if name not in scope.enclosing_function().global_names:
        return test
    rest = [part for part in test.values if global_test(part) != (name, True)]
    if len(rest) == len(test.values) or not rest:
        return test
    return rest[0] if len(rest) == 1 else ast.BoolOp(op=ast.And(), values=rest)


def tests_a_parameter_type(test: ast.expr, scope: Scope) -> bool:
    """``isinstance(p, Photo)``, ``type(p) is Photo``, ``hasattr(p, "read")``,
    ``callable(p)``, ``asyncio.iscoroutinefunction(p)`` (also inside
    ``not``/``and``/``or``) on a parameter of the enclosing
    function or an attribute of one (``isinstance(self.log_config, dict)``, a value the
    object was configured with): the code dispatches on what kind of object it was
    given.  A test for a
    path (``isinstance(p, (str, Path))``) is not: a file helper is normally given one."""
    if type(test) in NO_CALL:
        return False
    parameters: set[str] | None = None
    for part in ast.walk(test):
        kind_of = _kind_tested(part)
        if kind_of is not None:
            # if asyncio.iscoroutinefunction(callback): what runs depends on its kind
            if parameters is None:
                function = scope.enclosing_function().node
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    return False
                parameters = parameter_names(function.args)
            if isinstance(kind_of, ast.Name) and kind_of.id in parameters:
                return True
            continue
        if not (isinstance(part, ast.Call) and isinstance(part.func, ast.Name)
                and part.func.id in _TYPE_TESTS and part.args):
            continue
        if parameters is None:
            function = scope.enclosing_function().node
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return False
            parameters = parameter_names(function.args)
        first = part.args[0]
        if isinstance(first, ast.Attribute) and part.func.id in ("isinstance", "type"):
            # isinstance(self.log_config, dict): a value the object was configured with
            # (hasattr(self._local, "conn") is a lazy set-up, not a kind of object)
            first = first.value
        if not (isinstance(first, ast.Name) and first.id in parameters):
            continue
        if part.func.id in ("isinstance", "issubclass") and len(part.args) > 1 and (
                _path_types(part.args[1])):
            continue
        return True
    return False


def _path_types(node: ast.expr) -> bool:
    """``str``, ``(str, os.PathLike)``, ``pathlib.Path``...: only what names a path."""
    names = node.elts if isinstance(node, ast.Tuple) else [node]
    return bool(names) and all(
        isinstance(name, (ast.Name, ast.Attribute))
        and (name.id if isinstance(name, ast.Name) else name.attr) in _PATH_TYPES
        for name in names)


#: tests that hold no call, so no type test
NO_CALL: Final = frozenset({ast.Name, ast.Attribute, ast.Constant})


#: builtins that test what type of value a name holds
_TYPE_TESTS: Final = frozenset({"callable", "hasattr", "isinstance", "issubclass"})


#: ``asyncio.``/``inspect.`` tests of what kind of callable or object a value is
_KIND_TESTS: Final = frozenset({"isasyncgenfunction", "isawaitable", "iscoroutine",
                                "iscoroutinefunction"})


#: the types of a path
_PATH_TYPES: Final = frozenset({"Path", "PathLike", "PurePath", "bytes", "str"})


def checked_not_empty(test: ast.expr) -> str | None:
    """``not q.empty()``, ``q.qsize()``, ``q.qsize() > 0``: the receiver known non-empty."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        call, method = test.operand, "empty"
    else:
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            test = test.left
        call, method = test, "qsize"
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and (
            call.func.attr == method and not call.args):
        return dotted_source(call.func.value)
    return None


def waits_until_not_empty(node: ast.While) -> str | None:
    """``while q.empty(): ...`` that only ends when ``q`` has an item (no ``break``, no
    ``else``): the receiver."""
    if node.orelse:
        return None
    test = node.test
    if not (isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute)
            and test.func.attr == "empty" and not test.args and not test.keywords):
        return None
    stack: list[ast.AST] = list(node.body)
    while stack:
        part = stack.pop()
        if isinstance(part, ast.Break):
            return None
        if not isinstance(part, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef,
                                 ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(part))
        elif isinstance(part, (ast.For, ast.AsyncFor, ast.While)):
            stack.extend(part.orelse)  # a break in an inner loop's else ends this one
    return dotted_source(test.func.value)


def older_pythons_branch(test: ast.expr, body: list[ast.stmt], orelse: list[ast.stmt]
                         ) -> tuple[int, int, tuple[int, ...]] | None:
    """(first line, last line, version) of the block of ``if test: body else: orelse``
    that runs only on Pythons older than ``version``, or ``None``.

    ``if sys.version_info >= (3, 10): ... else: <old>``; ``if sys.version_info < (3, 10):
    <old>``; also ``sys.version_info[:2]``, a plain ``version_info``, ``not`` of a test,
    and a test in an ``and`` (``if sys.platform == "win32" and sys.version_info <
    (3, 14): <old>``: the body needs every part true).
    """
    found = version_test(test)
    if found is not None:
        newer, version = found
        block = orelse if newer else body
    elif isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        olds = [found[1] for found in map(version_test, test.values)
                if found is not None and not found[0]]
        if not olds:
            return None
        block, version = body, min(olds)
    else:
        return None
    if not block:
        return None
    last = block[-1]
    return block[0].lineno, getattr(last, "end_lineno", None) or last.lineno, version


def version_test(test: ast.expr) -> tuple[bool, tuple[int, ...]] | None:
    """``sys.version_info >= (3, 10)``: ``(True, (3, 10))``, true on Pythons from 3.10
    on; ``< (3, 10)``: ``(False, (3, 10))``, true only before; ``not`` inverts.  The
    version is where the test changes (``<= (3, 13)`` changes after every 3.13).
    ``hasattr(asyncio, "to_thread")`` is the test ``>= (3, 9)`` (``ASYNCIO_ADDED``)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        found = version_test(test.operand)
        return None if found is None else (not found[0], found[1])
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and (
            test.func.id == "hasattr") and len(test.args) == 2 and not test.keywords and (
            dotted_source(test.args[0]) == "asyncio") and isinstance(
            test.args[1], ast.Constant) and isinstance(test.args[1].value, str):
        # hasattr(asyncio, "to_thread"): true from the Python that added it
        added = ASYNCIO_ADDED.get(test.args[1].value)
        return None if added is None else (True, added)
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.comparators[0], ast.Tuple)):
        return None
    left = test.left.value if isinstance(test.left, ast.Subscript) else test.left
    if dotted_source(left) not in ("sys.version_info", "version_info"):
        return None
    parts = test.comparators[0].elts
    version = tuple(p.value for p in parts if isinstance(p, ast.Constant)
                    and isinstance(p.value, int) and not isinstance(p.value, bool))
    if len(version) != len(parts):
        return None
    op = test.ops[0]
    if isinstance(op, (ast.LtE, ast.Gt)):
        version = (*version, 1 << 30)  # after every release of that version
    if isinstance(op, (ast.GtE, ast.Gt)):
        return True, version
    if isinstance(op, (ast.Lt, ast.LtE)):
        return False, version
    return None


def version_flag(test: ast.expr) -> tuple[str, bool] | None:
    """``if PY310:`` (the name, ``True``) or ``if not PY310:`` (the name, ``False``)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(
            test.operand, ast.Name):
        return test.operand.id, False
    if isinstance(test, ast.Name):
        return test.id, True
    return None


#: the tests whose names ``flag_tests`` reads
GUARD_TESTS: Final = frozenset({ast.Name, ast.Attribute, ast.UnaryOp, ast.BoolOp, ast.Compare,
                                 ast.Call})


def short_circuit_guards(node: ast.BoolOp, scope: Scope
                         ) -> list[tuple[int, tuple[int, int], tuple[int, int], str]]:
    """``browser_mode and (v := version())``: an operand runs only when the ones before
    it are true (``or``: false), so it gets their guard tokens, like the body of ``if
    browser_mode:``; ``p or make()`` for a parameter defaulting to ``None`` is ``if p is
    None:``.  As ``Visitor.omitted_guards`` entries: (function id, start, end, token)."""
    values = node.values
    negated = isinstance(node.op, ast.Or)
    tokens: set[str] = set()
    last = values[-1]
    end = (last.end_lineno or last.lineno, last.end_col_offset or 0)
    found: list[tuple[int, tuple[int, int], tuple[int, int], str]] = []
    for previous, value in zip(values, values[1:], strict=False):
        if negated and type(previous) is ast.Name and (
                fallback := fallback_token(previous, scope)):
            tokens.add(fallback)  # ssl_context or make_context(): as if p is None
        elif type(previous) in GUARD_TESTS:
            tested = flag_tests(previous, scope)
            tokens.update(tested[1] if negated else tested[0])
        if tokens and type(value) not in NO_CALL:
            function = id(scope.enclosing_function())
            found += [(function, (value.lineno, value.col_offset), end, token)
                      for token in tokens]
    return found
