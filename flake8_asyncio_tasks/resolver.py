"""The resolver: what an expression evaluates to, as a :data:`~names.Ref`, without
running it.  Names resolve through their scope's bindings (memoized per scope); an
attribute of a class through the class body, ``self.x = ...`` and the bases; with a
project (see :mod:`~flake8_asyncio_tasks.project`), a dotted name of the project's own
modules through what those modules define.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from flake8_asyncio_tasks import members
from flake8_asyncio_tasks.elements import declared_element, element
from flake8_asyncio_tasks.names import (
    Annotated,
    AnnotatedValue,
    Binding,
    Scope,
    ScopeKind,
    Value,
    _is_none,
)
from flake8_asyncio_tasks.refs import (
    ClassRef,
    FunctionRef,
    ProjectClass,
    ProjectFunction,
    ProjectLookup,
    Ref,
    Unresolved,
)
from flake8_asyncio_tasks.syntax import dotted_source, parameter_names
from flake8_asyncio_tasks.tables import (
    CALL_VARIANTS,
    IN_MEMORY_FILES,
    PSEUDO_PATHS,
    RETURNS,
    STREAM_PROTOCOLS,
    UNBOUNDED_UNLESS_MAXSIZE,
)
from flake8_asyncio_tasks.task_tables import AWAIT_RETURNS

_BUILTINS: Final = frozenset(dir(builtins))
_MAX_DEPTH: Final = 24
#: io classes that wrap another stream: over an in-memory buffer they are in memory too
_STREAM_WRAPPERS: Final = frozenset({
    "io.BufferedRandom", "io.BufferedReader", "io.BufferedWriter", "io.TextIOWrapper",
})
if TYPE_CHECKING:
    from flake8_asyncio_tasks.walk import CallSite


class Resolver:
    """Resolves expressions to :data:`Ref` values, memoizing names per scope.

    With a ``project`` (see :mod:`~flake8_asyncio_tasks.project`), dotted names of the
    project's own modules resolve to what those modules define; without one they stay
    dotted names, which no table knows: the one-file behaviour.
    """

    __slots__ = ("project",)

    def __init__(self, project: ProjectLookup | None = None) -> None:
        self.project = project

    def callee(self, site: CallSite) -> Ref | None:
        """What the callee of ``site`` resolves to, resolved once per mode (with the
        project, and without it for summaries) whichever check asks first."""
        if self.project is None:
            found = site.local_callee
            if isinstance(found, Unresolved):
                found = site.local_callee = self.resolve(site.node.func, site.scope)
            return found
        found = site.callee
        if isinstance(found, Unresolved):
            found = site.callee = self.resolve(site.node.func, site.scope)
        return found

    def translate(self, dotted: str, depth: int = 0) -> Ref | None:
        """A dotted name, or what the project module it names defines."""
        project = self.project
        if project is None or not project.first_party(dotted.partition(".")[0]):
            return dotted
        return project.lookup(dotted, depth + 1)

    @staticmethod
    def owner(name: str, scope: Scope) -> Scope:
        """The scope whose binding of ``name`` a read in ``scope`` sees (Python's LEGB)."""
        if name in scope.global_names:
            return scope.module
        owner = scope
        # Class bodies are not visible from the functions nested in them.
        while owner.parent is not None and (
            name not in owner.bindings
            or (owner.kind is ScopeKind.CLASS and owner is not scope)
        ):
            owner = owner.parent
        return owner

    def bound_method(self, func: ast.expr, scope: Scope) -> tuple[ast.Attribute, Scope] | None:
        """The ``receiver.method`` expression a callee stands for, and where it is read.

        ``func`` itself when it is an attribute; for a name, the attribute that its only
        binding assigns (``recv = sock.recv`` then ``recv(1)``).  ``None`` otherwise.
        """
        if isinstance(func, ast.Attribute):
            return func, scope
        if not isinstance(func, ast.Name):
            return None
        bindings = self.owner(func.id, scope).bindings.get(func.id)
        if bindings is None or len(bindings) != 1:
            return None
        binding = bindings[0]
        if (isinstance(binding, Value) and binding.item is None
                and isinstance(binding.expr, ast.Attribute)):
            return binding.expr, binding.scope
        return None

    def lookup(self, name: str, scope: Scope, depth: int = 0) -> Ref | None:
        """What ``name`` read in ``scope`` refers to, or ``None`` when unsure."""
        owner = self.owner(name, scope)
        bindings = owner.bindings.get(name)
        if bindings is None:
            if name in _BUILTINS and not owner.module.has_star_import:
                return name
            return None
        memo = owner.memo if self.project is not None else owner.local_memo
        if name in memo:
            return memo[name]
        if depth > _MAX_DEPTH:
            return None
        memo[name] = None  # a cycle (x = x.y()) resolves to unknown
        ref = self.merge(bindings, depth)
        memo[name] = ref
        return ref

    def merge(self, bindings: list[Binding], depth: int) -> Ref | None:
        """One value when every binding agrees; ``x = None`` placeholders are skipped."""
        if len(bindings) == 1:
            return bindings[0].resolve(self, depth)
        return self._agreed([binding for binding in bindings if not (
            isinstance(binding, (Value, AnnotatedValue)) and binding.is_none)], depth)

    def _agreed(self, bindings: list[Binding], depth: int) -> Ref | None:
        """What every one of ``bindings`` resolves to, when they all agree."""
        found: Ref | None = None
        for binding in bindings:
            ref = binding.resolve(self, depth)
            if ref is None or (found is not None and ref != found):
                return None
            found = ref
        return found

    def declared(self, bindings: list[Binding], depth: int) -> Ref | None:
        """The type an attribute's annotations declare (``client: Client | None = None``
        in the class body, ``self.client: Client = make()``) when they agree: the values
        assigned elsewhere are what a type checker holds to it."""
        declared: list[Binding] = [
            binding.annotated if isinstance(binding, AnnotatedValue) else binding
            for binding in bindings if isinstance(binding, (Annotated, AnnotatedValue))]
        found = self._agreed(declared, depth)
        if found in STREAM_PROTOCOLS and any(
                isinstance(binding, (Value, AnnotatedValue)) and self.may_be_in_memory(
                    binding.value if isinstance(binding, AnnotatedValue) else binding, depth)
                for binding in bindings):
            # self.body: BinaryIO = open(p) if p else io.BytesIO(): the protocol covers
            # both, and which one the object holds is up to the run
            return None
        return found

    def may_be_in_memory(self, value: Value, depth: int) -> bool:
        """Some alternative of the value (``a if c else b``, ``a or b``) is an in-memory
        stream (``io.BytesIO()``)."""
        pending = [value.expr]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.IfExp):
                pending += [node.body, node.orelse]
            elif isinstance(node, ast.BoolOp):
                pending += node.values
            elif isinstance(node, ast.Call) and self.resolve(
                    node, value.scope, depth + 1) in IN_MEMORY_FILES:
                return True
        return False

    def resolve(self, node: ast.expr, scope: Scope, depth: int = 0) -> Ref | None:
        """What ``node`` evaluates to, as far as it can be known without running it."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            named = self.lookup(node.id, scope, depth)
            if named is None and scope.kind in (ScopeKind.FUNCTION, ScopeKind.COROUTINE):
                return self._reaching(node, scope, depth)
            return named
        if isinstance(node, ast.Attribute):
            value = node.value
            if self.project is not None and isinstance(value, ast.Call) and isinstance(
                    value.func, ast.Name) and value.func.id == "super" and not value.args:
                return members.super_member(self, node.attr, scope, depth)
            base = self.resolve(value, scope, depth + 1)
            if isinstance(base, str):
                # builtins.open is open
                dotted = node.attr if base == "builtins" else f"{base}.{node.attr}"
                known = RETURNS.get(dotted)
                return known if known is not None else self.translate(dotted, depth)
            if isinstance(base, ClassRef):
                return self.member(base, node.attr, depth)
            if isinstance(base, ProjectClass) and self.project is not None:
                return self.project.member(base, node.attr, depth + 1)[1]
            return None
        if isinstance(node, ast.Call):
            func = self.resolve(node.func, scope, depth + 1)
            if isinstance(func, str):
                if func == "pathlib.Path" and node.args and is_pseudo_path(
                        node.args[0], self, scope, depth + 1):
                    return "pathlib.PseudoPath()"  # Path(os.devnull): no disk behind it
                variant = call_variant(
                    func, node, lambda arg: self.resolve(arg, scope, depth + 1))
                if variant is not None:
                    return variant
                if func in _STREAM_WRAPPERS and node.args and not isinstance(
                        node.args[0], ast.Starred) and self.resolve(
                        node.args[0], scope, depth + 1) in IN_MEMORY_FILES:
                    return "io.BytesIO()"  # io.TextIOWrapper(io.BytesIO()): in memory
                called = func + "()"
                return RETURNS.get(called, called)
            if isinstance(func, ClassRef) and not func.instance:
                return ClassRef(func.scope, instance=True)
            if isinstance(func, FunctionRef) and not func.is_async:
                if self.returns_self(func, depth):
                    return members.receiver_instance(self, node.func, scope, depth)
                return self.returned(func, depth)
            if isinstance(func, ProjectClass) and not func.instance:
                return func.as_instance()
            if isinstance(func, ProjectFunction) and self.project is not None and (
                    not func.summary.coroutine):
                if func.summary.returns_self:
                    return members.receiver_instance(self, node.func, scope, depth)
                return self.project.returned(func, depth + 1)
            return None
        if isinstance(node, ast.Await):
            if isinstance(node.value, ast.Call):
                # ``await make_client()`` of this module's ``async def ... -> Client``
                func = self.resolve(node.value.func, scope, depth + 1)
                if isinstance(func, FunctionRef) and func.is_async:
                    if self.returns_self(func, depth):
                        return members.receiver_instance(self, node.value.func, scope, depth)
                    return self.returned(func, depth)
                if isinstance(func, ProjectFunction) and self.project is not None and (
                        func.summary.coroutine):
                    if func.summary.returns_self:
                        return members.receiver_instance(self, node.value.func, scope, depth)
                    return self.project.returned(func, depth + 1)
            if isinstance(node.value, ast.Call):
                offloaded = members.offloaded(self, node.value, scope, depth)
                if offloaded is not None:
                    return offloaded
            # ``await asyncpg.connect()`` is an ``asyncpg.Connection()``
            awaited = self.resolve(node.value, scope, depth + 1)
            return AWAIT_RETURNS.get(awaited) if isinstance(awaited, str) else None
        if isinstance(node, ast.BoolOp):
            # ``session or requests.Session()``: one type whichever operand is taken
            found: Ref | None = None
            for operand in node.values:
                if _is_none(operand):
                    continue
                ref = self.resolve(operand, scope, depth + 1)
                if ref is None or (found is not None and ref != found):
                    return None
                found = ref
            return found
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            # self.clients[key] of a ``dict[str, Client]`` (or a ``list[Client]``)
            return declared_element(self, node.value, scope, depth + 1, values=True)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            # pathlib: Path(...) / "name" is a Path again
            left = self.resolve(node.left, scope, depth + 1)
            if isinstance(left, str) and RETURNS.get(left + "/") is not None:
                return RETURNS[left + "/"]
        return None

    def element(self, node: ast.expr, scope: Scope, depth: int = 0) -> Ref | None:
        """What one element of the iterable ``node`` is (see :func:`~elements.element`)."""
        return element(self, node, scope, depth)

    def mapping_value(self, node: ast.expr, scope: Scope, depth: int = 0) -> Ref | None:
        """One value of the mapping ``node`` is (``clients: dict[str, Client]``)."""
        return declared_element(self, node, scope, depth, values=True)

    def _reaching(self, node: ast.Name, scope: Scope, depth: int) -> Ref | None:
        """A name a function binds several ways, read in that function's own body: the
        binding that reaches the read, when every binding is the function's parameter or
        a plain assignment among the body's top-level statements (``f: int = 7``, later
        ``f: TextIOWrapper = ...``).  Those run in order, so the last one before the
        statement that reads the name is the one it sees; a binding in a branch, a loop,
        a ``with`` or a ``try`` leaves the name unknown, and so does a read in a nested
        function (it runs later)."""
        function = scope.node
        name = node.id
        bindings = scope.bindings.get(name)
        if not bindings or len(bindings) < 2 or name in scope.global_names or not (
                isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))):
            return None
        body = function.body
        statement_of = {id(statement.value): index for index, statement in enumerate(body)
                        if isinstance(statement, (ast.Assign, ast.AnnAssign))
                        and statement.value is not None}
        parameters = parameter_names(function.args)
        placed: list[tuple[int, Binding]] = []
        for position, binding in enumerate(bindings):
            value = binding.value if isinstance(binding, AnnotatedValue) else binding
            if position == 0 and name in parameters:
                placed.append((-1, binding))  # parameters are bound before the body runs
            elif isinstance(value, Value) and value.item is None and (
                    id(value.expr) in statement_of):
                placed.append((statement_of[id(value.expr)], binding))
            else:
                return None
        where = (node.lineno, node.col_offset)
        read_in = next((index for index, statement in enumerate(body)
                        if (statement.lineno, statement.col_offset) <= where <= (
                            statement.end_lineno or statement.lineno,
                            statement.end_col_offset or 0)), None)
        if read_in is None:
            return None
        # an assignment's value is read before its target is bound: x = x.y() sees the
        # binding before it
        before = [(index, binding) for index, binding in placed if index < read_in]
        if not before:
            return None
        return max(before, key=lambda pair: pair[0])[1].resolve(self, depth + 1)

    def member(self, cls: ClassRef, attr: str, depth: int) -> Ref | None:
        """``self.attr`` / ``Cls.attr`` (see :func:`~members.member`)."""
        return members.member(self, cls, attr, depth)

    def is_property(self, func: FunctionRef, depth: int) -> bool:
        """A getter decorated ``@property``/``@functools.cached_property``."""
        return members.is_property(self, func, depth)

    def inherited(self, cls: ClassRef, attr: str) -> Ref | None:
        """What ``attr`` is in the bases of ``cls`` (see :func:`~members.inherited_member`)."""
        return members.inherited_member(self, cls, attr, 0)

    def returned(self, func: FunctionRef, depth: int) -> Ref | None:
        """What a call of this module's sync ``func`` returns (see :func:`~members.returned`)."""
        return members.returned(self, func, depth)

    def returns_self(self, func: FunctionRef, depth: int) -> bool:
        """A method annotated ``-> Self`` (see :func:`~members.returns_self`)."""
        return members.returns_self(self, func, depth)


def is_pseudo_path(node: ast.expr, resolver: Resolver, scope: Scope, depth: int = 0) -> bool:
    """``os.devnull``, ``"/dev/null"``, ``"/proc/self/fd"``, ``f"/proc/{pid}/fd"``,
    ``Path(os.devnull)``: a path the kernel serves from memory, never from a disk."""
    text: str | None = None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            text = first.value  # only a constant prefix is known
            if len(node.values) > 1 and not text.endswith("/"):
                return False
    if text is not None:
        return text in PSEUDO_PATHS or any(
            prefix.endswith("/") and text.startswith(prefix) for prefix in PSEUDO_PATHS)
    if depth > _MAX_DEPTH:
        return False
    if isinstance(node, ast.Name):
        # status = f"/proc/{pid}/status" once, then open(status)
        bindings = resolver.owner(node.id, scope).bindings.get(node.id, ())
        if len(bindings) == 1 and isinstance(bindings[0], Value) and (
                bindings[0].item is None) and isinstance(
                bindings[0].expr, (ast.Constant, ast.JoinedStr, ast.Call, ast.BinOp)):
            return is_pseudo_path(bindings[0].expr, resolver, bindings[0].scope, depth + 1)
    elif isinstance(node, ast.Call) and node.args and not isinstance(
            node.args[0], ast.Starred) and resolver.resolve(
            node.func, scope, depth + 1) == "os.path.join":
        return is_pseudo_path(node.args[0], resolver, scope, depth + 1)
    # depth goes on: ``self.p = Path(self.p)`` must not resolve itself forever
    ref = resolver.resolve(node, scope, depth + 1)
    return ref in ("os.devnull", "os.path.devnull", "pathlib.PseudoPath()")



def call_variant(func: str, call: ast.Call,
                 resolve: Callable[[ast.expr], Ref | None] | None = None) -> str | None:
    """What ``call`` of ``func`` makes when an argument picks a variant, else ``None``.

    ``socket.socket(AF_INET, SOCK_DGRAM)`` is a datagram socket,
    ``sqlite3.connect(":memory:")`` a database in memory and ``httpx.Client(transport=
    httpx.MockTransport(handler))`` a client that answers from memory (see
    ``CALL_VARIANTS``); with ``resolve``, an argument that is a call or a name is
    matched by what it resolves to (``transport=transport``, bound to a MockTransport).
    """
    unbounded = UNBOUNDED_UNLESS_MAXSIZE.get(func)
    if unbounded is not None:
        sizes = [*call.args[:1], *(k.value for k in call.keywords if k.arg == "maxsize")]
        if not sizes or all(
            isinstance(size, ast.Constant) and isinstance(size.value, int) and size.value <= 0
            for size in sizes
        ):
            return unbounded
        return None
    variants = CALL_VARIANTS.get(func)
    if variants is None:
        return None
    for arg in (*call.args, *(keyword.value for keyword in call.keywords)):
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            marker = arg.value
        elif resolve is not None and isinstance(arg, (ast.Call, ast.Name)):
            found = resolve(arg)
            marker = found.removesuffix("()").rpartition(".")[2] if isinstance(
                found, str) else ""
        else:
            marker = (dotted_source(arg) or "").rpartition(".")[2]
        for expected, variant in variants:
            if marker == expected:
                return variant
    return None
