"""Build a :class:`~flake8_asyncio_tasks.summary.ModuleSummary` from one module's walk.

An imported module gets the very walk that checks files (a
:class:`~flake8_asyncio_tasks.visitor.Visitor`, no second analyser), and the checked
file's own functions are summarized from its check's walk by the same code.  The
resolver has no project while a summary is built, so every name in it is what this
module alone says (``"shop.models.Repo()"``), whatever the other modules hold: the
summary is a function of the file's text only.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from types import MappingProxyType
from typing import Final

from flake8_asyncio_tasks.blocking import BlockingCheck
from flake8_asyncio_tasks.call_facts import cached_once, module_constant
from flake8_asyncio_tasks.edges import call_parameters
from flake8_asyncio_tasks.elements import attribute_declaration, attribute_element
from flake8_asyncio_tasks.given import Alternatives, has_star_arguments, skips
from flake8_asyncio_tasks.guards import add_tokens
from flake8_asyncio_tasks.names import Binding, Defined, Scope, ScopeKind, Value
from flake8_asyncio_tasks.probes import probes_running_loop
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, Ref
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.rules import LOOP_RUN_IN_COROUTINE
from flake8_asyncio_tasks.summary import (
    SELF_CALL,
    UNKNOWN,
    ClassSummary,
    FunctionSummary,
    ModuleSummary,
    Passed,
    passed,
)
from flake8_asyncio_tasks.syntax import (
    never_suspends,
    owner,
    parameter_defaults,
    parameter_names,
    qualname,
    returns_nothing,
)
from flake8_asyncio_tasks.task_tables import COROUTINE_DECORATORS
from flake8_asyncio_tasks.tasks import TaskCheck, idle_module_loops, kind_is_task
from flake8_asyncio_tasks.transitive import is_plain, iterated
from flake8_asyncio_tasks.visitor import CallSite, Unresolved, Visitor, decorator_callee

#: calls that show a function checks for a running loop before it starts one
_LOOP_PROBES: Final = frozenset({
    "asyncio.get_running_loop", "asyncio._get_running_loop", "asyncio.get_event_loop",
    "asyncio.events._get_running_loop", "asyncio.events.get_running_loop",
})
#: calls summarized per function at most (call edges beyond are not followed)
_MAX_CALLS: Final = 200


#: value expressions that may resolve to a type (``Repo()``, ``other``, ``mod.x``...)
_TYPED_VALUES: Final = (ast.Call, ast.Name, ast.Attribute, ast.Await, ast.IfExp, ast.BoolOp,
                        ast.BinOp)


def _may_have_type(bindings: list[Binding]) -> bool:
    """Cheap test before resolving an attribute: ``self.x = {}`` or ``= 0`` never gives
    a type; a binding that is not a plain value (an annotation, an import) may."""
    for binding in bindings:
        if isinstance(binding, Value):
            if binding.is_none:
                continue
            if not isinstance(binding.expr, _TYPED_VALUES):
                return False
    return True


def _defaults(node: ast.FunctionDef | ast.AsyncFunctionDef
              ) -> tuple[tuple[str, Passed], ...]:
    """Each defaulted parameter's default: ``("c", value)`` for a constant."""
    return tuple((name, passed(value)) for name, value in parameter_defaults(node.args).items())


def _spawns_argument(call: ast.Call, function: Scope) -> bool:
    """``return asyncio.create_task(coro)`` (or ``fn(*args)``) of a parameter: a task
    factory, whose callers keep the task.  A task of the function's own work
    (``return ensure_future(self._close(wait))``) is a handle its callers may drop."""
    node = function.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    argument = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg in ("coro", "coro_or_future")), None)
    if isinstance(argument, ast.Call):
        argument = argument.func
    return isinstance(argument, ast.Name) and argument.id in parameter_names(node.args)


class _Frame:
    """What the calls of one summarized sync function showed."""

    __slots__ = ("blocks", "calls", "runs_loop", "probes_loop", "aware", "spawns", "guards",
                 "local_calls", "call_guards")

    def __init__(self) -> None:
        self.blocks: tuple[tuple[int, int], str, int] | None = None
        self.calls: list[tuple[str, int, bool]] = []
        self.runs_loop: tuple[str, int] | None = None
        self.probes_loop = False
        #: it tests for a running loop, so whether it blocks there is unknown
        self.aware = False
        self.spawns: str | None = None
        #: the guard tokens of each direct blocking call; None: one runs whatever the
        #: arguments (see ``guards``)
        self.guards: list[frozenset[str]] | None = []
        #: calls of this module's own sync functions: (index in ``calls``, call, callee)
        self.local_calls: list[tuple[int, ast.Call, FunctionRef]] = []
        #: for each of ``calls``: its branch tokens and what it passes (see the summary)
        self.call_guards: list[tuple[frozenset[str], tuple[tuple[str, Passed], ...]]] = []


def summarize(visitor: Visitor, module: str, path: str,
              first_party: Callable[[str], bool]) -> ModuleSummary:
    """The summary of the module ``visitor`` walked; ``first_party(top)`` says whether a
    top-level name is one of the project's packages (calls into those are recorded)."""
    root = visitor.root
    assert root is not None, "summarize() needs a walked module"
    # resolved without the project: the summary says what this module alone says (its
    # own memos and callee caches, so a check of the same walk is not disturbed)
    checking = visitor.resolver
    visitor.resolver = Resolver()
    try:
        return _summarize(visitor, module, path, first_party)
    finally:
        visitor.resolver = checking


def summarize_function(visitor: Visitor, ref: FunctionRef, module: str,
                       first_party: Callable[[str], bool]) -> FunctionSummary | None:
    """The summary entry of one function of the walked module (a module-level function or
    a method of a module-level class), made the way :func:`summarize` makes it, from the
    calls of that function alone; ``None`` for other functions."""
    name = qualname(ref.scope)
    if name is None:
        return None
    checking = visitor.resolver
    visitor.resolver = Resolver()
    try:
        builder = _Builder(visitor, module, first_party, only=ref.scope)
        return builder.function(ref, name)
    finally:
        visitor.resolver = checking


def _summarize(visitor: Visitor, module: str, path: str,
               first_party: Callable[[str], bool]) -> ModuleSummary:
    root = visitor.root
    assert root is not None
    builder = _Builder(visitor, module, first_party)
    functions: dict[str, FunctionSummary] = {}
    classes: dict[str, ClassSummary] = {}
    names: dict[str, str | None] = {}
    for name, bindings in root.bindings.items():
        only = bindings[0] if len(bindings) == 1 else None
        if isinstance(only, Defined) and isinstance(only.ref, FunctionRef):
            functions[name] = builder.function(only.ref, name)
        elif isinstance(only, Defined) and isinstance(only.ref, ClassRef):
            classes[name] = builder.klass(only.ref)
        else:
            names[name] = builder.dotted(visitor.resolver.lookup(name, root))
    return ModuleSummary(
        name=module, path=path, functions=MappingProxyType(functions),
        classes=MappingProxyType(classes), names=MappingProxyType(names),
        star_import=root.has_star_import,
        idle_loops=MappingProxyType(idle_module_loops(visitor)),
        constants=MappingProxyType(_constants(root)))


def _constants(root: Scope) -> dict[str, str | int | float | bool | None]:
    """The module-level names bound once to a literal (see ``ModuleSummary``)."""
    found: dict[str, str | int | float | bool | None] = {}
    for name in root.bindings:
        constant = module_constant(name, root)
        if constant is not None and isinstance(
                constant.value, (str, int, float, bool, type(None))):
            found[name] = constant.value
    return found


class _Builder:
    """Turns one module's scopes and calls into summary entries."""

    def __init__(self, visitor: Visitor, module: str,
                 first_party: Callable[[str], bool], only: Scope | None = None) -> None:
        self.visitor = visitor
        self.only = only  # scan the calls of this function only
        self.resolver = visitor.resolver
        self.module = module
        self.first_party = first_party
        self._frames: dict[int, _Frame] | None = None

    def dotted(self, ref: Ref | None) -> str | None:
        """A resolved value as a dotted name other modules can follow, or ``None``."""
        if isinstance(ref, str):
            return ref
        if isinstance(ref, FunctionRef):
            name = qualname(ref.scope)
            return f"{self.module}.{name}" if name else None
        if isinstance(ref, ClassRef):
            name = qualname(ref.scope)
            if not name:
                return None
            return f"{self.module}.{name}" + ("()" if ref.instance else "")
        return None

    # -- functions -------------------------------------------------------------------
    def function(self, ref: FunctionRef, name: str) -> FunctionSummary:
        plain = is_plain(ref, self.resolver)
        coroutine = ref.is_async and not ref.scope.is_generator and plain
        if not ref.is_async and self._made_async(ref):
            coroutine = True
        returns = None
        if not ref.scope.is_generator and plain and (
                ref.node.returns is not None or ref.scope.return_values):
            returns = self.dotted(self.resolver.returned(ref, 0))
        frame = None if ref.is_async or cached_once(
            ref, self.resolver) else self._frame_of(ref.scope)
        handing = frame is not None and not frame.aware and any(
            tokens or passed for tokens, passed in frame.call_guards)
        blocks = runs_loop = spawns = None
        calls: tuple[tuple[str, int, bool, bool], ...] = ()
        unless_given: Alternatives = ()
        if frame is not None:
            if not frame.aware:
                blocks = (frame.blocks[1], frame.blocks[2]) if frame.blocks else None
                calls = self._calls(frame)
                if blocks is not None and frame.guards:
                    unless_given = tuple(frame.guards)
            runs_loop = None if frame.probes_loop else frame.runs_loop
            spawns = frame.spawns
        return FunctionSummary(
            qualname=name, line=ref.node.lineno, coroutine=coroutine, plain=plain,
            returns=returns, blocks=blocks, calls=calls, spawns=spawns,
            runs_loop=runs_loop, generator=not ref.is_async and ref.scope.is_generator,
            unless_given=unless_given,
            parameters=call_parameters(ref) if unless_given or calls else (),
            call_guards=tuple(frame.call_guards) if frame is not None and handing else (),
            defaults=_defaults(ref.node) if handing else (),
            instant=coroutine and isinstance(ref.node, ast.AsyncFunctionDef) and (
                never_suspends(ref.node)),
            returns_self=plain and self.resolver.returns_self(ref, 0),
            probes_loop=frame is not None and frame.aware,
            returns_nothing=not coroutine and returns_nothing(ref))

    def _calls(self, frame: _Frame) -> tuple[tuple[str, int, bool, bool], ...]:
        """``frame``'s calls, each marked when it skips every direct blocking call of the
        helper of this module it calls (``put_nowait()`` is ``self.put(item,
        block=False)``): only what that helper calls in turn may block then."""
        skipping = set()
        for index, call, callee in frame.local_calls:
            other = self._frame_of(callee.scope)
            if other is not None and other.guards and other.blocks is not None and (
                    not other.aware) and skips(call, call_parameters(callee),
                                               tuple(other.guards)):
                skipping.add(index)
        return tuple((*call, index in skipping) for index, call in enumerate(frame.calls))

    def _passed(self, site: CallSite, function: Scope
                ) -> tuple[frozenset[str], tuple[tuple[str, Passed], ...]]:
        """The branch tokens around ``site`` and what it passes (see ``call_guards``);
        ``f(*args)`` / ``f(**kw)`` passes ``(("*", UNKNOWN),)``: nothing is known."""
        node = site.node
        if has_star_arguments(node):
            return self.visitor.omitted_guard(site), (("*", UNKNOWN),)
        parameters = set()
        if isinstance(function.node, ast.FunctionDef):
            parameters = parameter_names(function.node.args) - set(
                name for name in function.bindings if len(function.bindings[name]) > 1)
        arguments = [(f"#{index}", value) for index, value in enumerate(node.args)]
        arguments += [(keyword.arg, keyword.value) for keyword in node.keywords
                      if keyword.arg is not None]
        handed = tuple(
            (key, ("p", value.id) if isinstance(value, ast.Name) and value.id in parameters
             else passed(_constant_of(value, site.scope))) for key, value in arguments)
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
                func.value.id == "self") and "self" in parameters:
            handed += ((SELF_CALL, UNKNOWN),)  # self.helper(): the same object's state
        return self.visitor.omitted_guard(site), handed

    def _made_async(self, ref: FunctionRef) -> bool:
        decorators = ref.node.decorator_list
        if len(decorators) != 1 or ref.scope.parent is None:
            return False
        made = self.resolver.resolve(decorator_callee(decorators[0]), ref.scope.parent)
        return made in COROUTINE_DECORATORS

    def _frame_of(self, scope: Scope) -> _Frame | None:
        if self._frames is None:
            self._frames = self._scan()
        return self._frames.get(id(scope))

    def _scan(self) -> dict[int, _Frame]:
        """One pass over the module's calls in sync functions: what each one does."""
        visitor = self.visitor
        blocker = BlockingCheck(visitor)
        tasks = TaskCheck(visitor)
        frames: dict[int, _Frame] = {}
        only = self.only
        for site in visitor.calls:
            frame_scope = owner(site.scope)
            if only is not None and frame_scope is not only:
                continue
            if frame_scope.kind is not ScopeKind.FUNCTION or not self._summarized(
                    frame_scope):
                continue
            frame = frames.get(id(frame_scope))
            if frame is None:
                frame = frames[id(frame_scope)] = _Frame()
            self._scan_call(site, frame, blocker, tasks, frame_scope)
        return frames

    def _summarized(self, scope: Scope) -> bool:
        return isinstance(scope.node, ast.FunctionDef) and qualname(scope) is not None

    def _scan_call(self, site: CallSite, frame: _Frame, blocker: BlockingCheck,
                   tasks: TaskCheck, function: Scope) -> None:
        node = site.node
        if probes_running_loop(site, self.visitor):
            frame.aware = True
        # if isinstance(src, str): open(src): whether it blocks is up to the argument
        dispatched = self.visitor.type_dispatched(site)
        found = blocker.classify(site)
        if found is not None and not blocker.chain_root(site, found[1]):
            return
        if found is not None:
            name, entry = found
            if entry.rule is LOOP_RUN_IN_COROUTINE:
                if frame.runs_loop is None:
                    frame.runs_loop = (name, node.lineno)
                return
            position = (node.lineno, node.col_offset)
            if not dispatched and (frame.blocks is None or position < frame.blocks[0]):
                frame.blocks = (position, name, node.lineno)
            if not dispatched:
                frame.guards = add_tokens(frame.guards, blocker.guards_of(site))
            return
        if site.usage == "return":
            kind = tasks.kind(site)
            if kind is not None and kind_is_task(kind[0]) and frame.spawns is None and (
                    _spawns_argument(node, function)):
                frame.spawns = kind[1]
        if len(frame.calls) >= _MAX_CALLS or dispatched:
            return
        if isinstance(site.local_callee, Unresolved) and not (
                self.visitor.may_name_a_definition(node.func, site.scope)) and not (
                site.by_name and site.last in self.visitor.function_names):
            return
        callee = self.resolver.callee(site)
        if isinstance(callee, str):
            if callee in _LOOP_PROBES:
                frame.probes_loop = True
            elif self.first_party(callee.partition(".")[0]):
                frame.calls.append((callee, node.lineno, iterated(site, self.visitor)))
                frame.call_guards.append(self._passed(site, function))
        elif isinstance(callee, FunctionRef) and not callee.is_async:
            target = self.dotted(callee)
            if target is not None:
                frame.local_calls.append((len(frame.calls), node, callee))
                frame.calls.append((target, node.lineno, iterated(site, self.visitor)))
                frame.call_guards.append(self._passed(site, function))

    # -- classes ---------------------------------------------------------------------
    def klass(self, ref: ClassRef) -> ClassSummary:
        scope = ref.scope
        node = scope.node
        assert isinstance(node, ast.ClassDef)
        parent = scope.parent or scope
        bases: list[str | None] = []
        for base in node.bases:
            if isinstance(base, ast.Subscript):
                base = base.value  # Generic[T], queue.Queue[int]
            found = self.resolver.resolve(base, parent)
            bases.append(self.dotted(ClassRef(found.scope, instance=False))
                         if isinstance(found, ClassRef) else self.dotted(found))
        methods: dict[str, FunctionSummary] = {}
        properties: dict[str, str | None] = {}
        class_attributes: dict[str, str | None] = {}
        for name, bindings in scope.bindings.items():
            defined = [b.ref for b in bindings
                       if isinstance(b, Defined) and isinstance(b.ref, FunctionRef)]
            getter = next((f for f in defined if self.resolver.is_property(f, 0)), None)
            if getter is not None:
                properties[name] = self.dotted(self.resolver.returned(getter, 0))
            elif len(bindings) == 1 and defined:
                methods[name] = self.function(defined[0], f"{scope.name}.{name}")
            elif defined:
                class_attributes[name] = None  # overloads, redefinitions: ambiguous
            elif _may_have_type(bindings):
                class_attributes[name] = self.dotted(
                    self.resolver.member(ClassRef(scope, instance=False), name, 0))
            else:
                class_attributes[name] = None
        attributes = dict(class_attributes)
        instance = ClassRef(scope, instance=True)
        for name in scope.attr_bindings:
            if name in methods or name in properties:
                attributes[name] = None  # assigned over a method: unknown
                continue
            if _may_have_type([*scope.bindings.get(name, ()), *scope.attr_bindings[name]]):
                attributes[name] = self.dotted(self.resolver.member(instance, name, 0))
            else:
                attributes[name] = None
        elements: dict[str, tuple[str | None, str | None]] = {}
        for name in attributes:
            if attribute_declaration(instance, name) is None:
                continue
            iterated = self.dotted(attribute_element(self.resolver, instance, name, False))
            indexed = self.dotted(attribute_element(self.resolver, instance, name, True))
            if iterated is not None or indexed is not None:
                elements[name] = (iterated, indexed)
        return ClassSummary(
            name=scope.name, line=node.lineno, bases=tuple(bases),
            methods=MappingProxyType(methods), properties=MappingProxyType(properties),
            attributes=MappingProxyType(attributes),
            class_attributes=MappingProxyType(class_attributes),
            elements=MappingProxyType(elements))


def _constant_of(value: ast.expr, scope: Scope) -> ast.expr:
    """A name bound once at module level to a constant stands for that constant."""
    if isinstance(value, ast.Name):
        constant = module_constant(value.id, scope)
        if constant is not None:
            return constant
    return value
