"""One pass over a module's AST that records scopes, bindings and call sites.

The walk is iterative (an explicit stack), so 200 nested functions or an expression of
thousands of chained operators cannot raise ``RecursionError``.  It decides nothing:
it records what the checks in :mod:`~flake8_asyncio_tasks.blocking` and
:mod:`~flake8_asyncio_tasks.tasks` need; :func:`~flake8_asyncio_tasks.checks.check_module`
runs them once the whole module (every binding) is known.

The walk is one class made of six parts: :mod:`~flake8_asyncio_tasks.walk` (call-site
records, the state, pushing and marking), :mod:`~flake8_asyncio_tasks.walk_bindings`
(scopes, imports and other bindings), :mod:`~flake8_asyncio_tasks.walk_targets`
(assignment and loop targets), :mod:`~flake8_asyncio_tasks.walk_uses` (reads, calls,
tests), :mod:`~flake8_asyncio_tasks.branches` (arms that never run) and
:mod:`~flake8_asyncio_tasks.contexts` (what surrounds a call in its function); this
module puts them together.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, Final

from flake8_asyncio_tasks.branches import BranchQueries
from flake8_asyncio_tasks.contexts import ContextQueries
from flake8_asyncio_tasks.names import OPAQUE, Scope, ScopeKind
from flake8_asyncio_tasks.refs import UNRESOLVED, FunctionRef, Unresolved
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.summary import FunctionSummary
from flake8_asyncio_tasks.walk import (
    CallSite,
    Finding,
    decorator_callee,
    receiver_key,
)
from flake8_asyncio_tasks.walk_bindings import GENERATOR_COROUTINES, BindingWalk
from flake8_asyncio_tasks.walk_uses import UseWalk

__all__ = ["GENERATOR_COROUTINES", "UNRESOLVED", "CallSite", "Finding", "Unresolved", "Visitor",
           "decorator_callee", "receiver_key"]

#: bindings that never say what a name holds
_OPAQUE_BINDINGS: Final = (type(OPAQUE),)



class Visitor(BindingWalk, UseWalk, BranchQueries, ContextQueries):
    """Walks one module once and keeps what it saw for the checks."""

    def __init__(self, settings: Settings, filename: str = "",
                 package: tuple[str, ...] | None = None, summary_only: bool = False) -> None:
        self.settings = settings
        #: walked only for its summary (a module another file imports): the calls made
        #: inside coroutines, which no summary reads, are not recorded
        self.summary_only = summary_only
        self.filename = filename
        #: the package the module is in (``("shop",)`` for ``shop/client.py`` and for
        #: ``shop/__init__.py``), known with project analysis: relative imports then
        #: name the project's modules; ``None`` keeps them unknown
        self.package = package
        self.resolver = Resolver()
        #: the module scope, once walked
        self.root: Scope | None = None
        #: with project analysis: summarizes one function of this module (see
        #: :meth:`own_function`), set by the check
        self.function_summarizer: Callable[[FunctionRef], FunctionSummary | None] | None = None
        self._own: dict[int, FunctionSummary | None] = {}
        self.task_returns: set[int] = set()
        self.loop_runners: set[int] = set()
        self.calls: list[CallSite] = []
        #: id(call) -> CallSite, to mark how a call's value is used
        self._sites: dict[int, CallSite] = {}
        #: sync ``with`` items: (context expression, scope, the statement)
        self.with_items: list[tuple[ast.expr, Scope, ast.With]] = []
        #: what sync ``for`` loops and comprehensions iterate: (iterable, scope it runs in)
        self.iterations: list[tuple[ast.expr, Scope]] = []
        #: receivers switched to non-blocking mode (see :func:`receiver_key`) -> from line
        self.non_blocking: dict[str, int] = {}
        #: names read only as ``name.attr`` (AIO203 counts them as harmless uses of a loop)
        #: and those that had a loop-running attribute read (``loop.run_forever``)
        self.attribute_bases: dict[tuple[int, str], int] = {}
        self.runs_loop: set[tuple[int, str]] = set()
        #: names of every def in the module: a call to any other name is no local call
        self.function_names: set[str] = set()
        #: names bound by an import or to another name or attribute anywhere
        #: (``from time import sleep as pause``, ``pause = time.sleep``, ``recv = sock.recv``):
        #: a call of such a name may be a table entry under another name
        self.indirect_names: set[str] = set()
        #: names bound by ``from module import name`` (not renamed): calls of them can
        #: name another module's definition, but a table entry only by their own name
        self.from_imported: set[str] = set()
        #: top-level modules the module imports (``boto3`` for ``import boto3.session``)
        self.imported_modules: set[str] = set()
        self._dispatch: dict[type, Callable[[Any, Scope], None]] = {
            ast.Module: self._module,
            ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function,
            ast.Lambda: self._lambda,
            ast.ClassDef: self._class,
            ast.ListComp: self._comprehension,
            ast.SetComp: self._comprehension,
            ast.DictComp: self._comprehension,
            ast.GeneratorExp: self._comprehension,
            ast.Import: self._import,
            ast.ImportFrom: self._import_from,
            ast.Assign: self._assign,
            ast.AnnAssign: self._ann_assign,
            ast.AugAssign: self._aug_assign,
            ast.NamedExpr: self._named_expr,
            ast.For: self._for,
            ast.AsyncFor: self._for,
            ast.With: self._with,
            ast.AsyncWith: self._with,
            ast.Global: self._global,
            ast.Nonlocal: self._global,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Call: self._call,
            ast.Expr: self._expr,
            ast.Await: self._await,
            ast.FormattedValue: self._formatted,
            ast.Compare: self._compare,
            ast.BinOp: self._bin_op,
            ast.Return: self._return,
            ast.Raise: self._raise,
            ast.Starred: self._starred,
            ast.If: self._test,
            ast.While: self._test,
            ast.IfExp: self._test,
            ast.Assert: self._test,
            ast.BoolOp: self._bool_op,
            ast.UnaryOp: self._unary_op,
            ast.ExceptHandler: self._except_handler,
            ast.Try: self._try,
            ast.MatchAs: self._match_capture,
            ast.MatchStar: self._match_capture,
            ast.MatchMapping: self._match_capture,
            ast.Constant: self._leaf,
            ast.Yield: self._yield,
            ast.YieldFrom: self._yield,
        }
        #: (function scope id, first line, last line, exception) of try bodies whose
        #: handlers catch BlockingIOError (the code there does non-blocking I/O on
        #: purpose) or RuntimeError (``get_running_loop()`` there is a probe)
        self.catching_tries: list[tuple[int, int, int, str]] = []
        #: (function scope id, receiver, first line, last line) of the bodies of
        #: ``if not q.empty():`` / ``while q.qsize():``: a ``q.get()`` there finds an item
        self.nonempty_queues: list[tuple[int, str, int, int]] = []
        self.empty_waits: list[tuple[Scope, str, ast.While]] = []
        #: ``with mock.patch(...):`` bodies: (the patcher as written, scope, first line,
        #: last line); inside, what a helper calls may not be the code on disk
        self.patched_blocks: list[tuple[ast.expr, Scope, int, int]] = []
        #: ``with pytest.raises(...):`` / ``self.assertRaises(...)`` / ``pytest.warns``
        self.expecting_blocks: list[tuple[ast.expr, Scope, int, int]] = []
        #: (function scope id, first line, last line) of the branches of an ``if`` that
        #: tests a parameter's type (``if isinstance(source, str): open(source)``)
        self.type_dispatch: list[tuple[int, int, int]] = []
        #: (function scope id, start, end, parameter) of the bodies of ``if p is None:``
        #: (and of ``x if p is None else y``) on a parameter ``p=None``, as (line, column)
        #: positions: they run only when a caller omits p
        self.omitted_guards: list[tuple[int, tuple[int, int], tuple[int, int], str]] = []
        self.exit_guards: list[tuple[Scope, ast.If, list[str]]] = []
        #: ``if isinstance(p, bytes): return ...``: what follows runs for other types
        self.type_exits: list[tuple[Scope, ast.If]] = []
        #: (first line, last line, version) of branches that only Pythons older than
        #: version take: the ``else`` of ``if sys.version_info >= (3, 10):``, the body of
        #: ``< (3, 10)``
        self.legacy_branches: list[tuple[int, int, tuple[int, ...]]] = []
        #: ``if NAME:``/``if not NAME:`` tests (node, scope, name, whether not negated),
        #: legacy branches when NAME is a module-level version test
        self.version_flag_tests: list[tuple[ast.If, Scope, str, bool]] = []
        #: the same for each ``NAME`` / ``not NAME`` part of an ``and`` test
        self.flag_conjuncts: list[tuple[ast.If, Scope, str, bool]] = []
        #: (first line, last line) of the arm a literal test never takes (``if True:
        #: ... else: <dead>``, the shape unasync-style generators leave)
        self.constant_dead: list[tuple[int, int]] = []
        #: ids of calls written as a parameter's default: they run when the ``def`` does
        self.default_calls: set[int] = set()
        self._legacy_decided = False
        #: (first line, last line) of the arms that a constant flag never takes
        self._dead: list[tuple[int, int]] | None = None
        #: id(function node) -> its unreachable statements (see BranchQueries)
        self._unreachable_ranges: dict[int, list[tuple[int, int]]] = {}
        #: attribute names read anywhere (``x.name``, ``getattr(x, "name")``): AIO206
        self.attribute_reads: set[str] = set()
        #: (scope id, name) -> how many of the name's reads are ``for ... in name``
        self.iterated_names: dict[tuple[int, str], int] = {}
        self._stack: list[tuple[ast.AST, Scope]] = []
        if hasattr(ast, "TryStar"):  # Python 3.11+: except*
            self._dispatch[ast.TryStar] = self._try
        type_alias = getattr(ast, "TypeAlias", None)  # Python 3.12+: ``type X = ...``
        if type_alias is not None:
            self._dispatch[type_alias] = self._type_alias
        self._truth_tested: set[int] = set()

    def visit(self, tree: ast.AST) -> None:
        """Walk ``tree`` (a module) once, iteratively."""
        root = self.root = Scope(ScopeKind.MODULE, "<module>", tree, None)
        stack = self._stack
        stack.append((tree, root))
        dispatch = self._dispatch
        generic = self._generic
        pop = stack.pop
        name_type, load_type = ast.Name, ast.Load
        node: Any  # the loop dispatches on the node's type itself
        while stack:
            node, scope = pop()
            kind = type(node)
            if kind is name_type:  # a third of all nodes: handled inline
                if type(node.ctx) is load_type:
                    loads = scope.loads
                    loads[node.id] = loads.get(node.id, 0) + 1
                else:
                    self._name(node, scope)
                continue
            dispatch.get(kind, generic)(node, scope)

    def release(self) -> None:
        """Break the walk's reference cycles (scopes and their parents, children and
        bindings, call sites and their scopes) once the checks are done, so its objects
        are freed at once rather than left to the host process's cyclic collector."""
        root = self.root
        stack = [root] if root is not None else []
        while stack:
            scope = stack.pop()
            stack.extend(scope.children)
            scope.release()
        self.root = None
        self.calls.clear()
        self._sites.clear()
        self.with_items.clear()
        self.version_flag_tests = []
        self.flag_conjuncts = []
        self.constant_dead = []
        self.default_calls = set()
        self._legacy_decided = False
        self._dead = None
        self._unreachable_ranges = {}
        self.iterations.clear()
        self._own.clear()
        self.function_summarizer = None

    def own_function(self, ref: FunctionRef) -> FunctionSummary | None:
        """The summary of one function of this module, when the walk saw it return a
        task or run a loop (else ``None``: nothing a summary could add)."""
        summarizer = self.function_summarizer
        key = id(ref.scope)
        if summarizer is None or (key not in self.task_returns and key not in self.loop_runners):
            return None
        if key not in self._own:
            self._own[key] = summarizer(ref)
        return self._own[key]

    def may_name_a_definition(self, func: ast.expr, scope: Scope) -> bool:
        """Cheap test, no resolution: can ``func`` name a function or method that another
        module (or a class) defines?  Its root name must be ``self``/``cls``, an import,
        an alias, or a local bound to a value or annotated; a call result may be too.
        A parameter without annotation, a loop target or an unbound name cannot."""
        node = func
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value  # self.by_id[key].close(): the root is ``self``
        if isinstance(node, (ast.Call, ast.Await)):
            return node is not func
        if not isinstance(node, ast.Name):
            return False
        name = node.id
        if node is func:
            # a plain call: an import or an alias
            return name in self.indirect_names or name in self.from_imported
        bindings = self.resolver.owner(name, scope).bindings.get(name)
        if not bindings:
            return False
        return any(type(binding) not in _OPAQUE_BINDINGS for binding in bindings)
