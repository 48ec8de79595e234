"""AIO100-AIO108, AIO110: blocking calls made directly inside a coroutine.

A call is checked where it runs: in a coroutine's own frame, including its
comprehensions and generator expressions, but not in a ``def``, ``lambda`` or ``class``
nested in it (that code runs whenever something calls it, often in a thread).
A function passed *uncalled* to ``asyncio.to_thread`` or ``loop.run_in_executor`` is
never a ``Call`` node here, so it is never reported.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Collection
from dataclasses import replace
from typing import Final

from flake8_asyncio_tasks.clients import CLIENT_MODULES, client_method
from flake8_asyncio_tasks.contexts import piped_stdin
from flake8_asyncio_tasks.futures import (
    FUTURE_WAITS,
    PROCESS_WAITS,
    exited_before,
    settled_before,
)
from flake8_asyncio_tasks.given import (
    argument_values,
    flag_values,
    has_star_arguments,
    is_literal,
    timeout_values,
)
from flake8_asyncio_tasks.guards import flag_token, memory_token, zero_token
from flake8_asyncio_tasks.hosts import local_host
from flake8_asyncio_tasks.names import Scope, Value, _is_none
from flake8_asyncio_tasks.refs import ClassRef, FunctionRef, ProjectClass, ProjectFunction, Ref
from flake8_asyncio_tasks.resolver import Resolver, call_variant, is_pseudo_path
from flake8_asyncio_tasks.rules import (
    BLOCKING_HTTP,
    CONFIGURED_BLOCKING,
    LOOP_RUN_IN_COROUTINE,
)
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.streams import descriptor, opened_here, stream_parameter, wraps_descriptor
from flake8_asyncio_tasks.syntax import (
    display_name,
    dotted_source,
    local_match,
    parameter_names,
    spelled,
)
from flake8_asyncio_tasks.tables import (
    ANSWERED_BY_KEYWORD,
    BLOCKING_ANY_METHOD,
    BLOCKING_ANY_MODULES,
    BLOCKING_CALLS,
    BOTO3_STUB_PREFIXES,
    CALL_VARIANTS,
    FILE_OBJECTS,
    FLAGGED_CALLS,
    HOST_LOOKUPS,
    IN_MEMORY_FILES,
    IN_MEMORY_OPENERS,
    IN_MEMORY_VARIANTS,
    LAZY_ITERATORS,
    LOOP_RUN_METHODS,
    NON_BLOCKING_ARGS,
    NON_BLOCKING_FLAGS,
    PATH_FUNCTIONS,
    SLEEPS_BY_ARGUMENT,
    TIMEOUT_ARGS,
    TIMEOUT_ARGS_BY_NAME,
    Blocking,
    spelled_last_names,
)
from flake8_asyncio_tasks.task_tables import LOOP_NAMES, LOOPS
from flake8_asyncio_tasks.visitor import (
    CallSite,
    Visitor,
    receiver_key,
)

#: the last names a built-in blocking call can be written with (synonyms included):
#: any other call is skipped unresolved
_LAST_NAMES: Final = spelled_last_names(frozenset(BLOCKING_CALLS)) | LOOP_RUN_METHODS


def may_be(site: CallSite, names: frozenset[str] | set[str], indirect: set[str],
           any_attribute: bool = False) -> bool:
    """The call may be one of ``names``, judged by the callee's last name alone.

    A plain name also passes when an import or an alias binds it: ``pause()`` after
    ``from time import sleep as pause`` or ``pause = time.sleep`` is ``time.sleep``.
    ``sync_to_async(f)(...)`` passes as ``"sync_to_async()"``; with ``any_attribute``
    every method call passes (a module using a library whose objects block in any
    method).  Every check filters its calls with this before any resolution work.
    """
    last = site.last
    if last is None:
        return False
    # a raised exception's class is never an alias worth resolving (``raise Error()``)
    return last in names or (site.by_name and site.usage != "raise" and (
        last.removesuffix("()") in indirect)) or (
        any_attribute and not site.by_name and not last.endswith("()"))


def resolve_candidate(
    site: CallSite, names: frozenset[str] | set[str], visitor: Visitor,
    any_attribute: bool = False,
) -> tuple[str, Ref | None] | None:
    """``(last name, what the callee resolves to)`` for a call that :func:`may_be` one of
    ``names``; each call is resolved once, whichever check asks first."""
    if not may_be(site, names, visitor.indirect_names, any_attribute):
        return None
    return site.last or "", visitor.resolver.callee(site)


def project_match(ref: ProjectFunction, names: Collection[str]) -> str | None:
    """The entry of ``names`` that names the project function ``ref``: its full dotted
    name (``shop.client.Client.fetch``), or any dotted path ending in its module's last
    name and qualname (``client.Client.fetch``, what a re-export may be called), or a
    dotted prefix of the full name (``shop.client`` allows all of that module)."""
    if not names:
        return None
    full = ref.dotted
    short = f"{ref.module.rpartition('.')[2]}.{ref.summary.qualname}"
    for entry in names:
        if entry == full or entry == short or entry.endswith("." + short) or (
                full.startswith(entry + ".")):
            return entry
    return None


def is_allowed(name: str, settings: Settings) -> bool:
    """``--asyncio-allowed-calls`` lists ``name`` or a dotted prefix of it."""
    allowed = settings.allowed_calls
    if not allowed:
        return False
    while name:
        if name in allowed:
            return True
        name = name.rpartition(".")[0]
    return False


class BlockingCheck:
    """Decides, for one module, whether a call site is a blocking call."""

    def __init__(self, visitor: Visitor) -> None:
        self.visitor = visitor
        self.settings = visitor.settings
        self.resolver = visitor.resolver
        user_names = {name.rpartition(".")[2] for name in self.settings.blocking_calls}
        self.last_names = _LAST_NAMES | user_names
        #: the module uses a library whose objects block in any method (boto3)
        self.any_attribute = not visitor.imported_modules.isdisjoint(
            BLOCKING_ANY_MODULES) or not visitor.imported_modules.isdisjoint(
            CLIENT_MODULES) or any(name.startswith(BOTO3_STUB_PREFIXES)
                                   for name in visitor.imported_modules)

    def classify(self, site: CallSite) -> tuple[str, Blocking] | None:
        """``(name for the message, what it blocks on)`` if the call blocks, else None.

        Leaves alone: names it cannot resolve, allowed calls, calls made non-blocking
        by their arguments (``lock.acquire(blocking=False)``, ``q.get(timeout=0)``,
        ``os.waitpid(pid, os.WNOHANG)``), sockets put in non-blocking mode.
        """
        node = site.node
        func = node.func
        candidate = resolve_candidate(site, self.last_names, self.visitor, self.any_attribute)
        if candidate is None:
            return None
        ref = candidate[1]
        if isinstance(ref, str):
            name = display_name(ref)
            if is_allowed(name, self.settings):
                return None
            entry = BLOCKING_CALLS.get(ref) or _any_method(ref)
            if entry is not None:
                if entry.rule is LOOP_RUN_IN_COROUTINE or not self._non_blocking(site, ref):
                    written = _as_written(entry, func, site.scope, self.resolver)
                    return (spelled(func) if entry.as_written else name), written
                return None
            replacement = self.settings.blocking_calls.get(name)
            if replacement is not None:
                return name, Blocking(CONFIGURED_BLOCKING, replacement)
        if isinstance(ref, FunctionRef) and self.settings.blocking_calls:
            entry_name = local_match(ref, self.settings.blocking_calls, self.visitor.filename)
            if entry_name is not None:
                replacement = self.settings.blocking_calls[entry_name]
                return spelled(func), Blocking(CONFIGURED_BLOCKING, replacement)
        if isinstance(ref, ProjectFunction):
            entry_name = project_match(ref, self.settings.blocking_calls)
            if entry_name is not None and project_match(
                    ref, self.settings.allowed_calls) is None:
                replacement = self.settings.blocking_calls[entry_name]
                return spelled(func), Blocking(CONFIGURED_BLOCKING, replacement)
            return None
        if isinstance(ref, (FunctionRef, ClassRef, ProjectClass)):
            return None  # the project's own function or method of that name
        method = self.resolver.bound_method(func, site.scope)
        if method is not None and method[0].attr in LOOP_RUN_METHODS:
            return self._loop_run(*method, awaited=site.usage == "await")
        return None

    def _loop_run(self, func: ast.Attribute, scope: Scope, awaited: bool = False
                  ) -> tuple[str, Blocking] | None:
        """``loop.run_until_complete()`` on a receiver that is, or is named like, a loop.

        ``func`` is the ``receiver.method`` attribute, also when a local alias of it is
        what the code calls (``run = loop.run_until_complete``; ``run(main())``).  An
        ``await`` of one on a receiver of unknown type is some object's coroutine that
        shares the name (``await supervisor.run_until_complete()``).
        """
        receiver = func.value
        base = self.resolver.resolve(receiver, scope)
        written = dotted_source(receiver)
        if isinstance(base, str):
            if base not in LOOPS:
                return None
        elif base is not None:
            return None
        elif func.attr != "run_until_complete" or awaited:
            # run_forever is a common name (websocket clients...): only on a loop
            if written is None or written.rpartition(".")[2] not in LOOP_NAMES:
                return None
        name = f"{written or spelled(receiver)}.{func.attr}"
        if is_allowed(name, self.settings):
            return None
        if func.attr == "run_forever":  # no coroutine to await: the work is scheduled
            return name, Blocking(LOOP_RUN_IN_COROUTINE, "schedule the work on the loop "
                                  "already running it (asyncio.create_task) instead")
        return name, Blocking(LOOP_RUN_IN_COROUTINE)

    def _non_blocking(self, site: CallSite, ref: str) -> bool:
        """Arguments or surroundings that make this call of a blocking entry return at once.

        Everything is read from the resolved name ``ref``, never from how the callee is
        spelled, so ``lock.acquire(False)``, ``acquire = lock.acquire; acquire(False)``
        and ``from os import waitpid`` get the same answer.
        """
        node = site.node
        method = ref.rpartition(".")[2]
        if has_star_arguments(node) and _is_guarded(ref, method):
            return True  # ``*args``/``**kwargs`` may carry the flag that makes it return
        if method == "get" and (self.visitor.nonempty_queues or self.visitor.empty_waits) and (
                "Queue()" in ref):
            bound = self.resolver.bound_method(node.func, site.scope)
            receiver = dotted_source(bound[0].value) if bound is not None else None
            if receiver is not None and self.visitor.checked_not_empty(receiver, site):
                return True  # while not q.empty(): q.get() finds an item at once
        if method == "shutdown" and ref.endswith("Executor().shutdown") and (
                self._own_executor(site)):
            return True  # pool = ThreadPoolExecutor() here: its work was awaited here
        if ref.startswith("sys.stdin.") and piped_stdin(site):
            return True  # if not sys.stdin.isatty(): sys.stdin.read(): piped data, no user
        if ref.rpartition(".")[0] in FILE_OBJECTS and opened_here(self.resolver, site):
            return True  # f = open(p); f.read(): the open() itself is the finding
        if ref.rpartition(".")[0] in FILE_OBJECTS and method == "write" and len(
                node.args) == 1 and isinstance(node.args[0], ast.Constant) and (
                node.args[0].value in (b"", "")):
            return True  # stream.write(b""): a probe of the stream's kind, no data
        if ref in FUTURE_WAITS and settled_before(site, self.resolver):
            return True  # await asyncio.wrap_future(f) first: f.result() is at hand
        if ref in PROCESS_WAITS and exited_before(site):
            return True  # while p.poll() is None: await asyncio.sleep(0.1); p.wait()
        answered = ANSWERED_BY_KEYWORD.get(ref)
        if answered is not None and any(keyword.arg == answered and not _is_none(
                keyword.value) for keyword in node.keywords):
            return True  # litellm.completion(..., mock_response="hi"): no request
        if ref in SLEEPS_BY_ARGUMENT:
            given = argument_values(node, *SLEEPS_BY_ARGUMENT[ref])
            # no interval, interval=None or 0: it compares with the last call, no sleep
            return not given or all(
                isinstance(value, ast.Constant) and value.value in (None, 0)
                for value in given)
        if ref.startswith("os.wait"):
            # os.WNOHANG, also inside os.WEXITED | os.WNOHANG
            return any(
                isinstance(part, (ast.Name, ast.Attribute))
                and (dotted_source(part) or "").rpartition(".")[2] in NON_BLOCKING_FLAGS
                for arg in node.args
                for part in ast.walk(arg)
            )
        if ref.startswith("socket.socket().") or ref in ("os.read", "os.write"):
            if self.visitor.expects_blocking_io_error(site):
                return True  # try: sock.recv() / except BlockingIOError: non-blocking
            if ref in ("os.read", "os.write") and node.args:
                # what the descriptor is decides: a file or a pipe's read end waits; a
                # descriptor of unknown origin may be a pipe, a socket or a tty
                kind = descriptor(self.resolver, node.args[0], site.scope)
                return kind not in ("file", "pipe-read") or (
                    kind == "pipe-read" and ref == "os.write")
            bound = self.resolver.bound_method(node.func, site.scope)
            if bound is None:
                return False  # os.read(fd, n) / from os import read: a plain function
            attribute, where = bound
            receiver = dotted_source(attribute.value)
            if receiver is None:
                return False
            since = self.visitor.non_blocking.get(receiver_key(receiver, where))
            return since is not None and since <= node.lineno
        if ref in ("open", "io.open") and node.args and wraps_descriptor(self.resolver,
                node.args[0], site.scope):
            return True  # open(w, "wb", closefd=False): like os.fdopen, no disk I/O
        if ref in PATH_FUNCTIONS and node.args and is_pseudo_path(
                node.args[0], self.resolver, site.scope):
            return True  # open(os.devnull), os.listdir("/proc/self/fd"): no disk
        if ref in HOST_LOOKUPS:
            given = argument_values(node, *HOST_LOOKUPS[ref])
            if given and all(local_host(value, site, self.resolver) for value in given):
                return True  # gethostbyname("localhost"), getaddrinfo("127.0.0.1", ...)
        if ref in FLAGGED_CALLS:
            # socket.getaddrinfo(host, port, flags=socket.AI_NUMERICHOST): no lookup
            index, keyword, flags = FLAGGED_CALLS[ref]
            given = argument_values(node, index, keyword)
            return any(
                isinstance(part, (ast.Name, ast.Attribute))
                and (dotted_source(part) or "").rpartition(".")[2] in flags
                for value in given for part in self._flag_parts(value, site.scope))
        if ref in IN_MEMORY_OPENERS:
            if any(keyword.arg == "fileobj" for keyword in node.keywords):
                return True
            values = (*node.args, *(keyword.value for keyword in node.keywords))
            if node.args:
                # zipfile.ZipFile(stream) on an instance of a class of the project: a
                # file-like object of its own (a GridFS stream), not a path to open
                first = self.resolver.resolve(node.args[0], site.scope)
                if isinstance(first, (ClassRef, ProjectClass)) and first.instance:
                    return True
                if isinstance(node.args[0], ast.Name) and self._project_context_value(
                        node.args[0], site.scope):
                    return True
            return any(
                self.resolver.resolve(arg, site.scope) in IN_MEMORY_FILES for arg in values
            )
        if ref in CALL_VARIANTS:
            return call_variant(ref, node) in IN_MEMORY_VARIANTS
        if ref in LAZY_ITERATORS and site.usage == "assign":
            return True  # walker = os.walk(root): consumed later, perhaps in a thread
        if any(is_literal(value, False) for value in flag_values(node, method)):
            return True
        return any(is_literal(value, 0) for value in timeout_values(node, ref, method))

    def _own_executor(self, site: CallSite) -> bool:
        """``pool.shutdown()`` of a ``pool`` the coroutine itself made: the work it gave
        the pool was awaited there (or the pool is idle), so the workers are done."""
        bound = self.resolver.bound_method(site.node.func, site.scope)
        receiver = bound[0].value if bound is not None else None
        function = site.scope.enclosing_function()
        node = function.node
        if not (isinstance(receiver, ast.Name) and isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                receiver.id in function.bindings) and receiver.id not in function.global_names
                and receiver.id not in parameter_names(node.args)):
            return False
        name = receiver.id
        # the pool was handed to the work (run_in_executor(pool, f), asyncify(f,
        # executor=pool)): a pool made and shut down with nothing given is still reported
        return any(isinstance(part, ast.Call) and any(
            isinstance(arg, ast.Name) and arg.id == name
            for arg in (*part.args, *(keyword.value for keyword in part.keywords)))
            for part in ast.walk(node))

    def _project_context_value(self, name: ast.Name, scope: Scope) -> bool:
        """``with compatible_stream(data) as stream:`` of a function of the project: the
        name holds what the project's context manager yields, a stream of its own (a
        file it opens there is reported there)."""
        bindings = self.resolver.owner(name.id, scope).bindings.get(name.id, ())
        only = bindings[0] if len(bindings) == 1 else None
        if not isinstance(only, Value) or only.item is not None or not isinstance(
                only.expr, ast.Call):
            return False
        if not any(expr is only.expr for expr, _, _ in self.visitor.with_items):
            return False
        made = self.resolver.resolve(only.expr.func, only.scope)
        return isinstance(made, (FunctionRef, ProjectFunction))

    def _flag_parts(self, value: ast.expr, scope: Scope, depth: int = 0) -> list[ast.AST]:
        """The nodes of a flags argument, through names bound once to a value
        (``_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV`` at module level)."""
        parts: list[ast.AST] = []
        for part in ast.walk(value):
            parts.append(part)
            if isinstance(part, ast.Name) and depth < 3:
                bindings = self.resolver.owner(part.id, scope).bindings.get(part.id, ())
                only = bindings[0] if len(bindings) == 1 else None
                if isinstance(only, Value) and only.item is None:
                    parts += self._flag_parts(only.expr, only.scope, depth + 1)
        return parts

    def argument_guards(self, site: CallSite) -> frozenset[str]:
        """Guard tokens (see ``guards``) for a blocking call of a sync function whose
        waiting is up to one of that function's parameters: ``q.get(block)`` waits only
        when ``block`` is true, ``select.select(r, w, x, timeout)`` only when ``timeout``
        is not 0; a caller passing ``False`` / ``0`` (or leaving out a parameter whose
        default is that) skips the wait."""
        node = site.node
        ref = self.resolver.callee(site)
        if not isinstance(ref, str) or not (node.args or node.keywords):
            return frozenset()
        method = ref.rpartition(".")[2]
        tokens = {flag_token(value, site.scope) for value in flag_values(node, method)}
        tokens.update(zero_token(value, site.scope)
                      for value in timeout_values(node, ref, method))
        if ref in IN_MEMORY_OPENERS and node.args and not isinstance(node.args[0], ast.Starred):
            tokens.add(memory_token(node.args[0], site.scope))  # ZipFile(source)
        tokens.discard("")
        return frozenset(tokens)

    def nonempty_guard(self, site: CallSite) -> frozenset[str]:
        """``self.queue.get()`` in a method: skipped by a caller that calls the method on
        ``self`` where it knows ``self.queue`` is not empty (``"~self.queue"``)."""
        func = site.node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "get"):
            return frozenset()
        ref = self.resolver.callee(site)
        receiver = dotted_source(func.value)
        if not isinstance(ref, str) or "Queue()" not in ref or receiver is None or (
                not receiver.startswith("self.")):
            return frozenset()
        return frozenset({"~" + receiver})

    def guards_of(self, site: CallSite) -> frozenset[str]:
        """Every guard token of the blocking call ``site`` of a sync function: the
        branches around it and its own flag or timeout arguments."""
        return self.visitor.omitted_guard(site) | self.argument_guards(site) | (
            self.nonempty_guard(site))

    def chain_root(self, site: CallSite, entry: Blocking) -> bool:
        """The blocking call ``site`` (of a sync function) makes its function a blocking
        one, the root of an AIO109 chain.  Not so: a lock taken around a few statements
        (a critical section, not a wait), and a file-object call on the function's own
        stream parameter (whether it blocks is up to each caller's argument), nor a call
        in an arm a constant flag never takes (``if not _IS_SYNC:``)."""
        return not entry.critical_section and not stream_parameter(self.resolver, site) and (
            not self.visitor.in_dead_branch(site.node.lineno))


def _any_method(ref: str) -> Blocking | None:
    """``boto3.client().put_object``: a public method of an object that blocks in all;
    ``openai.OpenAI().chat.completions.create``: an API method of a sync SDK client."""
    found_client = client_method(ref)
    if found_client is not None and found_client[1].sync:
        return _client_blocking(found_client[0], found_client[1].advice)
    receiver, _, method = ref.rpartition(".")
    found = BLOCKING_ANY_METHOD.get(receiver)
    if found is None or method.startswith("_") or method[:1].isupper():
        return None  # private helpers, and sub-resource factories (s3.Bucket(...))
    entry, exceptions = found
    return None if method in exceptions else entry


@functools.cache
def _client_blocking(client: str, advice: str) -> Blocking:
    """The entry for an API call of a sync SDK client (one per client type)."""
    return Blocking(BLOCKING_HTTP, advice, as_written=True)


def _as_written(entry: Blocking, func: ast.expr, scope: Scope,
                resolver: Resolver) -> Blocking:
    """``entry`` with ``{receiver}`` in its advice replaced by the receiver as written;
    ``{receiver=q}`` says what to write for a receiver that is no plain name
    (``executor.submit(fn).result()``: ``wrap_future(future)``)."""
    if "{receiver" not in entry.fix:
        return entry
    method = resolver.bound_method(func, scope)
    receiver = spelled(method[0].value) if method is not None else "..."

    def written(match: re.Match[str]) -> str:
        return match.group(1) if match.group(1) and (
            "(" in receiver or receiver.startswith("...")) else receiver

    return replace(entry, fix=_RECEIVER.sub(written, entry.fix))


_RECEIVER: Final = re.compile(r"\{receiver(?:=(\w+))?\}")


def _is_guarded(ref: str, method: str) -> bool:
    """Some argument of this blocking entry can make it return at once."""
    return (
        method in NON_BLOCKING_ARGS or method in TIMEOUT_ARGS or ref in IN_MEMORY_OPENERS
        or ref in TIMEOUT_ARGS_BY_NAME
        or ref.startswith("os.wait") or ref in FLAGGED_CALLS or ref in SLEEPS_BY_ARGUMENT
    )
