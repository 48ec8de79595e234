"""Coroutines that run on a loop of their own in a worker thread.

What blocks in them blocks that thread only, never the main loop, so the blocking rules
leave them alone (:func:`~flake8_asyncio_tasks.blocking_findings.check`'s ``in_threads``).
"""

from __future__ import annotations

import ast
from typing import Final

from flake8_asyncio_tasks.blocking import may_be, resolve_candidate
from flake8_asyncio_tasks.names import Imported, Scope, ScopeKind
from flake8_asyncio_tasks.refs import FunctionRef
from flake8_asyncio_tasks.resolver import Resolver
from flake8_asyncio_tasks.syntax import owner
from flake8_asyncio_tasks.task_tables import RUNS_ELSEWHERE
from flake8_asyncio_tasks.visitor import Visitor

_THREAD: Final = frozenset({"Thread"})
_LOOP_STARTERS: Final = frozenset({"run", "run_until_complete"})
#: ``Context.run(func, *args)``: runs ``func`` in that context, in the calling thread
_CONTEXT_RUNS: Final = frozenset({"contextvars.copy_context().run",
                                  "contextvars.Context().run"})
_ELSEWHERE_MODULES: Final = frozenset(name.partition(".")[0] for name in RUNS_ELSEWHERE)


def thread_run_coroutines(visitor: Visitor) -> set[int]:
    """Coroutines that run only on a loop of their own in a worker thread.

    ``threading.Thread(target=asyncio.run, args=(job(),))``, or ``asyncio.run(job())`` /
    ``loop.run_until_complete(job())`` inside a sync function passed as a thread's
    ``target``: when every use of ``job`` in the module is of that kind, what blocks in
    it blocks that thread only, never the main loop.  Returns the coroutines' scope ids.
    """
    resolver = visitor.resolver
    indirect = visitor.indirect_names
    threads = [site for site in visitor.calls
               if may_be(site, _THREAD, indirect)
               and resolver.resolve(site.node.func, site.scope) == "threading.Thread"]
    root = visitor.root
    # class Worker(threading.Thread): def run(self): ... the run() method is a target
    runs = _thread_subclass_runs(root, resolver) if root is not None and (
        "Thread" in indirect or "threading" in visitor.imported_modules) else []
    # run_worker(self.work, thread=True): a coroutine function handed to an API told to
    # run it in a thread (which gives it a loop of its own there)
    handed = [site for site in visitor.calls if _in_a_thread(site.node)]
    elsewhere = not visitor.imported_modules.isdisjoint(_ELSEWHERE_MODULES)
    decorated = [scope for scope in _coroutine_scopes(root)
                 if any(isinstance(d, ast.Call) and _in_a_thread(d) or elsewhere and (
                     _runs_elsewhere(d, scope, resolver)) for d in _decorators(scope))
                 ] if root is not None else []
    if not threads and not runs and not handed and not decorated:
        return set()
    targets: set[int] = {id(scope) for scope in runs}  # sync functions threads run
    thread_run_calls: dict[int, int] = {}  # id(coroutine scope) -> calls run in threads
    for site in handed:
        for arg in (*site.node.args, *(k.value for k in site.node.keywords)):
            if isinstance(arg, (ast.Name, ast.Attribute)):
                ref = resolver.resolve(arg, site.scope)
                if isinstance(ref, FunctionRef) and ref.is_async:
                    key = id(ref.scope)
                    thread_run_calls[key] = thread_run_calls.get(key, 0) + 1
    decorated_ids = {id(scope) for scope in decorated}
    for site in threads:
        node = site.node
        target = next((k.value for k in node.keywords if k.arg == "target"), None)
        if target is None and len(node.args) > 1:
            target = node.args[1]  # Thread(group, target, ...)
        if target is None:
            continue
        ref = resolver.resolve(target, site.scope)
        arguments = _thread_arguments(node)
        if ref in _CONTEXT_RUNS and arguments:
            # target=contextvars.copy_context().run, args=(main, ...): main runs there
            ref = resolver.resolve(arguments[0], site.scope)
            arguments = arguments[1:]
        if isinstance(ref, FunctionRef) and not ref.is_async:
            targets.add(id(ref.scope))
        elif ref == "asyncio.run":
            for arg in arguments:
                _count_coroutine_call(arg, site.scope, resolver, thread_run_calls)
    for site in visitor.calls:
        frame = owner(site.scope)
        if id(frame) not in targets or not site.node.args:
            continue
        if resolve_candidate(site, _LOOP_STARTERS, visitor) is None:
            continue
        ref = resolver.resolve(site.node.func, site.scope)
        if ref == "asyncio.run" or (isinstance(site.node.func, ast.Attribute)
                                    and site.node.func.attr == "run_until_complete"):
            _count_coroutine_call(site.node.args[0], site.scope, resolver, thread_run_calls)
    if not thread_run_calls or root is None:
        return decorated_ids
    loads: dict[int, int] = {}
    methods: dict[str, list[int]] = {}  # method name -> the coroutines of that name
    stack = [root]
    while stack:  # every read of a name that means one of those coroutines
        scope = stack.pop()
        stack.extend(scope.children)
        if id(scope) in thread_run_calls and scope.parent is not None and (
                scope.parent.kind is ScopeKind.CLASS):
            methods.setdefault(scope.name, []).append(id(scope))
        for name, count in scope.loads.items():
            ref = resolver.lookup(name, scope)
            if isinstance(ref, FunctionRef) and id(ref.scope) in thread_run_calls:
                loads[id(ref.scope)] = loads.get(id(ref.scope), 0) + count
    if methods:
        # a method is read as an attribute (self._serve()): count every attribute of
        # its name in the module, whatever the receiver, so that no other use is missed;
        # but self.work in a class that defines its own work() is that class's method
        own = _class_methods(root)
        for part, cls in _attributes(root.node):
            if part.attr not in methods:
                continue
            if cls is not None and isinstance(part.value, ast.Name) and (
                    part.value.id in ("self", "cls")):
                defined = own.get(id(cls), {}).get(part.attr)
                if defined is not None and defined not in thread_run_calls:
                    continue
            for key in methods[part.attr]:
                loads[key] = loads.get(key, 0) + 1
    found = {key for key, calls in thread_run_calls.items() if loads.get(key, 0) == calls}
    return found | decorated_ids


def _thread_subclass_runs(root: Scope, resolver: Resolver) -> list[Scope]:
    """The sync ``run()`` methods of the module's ``threading.Thread`` subclasses."""
    found = []
    for scope in root.children:
        node = scope.node
        if scope.kind is not ScopeKind.CLASS or not isinstance(node, ast.ClassDef) or not any(
                resolver.resolve(base, root) == "threading.Thread" for base in node.bases):
            continue
        found += [child for child in scope.children
                  if child.name == "run" and isinstance(child.node, ast.FunctionDef)]
    return found


def _thread_arguments(call: ast.Call) -> list[ast.expr]:
    """The values of ``args=(...)`` (or the positional ``args``) of a Thread(...) call."""
    given = next((k.value for k in call.keywords if k.arg == "args"), None)
    if given is None and len(call.args) > 3:
        given = call.args[3]  # Thread(group, target, name, args)
    return list(given.elts) if isinstance(given, (ast.Tuple, ast.List)) else []


def _count_coroutine_call(node: ast.expr, scope: Scope, resolver: Resolver,
                          counts: dict[int, int]) -> None:
    """``job(...)`` (or ``self.job(...)``) of this module's coroutine function or method:
    one more use run in a thread."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Name, ast.Attribute)):
        return
    ref = resolver.resolve(node.func, scope)
    if isinstance(ref, FunctionRef) and ref.is_async:
        counts[id(ref.scope)] = counts.get(id(ref.scope), 0) + 1


def _runs_elsewhere(decorator: ast.expr, scope: Scope, resolver: Resolver) -> bool:
    """A decorator that runs the function's source in another interpreter, on that
    interpreter's own loop (pytest-pyodide's ``@run_in_pyodide``: the body runs in a
    browser's WebAssembly Python, whose files are in memory)."""
    func = decorator.func if isinstance(decorator, ast.Call) else decorator
    where = scope.parent or scope
    if resolver.resolve(func, where) in RUNS_ELSEWHERE:
        return True
    if not isinstance(func, ast.Name):
        return False
    # try: from pytest_pyodide import run_in_pyodide / except ImportError: a stand-in
    # that skips the test: either way the body never runs on this process's loop
    bindings = resolver.owner(func.id, where).bindings.get(func.id, ())
    return any(isinstance(binding, Imported) and binding.name in RUNS_ELSEWHERE
               for binding in bindings)


def _in_a_thread(call: ast.Call) -> bool:
    """A call given ``thread=True`` (textual's ``run_worker(work, thread=True)`` and
    ``@work(thread=True)``): what it runs, it runs in a worker thread."""
    return any(k.arg == "thread" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in call.keywords)


def _coroutine_scopes(root: Scope) -> list[Scope]:
    """Every ``async def`` of the module, nested ones included."""
    found, stack = [], [root]
    while stack:
        scope = stack.pop()
        stack.extend(scope.children)
        if scope.kind is ScopeKind.COROUTINE:
            found.append(scope)
    return found


def _decorators(scope: Scope) -> list[ast.expr]:
    node = scope.node
    return node.decorator_list if isinstance(node, ast.AsyncFunctionDef) else []


def _class_methods(root: Scope) -> dict[int, dict[str, int]]:
    """id(class node) -> its methods: name -> id(method scope)."""
    found: dict[int, dict[str, int]] = {}
    stack = [root]
    while stack:
        scope = stack.pop()
        stack.extend(scope.children)
        if scope.kind is ScopeKind.CLASS:
            found[id(scope.node)] = {
                child.name: id(child) for child in scope.children
                if isinstance(child.node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return found


def _attributes(tree: ast.AST) -> list[tuple[ast.Attribute, ast.ClassDef | None]]:
    """Every attribute node of ``tree`` with the innermost class whose body holds it."""
    found: list[tuple[ast.Attribute, ast.ClassDef | None]] = []
    stack: list[tuple[ast.AST, ast.ClassDef | None]] = [(tree, None)]
    while stack:
        node, cls = stack.pop()
        if isinstance(node, ast.Attribute):
            found.append((node, cls))
        inner = node if isinstance(node, ast.ClassDef) else cls
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return found
