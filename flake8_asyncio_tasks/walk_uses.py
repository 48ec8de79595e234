"""The walk's uses: names and attributes read, calls and what surrounds them (a
statement, ``await``, a test, a format, a comparison), and the tests it remembers."""

from __future__ import annotations

import ast
from typing import Any, Final

from flake8_asyncio_tasks.conditions import (
    GUARD_TESTS,
    checked_not_empty,
    older_pythons_branch,
    short_circuit_guards,
    tests_a_callable_kind,
    tests_a_parameter_type,
    version_flag,
    waits_until_not_empty,
    without_memo,
)
from flake8_asyncio_tasks.guards import flag_tests
from flake8_asyncio_tasks.names import OPAQUE, Scope
from flake8_asyncio_tasks.syntax import dotted_source
from flake8_asyncio_tasks.tables import LOOP_RUN_METHODS
from flake8_asyncio_tasks.task_tables import LOOP_CALLBACKS
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
_CALLBACK_REGISTRARS: Final = frozenset({*LOOP_CALLBACKS, "add_done_callback"})


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
            checked = checked_not_empty(node.test)
            if checked is not None and node.body:
                last = node.body[-1]
                self.nonempty_queues.append((
                    id(scope.enclosing_function()), checked, node.body[0].lineno,
                    getattr(last, "end_lineno", None) or last.lineno))
            if isinstance(node, ast.While):
                waited = waits_until_not_empty(node)
                if waited is not None:
                    self.empty_waits.append((scope.enclosing_function(), waited, node))
        if isinstance(node, ast.If) and tests_a_parameter_type(node.test, scope):
            # if isinstance(source, str): open(source): what runs there depends on the
            # type of the argument, which a caller's call does not show
            function = id(scope.enclosing_function())
            for block in (node.body, node.orelse):
                if block:
                    last = block[-1]
                    self.type_dispatch.append((function, block[0].lineno, getattr(
                        last, "end_lineno", None) or last.lineno))
            if not node.orelse and (isinstance(node.body[-1], ast.Return) or isinstance(
                    node.body[-1], ast.Raise) and not tests_a_callable_kind(node.test)):
                # (if iscoroutinefunction(f): raise ...: a check of the input, after
                # which the usual path runs, not a dispatch)
                # if isinstance(content, bytes): return ...; open(content): the rest of
                # the block runs for the other types only (decided lazily)
                self.type_exits.append((scope.enclosing_function(), node))
        if test_kind in GUARD_TESTS and isinstance(node, (ast.If, ast.IfExp)):
            # if file is None: file = open(path) (or open(path) if file is None else
            # file): runs only when the caller omits file; if not block: ... else:
            # cond.wait(): runs only when the caller does not pass block=False
            function = id(scope.enclosing_function())
            tested = flag_tests(without_memo(node, scope), scope)
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
            flag = version_flag(node.test)
            if flag is None and isinstance(node.test, ast.BoolOp) and isinstance(
                    node.test.op, ast.And):
                # if _IS_SYNC and connect: dead with _IS_SYNC = False (not a version test)
                for part in node.test.values:
                    conjunct = version_flag(part)
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
            self.omitted_guards += short_circuit_guards(node, scope)
        self._push(values, scope)

    def _unary_op(self, node: ast.UnaryOp, scope: Scope) -> None:
        if isinstance(node.op, ast.Not):
            self._truth(node.operand, scope)
        self._stack.append((node.operand, scope))


#: builtins that iterate over their argument at once
_ITERATING: Final = frozenset({
    "all", "any", "dict", "frozenset", "list", "max", "min", "set", "sorted", "sum", "tuple"})


#: the shapes of a test that a queue is not empty
_QUEUE_TESTS: Final = frozenset({ast.UnaryOp, ast.Call, ast.Compare})


