"""The walk's uses: names and attributes read, calls and what surrounds them (a
statement, ``await``, a test, a format, a comparison), and the tests it remembers."""

from __future__ import annotations

import ast
from typing import Any, Final

from flake8_asyncio_tasks.guards import fallback_token, flag_tests
from flake8_asyncio_tasks.names import OPAQUE, Scope
from flake8_asyncio_tasks.syntax import dotted_source, parameter_names
from flake8_asyncio_tasks.tables import ASYNCIO_ADDED, LOOP_RUN_METHODS
from flake8_asyncio_tasks.walk import (
    CallSite,
    WalkState,
    receiver_key,
)

_ATTRIBUTE, _NAME, _CALL, _CONSTANT = ast.Attribute, ast.Name, ast.Call, ast.Constant
#: builtins that read an attribute named by a string
_ATTRIBUTE_BUILTINS: Final = frozenset({"getattr", "hasattr", "delattr"})


#: last names of the calls that make a helper a task factory or a loop runner: only
#: functions with such a call get a summary of their own during a check
_TASK_LAST_NAMES: Final = frozenset({"create_task", "ensure_future"})
_LOOP_RUN_LAST_NAMES: Final = frozenset({"run", "run_until_complete", "run_forever"})
#: asyncio's (and concurrent.futures') callback registrations: what the callback
#: returns is dropped
_CALLBACK_REGISTRARS: Final = frozenset({
    "add_done_callback", "add_signal_handler", "call_at", "call_later", "call_soon",
    "call_soon_threadsafe",
})


class UseWalk(WalkState):
    """Handlers for reads, calls and tests."""

    def _name(self, node: ast.Name, scope: Scope) -> None:
        if isinstance(node.ctx, ast.Load):
            scope.load(node.id)
        elif isinstance(node.ctx, ast.Del):
            scope.bind(node.id, OPAQUE)

    def _attribute(self, node: ast.Attribute, scope: Scope) -> None:
        attr = node.attr
        if attr[:1] == "_" and type(node.ctx) is not ast.Store:
            self.attribute_reads.add(attr)  # private names only: what AIO206 asks about
        base = node.value
        if type(base) is ast.Name:
            key = (id(scope), base.id)
            bases = self.attribute_bases
            bases[key] = bases.get(key, 0) + 1
            if attr in LOOP_RUN_METHODS:
                self.runs_loop.add(key)
        self._stack.append((base, scope))

    def _call(self, node: ast.Call, scope: Scope) -> None:
        func = node.func
        if self.summary_only and scope.coroutine is not None:
            # a summary never reads the calls a coroutine makes: only what they switch
            self._switches(node, func, scope)
            self._push_arguments(node, func, scope)
            return
        site = self._sites.pop(id(node), None)
        if site is None:
            site = CallSite(node, scope)
        site.scope = scope
        self.calls.append(site)
        callee: Any = func  # read by its type, tested just before
        kind = type(func)
        if kind is _ATTRIBUTE:
            site.last = callee.attr
        elif kind is _NAME:
            site.last, site.by_name = callee.id, True
        elif kind is _CALL:
            inner = callee.func
            if isinstance(inner, ast.Attribute):
                site.last = inner.attr + "()"
            elif isinstance(inner, ast.Name):
                site.last, site.by_name = inner.id + "()", True
        if site.last in _LOOP_RUN_LAST_NAMES:  # ``asyncio.run(coro)`` in a helper
            self.loop_runners.add(id(scope.enclosing_function()))
        self._switches(node, func, scope)
        self._push_arguments(node, func, scope)

    def _switches(self, node: ast.Call, func: ast.expr, scope: Scope) -> None:
        """What a call says about other calls: ``sock.setblocking(False)``,
        ``getattr(self, "_task")``."""
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("setblocking", "settimeout")
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value is not None
            and not node.args[0].value
        ):
            # sock.setblocking(False) / settimeout(0): its recv/send return at once
            receiver = dotted_source(func.value)
            if receiver is not None:
                key = receiver_key(receiver, scope)
                # self._sock may be switched in another method: from then on, any line
                line = 0 if receiver.startswith("self.") else node.lineno
                self.non_blocking[key] = min(line, self.non_blocking.get(key, line))
        if (isinstance(func, ast.Name) and func.id in _ATTRIBUTE_BUILTINS
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)):
            self.attribute_reads.add(node.args[1].value)  # getattr(self, "_task")

    def _push_arguments(self, node: ast.Call, func: ast.expr, scope: Scope) -> None:
        push = self._stack.append
        call_type, constant_type = ast.Call, ast.Constant
        for keyword in reversed(node.keywords):
            value = keyword.value
            kind = type(value)
            if kind is call_type:
                self._mark(value, "arg", scope)
            if kind is not constant_type:
                push((value, scope))
        # list(rows()), sorted(...), "".join(...): the builtin iterates what it is given
        given = "iterate" if (type(func) is _NAME and func.id in _ITERATING) or (
            type(func) is _ATTRIBUTE and func.attr == "join") else "arg"
        callback = type(func) is _ATTRIBUTE and func.attr in _CALLBACK_REGISTRARS
        for arg in reversed(node.args):
            kind = type(arg)
            if kind is call_type:
                self._mark(arg, given, scope)
            elif callback and isinstance(arg, ast.Lambda):
                # loop.call_later(1, lambda: asyncio.create_task(work())): the loop
                # drops what the callback returns, so the task is held by nothing
                self._mark(arg.body, "expr", scope)
            if kind is not constant_type:
                push((arg, scope))
        push((func, scope))

    def _expr(self, node: ast.Expr, scope: Scope) -> None:
        value = node.value
        self._mark(value, "expr", scope)
        # asyncio.create_task(...).add_done_callback(...): the task is still discarded;
        # ensure_future(awaitable).cancel() is not: it is stopped there and then
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            if value.func.attr == "cancel":
                self._mark(value.func.value, "cancelled", scope)
            else:
                self._mark(value.func.value, "chained", scope)
        # [asyncio.create_task(c) for c in coros] as a statement: the list is dropped
        elif isinstance(value, (ast.ListComp, ast.SetComp)):
            self._mark(value.elt, "expr", scope)
        self._stack.append((value, scope))

    def _await(self, node: ast.Await, scope: Scope) -> None:
        self._mark(node.value, "await", scope)
        # ``await fetch()["k"]`` / ``await get(url).text``: the subscript or attribute
        # binds first, so a call below it is used before anything awaits it
        part: ast.expr = node.value
        called = False
        while True:
            if isinstance(part, ast.Call):
                part, called = part.func, True
            elif isinstance(part, (ast.Subscript, ast.Attribute)):
                inner = part.value
                if isinstance(inner, ast.Call):
                    site = self._site(inner, scope)
                    if site is not None and not site.usage:
                        site.usage = "late"
                        site.target = "[...]" if isinstance(part, ast.Subscript) else (
                            f".{part.attr}()" if called else f".{part.attr}")
                    break
                part, called = inner, False
            else:
                break
        self._stack.append((node.value, scope))

    def _formatted(self, node: ast.FormattedValue, scope: Scope) -> None:
        """``f"{value}"``: the value is formatted.  (A t-string's interpolation is not: the
        template keeps the object itself, and whatever renders it may await it.)"""
        value = node.value
        if type(value) is _CALL:
            self._mark(value, "format", scope)
        push = self._stack.append
        if node.format_spec is not None:
            push((node.format_spec, scope))
        push((value, scope))

    def _compare(self, node: ast.Compare, scope: Scope) -> None:
        push = self._stack.append
        comparators = node.comparators
        for operand in reversed(comparators):
            if type(operand) is _CALL:
                self._mark(operand, "compare", scope)
            if type(operand) is not _CONSTANT:
                push((operand, scope))
        left = node.left
        if type(left) is _CALL:
            self._mark(left, "compare", scope)
        push((left, scope))

    def _bin_op(self, node: ast.BinOp, scope: Scope) -> None:
        left, right = node.left, node.right
        # "%s" % value, "%s %s" % (a, b): the values are formatted
        if type(left) is _CONSTANT and type(node.op) is ast.Mod and isinstance(
                left.value, str):
            for value in right.elts if isinstance(right, ast.Tuple) else [right]:
                self._mark(value, "format", scope)
        push = self._stack.append
        if type(right) is not _CONSTANT:
            push((right, scope))
        if type(left) is not _CONSTANT:
            push((left, scope))

    def _starred(self, node: ast.Starred, scope: Scope) -> None:
        # [*rows()], f(*rows()): the value is iterated right there
        if type(node.ctx) is ast.Load:
            self._mark(node.value, "iterate", scope)
        self._stack.append((node.value, scope))

    def _raise(self, node: ast.Raise, scope: Scope) -> None:
        # ``raise Error(...)``: an exception is made, nothing is awaited or lost
        self._mark(node.exc, "raise", scope)
        self._generic(node, scope)

    def _return(self, node: ast.Return, scope: Scope) -> None:
        value = node.value
        function = scope.enclosing_function()
        if function.return_values is None:
            function.return_values = [value]
        else:
            function.return_values.append(value)
        if value is not None:
            if type(value) is _CALL:
                func: Any = value.func
                last = func.attr if type(func) is _ATTRIBUTE else (
                    func.id if type(func) is _NAME else None)
                if last in _TASK_LAST_NAMES:  # ``return asyncio.create_task(coro)``
                    self.task_returns.add(id(scope.enclosing_function()))
            self._mark(value, "return", scope)
            self._stack.append((value, scope))

    def _test(self, node: ast.If | ast.While | ast.IfExp | ast.Assert, scope: Scope) -> None:
        self._truth(node.test, scope)
        test_kind = type(node.test)
        if test_kind in _QUEUE_TESTS and isinstance(node, (ast.If, ast.While)):
            checked = _checked_not_empty(node.test)
            if checked is not None and node.body:
                last = node.body[-1]
                self.nonempty_queues.append((
                    id(scope.enclosing_function()), checked, node.body[0].lineno,
                    getattr(last, "end_lineno", None) or last.lineno))
            if isinstance(node, ast.While):
                waited = _waits_until_not_empty(node)
                if waited is not None:
                    self.empty_waits.append((scope.enclosing_function(), waited, node))
        if isinstance(node, ast.If) and _tests_a_parameter_type(node.test, scope):
            # if isinstance(source, str): open(source): what runs there depends on the
            # type of the argument, which a caller's call does not show
            function = id(scope.enclosing_function())
            for block in (node.body, node.orelse):
                if block:
                    last = block[-1]
                    self.type_dispatch.append((function, block[0].lineno, getattr(
                        last, "end_lineno", None) or last.lineno))
            if not node.orelse and (isinstance(node.body[-1], ast.Return) or isinstance(
                    node.body[-1], ast.Raise) and not _tests_a_callable_kind(node.test)):
                # (if iscoroutinefunction(f): raise ...: a check of the input, after
                # which the usual path runs, not a dispatch)
                # if isinstance(content, bytes): return ...; open(content): the rest of
                # the block runs for the other types only (decided lazily)
                self.type_exits.append((scope.enclosing_function(), node))
        if test_kind in _GUARD_TESTS and isinstance(node, (ast.If, ast.IfExp)):
            # if file is None: file = open(path) (or open(path) if file is None else
            # file): runs only when the caller omits file; if not block: ... else:
            # cond.wait(): runs only when the caller does not pass block=False
            function = id(scope.enclosing_function())
            tested = flag_tests(_without_memo(node, scope), scope)
            if isinstance(node, ast.If) and tested[1] and not node.orelse and isinstance(
                    node.body[-1], (ast.Return, ast.Raise)):
                # if force: return self._later(); time.sleep(d): what follows the if
                # in its block runs only when the test is false (decided lazily)
                self.exit_guards.append((scope.enclosing_function(), node, tested[1]))
            for tokens, branch in zip(tested, (node.body, node.orelse), strict=True):
                if not tokens or not branch:
                    continue
                start: ast.stmt | ast.expr
                end: ast.stmt | ast.expr
                if isinstance(branch, list):
                    start, end = branch[0], branch[-1]
                else:
                    start = end = branch
                for token in tokens:
                    self.omitted_guards.append((
                        function, (start.lineno, start.col_offset),
                        (end.end_lineno or end.lineno, end.end_col_offset or 0), token))
        if isinstance(node, ast.If) and isinstance(node.test, ast.Constant) and isinstance(
                node.test.value, (bool, int, str, type(None))):
            # if True:  # ASYNC ... else: <the sync code>: the else never runs
            dead = node.orelse if node.test.value else node.body
            if dead:
                self.constant_dead.append((dead[0].lineno, dead[-1].end_lineno or dead[-1].lineno))
        if isinstance(node, ast.If):
            flag = _version_flag(node.test)
            if flag is None and isinstance(node.test, ast.BoolOp) and isinstance(
                    node.test.op, ast.And):
                # if _IS_SYNC and connect: dead with _IS_SYNC = False (not a version test)
                for part in node.test.values:
                    conjunct = _version_flag(part)
                    if conjunct is not None:
                        self.flag_conjuncts.append((node, scope, *conjunct))
            if flag is not None:
                # if PY310: ... else: <old>, with PY310 = sys.version_info >= (3, 10)
                # bound at module level: decided once the walk has seen that binding
                self.version_flag_tests.append((node, scope, *flag))
            else:
                old = older_pythons_branch(node.test, node.body, node.orelse)
                if old is not None:
                    self.legacy_branches.append(old)
        self._generic(node, scope)

    def _bool_op(self, node: ast.BoolOp, scope: Scope) -> None:
        # ``a() or b()`` tests a(); b() is the value, tested only if the whole is.
        values = node.values
        last = len(values) - 1 if id(node) not in self._truth_tested else len(values)
        for value in values[:last]:
            self._truth(value, scope)
        if not self.summary_only or scope.coroutine is None:
            self._short_circuit(node, scope)
        self._push(values, scope)

    def _short_circuit(self, node: ast.BoolOp, scope: Scope) -> None:
        """``browser_mode and (v := version())``: an operand runs only when the ones
        before it are true (``or``: false), so it gets their guard tokens, like the body
        of ``if browser_mode:``."""
        values = node.values
        negated = isinstance(node.op, ast.Or)
        tokens: set[str] = set()
        last = values[-1]
        end = (last.end_lineno or last.lineno, last.end_col_offset or 0)
        function: int | None = None
        for previous, value in zip(values, values[1:], strict=False):
            if negated and type(previous) is ast.Name and (
                    fallback := fallback_token(previous, scope)):
                tokens.add(fallback)  # ssl_context or make_context(): as if p is None
            elif type(previous) in _GUARD_TESTS:
                tested = flag_tests(previous, scope)
                tokens.update(tested[1] if negated else tested[0])
            if tokens and type(value) not in _NO_CALL:
                if function is None:
                    function = id(scope.enclosing_function())
                for token in tokens:
                    self.omitted_guards.append((
                        function, (value.lineno, value.col_offset), end, token))

    def _unary_op(self, node: ast.UnaryOp, scope: Scope) -> None:
        if isinstance(node.op, ast.Not):
            self._truth(node.operand, scope)
        self._stack.append((node.operand, scope))


def _tests_a_callable_kind(test: ast.expr) -> bool:
    """``asyncio.iscoroutinefunction(f)`` and the other ``_KIND_TESTS`` in ``test``."""
    return any(isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute)
               and part.func.attr in _KIND_TESTS for part in ast.walk(test))


def _without_memo(node: ast.If | ast.IfExp, scope: Scope) -> ast.expr:
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
    rest = [part for part in test.values if not (
        isinstance(part, ast.Name) and part.id == name or isinstance(part, ast.Compare)
        and isinstance(part.left, ast.Name) and part.left.id == name and len(part.ops) == 1
        and isinstance(part.ops[0], ast.IsNot) and isinstance(part.comparators[0], ast.Constant)
        and part.comparators[0].value is None)]
    if len(rest) == len(test.values) or not rest:
        return test
    return rest[0] if len(rest) == 1 else ast.BoolOp(op=ast.And(), values=rest)


def _tests_a_parameter_type(test: ast.expr, scope: Scope) -> bool:
    """``isinstance(p, Photo)``, ``type(p) is Photo``, ``hasattr(p, "read")``,
    ``callable(p)``, ``asyncio.iscoroutinefunction(p)`` (also inside
    ``not``/``and``/``or``) on a parameter of the enclosing
    function or an attribute of one (``isinstance(self.log_config, dict)``, a value the
    object was configured with): the code dispatches on what kind of object it was
    given.  A test for a
    path (``isinstance(p, (str, Path))``) is not: a file helper is normally given one."""
    if type(test) in _NO_CALL:
        return False
    parameters: set[str] | None = None
    for part in ast.walk(test):
        if isinstance(part, ast.Call) and isinstance(part.func, ast.Attribute) and (
                part.func.attr in _KIND_TESTS) and isinstance(part.func.value, ast.Name) and (
                part.func.value.id in ("asyncio", "inspect")) and part.args:
            # if asyncio.iscoroutinefunction(callback): what runs depends on its kind
            first = part.args[0]
            if parameters is None:
                function = scope.enclosing_function().node
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    return False
                parameters = parameter_names(function.args)
            if isinstance(first, ast.Name) and first.id in parameters:
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


#: builtins that iterate over their argument at once
_ITERATING: Final = frozenset({
    "all", "any", "dict", "frozenset", "list", "max", "min", "set", "sorted", "sum", "tuple"})
#: tests that hold no call, so no type test
_NO_CALL: Final = frozenset({ast.Name, ast.Attribute, ast.Constant})
#: builtins that test what type of value a name holds
_TYPE_TESTS: Final = frozenset({"callable", "hasattr", "isinstance", "issubclass"})
#: ``asyncio.``/``inspect.`` tests of what kind of callable or object a value is
_KIND_TESTS: Final = frozenset({"isasyncgenfunction", "isawaitable", "iscoroutine",
                                "iscoroutinefunction"})
#: the types of a path
_PATH_TYPES: Final = frozenset({"Path", "PathLike", "PurePath", "bytes", "str"})


#: the shapes of a test that a queue is not empty
_QUEUE_TESTS: Final = frozenset({ast.UnaryOp, ast.Call, ast.Compare})
_GUARD_TESTS: Final = frozenset({ast.Name, ast.Attribute, ast.UnaryOp, ast.BoolOp, ast.Compare,
                                  ast.Call})


def _checked_not_empty(test: ast.expr) -> str | None:
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


def _waits_until_not_empty(node: ast.While) -> str | None:
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


def _version_flag(test: ast.expr) -> tuple[str, bool] | None:
    """``if PY310:`` (the name, ``True``) or ``if not PY310:`` (the name, ``False``)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(
            test.operand, ast.Name):
        return test.operand.id, False
    if isinstance(test, ast.Name):
        return test.id, True
    return None

