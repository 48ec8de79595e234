"""One pass over a module's AST that records scopes, bindings and call sites.

The walk is iterative (an explicit stack), so 200 nested functions or an expression of
thousands of chained operators cannot raise ``RecursionError``.  It decides nothing:
it records what the checks in :mod:`~flake8_asyncio_tasks.blocking` and
:mod:`~flake8_asyncio_tasks.tasks` need; :func:`~flake8_asyncio_tasks.checks.check_module`
runs them once the whole module (every binding) is known.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from flake8_asyncio_tasks.names import (
    OPAQUE,
    Annotated,
    AnnotatedValue,
    ClassRef,
    Defined,
    FunctionRef,
    Imported,
    Ref,
    Resolver,
    Scope,
    ScopeKind,
    SelfParam,
    Value,
    dotted_source,
)
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.summary import ModuleSummary
from flake8_asyncio_tasks.tables import LOOP_RUN_METHODS


@dataclass(frozen=True, slots=True)
class Finding:
    """One report: position (1-based line, 0-based column) and ``"AIOxxx message"``."""

    line: int
    col: int
    text: str


@dataclass(slots=True)
class CallSite:
    """A call and what its surroundings do with the value it returns."""

    node: ast.Call
    scope: Scope
    #: "expr" (statement), "await", "truth", "assign", "return", "arg", "attribute"
    #: (``self.x = call``), "late" (``await call()[k]``: await applies to the subscript),
    #: "format" (in an f-string, t-string or ``%``), "compare", "iterate", "" (other)
    usage: str = ""
    #: for usage "assign": the single local name the value is bound to; for "attribute":
    #: the dotted target (``self._task``); for "late": what is applied before the await
    #: (``"[...]"`` or ``".attr"``)
    target: str | None = None
    #: the callee's last name as written (``get`` for ``s.get()``, ``f`` for ``f()``,
    #: ``sync_to_async()`` for ``sync_to_async(f)()``): the checks' cheap first filter
    last: str | None = None
    #: the callee is a plain name (which an import or alias may bind to anything)
    by_name: bool = False
    #: what the callee resolves to, once asked (:func:`~flake8_asyncio_tasks.blocking.
    #: resolve_candidate` resolves each call once for every check)
    callee: Ref | None | Unresolved = None

    def __post_init__(self) -> None:
        self.callee = UNRESOLVED


class Unresolved:
    """The callee of a call site not resolved yet."""

    __slots__ = ()


UNRESOLVED: Final = Unresolved()


#: decorators (as written) that make a generator a coroutine running on the loop
GENERATOR_COROUTINES: Final = frozenset({
    "asyncio.coroutine", "gen.coroutine", "gen_test", "testing.gen_test",
    "tornado.gen.coroutine", "tornado.testing.gen_test", "types.coroutine",
})
_ATTRIBUTE, _NAME, _CALL, _CONSTANT = ast.Attribute, ast.Name, ast.Call, ast.Constant
#: builtins that read an attribute named by a string
_ATTRIBUTE_BUILTINS: Final = frozenset({"getattr", "hasattr", "delattr"})
#: fields that never hold a node worth visiting (contexts, operators)
_SKIPPED_FIELDS: Final = frozenset({"ctx", "op", "ops", "type_ignores"})
#: nodes with nothing below them that any check reads
_LEAVES: Final = frozenset({ast.Constant, ast.Pass, ast.Break, ast.Continue})
#: node type -> its child fields, last first, worth visiting (filled on first sight)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


class Visitor:
    """Walks one module once and keeps what it saw for the checks."""

    def __init__(self, settings: Settings, filename: str = "",
                 package: tuple[str, ...] | None = None) -> None:
        self.settings = settings
        self.filename = filename
        #: the package the module is in (``("shop",)`` for ``shop/client.py`` and for
        #: ``shop/__init__.py``), known with project analysis: relative imports then
        #: name the project's modules; ``None`` keeps them unknown
        self.package = package
        self.resolver = Resolver()
        #: the module scope, once walked
        self.root: Scope | None = None
        #: the module's own summary, with project analysis (built from this walk)
        self.summary: ModuleSummary | None = None
        self.calls: list[CallSite] = []
        #: id(call) -> CallSite, to mark how a call's value is used
        self._sites: dict[int, CallSite] = {}
        #: sync ``with`` items: (context expression, scope)
        self.with_items: list[tuple[ast.expr, Scope]] = []
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
        #: (function scope id, first line, last line) of try bodies whose handlers
        #: catch BlockingIOError: the code there does non-blocking I/O on purpose
        self.non_blocking_tries: list[tuple[int, int, int]] = []
        #: (function scope id, receiver, first line, last line) of the bodies of
        #: ``if not q.empty():`` / ``while q.qsize():``: a ``q.get()`` there finds an item
        self.nonempty_queues: list[tuple[int, str, int, int]] = []
        #: (first line, last line) of branches that only older Pythons take:
        #: the ``else`` of ``if sys.version_info >= (3, 10):``, the body of ``< (3, 10)``
        self.legacy_branches: list[tuple[int, int]] = []
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

    # -- walking ---------------------------------------------------------------------
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

    def forget_resolutions(self) -> None:
        """Drop every memoized resolution (before the resolver gets a project)."""
        for site in self.calls:
            site.callee = UNRESOLVED
        stack = [self.root] if self.root is not None else []
        while stack:
            scope = stack.pop()
            scope.memo.clear()
            stack.extend(scope.children)

    def _push(self, nodes: list[ast.AST] | list[ast.expr] | list[ast.stmt], scope: Scope) -> None:
        stack = self._stack
        for node in reversed(nodes):
            stack.append((node, scope))

    def _generic(self, node: ast.AST, scope: Scope) -> None:
        """Push the children worth visiting, last first (so they pop in source order)."""
        kind = type(node)
        fields = _CHILD_FIELDS.get(kind)
        if fields is None:
            # getattr: whatever a future Python adds, a node type without fields (or a
            # stray non-node) has no children, never an AttributeError
            fields = _CHILD_FIELDS[kind] = tuple(reversed(
                [f for f in getattr(kind, "_fields", ()) if f not in _SKIPPED_FIELDS]))
        push = self._stack.append
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, ast.AST) and type(item) not in _LEAVES:
                        push((item, scope))
            elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
                push((value, scope))

    def _leaf(self, node: ast.AST, scope: Scope) -> None:
        """Constants and the like: nothing below them can matter."""

    def _match_capture(self, node: ast.MatchAs | ast.MatchStar | ast.MatchMapping,
                       scope: Scope) -> None:
        name = node.rest if isinstance(node, ast.MatchMapping) else node.name
        if name:
            scope.bind(name, OPAQUE)
        self._generic(node, scope)

    def _site(self, call: ast.AST, scope: Scope) -> CallSite | None:
        """The record for ``call`` if it is a call, created ahead of its visit."""
        if not isinstance(call, ast.Call):
            return None
        site = self._sites.get(id(call))
        if site is None:
            site = CallSite(call, scope)
            self._sites[id(call)] = site
        return site

    def _mark_assigned(self, value: ast.expr, target: str, scope: Scope) -> None:
        """``target = call`` (also ``target = call if c else other``): bound, not used."""
        values = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
        for candidate in values:
            if type(candidate) is ast.Call:
                site = self._site(candidate, scope)
                if site is not None:
                    site.usage, site.target = "assign", target

    def _mark(self, value: ast.AST | None, usage: str, scope: Scope) -> None:
        if type(value) is ast.Call:
            site = self._site(value, scope)
            if site is not None:
                site.usage = usage

    # -- scopes ----------------------------------------------------------------------
    def _module(self, node: ast.Module, scope: Scope) -> None:
        self._push(node.body, scope)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        is_async = isinstance(node, ast.AsyncFunctionDef)
        decorators = [dotted_source(decorator_callee(d)) for d in node.decorator_list]
        # @gen.coroutine / @types.coroutine generators run on the loop like coroutines
        runs_on_loop = is_async or any(d in GENERATOR_COROUTINES for d in decorators)
        kind = ScopeKind.COROUTINE if runs_on_loop else ScopeKind.FUNCTION
        inner = Scope(kind, node.name, node, scope)
        self.function_names.add(node.name)
        scope.bind(node.name, Defined(FunctionRef(node, inner, is_async)))
        self._bind_arguments(node.args, inner, scope, decorators)
        # Decorators, defaults and annotations run in the enclosing scope.
        args = node.args
        outer: list[ast.AST] = [*node.decorator_list, *args.defaults]
        outer += [d for d in args.kw_defaults if d is not None]
        outer += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
                  if a.annotation is not None]
        if node.returns is not None:
            outer.append(node.returns)
        self._push(node.body, inner)
        self._push(outer, scope)

    def _bind_arguments(self, args: ast.arguments, inner: Scope, scope: Scope,
                        decorators: list[str | None]) -> None:
        positional = [*args.posonlyargs, *args.args]
        first = positional[0].arg if positional else None
        if scope.kind is ScopeKind.CLASS and first and "staticmethod" not in decorators:
            cls_method = "classmethod" in decorators
            inner.bind(first, SelfParam(ClassRef(scope, instance=not cls_method)))
            positional = positional[1:]
        for arg in (*positional, *args.kwonlyargs):
            if arg.annotation is not None:
                inner.bind(arg.arg, Annotated(arg.annotation, scope))
            else:
                inner.bind(arg.arg, OPAQUE)
        for star in (args.vararg, args.kwarg):
            if star is not None:
                inner.bind(star.arg, OPAQUE)

    def _lambda(self, node: ast.Lambda, scope: Scope) -> None:
        inner = Scope(ScopeKind.LAMBDA, "<lambda>", node, scope)
        args = node.args
        for parameter in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg,
                          args.kwarg):
            if parameter is not None:
                inner.bind(parameter.arg, OPAQUE)
        self._stack.append((node.body, inner))
        self._push([*args.defaults, *(d for d in args.kw_defaults if d is not None)], scope)

    def _class(self, node: ast.ClassDef, scope: Scope) -> None:
        inner = Scope(ScopeKind.CLASS, node.name, node, scope)
        scope.bind(node.name, Defined(ClassRef(inner, instance=False)))
        self._push(node.body, inner)
        self._push([*node.decorator_list, *node.bases, *(k.value for k in node.keywords)], scope)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp, scope: Scope
    ) -> None:
        inner = Scope(ScopeKind.COMPREHENSION, "<comprehension>", node, scope)
        generators = node.generators
        if not generators:  # not valid Python, but a hand-built tree may say so
            return
        # The first iterable is evaluated in the enclosing scope.
        children: list[tuple[ast.AST, Scope]] = [(generators[0].iter, scope)]
        for index, generator in enumerate(generators):
            iterable = None if generator.is_async else generator.iter
            if iterable is not None:
                self.iterations.append((iterable, scope if index == 0 else inner))
            self._bind_target(generator.target, inner, iterable, "*",
                              scope if index == 0 else inner)
            if index:
                children.append((generator.iter, inner))
            for condition in generator.ifs:
                self._truth(condition, inner)
                children.append((condition, inner))
        if isinstance(node, ast.DictComp):
            # Python 3.15 (PEP 798): ``{**d for d in ds}`` has ``key=d`` and no value
            children += [(part, inner) for part in (node.key, node.value) if part is not None]
        else:
            children.append((node.elt, inner))
        self._stack.extend(reversed(children))

    # -- bindings --------------------------------------------------------------------
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
                        value: ast.expr | None) -> None:
        """``self.x = value`` in a method: an attribute binding of the class."""
        base = target.value
        if not isinstance(base, ast.Name):
            return
        function = scope.enclosing_function()
        bindings = function.bindings.get(base.id)
        if bindings and len(bindings) == 1 and isinstance(bindings[0], SelfParam):
            cls = bindings[0].ref.scope
            binding = Value(value, scope) if value is not None else OPAQUE
            cls.attr_bindings.setdefault(target.attr, []).append(binding)

    def _import(self, node: ast.Import, scope: Scope) -> None:
        for alias in node.names:
            self.imported_modules.add(alias.name.partition(".")[0])
            if alias.asname:
                self.indirect_names.add(alias.asname)
                scope.bind(alias.asname, Imported(alias.name))
            else:
                top = alias.name.partition(".")[0]
                scope.bind(top, Imported(top))

    def _import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        module = node.module
        if node.level:
            # ``from .client import fetch``: a module of this package, if it is known
            package = self.package
            if package is None or node.level > len(package):
                for alias in node.names:
                    if alias.name != "*":
                        scope.bind(alias.asname or alias.name, OPAQUE)
                return
            base = ".".join(package[:len(package) - node.level + 1])
            module = f"{base}.{module}" if module else base
        if not module:
            return
        self.imported_modules.add(module.partition(".")[0])
        for alias in node.names:
            if alias.name == "*":
                scope.module.has_star_import = True
                continue
            local = alias.asname or alias.name
            self.indirect_names.add(local)
            scope.bind(local, Imported(f"{module}.{alias.name}"))

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
            else:
                self._bind_target(node.target, scope, node.value)
            self._stack.append((node.value, scope))
        elif isinstance(node.target, ast.Name) and scope.kind is not ScopeKind.MODULE:
            scope.bind(node.target.id, OPAQUE)
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

    def _with(self, node: ast.With | ast.AsyncWith, scope: Scope) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, scope, item.context_expr)
            if isinstance(node, ast.With):
                self.with_items.append((item.context_expr, scope))
        self._generic(node, scope)

    def _type_alias(self, node: ast.AST, scope: Scope) -> None:
        """``type X[T: bound] = value``: binds ``X``; the value, bounds and defaults are
        evaluated lazily, when something reads ``X.__value__``, never here."""
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name):
            scope.bind(name.id, OPAQUE)

    def _global(self, node: ast.Global | ast.Nonlocal, scope: Scope) -> None:
        # A global or nonlocal name outlives the function: count it as used.
        for name in node.names:
            scope.load(name)
        if isinstance(node, ast.Global):
            scope.global_names.update(node.names)
        else:
            for name in node.names:
                scope.bind(name, OPAQUE)

    def _try(self, node: ast.Try, scope: Scope) -> None:
        for handler in node.handlers:
            caught = handler.type
            names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
            if any(
                (dotted_source(name) or "").rpartition(".")[2] == "BlockingIOError"
                for name in names if name is not None
            ) and node.body:
                last = node.body[-1]
                self.non_blocking_tries.append((
                    id(scope.enclosing_function()), node.body[0].lineno,
                    getattr(last, "end_lineno", None) or last.lineno,
                ))
                break
        self._generic(node, scope)

    def may_name_a_definition(self, func: ast.expr, scope: Scope) -> bool:
        """Cheap test, no resolution: can ``func`` name a function or method that another
        module (or a class) defines?  Its root name must be ``self``/``cls``, an import,
        an alias, or a local bound to a value or annotated; a call result may be too.
        A parameter without annotation, a loop target or an unbound name cannot."""
        node = func
        while isinstance(node, ast.Attribute):
            node = node.value
        if isinstance(node, (ast.Call, ast.Await)):
            return node is not func
        if not isinstance(node, ast.Name):
            return False
        name = node.id
        if node is func:
            return name in self.indirect_names  # a plain call: an import or an alias
        bindings = self.resolver.owner(name, scope).bindings.get(name)
        if not bindings:
            return False
        return any(type(binding) not in _OPAQUE_BINDINGS for binding in bindings)

    def expects_blocking_io_error(self, site: CallSite) -> bool:
        """The call sits in a ``try`` body whose handlers catch ``BlockingIOError``."""
        if not self.non_blocking_tries:
            return False
        function = id(site.scope.enclosing_function())
        line = site.node.lineno
        return any(
            owner == function and first <= line <= last
            for owner, first, last in self.non_blocking_tries
        )

    def _yield(self, node: ast.Yield | ast.YieldFrom, scope: Scope) -> None:
        scope.enclosing_function().is_generator = True
        if node.value is not None:
            self._stack.append((node.value, scope))

    def _except_handler(self, node: ast.ExceptHandler, scope: Scope) -> None:
        if node.name:
            scope.bind(node.name, OPAQUE)
        self._generic(node, scope)

    # -- uses ------------------------------------------------------------------------
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
        site = self._sites.pop(id(node), None)
        if site is None:
            site = CallSite(node, scope)
        site.scope = scope
        self.calls.append(site)
        func = node.func
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
        push = self._stack.append
        call_type, constant_type = ast.Call, ast.Constant
        for keyword in reversed(node.keywords):
            value = keyword.value
            kind = type(value)
            if kind is call_type:
                self._mark(value, "arg", scope)
            if kind is not constant_type:
                push((value, scope))
        for arg in reversed(node.args):
            kind = type(arg)
            if kind is call_type:
                self._mark(arg, "arg", scope)
            if kind is not constant_type:
                push((arg, scope))
        push((func, scope))

    def _expr(self, node: ast.Expr, scope: Scope) -> None:
        value = node.value
        self._mark(value, "expr", scope)
        # asyncio.create_task(...).add_done_callback(...): the task is still discarded
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
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

    def _return(self, node: ast.Return, scope: Scope) -> None:
        if node.value is not None:
            self._mark(node.value, "return", scope)
            self._stack.append((node.value, scope))

    def _truth(self, node: ast.expr, scope: Scope) -> None:
        """``node``'s value is only tested for truth (``if``, ``while``, ``not``...)."""
        if isinstance(node, ast.BoolOp):
            self._truth_tested.add(id(node))
        else:
            self._mark(node, "truth", scope)

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
        if test_kind is ast.Compare and isinstance(node, ast.If):
            old = _older_pythons_branch(node)
            if old:
                last = old[-1]
                self.legacy_branches.append(
                    (old[0].lineno, getattr(last, "end_lineno", None) or last.lineno))
        self._generic(node, scope)

    def checked_not_empty(self, receiver: str, site: CallSite) -> bool:
        """``site`` (a ``receiver.get()``) sits in the body of a test that the queue is not
        empty, in the same function."""
        function = id(site.scope.enclosing_function())
        line = site.node.lineno
        return any(owner == function and name == receiver and first <= line <= last
                   for owner, name, first, last in self.nonempty_queues)

    def in_legacy_branch(self, line: int) -> bool:
        """``line`` is in code that only Pythons older than a version test's run."""
        return any(first <= line <= last for first, last in self.legacy_branches)

    def _bool_op(self, node: ast.BoolOp, scope: Scope) -> None:
        # ``a() or b()`` tests a(); b() is the value, tested only if the whole is.
        values = node.values
        last = len(values) - 1 if id(node) not in self._truth_tested else len(values)
        for value in values[:last]:
            self._truth(value, scope)
        self._push(values, scope)

    def _unary_op(self, node: ast.UnaryOp, scope: Scope) -> None:
        if isinstance(node.op, ast.Not):
            self._truth(node.operand, scope)
        self._stack.append((node.operand, scope))


#: bindings that never say what a name holds
_OPAQUE_BINDINGS: Final = (type(OPAQUE),)

#: the shapes of a test that a queue is not empty
_QUEUE_TESTS: Final = frozenset({ast.UnaryOp, ast.Call, ast.Compare})


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


def _older_pythons_branch(node: ast.If) -> list[ast.stmt]:
    """The statements of ``node`` that run only on Pythons older than the version tested.

    ``if sys.version_info >= (3, 10): ... else: <old>``; ``if sys.version_info < (3, 10):
    <old>``; also ``sys.version_info[:2]`` and a plain ``version_info``.
    """
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.comparators[0], ast.Tuple)):
        return []
    left = test.left.value if isinstance(test.left, ast.Subscript) else test.left
    if dotted_source(left) not in ("sys.version_info", "version_info"):
        return []
    op = test.ops[0]
    if isinstance(op, (ast.GtE, ast.Gt)):
        return node.orelse
    if isinstance(op, (ast.Lt, ast.LtE)):
        return node.body
    return []


def receiver_key(receiver: str, scope: Scope) -> str:
    """Key of a receiver such as ``sock`` (per function) or ``self._sock`` (per class)."""
    if receiver.startswith("self."):
        return receiver
    return f"{id(scope.enclosing_function())}:{receiver}"


def decorator_callee(decorator: ast.expr) -> ast.expr:
    """``@functools.lru_cache(maxsize=8)`` -> ``functools.lru_cache``."""
    return decorator.func if isinstance(decorator, ast.Call) else decorator
