"""The tables of the task, loop and coroutine rules (AIO110, AIO2xx, AIO3xx): what
makes a task or a loop, what runs one, which library calls return coroutines, what is
deprecated.  Data only, one entry per line; the blocking tables are in
:mod:`~flake8_asyncio_tasks.tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from flake8_asyncio_tasks.tables import HTTP_VERBS, LITELLM_CALLS

# -- Tasks, loops and coroutines ----------------------------------------------------------
#: calls that create a task or future the caller must keep
TASK_FACTORIES: Final = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
#: calls whose discarded result loses the tasks it gathers
GATHERS: Final = frozenset({"asyncio.gather"})
#: values that are event loops
LOOPS: Final = frozenset({
    "asyncio.AbstractEventLoop()",
    "asyncio.BaseEventLoop()",
    "asyncio.get_event_loop()", "asyncio.get_running_loop()", "asyncio.new_event_loop()",
    "asyncio.get_event_loop_policy().get_event_loop()",
    "asyncio.get_event_loop_policy().new_event_loop()",
    "uvloop.new_event_loop()",
})
#: a loop's callback registrations -> the position of the callback; the arguments after
#: it are what the loop calls it with
LOOP_CALLBACKS: Final[Mapping[str, int]] = {
    "add_signal_handler": 1, "call_at": 1, "call_later": 1, "call_soon": 0,
    "call_soon_threadsafe": 0,
}
#: every call that keeps a callback the loop (or a future) calls later -> its position
CALLBACK_TAKERS: Final[Mapping[str, int]] = {
    **LOOP_CALLBACKS, "add_done_callback": 0, "add_reader": 1, "add_writer": 1,
}
#: receivers of unknown type that real code names for the event loop
LOOP_NAMES: Final = frozenset({"loop", "_loop", "event_loop", "_event_loop", "ioloop"})
#: calls that return a loop nobody runs yet (AIO203)
NEW_LOOPS: Final = frozenset({"asyncio.new_event_loop", "uvloop.new_event_loop"})
GET_EVENT_LOOP: Final = "asyncio.get_event_loop"

_LOOP_COROUTINES: Final = (
    "connect_accepted_socket", "connect_read_pipe", "connect_write_pipe", "create_connection",
    "create_datagram_endpoint", "create_server", "create_unix_connection",
    "create_unix_server", "getaddrinfo", "getnameinfo", "sendfile", "shutdown_asyncgens",
    "shutdown_default_executor", "sock_accept", "sock_connect", "sock_recv",
    "sock_recv_into", "sock_recvfrom", "sock_recvfrom_into", "sock_sendall", "sock_sendfile",
    "sock_sendto", "start_tls", "subprocess_exec", "subprocess_shell")


def _library_coroutine_methods() -> list[str]:
    """Coroutine functions and methods of popular async libraries (each a real API)."""
    found = [
        "aiofiles.os.listdir", "aiofiles.os.makedirs", "aiofiles.os.mkdir",
        "aiofiles.os.remove", "aiofiles.os.rename", "aiofiles.os.replace",
        "aiofiles.os.rmdir", "aiofiles.os.stat", "aiofiles.os.unlink",
        "anyio.connect_tcp", "anyio.connect_unix", "anyio.open_file", "anyio.run_process",
        "anyio.sleep", "anyio.to_thread.run_sync",
        "asyncpg.connect", "asyncpg.create_pool",
        "bleak.BleakScanner.discover", "bleak.BleakScanner.find_device_by_address",
        "websockets.connect", "websockets.serve",
        # sync_to_async(f) returns a function whose call is a coroutine
        "asgiref.sync.sync_to_async()", "channels.db.database_sync_to_async()",
    ]
    methods = {
        "aiofiles.open()": ("close", "flush", "read", "readline", "readlines", "seek",
                            "truncate", "write", "writelines"),
        "anyio.abc.SocketStream()": ("aclose", "receive", "send", "send_eof"),
        "asyncpg.Connection()": (
            "close", "copy_from_query", "copy_from_table", "copy_records_to_table",
            "copy_to_table", "execute", "executemany", "fetch", "fetchrow", "fetchval",
            "prepare", "reload_schema_state", "reset", "set_type_codec"),
        "asyncpg.Pool()": ("close", "execute", "executemany", "expire_connections", "fetch",
                           "fetchrow", "fetchval", "release"),
        "aiohttp.ClientResponse()": ("json", "read", "text"),
        "aiokafka.AIOKafkaConsumer()": ("commit", "getmany", "getone", "position",
                                        "seek_to_beginning", "seek_to_end", "start", "stop"),
        "aiokafka.AIOKafkaProducer()": ("flush", "send", "send_and_wait", "start", "stop"),
        "bleak.BleakClient()": ("connect", "disconnect", "pair", "read_gatt_char",
                                "read_gatt_descriptor", "start_notify", "stop_notify",
                                "unpair", "write_gatt_char", "write_gatt_descriptor"),
        "bleak.BleakScanner()": ("start", "stop"),
        "grpc.aio.Channel()": ("channel_ready", "close"),
        "websockets.connect()": ("close", "ping", "pong", "recv", "send", "wait_closed"),
        # the commands of redis.asyncio clients that code calls most (each a coroutine)
        "redis.asyncio.Redis()": (
            "aclose", "append", "blpop", "brpop", "close", "dbsize", "decr", "decrby",
            "delete", "eval", "evalsha", "execute_command", "exists", "expire", "expireat",
            "flushall", "flushdb", "get", "getdel", "getex", "getset", "hdel", "hexists",
            "hget", "hgetall", "hincrby", "hkeys", "hlen", "hmget", "hset", "hsetnx",
            "hvals", "incr", "incrby", "info", "keys", "lindex", "llen", "lpop", "lpush",
            "lrange", "lrem", "ltrim", "mget", "mset", "persist", "pexpire", "ping",
            "publish", "rename", "rpop", "rpush", "sadd", "scan", "scard", "set", "setex",
            "setnx", "sismember", "smembers", "spop", "srem", "ttl", "type", "unlink",
            "xadd", "xack", "xrange", "xread", "xreadgroup", "zadd", "zcard", "zincrby",
            "zrange", "zrangebyscore", "zrank", "zrem", "zscore"),
        "redis.asyncio.client.Pipeline()": ("execute", "reset"),
        "asyncio.subprocess.Process()": ("communicate", "wait"),
        "asyncio.Barrier()": ("abort", "reset", "wait"),
        "asyncio.Server()": ("serve_forever", "start_serving", "wait_closed"),
    }
    # the coroutine methods of an event loop (run_in_executor returns a future: AIO204)
    for loop in LOOPS:
        methods[loop] = _LOOP_COROUTINES
    for client in ("httpx.AsyncClient()", "httpx2.AsyncClient()"):
        methods[client] = (*HTTP_VERBS, "aclose", "send")
    methods["httpx.Response()"] = ("aclose", "aread")
    methods["aiohttp.ClientSession()"] = (*HTTP_VERBS, "close", "ws_connect")
    for owner, names in methods.items():
        found += [f"{owner}.{name}" for name in names]
    return found


_LIBRARY_COROUTINE_METHODS: Final = _library_coroutine_methods()
#: receivers whose every public method is a coroutine, but these (AIO202).  Empty: a
#: client such as redis.asyncio's also has sync accessors (r.json(), r.ft(), r.bf()
#: return command groups), so its commands are listed one by one instead.
ASYNC_ANY_METHOD: Final[Mapping[str, frozenset[str]]] = {}
#: modules whose presence lets every method call through the task check's prefilter
ASYNC_ANY_MODULES: Final = frozenset({module.partition(".")[0] for module in ASYNC_ANY_METHOD})
#: decorators that turn a sync def into a coroutine function (run in a thread)
COROUTINE_DECORATORS: Final = frozenset({
    "asgiref.sync.sync_to_async", "channels.db.database_sync_to_async",
})
#: what awaiting a value gives, when it is not the value itself
AWAIT_RETURNS: Final[Mapping[str, str]] = {
    "aiofiles.open()": "aiofiles.open()",
    "aiohttp.ClientResponse()": "aiohttp.ClientResponse()",
    "anyio.connect_tcp()": "anyio.abc.SocketStream()",
    "anyio.connect_unix()": "anyio.abc.SocketStream()",
    "asyncio.open_connection()": "asyncio.StreamPair()",
    "asyncio.open_unix_connection()": "asyncio.StreamPair()",
    "asyncio.create_subprocess_exec()": "asyncio.subprocess.Process()",
    "asyncio.create_subprocess_shell()": "asyncio.subprocess.Process()",
    "asyncio.start_server()": "asyncio.Server()",
    "asyncio.start_unix_server()": "asyncio.Server()",
    "asyncpg.connect()": "asyncpg.Connection()",
    "asyncpg.create_pool()": "asyncpg.Pool()",
    "httpx.AsyncClient().get()": "httpx.Response()",
    "websockets.connect()": "websockets.connect()",
    **{f"{client}.{verb}()": "httpx.Response()" for client in ("httpx.AsyncClient()",
       "httpx2.AsyncClient()") for verb in (*HTTP_VERBS, "send")},
}

#: library coroutine functions: calling one without await does nothing
LIBRARY_COROUTINES: Final = frozenset({
    *(f"litellm.a{name}" for name in LITELLM_CALLS),
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.sleep",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.to_thread",
    "asyncio.wait",
    "asyncio.wait_for",
    "asyncio.Condition().acquire",
    "asyncio.Condition().wait",
    "asyncio.Condition().wait_for",
    "asyncio.Event().wait",
    "asyncio.Lock().acquire",
    "asyncio.Queue().get",
    "asyncio.Queue().join",
    "asyncio.Queue().put",
    "asyncio.Semaphore().acquire",
    "asyncio.StreamReader().read", "asyncio.StreamReader().readexactly",
    "asyncio.StreamReader().readline", "asyncio.StreamReader().readuntil",
    "asyncio.StreamWriter().drain", "asyncio.StreamWriter().start_tls",
    "asyncio.StreamWriter().wait_closed",
    *_LIBRARY_COROUTINE_METHODS,
})

#: offloading calls -> the position of the function they run in a thread (AIO111);
#: ``loop.run_in_executor(executor, func, ...)`` (position 1) is matched on loops
OFFLOADS: Final[Mapping[str, int]] = {
    "anyio.to_thread.run_sync": 0,
    "asyncio.to_thread": 0,
    "trio.to_thread.run_sync": 0,
}
#: calls whose awaitable is lost when dropped (AIO204); loop.run_in_executor too
DROPPED_AWAITABLES: Final = frozenset({"asyncio.shield", "asyncio.wrap_future"})
#: values that are async-only context managers: a plain ``with`` on them fails (AIO208)
ASYNC_CONTEXT_MANAGERS: Final = frozenset({
    "aiofiles.open()", "aiohttp.ClientResponse()", "aiohttp.ClientSession()",
    "aiosqlite.connect()", "anyio.create_task_group()", "asyncio.Condition()",
    "asyncio.Lock()", "asyncio.Semaphore()", "asyncio.TaskGroup()", "asyncio.timeout()",
    "asyncio.timeout_at()", "asyncpg.Connection().transaction()", "asyncpg.Pool().acquire()",
    "asyncpg.create_pool()", "httpx.AsyncClient()", "httpx.AsyncClient().stream()",
    "httpx2.AsyncClient()", "websockets.connect()",
})
#: decorators that run the decorated function's source in another interpreter, on its
#: own loop: what blocks there blocks nothing of the caller's (AIO1xx)
RUNS_ELSEWHERE: Final = frozenset({
    "pytest_pyodide.run_in_pyodide", "pytest_pyodide.decorator.run_in_pyodide",
})
#: decorators that make a generator function an async context manager factory
ASYNC_CONTEXT_DECORATORS: Final = frozenset({
    "contextlib.asynccontextmanager", "contextlib2.asynccontextmanager",
})
#: asyncio APIs deprecated in Python 3.14, removed in 3.16 -> the replacement
#: ("" for the rule's default: asyncio.run / asyncio.Runner with loop_factory) (AIO302)
DEPRECATED_ASYNCIO: Final[Mapping[str, str]] = {
    "asyncio.AbstractEventLoopPolicy": "",
    "asyncio.DefaultEventLoopPolicy": "",
    "asyncio.WindowsProactorEventLoopPolicy":
        "asyncio.Runner(loop_factory=asyncio.ProactorEventLoop)",
    "asyncio.WindowsSelectorEventLoopPolicy":
        "asyncio.Runner(loop_factory=asyncio.SelectorEventLoop)",
    "asyncio.get_event_loop_policy":
        "asyncio.get_running_loop() in a coroutine, or asyncio.Runner(loop_factory=...)",
    "asyncio.iscoroutinefunction": "inspect.iscoroutinefunction()",
    "asyncio.set_event_loop_policy": "",
}

#: functions that read their arguments as plain values: a coroutine passed to one is
#: formatted, measured or serialized instead of run (AIO202)
_LOG_LEVELS: Final = ("critical", "debug", "error", "exception", "info", "log", "warning")
VALUE_CONSUMERS: Final = frozenset({
    "format", "json.dump", "json.dumps", "len", "print", "repr", "str",
    *(f"logging.{level}" for level in _LOG_LEVELS),
    *(f"logging.Logger().{level}" for level in _LOG_LEVELS),
})
#: return annotations of values that are never awaitable: a sync function annotated so
#: that returns a coroutine returns the wrong thing (AIO202)
PLAIN_RESULTS: Final = frozenset({
    "bool", "bytes", "dict", "float", "frozenset", "int", "list", "set", "str", "tuple",
})

#: decorators that leave a function what it was (anything else may wrap it)
TRANSPARENT_DECORATORS: Final = frozenset({
    "abc.abstractmethod", "classmethod", "functools.cache", "functools.lru_cache",
    "functools.wraps", "staticmethod", "typing.override", "typing_extensions.override",
})


# -- Other tools' markers -----------------------------------------------------------------
#: a peer's code in a ``# noqa:`` on the reported line: the maintainer already judged the
#: same bug class there (flake8-async's and ruff's ASYNC codes, ruff's RUF006, which
#: also reports a task bound to a name that is never used: ``_ = create_task(...)``)
PEER_CODES: Final[Mapping[str, tuple[str, ...]]] = {
    "ASYNC210": ("AIO101",), "ASYNC211": ("AIO101",), "ASYNC212": ("AIO101",),
    "ASYNC220": ("AIO102",), "ASYNC221": ("AIO102",), "ASYNC222": ("AIO102",),
    "ASYNC230": ("AIO103",), "ASYNC250": ("AIO105",), "ASYNC251": ("AIO100",),
    "RUF006": ("AIO200", "AIO201"),
}
#: type checkers' error codes for a coroutine that is never awaited (mypy's
#: ``# type: ignore[unused-coroutine]``, pyright's ``# pyright: ignore[reportUnusedCoroutine]``)
UNUSED_COROUTINE_CODES: Final = frozenset({"unused-coroutine", "reportUnusedCoroutine"})
