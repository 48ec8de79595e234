"""What an attribute of a class is, and what a function returns: the class body's
bindings and ``self.x = ...``, then the bases in order (this module's, the project's, one
library base), ``super().x``, ``@property`` getters and return annotations (``-> Self``
included).  The :class:`~flake8_asyncio_tasks.resolver.Resolver` asks these functions
for attributes of :class:`~flake8_asyncio_tasks.refs.ClassRef` values and for calls.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Final

from flake8_asyncio_tasks.names import Annotated, Binding, Scope, ScopeKind, SelfParam
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, ProjectClass, Ref
from flake8_asyncio_tasks.tables import RETURNS, UNBOUNDED_UNLESS_MAXSIZE
from flake8_asyncio_tasks.task_tables import TRANSPARENT_DECORATORS

if TYPE_CHECKING:
    from flake8_asyncio_tasks.resolver import Resolver

_MAX_DEPTH: Final = 24
_PROPERTIES: Final = frozenset({"property", "functools.cached_property"})
#: decorators after which a function still returns what its body returns
_RESULT_KEEPING: Final = frozenset({*TRANSPARENT_DECORATORS, *_PROPERTIES})


def _is_instance(ref: Ref | None) -> bool:
    """An instance of a library or project class (``"requests.Session()"``), not a
    function, a class or a module."""
    if isinstance(ref, str):
        return ref.endswith(")")
    return isinstance(ref, (ClassRef, ProjectClass)) and ref.instance


def returned(resolver: Resolver, func: FunctionRef, depth: int) -> Ref | None:
    """An instance of the return annotation of this module's function, if any.

    ``def make_session() -> requests.Session`` makes ``make_session().get`` a
    ``requests.Session().get``; generators and unannotated functions are unknown.
    """
    returns = func.node.returns
    parent = func.scope.parent
    if func.scope.is_generator or parent is None:
        return None
    if returns is None:
        return _inferred_return(resolver, func, parent, depth)
    if parent.kind is ScopeKind.CLASS and _is_self(resolver, returns, parent, depth):
        # def build(cls) -> Self: an instance of the class (of this module)
        return ClassRef(parent, instance=True)
    return Annotated(returns, parent).resolve(resolver, depth + 1)


def _inferred_return(
        resolver: Resolver, func: FunctionRef, parent: Scope, depth: int) -> Ref | None:
    """An unannotated function whose every ``return`` gives an instance of one and
    the same class (``return requests.Session()``, ``return self._client``), and
    whose decorators leave its result alone.  A bare ``return``, a value of unknown
    type or two different types: unknown."""
    values = func.scope.return_values
    if not values or depth > _MAX_DEPTH:
        return None
    memo = func.scope.memo if resolver.project is not None else func.scope.local_memo
    if "\0return" in memo:
        return memo["\0return"]
    memo["\0return"] = None  # a function returning its own call: unknown
    found: Ref | None = None
    for decorator in func.node.decorator_list:
        name = resolver.resolve(decorator.func if isinstance(decorator, ast.Call) else (
            decorator), parent, depth + 1)
        if not isinstance(name, str) or name not in _RESULT_KEEPING:
            return None
    for value in values:
        ref = None if value is None else resolver.resolve(value, func.scope, depth + 1)
        if not _is_instance(ref) or (found is not None and ref != found):
            return None
        found = ref
    memo["\0return"] = found
    return found


def returns_self(resolver: Resolver, func: FunctionRef, depth: int) -> bool:
    """A method annotated ``-> Self``: it returns an instance of the class it is
    looked up on, which may be a subclass of the one defining it."""
    parent = func.scope.parent
    return func.node.returns is not None and parent is not None and (
        parent.kind is ScopeKind.CLASS) and _is_self(resolver, func.node.returns, parent, depth)


def receiver_instance(resolver: Resolver, func: ast.expr, scope: Scope, depth: int) -> Ref | None:
    """``Sub.build()`` / ``sub.build()`` of a ``-> Self`` method: a ``Sub``."""
    if not isinstance(func, ast.Attribute):
        return None
    receiver = resolver.resolve(func.value, scope, depth + 1)
    if isinstance(receiver, ClassRef):
        return ClassRef(receiver.scope, instance=True)
    if isinstance(receiver, ProjectClass):
        return receiver if receiver.instance else receiver.as_instance()
    return None


def _is_self(resolver: Resolver, node: ast.expr, scope: Scope, depth: int) -> bool:
    """``Self`` / ``"Self"`` of ``typing`` or ``typing_extensions``."""
    selves = ("typing.Self", "typing_extensions.Self")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return text.isidentifier() and resolver.lookup(text, scope, depth + 1) in selves
    return isinstance(node, (ast.Name, ast.Attribute)) and resolver.resolve(
        node, scope, depth + 1) in selves


def member(resolver: Resolver, cls: ClassRef, attr: str, depth: int) -> Ref | None:
    """``self.attr`` / ``Cls.attr``: the class body's binding or ``self.attr = ...``,
    else what the base classes give, searched in order (see :meth:`_inherited`)."""
    memo = cls.scope.memo if resolver.project is not None else cls.scope.local_memo
    key = ("\0i" if cls.instance else "\0c") + attr  # never a name the class binds
    if key in memo:
        return memo[key]
    if depth > _MAX_DEPTH:
        return None
    memo[key] = None  # an attribute defined through itself is unknown
    bindings = own_bindings(cls, attr)
    if bindings:
        found = resolver.merge(bindings, depth + 1)
        if found is None:
            found = resolver.declared(bindings, depth + 1)
    else:
        found = inherited_member(resolver, cls, attr, depth + 1)
    if cls.instance and isinstance(found, FunctionRef) and is_property(resolver, found, depth):
        # ``self.session`` of ``@property def session(self) -> Session``
        found = None if found.is_async else returned(resolver, found, depth + 1)
    memo[key] = found
    return found


def is_property(resolver: Resolver, func: FunctionRef, depth: int) -> bool:
    """A getter decorated ``@property``/``@functools.cached_property``."""
    parent = func.scope.parent
    return parent is not None and any(resolver.resolve(
        decorator.func if isinstance(decorator, ast.Call) else decorator, parent,
        depth + 1) in _PROPERTIES for decorator in func.node.decorator_list)


def super_member(resolver: Resolver, attr: str, scope: Scope, depth: int) -> Ref | None:
    """``super().attr`` in a method: ``attr`` from the bases of the enclosing class."""
    function = scope.enclosing_function()
    cls = function.parent
    if function.kind not in (ScopeKind.FUNCTION, ScopeKind.COROUTINE) or (
            cls is None or cls.kind is not ScopeKind.CLASS):
        return None
    first = function.node.args.posonlyargs or function.node.args.args if isinstance(
        function.node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
    if not first:
        return None
    binding = function.bindings.get(first[0].arg)
    if not binding or len(binding) != 1 or not isinstance(binding[0], SelfParam):
        return None
    return inherited_member(resolver, binding[0].ref, attr, depth + 1)


def inherited_member(resolver: Resolver, cls: ClassRef, attr: str, depth: int) -> Ref | None:
    """``attr`` from the bases of ``cls``, left to right, depth first.

    A base of this module that defines ``attr`` (even as something unknown) decides;
    a library base (``models.Model``, ``threading.Thread``) gives its table name
    (``django.db.models.Model().save``); a base that cannot be resolved, or more than
    one library base, makes the answer unknown.
    """
    node = cls.scope.node
    parent = cls.scope.parent
    if not isinstance(node, ast.ClassDef) or parent is None or depth > _MAX_DEPTH:
        return None
    library: list[str] = []
    for base in node.bases:
        if isinstance(base, ast.Subscript):
            base = base.value  # Generic[T], queue.Queue[int]
        ref = resolver.resolve(base, parent, depth + 1)
        if isinstance(ref, ClassRef) and not ref.instance and ref.scope is not cls.scope:
            inherited = ClassRef(ref.scope, cls.instance)
            if own_bindings(inherited, attr):
                # a library base listed first would come first in the MRO
                return None if library else member(resolver, inherited, attr, depth + 1)
            found = inherited_member(resolver, inherited, attr, depth + 1)
            if found is not None or not _only_known_bases(ref.scope):
                return found
        elif isinstance(ref, ProjectClass) and resolver.project is not None:
            decided, what = resolver.project.member(
                ref.as_instance(cls.instance), attr,
                depth + 1)
            if decided:  # defined there (or unknowable there): that decides
                return None if library else what
        elif isinstance(ref, str):
            if ref not in TRANSPARENT_BASES:
                library.append(ref)
        else:
            return None  # a base of unknown kind may define anything
    if len(library) != 1:
        return None
    return library_member(library[0], attr, cls.instance)


def library_member(base: str, attr: str, instance: bool) -> str:
    """``attr`` of a class (or an instance of it) whose one library base is ``base``:
    ``threading.Thread().join`` for ``self.join`` in a ``Thread`` subclass."""
    if instance:
        # a subclass of queue.Queue may have no maxsize: its put() is not known to wait
        made = UNBOUNDED_UNLESS_MAXSIZE.get(base) or RETURNS.get(base + "()", base + "()")
        dotted = f"{made}.{attr}"
    else:
        dotted = f"{base}.{attr}"
    return RETURNS.get(dotted, dotted)


#: bases that add no attribute an asyncio check reads
TRANSPARENT_BASES: Final = frozenset({
    "abc.ABC", "object", "typing.Generic", "typing.Protocol", "typing_extensions.Protocol",
})


def own_bindings(cls: ClassRef, attr: str) -> list[Binding]:
    """The bindings of ``attr`` in the class body (and, for instances, ``self.attr = ``)."""
    bindings = list(cls.scope.bindings.get(attr, ()))
    if cls.instance:
        bindings += cls.scope.attr_bindings.get(attr, ())
    return bindings


def _only_known_bases(scope: Scope) -> bool:
    """The class of ``scope`` has no bases, or only ``object``: nothing else to inherit."""
    node = scope.node
    return isinstance(node, ast.ClassDef) and all(
        isinstance(base, ast.Name) and base.id == "object" for base in node.bases)


def offloaded(resolver: Resolver, call: ast.Call, scope: Scope, depth: int) -> Ref | None:
    """``await asyncio.to_thread(path.open)`` (or ``to_thread(functools.partial(open,
    p))``): what the function run in the thread returns, when the tables know it
    (an open file, here on the loop's side)."""
    if not call.args or isinstance(call.args[0], ast.Starred) or resolver.resolve(
            call.func, scope, depth + 1) != "asyncio.to_thread":
        return None
    target = call.args[0]
    if isinstance(target, ast.Call) and target.args and not isinstance(
            target.args[0], ast.Starred) and resolver.resolve(
            target.func, scope, depth + 1) == "functools.partial":
        target = target.args[0]
    ref = resolver.resolve(target, scope, depth + 1)
    return RETURNS.get(ref + "()") if isinstance(ref, str) else None


def async_only(ref: Ref | None) -> bool:
    """An instance of a class that only ``async with`` can enter: ``__aenter__`` and no
    ``__enter__``, in a class of this module (or, summarized, of the project) with no
    base but ``object`` (a base might define ``__enter__``)."""
    if isinstance(ref, ClassRef) and ref.instance:
        defined = ref.scope.bindings
        node = ref.scope.node
        return "__aenter__" in defined and "__enter__" not in defined and isinstance(
            node, ast.ClassDef) and all(
            isinstance(base, ast.Name) and base.id == "object" for base in node.bases)
    if isinstance(ref, ProjectClass) and ref.instance:
        methods = ref.summary.methods
        return "__aenter__" in methods and "__enter__" not in methods and all(
            base == "object" for base in ref.summary.bases)
    return False
