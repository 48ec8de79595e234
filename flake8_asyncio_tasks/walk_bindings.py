"""The walk's bindings: scopes (module, def, lambda, class, comprehension) and every
statement that binds a name (imports, assignments, loops, ``with``, ``global``...)."""

from __future__ import annotations

import ast
import sys
from typing import Final

from flake8_asyncio_tasks.layout import is_test_file
from flake8_asyncio_tasks.names import (
    OPAQUE,
    Annotated,
    Defined,
    Imported,
    Known,
    Scope,
    ScopeKind,
    SelfParam,
)
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef
from flake8_asyncio_tasks.syntax import dotted_source, parameter_defaults
from flake8_asyncio_tasks.tables import BLOCKING_CALLS, RETURNS
from flake8_asyncio_tasks.walk import (
    decorator_callee,
)
from flake8_asyncio_tasks.walk_targets import TargetWalk, console_default

#: pytest's fixtures whose type is fixed, by parameter name (in test modules only)
PYTEST_FIXTURES: Final = {"tmp_path": "pathlib.Path()"}


#: decorators (as written) that make a generator a coroutine running on the loop
GENERATOR_COROUTINES: Final = frozenset({
    "asyncio.coroutine", "gen.coroutine", "gen_test", "testing.gen_test",
    "tornado.gen.coroutine", "tornado.testing.gen_test", "types.coroutine",
})

#: last names of the mock patchers (``patch``, ``patch.object``...): see
#: ``Visitor.patched``
_PATCHERS: Final = frozenset({"dict", "multiple", "object", "patch"})
#: context managers of tests that expect the body to raise or warn, by last name
_EXPECTING: Final = frozenset({"assertRaises", "assertRaisesRegex", "assertWarns",
                               "assertWarnsRegex", "deprecated_call", "raises", "warns"})
#: top-level modules that are libraries: the standard library and those the tables name
#: (a project of that name, checked from inside, is still its own first party)
LIBRARY_TOPS: Final = frozenset(sys.stdlib_module_names) | frozenset(
    name.partition(".")[0] for table in (BLOCKING_CALLS, RETURNS) for name in table)


class BindingWalk(TargetWalk):
    """Handlers for scopes and bindings."""

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
        for default in outer[len(node.decorator_list):]:
            if type(default) is ast.Call:  # def f(loop=get_event_loop()): runs at def
                self.default_calls.add(id(default))
        outer += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
                  if a.annotation is not None]
        if node.returns is not None:
            outer.append(node.returns)
        self._push(node.body, inner)
        self._push(outer, scope)

    def _bind_arguments(self, args: ast.arguments, inner: Scope, scope: Scope,
                        decorators: list[str | None]) -> None:
        positional = [*args.posonlyargs, *args.args]
        defaults = parameter_defaults(args)
        first = positional[0].arg if positional else None
        if scope.kind is ScopeKind.CLASS and first and "staticmethod" not in decorators:
            cls_method = "classmethod" in decorators
            inner.bind(first, SelfParam(ClassRef(scope, instance=not cls_method)))
            positional = positional[1:]
        fixtures = is_test_file(self.filename)
        for arg in (*positional, *args.kwonlyargs):
            if arg.annotation is not None and not console_default(defaults.get(arg.arg)):
                inner.bind(arg.arg, Annotated(arg.annotation, scope))
            elif fixtures and arg.arg in PYTEST_FIXTURES and arg.arg not in defaults:
                inner.bind(arg.arg, Known(PYTEST_FIXTURES[arg.arg]))
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
                self._mark(iterable, "iterate", scope if index == 0 else inner)
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

    def _match_capture(self, node: ast.MatchAs | ast.MatchStar | ast.MatchMapping,
                       scope: Scope) -> None:
        name = node.rest if isinstance(node, ast.MatchMapping) else node.name
        if name:
            scope.bind(name, OPAQUE)
        self._generic(node, scope)

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
        top = module.partition(".")[0]
        self.imported_modules.add(top)
        for alias in node.names:
            if alias.name == "*":
                scope.module.has_star_import = True
                continue
            local = alias.asname or alias.name
            # a library's name imported as itself is a table entry only under its own
            # name (the tables list libraries' re-exports); a renamed one, or one of the
            # project's modules (``pause = time.sleep`` there), may be any entry
            library = not node.level and top in LIBRARY_TOPS and (
                not self.package or top != self.package[0])
            (self.from_imported if library and not alias.asname else self.indirect_names).add(
                local)
            scope.bind(local, Imported(f"{module}.{alias.name}"))

    def _with(self, node: ast.With | ast.AsyncWith, scope: Scope) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, scope, item.context_expr)
            if isinstance(node, ast.With):
                self.with_items.append((item.context_expr, scope, node))
                context = item.context_expr
                if isinstance(context, ast.Call) and node.body and (
                        dotted_source(context.func) or "").rpartition(".")[2] in _PATCHERS:
                    last = node.body[-1]
                    self.patched_blocks.append((context.func, scope, node.body[0].lineno,
                                                getattr(last, "end_lineno", None)
                                                or last.lineno))
                if isinstance(context, ast.Call) and node.body and isinstance(
                        context.func, (ast.Name, ast.Attribute)) and (
                        context.func.id if isinstance(context.func, ast.Name)
                        else context.func.attr) in _EXPECTING:
                    # with pytest.raises(RuntimeError): loop.run_forever(): a test that
                    # the call fails (or warns); decided when a finding is there
                    last = node.body[-1]
                    self.expecting_blocks.append((context.func, scope, node.body[0].lineno,
                                                  getattr(last, "end_lineno", None)
                                                  or last.lineno))
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
        if node.body:
            names = {
                (dotted_source(name) or "").rpartition(".")[2]
                for handler in node.handlers if handler.type is not None
                for name in (handler.type.elts if isinstance(handler.type, ast.Tuple)
                             else [handler.type])
            }
            caught = names & _TRACKED_EXCEPTIONS
            if names & _BROAD_EXCEPTIONS or any(h.type is None for h in node.handlers):
                caught.add("RuntimeError")  # except Exception: catches it too
            last = node.body[-1]
            for exception in sorted(caught):
                self.catching_tries.append((
                    id(scope.enclosing_function()), node.body[0].lineno,
                    getattr(last, "end_lineno", None) or last.lineno, exception,
                ))
        self._generic(node, scope)

    def _yield(self, node: ast.Yield | ast.YieldFrom, scope: Scope) -> None:
        scope.enclosing_function().is_generator = True
        if isinstance(node, ast.YieldFrom):
            # yield from rows(): runs rows(); in a generator-based coroutine
            # (@asyncio.coroutine), yield from coro() awaits it: no TypeError either way
            self._mark(node.value, "yield-from", scope)
        if node.value is not None:
            self._stack.append((node.value, scope))

    def _except_handler(self, node: ast.ExceptHandler, scope: Scope) -> None:
        if node.name:
            scope.bind(node.name, OPAQUE)
        self._generic(node, scope)


#: exceptions whose ``try`` bodies the checks ask about: ``except BlockingIOError``
#: (non-blocking I/O on purpose), ``except RuntimeError`` (``get_running_loop()``
#: raises it when no loop runs: a probe)
_TRACKED_EXCEPTIONS: Final = frozenset({"BlockingIOError", "RuntimeError"})
#: handlers that catch a RuntimeError too (a bare ``except:`` as well); not a sign of
#: non-blocking I/O, so not counted for BlockingIOError
_BROAD_EXCEPTIONS: Final = frozenset({"Exception", "BaseException"})
