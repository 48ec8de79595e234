"""Run every check on one module: one walk, then the checks over what it recorded."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from flake8_asyncio_tasks import (
    blocking,
    blocking_findings,
    misuse,
    task_findings,
    tasks,
    threads,
    transitive,
)
from flake8_asyncio_tasks.layout import is_test_file
from flake8_asyncio_tasks.names import Scope
from flake8_asyncio_tasks.project import project_for
from flake8_asyncio_tasks.refs import FunctionRef, ProjectFunction
from flake8_asyncio_tasks.rules import LOOP_RUN_IN_COROUTINE, for_event_loop
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.summarize import summarize, summarize_function
from flake8_asyncio_tasks.summary import FunctionSummary
from flake8_asyncio_tasks.syntax import dotted_source, local_match, parameter_names, spelled
from flake8_asyncio_tasks.tables import ASYNCIO_REPLACED_ON_IMPORT, LOOP_RUN_METHODS
from flake8_asyncio_tasks.task_tables import (
    ASYNC_ANY_METHOD,
    ASYNC_CONTEXT_MANAGERS,
    COROUTINE_DECORATORS,
    LIBRARY_COROUTINES,
    PEER_CODES,
    UNUSED_COROUTINE_CODES,
)
from flake8_asyncio_tasks.visitor import CallSite, Finding, Visitor

#: a module without any of these words cannot produce a finding: skip the walk.
#: Coroutines (``async def``, generator-based ``coroutine``/``gen_test``), tasks and
#: loops; and an import of an async library whose calls make coroutines even in sync
#: code (``import bleak`` then ``client.connect()`` in a plain ``def``).
_WORDS: Final = ("async", "coroutine", "create_task", "ensure_future", "event_loop",
                 "gen_test")
_LIBRARIES: Final = frozenset(
    name.partition(".")[0] for name in (
        *LIBRARY_COROUTINES, *ASYNC_CONTEXT_MANAGERS, *ASYNC_ANY_METHOD,
        *COROUTINE_DECORATORS)
) - {"asyncio"}
#: one pass over the text for the library imports, each at the start of a line (an
#: import in a docstring's example does not count; the anchor keeps the search fast)
_TRIGGER_PATTERN: Final = re.compile(
    r"^[ \t]*(?:import|from)[ \t]+(?:"
    + "|".join(re.escape(name) for name in sorted(_LIBRARIES)) + r")\b", re.MULTILINE)


def may_have_findings(source: str, settings: Settings) -> bool:
    """Cheap text test: does the module mention anything a rule looks for?"""
    if any(word in source for word in _WORDS):
        return True
    if _TRIGGER_PATTERN.search(source) is not None:
        return True
    return any(name.rpartition(".")[2] in source for name in settings.task_factories)


def check_module(
    tree: ast.AST, settings: Settings, filename: str = "", lines: Sequence[str] | None = None
) -> list[Finding]:
    """Every finding for one parsed module, sorted by position."""
    source = "".join(lines) if lines is not None else None
    if source is not None and not may_have_findings(source, settings):
        return []
    project = project_for(filename, settings) if settings.project_analysis else None
    visitor = Visitor(settings, filename, None if project is None else project.location.package)
    visitor.visit(tree)
    if project is not None:
        # a function of this module that returns a task or runs a loop: its summary,
        # from this walk, made only when a coroutine calls it
        index = project

        def summarize_own(ref: FunctionRef) -> FunctionSummary | None:
            return summarize_function(visitor, ref, index.location.module, index.first_party)

        visitor.function_summarizer = summarize_own
        if source is not None and not is_test_file(index.location.file):
            # the file's summary, for the files importing it later in this process: far
            # cheaper now, from this walk, than a second parse then (a test module is
            # seldom imported: one that is gets the same summary from disk then)
            project.store(source, lambda: summarize(
                visitor, index.location.module, index.location.path, index.first_party))
        visitor.resolver.project = project
    blocker = blocking.BlockingCheck(visitor)
    helpers = transitive.TransitiveCheck(visitor, blocker)
    task_check = tasks.TaskCheck(visitor)
    misuses = misuse.MisuseCheck(visitor, task_check)
    # a blocking call written inside to_thread(...) is AIO111, not also AIO1xx
    results, offloaded = misuses.offloaded_results(blocker, helpers)
    # what blocks in a coroutine run only on a worker thread's own loop blocks that thread
    in_threads = threads.thread_run_coroutines(visitor)
    results += blocking_findings.check(visitor, blocker, offloaded, in_threads)
    helper_calls: list[tuple[CallSite, FunctionRef | ProjectFunction]] = []
    doubled: dict[int, frozenset[str]] | None = None  # computed at the first helper call
    swapped: dict[tuple[int, int], frozenset[str]] = {}
    for site in visitor.calls:
        coroutine = site.scope.coroutine
        if coroutine is not None and id(site.node) not in offloaded and (
                id(coroutine) not in in_threads):
            ref: FunctionRef | ProjectFunction | None = transitive.local_function(
                site, visitor, constructors=True)
            if ref is None:
                ref = transitive.project_function(site, visitor, constructors=True)
            if ref is None:
                continue
            runs = _runs_loop(ref, visitor)
            if runs is not None and site.usage != "await" and not _allowed(ref, visitor):
                if doubled is None:
                    doubled = _patching_tests(visitor)
                if not _LOOP_RUNNERS.isdisjoint(doubled.get(id(coroutine), ())):
                    continue  # monkeypatch.setattr(server.asyncio, "run", Mock()): a double
                results.append(_wrapper_runs_loop(site, ref, runs))
            elif _lazy(ref) and not transitive.iterated(site, visitor):
                continue  # rows() of a generator function: nothing of it runs yet
            elif isinstance(ref, ProjectFunction) and not ref.summary.coroutine or (
                    isinstance(ref, FunctionRef) and not ref.is_async):
                if doubled is None:
                    doubled = _patching_tests(visitor)
                if doubled:
                    patched = doubled.get(id(coroutine), frozenset()) | (doubled.get(
                        id(ref.scope), frozenset()) if isinstance(ref, FunctionRef)
                        else frozenset())
                    if patched:
                        swapped[(site.node.lineno, site.node.col_offset)] = patched
                helper_calls.append((site, ref))
    chains = list(helpers.check(helper_calls))
    if swapped:
        chains = [f for f in chains if not _reaches_double(f, swapped)]
    results += chains
    results += task_findings.check(visitor, task_check)
    results += misuses.check()
    results += misuses.sync_withs()
    # the arm of ``if _IS_SYNC:`` that a module-level ``_IS_SYNC = False`` never takes
    results = [f for f in results if not visitor.in_dead_branch(f.line)]
    if any(f.text.startswith("AIO1") for f in results):
        # the fallback for Pythons without asyncio.to_thread (``if hasattr(asyncio,
        # "to_thread"): return await asyncio.to_thread(build)`` then ``return build()``):
        # code that only Pythons nobody supports any more run
        results = [f for f in results if not (f.text.startswith("AIO1") and (
            visitor.in_legacy_branch(f.line, _UNSUPPORTED)))]
    if results and visitor.expecting_blocks:
        # with pytest.raises(RuntimeError): loop.run_forever(): a test of the failure
        # (the loop and task rules; a blocking call still blocks there)
        results = [f for f in results if not (
            f.text.startswith(("AIO110", "AIO2", "AIO3")) and visitor.expects_failure(
                f.line, warning=f.text.startswith("AIO3")))]
    if any(f.text.startswith("AIO302") for f in results):
        ignored = _ignoring_deprecations(visitor)
        if ignored:  # @pytest.mark.filterwarnings("ignore::DeprecationWarning"): on purpose
            results = [f for f in results if not (f.text.startswith("AIO302") and any(
                first <= f.line <= last for first, last in ignored))]
    if lines is not None and results and any(
            f.text.startswith(("AIO300", "AIO302")) for f in results):
        replaced = _replaced_asyncio(visitor)
        if replaced:  # asyncio.get_event_loop_policy = _shim: the calls reach the shim
            results = [f for f in results if not _reaches_shim(f, replaced, lines)]
    if results and _steps_own_coroutines(visitor):
        results = [f for f in results if not f.text.startswith("AIO1")]
    if lines is not None:
        results = [f for f in results if not _marked_by_another_tool(f, lines)]
    library = _other_event_loop(visitor)
    if library is not None:  # advice for the loop the module runs on
        results = [replace(f, text=for_event_loop(f.text, library)) for f in results]
    results.sort(key=lambda f: (f.line, f.col, f.text))
    # hash_file(a) == hash_file(b): one chain, told once per line
    told: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    for finding in results:
        if finding.text.startswith("AIO109"):
            if (finding.line, finding.text) in told:
                continue
            told.add((finding.line, finding.text))
        kept.append(finding)
    results = kept
    visitor.release()
    return results


def _ignoring_deprecations(visitor: Visitor) -> list[tuple[int, int]]:
    """(first line, last line) of the test functions (and classes) decorated
    ``@pytest.mark.filterwarnings("ignore::DeprecationWarning")`` (or ``"ignore:<text>:
    DeprecationWarning"``): the test uses the deprecated API on purpose."""
    found: list[tuple[int, int]] = []
    stack = [visitor.root] if visitor.root is not None else []
    while stack:  # the scopes the walk made, not the tree again
        scope = stack.pop()
        stack.extend(scope.children)
        node = scope.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute) and (
                    decorator.func.attr == "filterwarnings") and any(
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    and arg.value.startswith("ignore:")
                    and "DeprecationWarning" in arg.value for arg in decorator.args):
                found.append((node.lineno, node.end_lineno or node.lineno))
    return found


#: branches that only Pythons older than 3.10 take: 3.9, the newest Python no longer
#: supported, reached its end of life in October 2025
_UNSUPPORTED: Final = (3, 10)
_NOQA: Final = re.compile(r"#\s*noqa\s*:\s*([A-Z][A-Z0-9]*\d(?:[\s,]+[A-Z][A-Z0-9]*\d)*)",
                          re.IGNORECASE)
_IGNORE: Final = re.compile(r"#\s*(?:type|pyright)\s*:\s*ignore\[([^\]]*)\]")


def _marked_by_another_tool(finding: Finding, lines: Sequence[str]) -> bool:
    """The reported line carries another tool's marker for the same bug: a
    ``# noqa: ASYNC251`` / ``RUF006`` (see ``PEER_CODES``) or a type checker's ignore of
    an unused coroutine (AIO202)."""
    if not 0 < finding.line <= len(lines):
        return False
    line = lines[finding.line - 1]
    if "#" not in line:
        return False
    code = finding.text.partition(" ")[0]
    for match in _NOQA.finditer(line):
        if any(code in PEER_CODES.get(peer.upper(), ())
               for peer in re.split(r"[\s,]+", match.group(1))):
            return True
    if code == "AIO202":
        for match in _IGNORE.finditer(line):
            if not UNUSED_COROUTINE_CODES.isdisjoint(
                    part.strip() for part in match.group(1).split(",")):
                return True
    return False


def _reaches_shim(finding: Finding, replaced: set[str], lines: Sequence[str]) -> bool:
    """An AIO300/AIO302 finding of a replaced function, called as written through the
    module (``asyncio.get_event_loop_policy()`` on its line): the shim.  An alias taken
    before the module was patched (``_orig = asyncio.get_event_loop_policy``) is still
    asyncio's own, and so is ``AIO301``'s advice inside a coroutine."""
    if not finding.text.startswith(("AIO300", "AIO302")) or not 0 < finding.line <= len(
            lines):
        return False
    name = finding.text.split(" ", 2)[1].removesuffix("()")
    return name in replaced and f"{name}(" in lines[finding.line - 1]


def _replaced_asyncio(visitor: Visitor) -> set[str]:
    """The asyncio functions the module replaces at module level (``asyncio.get_event_loop
    = _new_loop_get``, ``setattr(asyncio, "get_event_loop", ...)``) or that a library it
    imports replaces on import (``trio_asyncio``)."""
    replaced = {name for module, names in ASYNCIO_REPLACED_ON_IMPORT.items()
                if module in visitor.imported_modules for name in names}
    root = visitor.root
    if root is None or not isinstance(root.node, ast.Module):
        return replaced
    for statement in root.node.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) and (
                isinstance(statement.value.func, ast.Name)
                and statement.value.func.id == "setattr" and len(statement.value.args) == 3):
            owner, name = statement.value.args[:2]
            if isinstance(name, ast.Constant) and isinstance(name.value, str) and (
                    visitor.resolver.resolve(owner, root) == "asyncio"):
                replaced.add(f"asyncio.{name.value}")
        for target in targets:
            if isinstance(target, ast.Attribute) and visitor.resolver.resolve(
                    target.value, root) == "asyncio":
                replaced.add(f"asyncio.{target.attr}")
    return replaced


#: the libraries whose event loops run coroutines
_LOOP_LIBRARIES: Final = frozenset({"asyncio", "anyio", "trio", "curio", "uvloop", "tornado",
                                    "twisted", "gevent", "trio_asyncio"})


def _steps_own_coroutines(visitor: Visitor) -> bool:
    """The module runs its coroutines without an event loop: it imports none, and a
    function of it steps the coroutine it is given (``def _iter_coroutine(coro):
    coro.send(None)``; gel's blocking client).  ``async def`` is syntax there, sharing
    code with the async client; nothing it calls blocks a loop."""
    if not _LOOP_LIBRARIES.isdisjoint(visitor.imported_modules):
        return False
    for site in visitor.calls:
        func = site.node.func
        if isinstance(func, ast.Attribute) and func.attr == "send" and isinstance(
                func.value, ast.Name) and len(site.node.args) == 1 and isinstance(
                site.node.args[0], ast.Constant) and site.node.args[0].value is None:
            function = site.scope.enclosing_function().node
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    func.value.id in parameter_names(function.args)):
                return True
    return False


#: calls (as written) that replace what code under test calls with a test double
_PATCHERS: Final = frozenset({
    "monkeypatch.setattr", "monkeypatch.setitem", "patch", "patch.object", "patch.dict",
    "patch.multiple", "mock.patch", "mock.patch.object", "mock.patch.dict",
    "mock.patch.multiple", "unittest.mock.patch", "unittest.mock.patch.object",
    "mocker.patch", "mocker.patch.object", "mocker.patch.dict", "mocker.patch.multiple",
})


#: what a test patches to stop a wrapper from running a loop (AIO110)
_LOOP_RUNNERS: Final = frozenset({"run", *LOOP_RUN_METHODS})


def _patching_tests(visitor: Visitor) -> dict[int, frozenset[str]]:
    """In a test module, the function scopes that patch something, each with the names
    the patches name (``monkeypatch.setattr(httpx.Client, "post", fake)`` names
    ``post``; ``@patch("app.store.save")``, ``with mock.patch.object(Store, "save"):``,
    ``mocker.patch(...)`` alike).  Read from the call sites the walk recorded, and the
    decorators of the functions, not by walking bodies again."""
    if not is_test_file(visitor.filename) or visitor.root is None:
        return {}
    found: dict[int, set[str]] = {}
    resolver = visitor.resolver
    for site in visitor.calls:
        written = dotted_source(site.node.func)
        if written in _PATCHERS:
            names = _replaced(site.node) - {""}
            if names:
                found.setdefault(id(site.scope.enclosing_function()), set()).update(names)
        elif written is not None and written.rpartition(".")[2] == "MockTransport" and (
                resolver.callee(site) in _MOCK_TRANSPORTS):
            # httpx.MockTransport(handler): the test's HTTP is answered in memory
            found.setdefault(id(site.scope.enclosing_function()), set()).update(_HTTP_ROOTS)
    stack = [visitor.root]
    while stack:
        scope = stack.pop()
        stack.extend(scope.children)
        node = scope.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:  # @patch("requests.post")
                if isinstance(decorator, ast.Call) and dotted_source(
                        decorator.func) in _PATCHERS:
                    found.setdefault(id(scope), set()).update(_replaced(decorator) - {""})
            if _replays_http(node, scope, visitor):
                found.setdefault(id(scope), set()).update(_HTTP_ROOTS)
    return {key: frozenset(names) for key, names in found.items() if names}


def _replays_http(node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope,
                  visitor: Visitor) -> bool:
    """A test whose HTTP goes to a recording or a stub: marked ``@pytest.mark.vcr``,
    decorated ``@vcr.use_cassette(...)``, ``@responses.activate``, ``@respx.mock``, or
    given the ``httpx_mock``/``requests_mock``/``respx_mock`` fixture."""
    parent = scope.parent or scope
    for decorator in node.decorator_list:
        callee = decorator.func if isinstance(decorator, ast.Call) else decorator
        written = dotted_source(callee)
        if written is None or written.rpartition(".")[2] not in _RECORDER_NAMES:
            continue
        resolved = visitor.resolver.resolve(callee, parent)
        if isinstance(resolved, str) and (resolved in _HTTP_RECORDERS or (
                resolved.startswith("vcr.") and resolved.endswith("use_cassette"))):
            return True
    return not _HTTP_FIXTURES.isdisjoint(parameter_names(node.args))


#: what a test double for HTTP stands in for: the hops of a chain into these libraries
_HTTP_ROOTS: Final = frozenset({"httpx", "httpx2", "requests", "urllib3", "urllib", "http"})
_MOCK_TRANSPORTS: Final = frozenset({"httpx.MockTransport", "httpx2.MockTransport"})
#: decorators that replay or stub a test's HTTP (pytest-recording, vcrpy, responses, respx)
_HTTP_RECORDERS: Final = frozenset({
    "pytest.mark.vcr", "pytest.mark.default_cassette", "vcr.use_cassette",
    "responses.activate", "respx.mock",
})
_RECORDER_NAMES: Final = frozenset(name.rpartition(".")[2] for name in _HTTP_RECORDERS)
#: fixtures that stub HTTP for the test that takes them (pytest-httpx, requests-mock, respx)
_HTTP_FIXTURES: Final = frozenset({"httpx_mock", "requests_mock", "respx_mock"})


def _replaced(call: ast.Call) -> set[str]:
    """The name a patch replaces: the last part of a target string
    (``patch("requests.post")``, ``monkeypatch.setattr("app.store.save", fake)``), or
    the attribute named next to an object (``setattr(httpx.Client, "post", fake)``,
    ``patch.object(Store, "save")``)."""
    strings = [argument.value for argument in call.args[:2]
               if isinstance(argument, ast.Constant) and isinstance(argument.value, str)]
    if not strings:
        return set()
    if call.args and isinstance(call.args[0], ast.Constant):
        return {strings[0].rpartition(".")[2]}  # a dotted target
    return {strings[0]}  # (object, "attribute")


def _reaches_double(finding: Finding, swapped: dict[tuple[int, int], frozenset[str]]
                    ) -> bool:
    """An AIO109 chain of a test that patches a name one of its hops calls: it reaches
    the test double as often as the real call, so it is not reported (a test patching
    ``requests.post`` then calling ``export()`` that posts)."""
    patched = swapped.get((finding.line, finding.col))
    if not patched:
        return False
    chain = finding.text.partition("': ")[2].rpartition("; use ")[0]
    called = {part for hop in _HOP.findall(chain) for part in hop.split(".")}
    return not patched.isdisjoint(called)


#: a hop of a chain, as the message spells it: ``cookiejar.CookieJar.load()``
_HOP: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(\)")


def _other_event_loop(visitor: Visitor) -> str | None:
    """``"anyio"`` / ``"trio"`` for a module that imports it and not asyncio."""
    imported = visitor.imported_modules
    if "asyncio" in imported:
        return None
    return "anyio" if "anyio" in imported else "trio" if "trio" in imported else None


def _lazy(ref: FunctionRef | ProjectFunction) -> bool:
    """A sync generator function: its call only makes the generator."""
    if isinstance(ref, ProjectFunction):
        return ref.summary.generator
    return not ref.is_async and ref.scope.is_generator


def _allowed(ref: FunctionRef | ProjectFunction, visitor: Visitor) -> bool:
    """``--asyncio-allowed-calls`` names this helper."""
    allowed = visitor.settings.allowed_calls
    if isinstance(ref, ProjectFunction):
        return blocking.project_match(ref, allowed) is not None
    return local_match(ref, allowed, visitor.filename) is not None


def _runs_loop(ref: FunctionRef | ProjectFunction, visitor: Visitor) -> str | None:
    """``def run_sync(coro): return asyncio.run(coro)``: where the helper runs a loop."""
    summary: FunctionSummary | None
    if isinstance(ref, ProjectFunction):
        summary, path = ref.summary, ref.path
    else:
        if ref.is_async:
            return None
        summary = visitor.own_function(ref)
        path = ""
    if summary is None or summary.runs_loop is None or summary.coroutine:
        return None
    call, line = summary.runs_loop
    return f"{call}() ({path}:{line})" if path else f"{call}() (line {line})"


def _wrapper_runs_loop(site: CallSite, ref: FunctionRef | ProjectFunction,
                       runs: str) -> Finding:
    """AIO110 at a call of a helper that starts an event loop itself."""
    written = dotted_source(site.node.func) or spelled(site.node.func)
    coroutine = site.scope.coroutine
    text = LOOP_RUN_IN_COROUTINE.format(
        call=written, coro=coroutine.name if coroutine is not None else "?",
        fix=f"it calls {runs}, which fails while this loop runs; await the coroutine "
        "instead")
    return Finding(site.node.lineno, site.node.col_offset, text)
