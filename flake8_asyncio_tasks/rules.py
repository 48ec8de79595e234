"""The rule registry: the one place where codes, names and messages are written.

The visitor, the docs check, the README table, the ``explain`` command and the tests
all read :data:`ALL_RULES`.  Checks hold :class:`Rule` objects, never code strings, so a
typo is an ``ImportError`` instead of a silent miss.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its code, short name, one-line summary and message template."""

    code: str
    name: str
    summary: str
    message: str
    fix: str = ""
    default_enabled: bool = True

    def format(self, **fields: object) -> str:
        """Return ``"<code> <message>"`` with ``fields`` filled in.

        ``fix`` defaults to the rule's own advice, itself filled from ``fields``.
        """
        if "fix" not in fields:
            fields["fix"] = self.fix.format(**fields)
        return f"{self.code} {self.message.format(**fields)}"


_BLOCKING = "blocking call {call}() in coroutine '{coro}'; use {fix}"


def with_note(text: str, call: str, note: str) -> str:
    """A finding's ``text`` with ``(note)`` right after the ``call()`` it names:
    ``... threading.Lock.acquire() (entering `with lock:`) in coroutine ...``."""
    return text.replace(f"{call}() ", f"{call}() ({note}) ", 1)


#: the advice of AIO100-AIO108 in a module that runs on trio or anyio, not asyncio
#: (``None``: any other code of the family)
_OTHER_LOOP_ADVICE: Final[Mapping[str, Mapping[str | None, str]]] = {
    "trio": {
        "AIO100": "await trio.sleep()",
        "AIO102": "await trio.run_process()",
        "AIO103": "trio.Path or trio.open_file(), or await trio.to_thread.run_sync()",
        "AIO104": "trio.open_tcp_stream() / trio.socket, or await trio.to_thread.run_sync()",
        None: "an async equivalent, or await trio.to_thread.run_sync()",
    },
    "anyio": {
        "AIO100": "await anyio.sleep()",
        "AIO102": "await anyio.run_process()",
        "AIO103": "anyio.Path or anyio.open_file(), or await anyio.to_thread.run_sync()",
        "AIO104": "anyio.connect_tcp() / anyio.getaddrinfo(), or await "
                  "anyio.to_thread.run_sync()",
        None: "an async equivalent, or await anyio.to_thread.run_sync()",
    },
}


def for_event_loop(text: str, library: str) -> str:
    """A finding's ``text`` with advice for a module written for ``library`` (``trio``
    or ``anyio``) rather than asyncio: ``await trio.sleep()``, not
    ``await asyncio.sleep()``."""
    advice = _OTHER_LOOP_ADVICE.get(library)
    code = text.partition(" ")[0]
    if advice is None:
        return text
    if code == "AIO109":
        return text.replace("asyncio.to_thread(", f"{library}.to_thread.run_sync(")
    head, separator, fix = text.rpartition("; use ")
    if not separator or "asyncio" not in fix or not "AIO100" <= code <= "AIO108":
        return text
    offload = re.search(r"await asyncio\.to_thread\(([^()]+)\)", fix)
    if offload is not None and ("built once" in fix or fix == offload.group(0)):
        # an SSL context built once, outside the coroutine, or the thread alone (no
        # async library replaces PIL.Image.open): the offload through the library's thread
        return text.replace("await asyncio.to_thread(", f"await {library}.to_thread.run_sync(")
    if offload is not None and code not in advice:
        # asyncio.to_thread(worker.join): the same function, run by the library's thread
        return f"{head}; use await {library}.to_thread.run_sync({offload.group(1)})"
    return f"{head}; use {advice.get(code, advice[None])}"


#: where users report plugin bugs
ISSUES_URL: Final = "https://github.com/flake8-asyncio-tasks/flake8-asyncio-tasks/issues"
#: set to 1 to get the traceback of an internal error instead of an AIO000 finding
DEBUG_ENV: Final = "FLAKE8_ASYNCIO_TASKS_DEBUG"

# -- AIO000: the plugin itself failed on a file ----------------------------------------
INTERNAL_ERROR: Final = Rule(
    "AIO000",
    "internal-error",
    "the plugin failed on this file (a bug in flake8-asyncio-tasks, not in your code)",
    "internal error in flake8-asyncio-tasks ({error}, at {frame}), so this file was not "
    "checked; {fix}",
    f"please report this with the file at {ISSUES_URL} ({DEBUG_ENV}=1 shows the traceback)",
)

# -- AIO1xx: blocking calls inside coroutines ---------------------------------------
BLOCKING_SLEEP: Final = Rule(
    "AIO100",
    "blocking-sleep-in-coroutine",
    "time.sleep() inside a coroutine",
    _BLOCKING,
    "await asyncio.sleep()",
)
BLOCKING_HTTP: Final = Rule(
    "AIO101",
    "blocking-http-in-coroutine",
    "synchronous HTTP request (requests, urllib, urllib3, httpx sync API, boto3, sync LLM SDK "
    "clients) in a coroutine",
    _BLOCKING,
    "an async client such as httpx.AsyncClient or aiohttp",
)
BLOCKING_PROCESS: Final = Rule(
    "AIO102",
    "blocking-subprocess-in-coroutine",
    "subprocess / os.system / os.wait* in a coroutine",
    _BLOCKING,
    "await asyncio.create_subprocess_exec()",
)
BLOCKING_FILE_IO: Final = Rule(
    "AIO103",
    "blocking-file-io-in-coroutine",
    "file I/O (open, pathlib reads/writes, shutil copies) in a coroutine",
    _BLOCKING,
    "await asyncio.to_thread() or an async file library such as aiofiles",
)
BLOCKING_SOCKET: Final = Rule(
    "AIO104",
    "blocking-socket-in-coroutine",
    "blocking socket or DNS call in a coroutine",
    _BLOCKING,
    "asyncio.open_connection() or await loop.getaddrinfo()",
)
BLOCKING_INPUT: Final = Rule(
    "AIO105",
    "blocking-input-in-coroutine",
    "input() in a coroutine",
    _BLOCKING,
    "await asyncio.to_thread(input) or an asyncio stream reader on stdin",
)
BLOCKING_WAIT: Final = Rule(
    "AIO106",
    "blocking-wait-in-coroutine",
    "synchronous wait on a threading/queue/concurrent.futures object in a coroutine",
    "blocking wait {call}() in coroutine '{coro}'; use {fix}",
    "the asyncio equivalent or await asyncio.to_thread()",
)
BLOCKING_DATABASE: Final = Rule(
    "AIO107",
    "blocking-database-in-coroutine",
    "synchronous database driver call in a coroutine",
    _BLOCKING,
    "an async driver (aiosqlite, asyncpg, aiomysql) or await asyncio.to_thread()",
)
CONFIGURED_BLOCKING: Final = Rule(
    "AIO108",
    "configured-blocking-call-in-coroutine",
    "a call listed in --asyncio-blocking-calls, in a coroutine",
    "blocking call {call}() in coroutine '{coro}' (listed in --asyncio-blocking-calls); "
    "use {fix}",
    "an async equivalent or await asyncio.to_thread()",
)
TRANSITIVE_BLOCKING: Final = Rule(
    "AIO109",
    "transitive-blocking-call-in-coroutine",
    "a coroutine calls a sync helper of the same module that blocks",
    "{call}() blocks the event loop in coroutine '{coro}': {chain}; use {fix}",
    "await asyncio.to_thread(helper, ...)",
)
LOOP_RUN_IN_COROUTINE: Final = Rule(
    "AIO110",
    "event-loop-run-in-coroutine",
    "asyncio.run() / loop.run_until_complete() / run_forever() inside a coroutine",
    "{call}() starts an event loop inside coroutine '{coro}'; {fix}",
    "await the coroutine instead",
)
OFFLOADED_RESULT: Final = Rule(
    "AIO111",
    "offload-called-instead-of-passed",
    "a blocking call written inside to_thread()/run_in_executor() runs on the loop; only "
    "its result is offloaded",
    "{call}() is called on the event loop in coroutine '{coro}' and {offload}() receives "
    "only its result; {fix}",
    "pass the function and its arguments: {offload}({callee}, ...)",
)

# -- AIO2xx: tasks and coroutines that never run or are lost ---------------------------
DISCARDED_TASK: Final = Rule(
    "AIO200",
    "discarded-task",
    "the task or future returned by create_task/ensure_future/gather is thrown away",
    "result of {call}() is discarded and may be garbage-collected mid-flight; {fix}",
    "keep a reference to it or use asyncio.TaskGroup",
)
UNUSED_TASK: Final = Rule(
    "AIO201",
    "unused-task-variable",
    "a task is stored in a local name that is never used again",
    "task {name!r} from {call}() is never awaited, stored or cancelled; {fix}",
    "await it, keep it in a collection, or use asyncio.TaskGroup",
)
UNAWAITED_COROUTINE: Final = Rule(
    "AIO202",
    "unawaited-coroutine",
    "a coroutine is created and never awaited, so it never runs",
    "coroutine {call}() {problem}, so it never runs; {fix}",
    "await it, or wrap it in a task you keep",
)
TASK_ON_UNRUN_LOOP: Final = Rule(
    "AIO203",
    "task-on-unrun-loop",
    "a task is scheduled on an event loop that is never run",
    "{call}() schedules a task on loop {loop!r}, which is never run here; use {fix}",
    "asyncio.run(main()), or run the loop with {loop}.run_until_complete()",
)
DISCARDED_AWAITABLE: Final = Rule(
    "AIO204",
    "discarded-awaitable",
    "the awaitable returned by asyncio.shield(), loop.run_in_executor() or "
    "asyncio.wrap_future() is thrown away",
    "awaitable from {call}() is discarded: its result and its exception are lost; {fix}",
    "await it, or keep it and await it later",
)
SHIELDED_UNKEPT_TASK: Final = Rule(
    "AIO205",
    "shield-of-unkept-task",
    "asyncio.shield() of a coroutine or task that nothing else keeps",
    "asyncio.shield() protects {call}(), which nothing keeps: when the caller is "
    "cancelled, the shielded work can be garbage-collected mid-flight; {fix}",
    "create the task, keep a reference to it, and shield the task",
)
UNREAD_TASK_ATTRIBUTE: Final = Rule(
    "AIO206",
    "task-attribute-never-read",
    "a task is stored in an attribute that no code of the module ever reads",
    "task from {call}() stored in {name} is never read: nothing awaits or cancels it and "
    "its exception is never retrieved; {fix}",
    "await or cancel it where the object shuts down, or use asyncio.TaskGroup",
    default_enabled=False,
)
AWAIT_BINDS_LATE: Final = Rule(
    "AIO207",
    "await-applied-to-wrong-expression",
    "await applies to a subscript or attribute of a coroutine, not to the coroutine",
    "coroutine {call}() {problem} before await applies, so it is never awaited and the "
    "line fails; use {fix}",
    "parentheses: (await {call}(...)){rest}",
)
SYNC_WITH_ASYNC_CM: Final = Rule(
    "AIO208",
    "sync-with-on-async-context-manager",
    "a plain 'with' on an async context manager (asyncio.timeout, TaskGroup, asyncio.Lock...)",
    "plain 'with' on {call}, an async context manager, fails at run time; use {fix}",
    "async with {call}",
)

# -- AIO3xx: event-loop access --------------------------------------------------------
GET_EVENT_LOOP_OUTSIDE: Final = Rule(
    "AIO300",
    "get-event-loop-outside-coroutine",
    "asyncio.get_event_loop() outside a coroutine (deprecated, fails without a loop)",
    "asyncio.get_event_loop() outside a coroutine raises on Python 3.14 when no loop is set "
    "(deprecated since 3.12); use {fix}",
    "asyncio.get_running_loop() in code the loop calls, or asyncio.run() where the program "
    "starts its loop",
)
GET_EVENT_LOOP_INSIDE: Final = Rule(
    "AIO301",
    "get-event-loop-in-coroutine",
    "asyncio.get_event_loop() inside a coroutine",
    "asyncio.get_event_loop() in coroutine '{coro}'; use {fix}",
    "asyncio.get_running_loop()",
)
DEPRECATED_LOOP_POLICY: Final = Rule(
    "AIO302",
    "deprecated-asyncio-api",
    "an asyncio API deprecated in Python 3.14 and removed in 3.16 (event-loop policies, "
    "asyncio.iscoroutinefunction)",
    "{call}() is deprecated since Python 3.14, to be removed in 3.16; use {fix}",
    "asyncio.Runner(loop_factory=...), or asyncio.run(main(), loop_factory=...) on "
    "Python 3.12+",
    default_enabled=False,
)

ALL_RULES: Final[Mapping[str, Rule]] = {
    rule.code: rule
    for rule in (
        INTERNAL_ERROR,
        BLOCKING_SLEEP,
        BLOCKING_HTTP,
        BLOCKING_PROCESS,
        BLOCKING_FILE_IO,
        BLOCKING_SOCKET,
        BLOCKING_INPUT,
        BLOCKING_WAIT,
        BLOCKING_DATABASE,
        CONFIGURED_BLOCKING,
        TRANSITIVE_BLOCKING,
        LOOP_RUN_IN_COROUTINE,
        OFFLOADED_RESULT,
        DISCARDED_TASK,
        UNUSED_TASK,
        UNAWAITED_COROUTINE,
        TASK_ON_UNRUN_LOOP,
        DISCARDED_AWAITABLE,
        SHIELDED_UNKEPT_TASK,
        UNREAD_TASK_ATTRIBUTE,
        AWAIT_BINDS_LATE,
        SYNC_WITH_ASYNC_CM,
        GET_EVENT_LOOP_OUTSIDE,
        GET_EVENT_LOOP_INSIDE,
        DEPRECATED_LOOP_POLICY,
    )
}
