"""AIO111, AIO204-AIO206, AIO208, AIO302: async APIs used as if they were something else.

Like the other checks, these read only what the visitor recorded and stay silent on
anything they cannot resolve:

* AIO111: ``await asyncio.to_thread(time.sleep(1))`` calls the blocking function on the
  loop and offloads its result; the blocking report for that inner call is replaced;
* AIO204: the awaitable of ``asyncio.shield()``, ``loop.run_in_executor()`` or
  ``asyncio.wrap_future()`` dropped;
* AIO205: ``asyncio.shield(coro())``: nothing keeps the task shield makes;
* AIO206: ``self._task = asyncio.create_task(...)`` that no code of the module reads;
* AIO208: a plain ``with`` on an async context manager;
* AIO302: the event-loop policy API and ``asyncio.iscoroutinefunction``, deprecated in
  Python 3.14 (off by default).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Final

from flake8_asyncio_tasks.blocking import BlockingCheck, is_allowed, may_be, resolve_candidate
from flake8_asyncio_tasks.members import async_only
from flake8_asyncio_tasks.names import Scope
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.rules import (
    DEPRECATED_LOOP_POLICY,
    DISCARDED_AWAITABLE,
    OFFLOADED_RESULT,
    SHIELDED_UNKEPT_TASK,
    SYNC_WITH_ASYNC_CM,
    UNREAD_TASK_ATTRIBUTE,
)
from flake8_asyncio_tasks.syntax import display_name, dotted_source, spelled
from flake8_asyncio_tasks.tables import spelled_last_names
from flake8_asyncio_tasks.task_tables import (
    ASYNC_CONTEXT_DECORATORS,
    ASYNC_CONTEXT_MANAGERS,
    DEPRECATED_ASYNCIO,
    DROPPED_AWAITABLES,
    LOOPS,
    OFFLOADS,
)
from flake8_asyncio_tasks.tasks import TaskCheck, kind_is_coroutine, kind_is_task
from flake8_asyncio_tasks.transitive import TransitiveCheck, local_function, project_function
from flake8_asyncio_tasks.visitor import CallSite, Finding, Visitor, decorator_callee

_OFFLOAD_NAMES: Final = spelled_last_names(frozenset(OFFLOADS)) | {"run_in_executor"}
_DROPPED_NAMES: Final = spelled_last_names(DROPPED_AWAITABLES) | {"run_in_executor"}
_SHIELD_NAMES: Final = frozenset({"shield"})
#: coroutines a shielded task of which, lost mid-flight, leaves nothing undone: the
#: tasks ``asyncio.wait()`` watches run on, kept by whoever made them, and the function
#: ``to_thread()`` runs goes on in its thread to the end whatever becomes of the task
_PURE_WAITS: Final = frozenset({"asyncio.wait", "asyncio.sleep", "asyncio.to_thread"})
#: the Python that deprecated the AIO302 APIs
_DEPRECATED_SINCE: Final = (3, 14)
_DEPRECATED_NAMES: Final = spelled_last_names(frozenset(DEPRECATED_ASYNCIO))
_ANY_NAME: Final = _DROPPED_NAMES | _SHIELD_NAMES | _DEPRECATED_NAMES


class MisuseCheck:
    """The checks of this module for one file, sharing the task classification."""

    def __init__(self, visitor: Visitor, tasks: TaskCheck) -> None:
        self.visitor = visitor
        self.tasks = tasks
        self.resolver = visitor.resolver
        self._sites = {id(site.node): site for site in visitor.calls}
        self._string_constants: frozenset[str] | None = None

    # -- AIO111 --------------------------------------------------------------------------
    def offloaded_results(self, blocking: BlockingCheck,
                          transitive: TransitiveCheck) -> tuple[list[Finding], set[int]]:
        """AIO111 findings, and the ids of the inner calls they report (no AIO1xx there)."""
        findings: list[Finding] = []
        inner_ids: set[int] = set()
        indirect = self.visitor.indirect_names
        for site in self.visitor.calls:
            coroutine = site.scope.coroutine
            if coroutine is None or not may_be(site, _OFFLOAD_NAMES, indirect):
                continue
            offload = self._offload(site)
            if offload is None:
                continue
            name, index = offload
            args = site.node.args
            if len(args) <= index or type(args[index]) is not ast.Call:
                continue
            inner = self._sites.get(id(args[index]))
            if inner is None:
                continue
            callee = self._blocking_callee(inner, blocking, transitive)
            if callee is None:
                continue
            node = inner.node
            inner_ids.add(id(node))
            # run_in_executor(executor, func, *args): keep what comes before the function
            before = "".join(f"{_written(arg)}, " for arg in args[:index])
            findings.append(Finding(node.lineno, node.col_offset, OFFLOADED_RESULT.format(
                call=callee, coro=coroutine.name, offload=name, callee=before + callee)))
        return findings, inner_ids

    def _offload(self, site: CallSite) -> tuple[str, int] | None:
        """``(name as written, index of the function argument)`` for an offloading call."""
        candidate = resolve_candidate(site, _OFFLOAD_NAMES, self.visitor)
        if candidate is None:
            return None
        ref = candidate[1]
        if isinstance(ref, str) and ref in OFFLOADS:
            return display_name(ref), OFFLOADS[ref]
        executor = self._loop_executor(site, ref)
        return None if executor is None else (executor, 1)

    def _loop_executor(self, site: CallSite, ref: object) -> str | None:
        """``loop.run_in_executor`` (also through an alias) on an event loop: as written."""
        if isinstance(ref, str):
            base, _, method = ref.rpartition(".")
            return spelled(site.node.func) if (
                method == "run_in_executor" and base in LOOPS) else None
        if isinstance(ref, (FunctionRef, ClassRef)):
            return None
        bound = self.resolver.bound_method(site.node.func, site.scope)
        if bound is not None and bound[0].attr == "run_in_executor":
            attribute, where = bound
            if self.tasks.is_loop(attribute.value, where):
                return spelled(attribute)
        return None

    def _blocking_callee(self, inner: CallSite, blocking: BlockingCheck,
                         transitive: TransitiveCheck) -> str | None:
        """The inner call's name if it blocks: a table entry or a helper known to block."""
        found = blocking.classify(inner)
        if found is not None:
            return found[0]
        ref = local_function(inner, self.visitor)
        if ref is not None and not ref.is_async and transitive.blocks(ref):
            return spelled(inner.node.func)
        other = project_function(inner, self.visitor) if ref is None else None
        project = self.visitor.resolver.project
        if other is not None and project is not None and not other.summary.coroutine and (
                project.blocking_chain(other) is not None):
            return spelled(inner.node.func)
        return None

    # -- AIO204, AIO205, AIO206, AIO302 ------------------------------------------------
    def check(self) -> Iterator[Finding]:
        """The findings of the task-like misuses, in call order."""
        visitor = self.visitor
        indirect = visitor.indirect_names
        policies: list[tuple[CallSite, str, str | None]] = []
        for site in visitor.calls:
            node = site.node
            if site.usage != "attribute" and not may_be(site, _ANY_NAME, indirect):
                continue  # none of these checks can apply: skip the resolution work
            if site.usage == "expr":
                dropped = self._dropped(site)
                if dropped is not None:
                    yield Finding(node.lineno, node.col_offset,
                                  DISCARDED_AWAITABLE.format(call=dropped))
            if site.usage != "expr" and node.args and type(node.args[0]) is ast.Call:
                # (a dropped shield is AIO204 already: all of it is lost)
                unkept = self._shielded(site)
                if unkept is not None:
                    yield Finding(node.lineno, node.col_offset,
                                  SHIELDED_UNKEPT_TASK.format(call=unkept))
            if site.usage == "attribute" and site.target is not None:
                attribute = self._unread_task_attribute(site, site.target)
                if attribute is not None:
                    found = self.tasks.kind(site)
                    name = found[1] if found is not None else spelled(node.func)
                    yield Finding(node.lineno, node.col_offset,
                                  UNREAD_TASK_ATTRIBUTE.format(name=site.target, call=name))
            deprecated = self._deprecated(site)
            if deprecated is not None and not self.visitor.in_legacy_branch(
                    node.lineno, _DEPRECATED_SINCE):
                # if sys.version_info < (3, 14): set_event_loop_policy(...) never runs
                # where the API is deprecated
                policies.append((site, *deprecated))
        yield from _one_per_statement(policies, self.resolver)

    def _dropped(self, site: CallSite) -> str | None:
        candidate = resolve_candidate(site, _DROPPED_NAMES, self.visitor)
        if candidate is None:
            return None
        ref = candidate[1]
        if isinstance(ref, str) and ref in DROPPED_AWAITABLES:
            return display_name(ref)
        return self._loop_executor(site, ref)

    def _shielded(self, site: CallSite) -> str | None:
        """``asyncio.shield(coro())`` / ``shield(create_task(...))``: the inner call's name."""
        candidate = resolve_candidate(site, _SHIELD_NAMES, self.visitor)
        if candidate is None or candidate[1] != "asyncio.shield":
            return None
        inner = self._sites.get(id(site.node.args[0]))
        if inner is None:
            return None
        found = self.tasks.kind(inner)
        if found is not None and (kind_is_coroutine(found[0]) or kind_is_task(found[0])):
            if found[1] in _PURE_WAITS:
                return None  # shield(asyncio.wait(tasks)): losing the wait loses nothing
            return found[1]
        return None

    def _strings(self) -> frozenset[str]:
        """Every string constant of the module but ``__slots__`` entries (declarations,
        not reads); made once, only when AIO206 may fire."""
        if self._string_constants is None:
            root = self.visitor.root
            found: set[str] = set()
            pending: list[ast.AST] = [root.node] if root is not None else []
            while pending:
                node = pending.pop()
                if isinstance(node, ast.Constant):
                    if isinstance(node.value, str):
                        found.add(node.value)
                elif not (isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
                        isinstance(target, ast.Name) and target.id == "__slots__"
                        for target in (node.targets if isinstance(node, ast.Assign)
                                       else [node.target]))):
                    pending.extend(ast.iter_child_nodes(node))
            self._string_constants = frozenset(found)
        return self._string_constants

    def _unread_task_attribute(self, site: CallSite, target: str) -> str | None:
        """``self._x = create_task(...)`` where nothing reads ``_x``: the attribute name."""
        base, _, attribute = target.partition(".")
        if "." in attribute or not attribute.startswith("_") or attribute.endswith("__"):
            return None  # public attributes are read by other modules
        if attribute in self.visitor.attribute_reads or attribute in self._strings():
            return None  # a string naming it: getattr(self, name) in a loop over names
        if not isinstance(self.resolver.lookup(base, site.scope), ClassRef):
            return None  # only self.x (or cls.x) of a class of this module
        found = self.tasks.kind(site)
        if found is None or not kind_is_task(found[0]):
            return None
        return attribute

    def _deprecated(self, site: CallSite) -> tuple[str, str] | None:
        candidate = resolve_candidate(site, _DEPRECATED_NAMES, self.visitor)
        if candidate is None or not isinstance(candidate[1], str):
            return None
        fix = DEPRECATED_ASYNCIO.get(candidate[1])
        if fix is None:
            return None
        name = display_name(candidate[1])
        if is_allowed(name, self.visitor.settings):
            return None
        return name, fix

    # -- AIO208 --------------------------------------------------------------------------
    def sync_withs(self) -> Iterator[Finding]:
        """A plain ``with`` on an async context manager, in any function."""
        for expr, scope, _ in self.visitor.with_items:
            name = self._async_context_manager(expr, scope)
            if name is None:
                continue
            fix = f"async with {name}"
            if scope.coroutine is None:
                fix += " in a coroutine (a sync function cannot enter it)"
            yield Finding(expr.lineno, expr.col_offset,
                          SYNC_WITH_ASYNC_CM.format(call=name, fix=fix))

    def _async_context_manager(self, expr: ast.expr, scope: Scope) -> str | None:
        """How to name ``expr`` if it is certainly an async-only context manager."""
        written = f"{spelled(expr.func)}(...)" if isinstance(expr, ast.Call) else spelled(expr)
        ref = self.resolver.resolve(expr, scope)
        if isinstance(ref, str):
            return written if ref in ASYNC_CONTEXT_MANAGERS else None
        if isinstance(ref, ClassRef) and ref.instance:
            return written if async_only(ref) else None
        if isinstance(expr, ast.Call):
            func = self.resolver.resolve(expr.func, scope)
            if isinstance(func, FunctionRef) and any(
                self.resolver.resolve(decorator_callee(decorator), func.scope.parent or func.scope)
                in ASYNC_CONTEXT_DECORATORS for decorator in func.node.decorator_list
            ):
                return written
        return None


def _written(arg: ast.expr) -> str:
    """An argument as the user wrote it, when it is short: ``None``, ``pool``, ``self.pool``."""
    if isinstance(arg, ast.Constant) and arg.value is None:
        return "None"
    return dotted_source(arg) or "executor"


def _one_per_statement(policies: list[tuple[CallSite, str, str | None]],
                       resolver: Resolver) -> Iterator[Finding]:
    """AIO302 for each deprecated call, but one for
    ``set_event_loop_policy(WindowsSelectorEventLoopPolicy())``: the outer call, with the
    inner one's advice (the loop factory to use)."""
    inner = {id(site.node): fix for site, _, fix in policies}
    merged: set[int] = set()
    for site, _, _ in policies:
        args = site.node.args
        if args and id(args[0]) in inner:
            merged.add(id(args[0]))
    for site, name, fix in policies:
        node = site.node
        if id(node) in merged:
            continue
        args = node.args
        if args and id(args[0]) in merged:
            fix = inner[id(args[0])] or fix
        elif args and isinstance(args[0], ast.Call) and resolver.resolve(
                args[0].func, site.scope) == "uvloop.EventLoopPolicy":
            fix = ("asyncio.run(main(), loop_factory=uvloop.new_event_loop) on Python "
                   "3.12+, or uvloop.run(main())")
        yield Finding(node.lineno, node.col_offset, DEPRECATED_LOOP_POLICY.format(
            call=name, **({"fix": fix} if fix else {})))
