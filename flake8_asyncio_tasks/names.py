"""Scopes, bindings and the resolution of expressions to canonical dotted names.

The visitor records every binding while it walks the file once; resolution happens
after the walk, when every scope's bindings are complete.  That gives Python's own
rule for free: a name assigned anywhere in a function is local in all of it, so
``sleep`` there is no longer ``time.sleep`` (pyflakes-style shadowing, much lighter).

A resolved value (a :data:`~flake8_asyncio_tasks.refs.Ref`) is one of:

* a canonical dotted string.  ``"time.sleep"`` is a module attribute; ``"()"`` marks a
  call result, so ``s = requests.Session()`` makes ``s`` resolve to
  ``"requests.Session()"`` and ``s.get`` to ``"requests.Session().get"``;
* a :class:`~flake8_asyncio_tasks.refs.FunctionRef` for a ``def``/``async def`` of this
  module;
* a :class:`~flake8_asyncio_tasks.refs.ClassRef` for a class of this module (or an
  instance of it: ``self``).

Anything the resolver cannot be sure of is ``None``: unknown means silent.
"""

from __future__ import annotations

import ast
import enum
from typing import TYPE_CHECKING, Final

from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, ProjectClass, Ref
from flake8_asyncio_tasks.tables import (
    BOTO3_STUB_PREFIXES,
    RETURNS,
    STREAM_PROTOCOLS,
    UNBOUNDED_UNLESS_MAXSIZE,
)

if TYPE_CHECKING:
    from flake8_asyncio_tasks.resolver import Resolver


class ScopeKind(enum.Enum):
    """What kind of code a scope's body is."""

    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    COROUTINE = "coroutine"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"


class Binding:
    """One thing that binds a name in a scope; :meth:`resolve` says what it is."""

    __slots__ = ()

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        return None


class Opaque(Binding):
    """A loop target, an ``except`` name, a ``del``...: nothing is known of the value."""

    __slots__ = ()


OPAQUE: Final = Opaque()


class Imported(Binding):
    """``import a.b as c`` / ``from a import b``: the canonical dotted name."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        name = self.name.removeprefix("builtins.")  # from builtins import open
        found = RETURNS.get(name)
        return found if found is not None else resolver.translate(name, depth)


class Value(Binding):
    """``name = expr`` (or ``with expr as name``): the value, resolved lazily in ``scope``.

    ``item`` picks a part of the value: ``"0"`` for ``conn, addr = sock.accept()``,
    ``"*"`` for ``for child in path.iterdir()``, ``"*values"`` for the ``client`` of ``for
    key, client in clients.items()``; :data:`RETURNS` says what it is.
    """

    __slots__ = ("expr", "scope", "item")

    def __init__(self, expr: ast.expr, scope: Scope, item: str | None = None) -> None:
        self.expr = expr
        self.scope = scope
        self.item = item

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        if self.item == "*":
            return resolver.element(self.expr, self.scope, depth + 1)
        if self.item == "*values":
            return resolver.mapping_value(self.expr, self.scope, depth + 1)
        ref = resolver.resolve(self.expr, self.scope, depth + 1)
        if self.item is None:
            return ref
        if isinstance(ref, str):
            return RETURNS.get(f"{ref}[{self.item}]")
        return None

    @property
    def is_none(self) -> bool:
        """``x = None``: the placeholder of ``try: import x / except: x = None``."""
        return isinstance(self.expr, ast.Constant) and self.expr.value is None


class Annotated(Binding):
    """A parameter ``s: requests.Session``: an instance of the annotated class."""

    __slots__ = ("annotation", "scope")

    def __init__(self, annotation: ast.expr, scope: Scope) -> None:
        self.annotation = annotation
        self.scope = scope

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        annotation = _unwrap_optional(self.annotation, resolver, self.scope, depth)
        if annotation is None:
            return None
        ref = resolver.resolve(annotation, self.scope, depth + 1)
        if isinstance(ref, str) and ref.startswith(BOTO3_STUB_PREFIXES):
            # s3: mypy_boto3_s3.S3Client (or its .client module): a boto3 client
            last = ref.rpartition(".")[2]
            if last.endswith("Client"):
                return "boto3.client()"
            if last.endswith("ServiceResource"):
                return "boto3.resource()"
        if isinstance(ref, str):
            # ``q: queue.Queue`` may be unbounded: its put() is not known to wait
            unbounded = UNBOUNDED_UNLESS_MAXSIZE.get(ref)
            if unbounded is not None:
                return unbounded
            return RETURNS.get(ref + "()", ref + "()")
        if isinstance(ref, ClassRef) and not ref.instance:
            return ClassRef(ref.scope, instance=True)
        if isinstance(ref, ProjectClass) and not ref.instance:
            return ref.as_instance()
        return None


class Known(Binding):
    """A parameter whose type a convention fixes: pytest's ``tmp_path`` fixture is a
    ``pathlib.Path`` in every test module."""

    __slots__ = ("ref",)

    def __init__(self, ref: str) -> None:
        self.ref = ref

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        return self.ref


class AnnotatedValue(Binding):
    """``client: httpx.Client = make()``: the value's type if known, else the annotation's."""

    __slots__ = ("value", "annotated")

    def __init__(self, value: Value, annotated: Annotated) -> None:
        self.value = value
        self.annotated = annotated

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        found = self.value.resolve(resolver, depth)
        if found is not None:
            return found
        declared = self.annotated.resolve(resolver, depth)
        if declared in STREAM_PROTOCOLS and resolver.may_be_in_memory(self.value, depth):
            return None  # body: BinaryIO = open(p) if p else io.BytesIO(): either
        return declared

    @property
    def is_none(self) -> bool:
        return self.value.is_none


def _unwrap_optional(
    node: ast.expr, resolver: Resolver, scope: Scope, depth: int, nesting: int = 0,
    generics: bool = False,
) -> ast.expr | None:
    """``X``, ``"X"``, ``Optional[X]``, ``X | None``, ``Union[X, None]`` -> ``X``; a
    generic (``list[X]``) gives its class, or itself with ``generics``."""
    parsed = annotation_expr(node)
    if parsed is None:
        return None
    node = parsed
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        # X | None; Popen[bytes] | Popen[str] | None: one class whichever member it is
        return _one_member(_union_members(node), resolver, scope, depth, nesting, generics)
    if isinstance(node, ast.Subscript):
        wrapper = resolver.resolve(node.value, scope, depth + 1)
        inner: ast.expr | None = None
        if wrapper in ("typing.Optional", "typing_extensions.Optional"):
            inner = node.slice
        elif wrapper in ("typing.Union", "typing_extensions.Union") and isinstance(
            node.slice, ast.Tuple
        ):
            return _one_member(node.slice.elts, resolver, scope, depth, nesting, generics)
        elif isinstance(wrapper, str) and wrapper.partition(".")[2] in _QUALIFIERS and (
                wrapper.partition(".")[0] in ("typing", "typing_extensions")):
            first = node.slice
            inner = first.elts[0] if isinstance(first, ast.Tuple) and first.elts else first
        else:
            inner = node  # decided below
        if inner is not node:
            # ClassVar["Client | None"], Optional["Client"]: unwrap what is inside too
            return None if inner is None or nesting > 4 else _unwrap_optional(
                inner, resolver, scope, depth, nesting + 1, generics)
        if wrapper in ("type", "typing.Type", "typing.Callable", "collections.abc.Callable"):
            return None  # a class or a callable, not an instance
        if generics:
            return node  # list[Repo]: what declared_element reads the elements of
        # a generic class: ``asyncio.Queue[int]`` holds an ``asyncio.Queue``
        return node.value if isinstance(wrapper, (str, ClassRef, ProjectClass)) else None
    return node


def required_annotation(node: ast.expr, resolver: Resolver, scope: Scope,
                        depth: int) -> ast.expr | None:
    """The annotation without ``None``, ``Optional[...]`` and qualifiers
    (``ClassVar``...), a generic kept whole (``list[Repo] | None`` -> ``list[Repo]``)."""
    return _unwrap_optional(node, resolver, scope, depth, generics=True)


def annotation_expr(node: ast.expr) -> ast.expr | None:
    """An annotation as an expression: a string one (``"Repo | None"``) parsed, or
    ``None`` when it does not parse."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return None
    return node


def _union_members(node: ast.expr) -> list[ast.expr]:
    """The members of ``a | b | c``, left to right."""
    members: list[ast.expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
            stack += [current.right, current.left]
        else:
            members.append(current)
    return members


def _one_member(members: list[ast.expr], resolver: Resolver, scope: Scope, depth: int,
                nesting: int, generics: bool) -> ast.expr | None:
    """The one type a union's members other than ``None`` all give, unwrapped, or
    ``None`` when they differ."""
    found: ast.expr | None = None
    for member in members:
        if _is_none(member):
            continue
        if nesting > 4:
            return None
        unwrapped = _unwrap_optional(member, resolver, scope, depth, nesting + 1, generics)
        if unwrapped is None or (found is not None and ast.dump(found) != ast.dump(unwrapped)):
            return None
        found = unwrapped
    return found


#: typing wrappers whose first argument is the annotated type itself
_QUALIFIERS: Final = frozenset({
    "Annotated", "ClassVar", "Final", "NotRequired", "ReadOnly", "Required",
})


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


class Defined(Binding):
    """``def``/``async def``/``class`` statements."""

    __slots__ = ("ref",)

    def __init__(self, ref: FunctionRef | ClassRef) -> None:
        self.ref = ref

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        return self.ref


class SelfParam(Binding):
    """The first parameter of a method: ``self`` (instance) or ``cls`` (classmethod)."""

    __slots__ = ("ref",)

    def __init__(self, ref: ClassRef) -> None:
        self.ref = ref

    def resolve(self, resolver: Resolver, depth: int) -> Ref | None:
        return self.ref


class Scope:
    """One module, class, function, lambda or comprehension body."""

    __slots__ = (
        "kind",
        "name",
        "node",
        "parent",
        "module",
        "coroutine",
        "bindings",
        "global_names",
        "loads",
        "children",
        "attr_bindings",
        "memo",
        "local_memo",
        "_all_loads",
        "_read_inside",
        "has_star_import",
        "is_generator",
        "return_values",
        "equality_ifs",
        "awaited_names",
    )

    def __init__(self, kind: ScopeKind, name: str, node: ast.AST, parent: Scope | None) -> None:
        self.kind = kind
        self.name = name
        self.node = node
        self.parent = parent
        self.module: Scope = parent.module if parent is not None else self
        # The coroutine whose frame runs this code, if any.  Comprehensions and
        # generator expressions run (when consumed) in the frame that holds them;
        # a nested def, lambda or class body does not.
        if kind is ScopeKind.COROUTINE:
            self.coroutine: Scope | None = self
        elif kind is ScopeKind.COMPREHENSION and parent is not None:
            self.coroutine = parent.coroutine
        else:
            self.coroutine = None
        self.bindings: dict[str, list[Binding]] = {}
        self.global_names: set[str] = set()
        self.loads: dict[str, int] = {}
        self.children: list[Scope] = []
        self.attr_bindings: dict[str, list[Binding]] = {}  # class scopes: self.x = ...
        #: what names resolve to here, with the project (``memo``) and without it
        #: (``local_memo``, what a summary records): one walk serves both
        self.memo: dict[str, Ref | None] = {}
        self.local_memo: dict[str, Ref | None] = {}
        self._all_loads: set[str] | None = None
        self._read_inside: set[str] | None = None
        self.has_star_import = False
        self.is_generator = False  # a yield in the body: an (async) generator function
        #: a function's ``return`` statements: their values (``None``: a bare return)
        self.return_values: list[ast.expr | None] | None = None
        #: caches of a function's checks (made at the first question): its ``if x ==
        #: <constant>:`` statements with that fact, and the names it ``await``s
        self.equality_ifs: list[tuple[ast.If, tuple[str, ast.Constant]]] | None = None
        self.awaited_names: frozenset[str] | None = None
        if parent is not None:
            parent.children.append(self)

    def release(self) -> None:
        """Drop what this scope refers to (see ``Visitor.release``); unusable after."""
        self.parent = None
        self.coroutine = None
        self.children = []
        self.bindings = {}
        self.attr_bindings = {}
        self.memo = {}
        self.local_memo = {}
        self._all_loads = None
        self._read_inside = None
        self.return_values = None
        self.equality_ifs = None
        self.awaited_names = None
        del self.module

    def bind(self, name: str, binding: Binding) -> None:
        """Record a binding of ``name`` here (or in the module, after ``global``)."""
        target = self.module if name in self.global_names else self
        target.bindings.setdefault(name, []).append(binding)

    def load(self, name: str) -> None:
        """Record that ``name`` is read in this scope."""
        self.loads[name] = self.loads.get(name, 0) + 1

    def all_loads(self) -> set[str]:
        """Names read in this scope or any scope nested in it (computed once)."""
        if self._all_loads is None:
            # iteratively, children first: a thousand nested lambdas must not recurse
            order = []
            stack = [self]
            while stack:
                scope = stack.pop()
                if scope._all_loads is None:
                    order.append(scope)
                    stack.extend(scope.children)
            for scope in reversed(order):
                names = set(scope.loads)
                for child in scope.children:
                    names |= child._all_loads or set()
                scope._all_loads = names
        assert self._all_loads is not None
        return self._all_loads

    def read_inside(self, name: str) -> bool:
        """``name`` of this scope is read by a scope nested in it (a closure, a global).

        A nested scope that binds the name itself reads its own variable, not this one.
        """
        if self._read_inside is None:
            order = []
            stack = [self]
            while stack:  # iteratively, children first
                scope = stack.pop()
                order.append(scope)
                stack.extend(scope.children)
            free: dict[int, set[str]] = {}
            for scope in reversed(order):
                inner: set[str] = set()
                for child in scope.children:
                    inner |= free[id(child)]
                if scope is self:
                    self._read_inside = inner
                    break
                names = inner | set(scope.loads)
                if scope.kind is not ScopeKind.CLASS:
                    names -= scope.bindings.keys()
                free[id(scope)] = names
        return name in (self._read_inside or ())

    def child_for(self, node: ast.AST) -> Scope | None:
        """The scope nested here that ``node`` (a comprehension, a def...) opens."""
        return next((child for child in self.children if child.node is node), None)

    def enclosing_function(self) -> Scope:
        """The function, lambda or module scope that owns this code."""
        scope = self
        while scope.kind in (ScopeKind.COMPREHENSION, ScopeKind.CLASS) and scope.parent:
            scope = scope.parent
        return scope
