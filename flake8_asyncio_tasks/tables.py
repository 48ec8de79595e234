"""Data: which calls block, what they return, which create tasks or coroutines.

Keys are canonical dotted names as :mod:`flake8_asyncio_tasks.names` builds them:
``"()"`` marks a call result, so ``"requests.Session().get"`` is the ``get`` method of
a ``requests.Session()`` instance.  Adding a blocking call is one line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from flake8_asyncio_tasks.rules import (
    BLOCKING_DATABASE,
    BLOCKING_FILE_IO,
    BLOCKING_HTTP,
    BLOCKING_INPUT,
    BLOCKING_PROCESS,
    BLOCKING_SLEEP,
    BLOCKING_SOCKET,
    BLOCKING_WAIT,
    LOOP_RUN_IN_COROUTINE,
    Rule,
)


@dataclass(frozen=True, slots=True)
class Blocking:
    """A blocking call: the rule it breaks and the async replacement to suggest."""

    rule: Rule
    fix: str = ""  # "" means the rule's default advice
    #: name the call as the code writes it (``Article.objects.get``), not by its table
    #: name (``django.db.models.Manager.get``), which says less to the reader
    as_written: bool = False
    #: taking a lock: in a coroutine it waits (AIO106), but in a sync helper it is the
    #: usual guard around a few statements, no root of an AIO109 chain
    critical_section: bool = False
    #: a mutex (a lock, a condition's lock): in a coroutine only a bug when held across
    #: a suspension (see locks.py); a semaphore's count may be held for long
    mutex: bool = False

    def message(self, call: str, coro: str) -> str:
        """The finding's text: ``call`` blocks in coroutine ``coro``."""
        if self.fix:
            return self.rule.format(call=call, coro=coro, fix=self.fix)
        return self.rule.format(call=call, coro=coro)


#: litellm's sync calls; each has an async twin named with an "a" in front
LITELLM_CALLS: Final = ("completion", "embedding", "image_generation", "moderation",
                         "rerank", "responses", "speech", "text_completion",
                         "transcription")
#: ollama's module-level calls (a default sync client to the local server)
_OLLAMA_CALLS: Final = ("chat", "copy", "create", "delete", "embed", "embeddings",
                        "generate", "list", "ps", "pull", "push", "show")
HTTP_VERBS: Final = ("delete", "get", "head", "options", "patch", "post", "put", "request")

# -- What calls and attributes return -----------------------------------------------------
# Canonical spellings: a re-export or a factory maps to the one name the tables use.
_SYNONYMS: Final = {
    "asyncio.coroutines.iscoroutinefunction": "asyncio.iscoroutinefunction",
    "asyncio.events.AbstractEventLoopPolicy": "asyncio.AbstractEventLoopPolicy",
    "asyncio.events.get_event_loop_policy": "asyncio.get_event_loop_policy",
    "asyncio.events.set_event_loop_policy": "asyncio.set_event_loop_policy",
    "asyncio.events.get_event_loop": "asyncio.get_event_loop",
    "asyncio.events.get_running_loop": "asyncio.get_running_loop",
    "asyncio.events.new_event_loop": "asyncio.new_event_loop",
    "asyncio.tasks.create_task": "asyncio.create_task",
    "asyncio.tasks.ensure_future": "asyncio.ensure_future",
    "asyncio.tasks.gather": "asyncio.gather",
    "asyncio.tasks.sleep": "asyncio.sleep",
    "asyncio.events.AbstractEventLoop": "asyncio.AbstractEventLoop",
    "asyncio.base_events.BaseEventLoop": "asyncio.BaseEventLoop",
    "asyncio.locks.Lock": "asyncio.Lock",
    "asyncio.locks.Event": "asyncio.Event",
    "asyncio.queues.Queue": "asyncio.Queue",
    "asyncio.taskgroups.TaskGroup": "asyncio.TaskGroup",
    "concurrent.futures.thread.ThreadPoolExecutor": "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor": "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures._base.Future": "concurrent.futures.Future",
    "concurrent.futures._base.wait": "concurrent.futures.wait",
    "concurrent.futures._base.as_completed": "concurrent.futures.as_completed",
    "httpx._api.get": "httpx.get",
    "huggingface_hub.inference._client.InferenceClient": "huggingface_hub.InferenceClient",
    "huggingface_hub.inference._generated._async_client.AsyncInferenceClient":
        "huggingface_hub.AsyncInferenceClient",
    "huggingface_hub.file_download.hf_hub_download": "huggingface_hub.hf_hub_download",
    "huggingface_hub._snapshot_download.snapshot_download": "huggingface_hub.snapshot_download",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "requests.api.delete": "requests.delete",
    "requests.api.get": "requests.get",
    "requests.api.head": "requests.head",
    "requests.api.options": "requests.options",
    "requests.api.patch": "requests.patch",
    "requests.api.post": "requests.post",
    "requests.api.put": "requests.put",
    "requests.api.request": "requests.request",
    "requests.sessions.Session": "requests.Session",
    "requests.session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "urllib3.poolmanager.ProxyManager": "urllib3.ProxyManager",
    "urllib3.connectionpool.HTTPConnectionPool": "urllib3.HTTPConnectionPool",
    "urllib3.connectionpool.HTTPSConnectionPool": "urllib3.HTTPSConnectionPool",
    "urllib3.connection_from_url": "urllib3.HTTPConnectionPool",
    "urllib3.connectionpool.connection_from_url": "urllib3.HTTPConnectionPool",
    "asyncio.PriorityQueue": "asyncio.Queue",
    "asyncio.LifoQueue": "asyncio.Queue",
    "asyncio.BoundedSemaphore": "asyncio.Semaphore",
    "threading.BoundedSemaphore": "threading.Semaphore",
    "multiprocessing.BoundedSemaphore": "multiprocessing.Semaphore",
    "threading.Timer": "threading.Thread",
    "mysql.connector.connection.MySQLConnection": "mysql.connector.connect",
    "psycopg.Connection.connect": "psycopg.connect",
    "sqlite3.dbapi2.connect": "sqlite3.connect",
}

_PATH_RESULTS: Final = (
    # attributes and methods of a pathlib.Path that give a Path again (no I/O)
    "absolute()", "expanduser()", "joinpath()", "parent", "relative_to()", "resolve()",
    "with_name()", "with_stem()", "with_suffix()",
)

_DATABASES: Final = {
    # connect function -> (connection type, cursor type, async replacement)
    "MySQLdb.connect": ("MySQLdb.Connection", "MySQLdb.Cursor", "aiomysql or asyncmy"),
    "mysql.connector.connect": (
        "mysql.connector.MySQLConnection", "mysql.connector.Cursor", "aiomysql or asyncmy"),
    "psycopg.connect": ("psycopg.Connection", "psycopg.Cursor",
                        "psycopg.AsyncConnection or asyncpg"),
    "psycopg2.connect": ("psycopg2.extensions.connection", "psycopg2.extensions.cursor",
                         "asyncpg or psycopg.AsyncConnection"),
    "pymssql.connect": ("pymssql.Connection", "pymssql.Cursor", "await asyncio.to_thread()"),
    "pymysql.connect": ("pymysql.connections.Connection", "pymysql.cursors.Cursor",
                        "aiomysql or asyncmy"),
    "sqlite3.connect": ("sqlite3.Connection", "sqlite3.Cursor", "aiosqlite"),
}


# Django's ORM: what a model class and its managers and querysets give
_DJANGO_MODELS: Final = "django.db.models"
#: manager/queryset methods that build another queryset without running a query
_DJANGO_LAZY: Final = (
    "all", "alias", "annotate", "defer", "distinct", "exclude", "extra", "filter", "none",
    "only", "order_by", "prefetch_related", "reverse", "select_for_update",
    "select_related", "using", "values", "values_list",
)
#: manager/queryset methods that run a query, each with an ``a...`` async twin
_DJANGO_QUERIES: Final = (
    "aggregate", "bulk_create", "bulk_update", "contains", "count", "create", "delete",
    "earliest", "exists", "explain", "first", "get", "get_or_create", "in_bulk",
    "iterator", "last", "latest", "update", "update_or_create",
)
#: model instance methods that run a query
_DJANGO_INSTANCE_QUERIES: Final = ("delete", "refresh_from_db", "save")
#: Django's own models, used through their managers
_DJANGO_BUILTIN_MODELS: Final = (
    "django.contrib.auth.models.Group", "django.contrib.auth.models.Permission",
    "django.contrib.auth.models.User", "django.contrib.contenttypes.models.ContentType",
    "django.contrib.sessions.models.Session", "django.contrib.sites.models.Site",
)


def _returns() -> dict[str, str]:
    table: dict[str, str] = dict(_SYNONYMS)
    manager, queryset = f"{_DJANGO_MODELS}.Manager()", f"{_DJANGO_MODELS}.QuerySet()"
    table[f"{_DJANGO_MODELS}.Model.objects"] = manager
    for model in _DJANGO_BUILTIN_MODELS:
        table[f"{model}.objects"] = manager
    table["django.contrib.auth.get_user_model().objects"] = manager
    for method in _DJANGO_LAZY:
        table[f"{manager}.{method}()"] = queryset
        table[f"{queryset}.{method}()"] = queryset
    for suffix in _PATH_RESULTS:
        table[f"pathlib.Path().{suffix}"] = "pathlib.Path()"
    table["pathlib.Path()/"] = "pathlib.Path()"  # Path(...) / "x" (see Resolver.resolve)
    table["pathlib.PseudoPath()/"] = "pathlib.PseudoPath()"  # Path("/proc") / str(pid)
    table["pathlib.Path.cwd()"] = "pathlib.Path()"
    table["pathlib.Path.home()"] = "pathlib.Path()"
    table["socket.create_connection()"] = "socket.socket()"
    table["psutil.process_iter()[*]"] = "psutil.Process()"
    # parts of values: "[0]" is the first item of a tuple, "[*]" any element
    table["socket.socket().accept()[0]"] = "socket.socket()"
    table["socket.socketpair()[0]"] = "socket.socket()"
    table["socket.socketpair()[1]"] = "socket.socket()"
    for listing in ("glob()", "iterdir()", "rglob()"):
        table[f"pathlib.Path().{listing}[*]"] = "pathlib.Path()"
    table["socket.socket().dup()"] = "socket.socket()"
    # an SSLSocket blocks like the socket it wraps
    table["ssl.SSLContext().wrap_socket()"] = "socket.socket()"
    table["ssl.create_default_context()"] = "ssl.SSLContext()"
    table["urllib.request.build_opener()"] = "urllib.request.OpenerDirector()"
    table["logging.getLogger()"] = "logging.Logger()"
    table["git.Repo().remote()"] = "git.Remote()"
    # an open file; its methods block where the open() is not in sight (see blocking.py)
    for opener in ("open()", "io.open()", "pathlib.Path().open()"):
        table[opener] = "io.TextIOWrapper()"
    # async libraries: what their constructors and calls give
    for verb in (*HTTP_VERBS, "ws_connect"):
        table[f"aiohttp.ClientSession().{verb}()"] = "aiohttp.ClientResponse()"
    table["asyncio.StreamPair()[0]"] = "asyncio.StreamReader()"
    table["asyncio.StreamPair()[1]"] = "asyncio.StreamWriter()"
    table["grpc.aio.insecure_channel()"] = "grpc.aio.Channel()"
    table["grpc.aio.secure_channel()"] = "grpc.aio.Channel()"
    table["redis.asyncio.Redis().pipeline()"] = "redis.asyncio.client.Pipeline()"
    for factory in ("redis.asyncio.from_url()", "redis.asyncio.Redis.from_url()",
                    "redis.asyncio.StrictRedis()", "redis.asyncio.client.Redis()"):
        table[factory] = "redis.asyncio.Redis()"
    # boto3: clients and resources from every factory
    for factory in ("boto3.Session().client()", "boto3.session.Session().client()",
                    "botocore.session.get_session().create_client()",
                    "botocore.session.Session().create_client()"):
        table[factory] = "boto3.client()"
    for factory in ("boto3.Session().resource()", "boto3.session.Session().resource()"):
        table[factory] = "boto3.resource()"
    # annotated receivers: botocore's base classes (the boto3-stubs classes, such as
    # mypy_boto3_s3.S3Client, are matched by name in names.Annotated)
    table["botocore.client.BaseClient()"] = "boto3.client()"
    table["boto3.resources.base.ServiceResource()"] = "boto3.resource()"
    for pool in ("concurrent.futures.ThreadPoolExecutor", "concurrent.futures.ProcessPoolExecutor"):
        table[f"{pool}().submit()"] = "concurrent.futures.Future()"
    table["asyncio.run_coroutine_threadsafe()"] = "concurrent.futures.Future()"
    # A Future() the code makes itself is completed by that same code, which usually
    # calls result() only once it is told the value is there: only submitted futures
    # are waits we can be sure of.
    table["concurrent.futures.Future()"] = "concurrent.futures.SelfMadeFuture()"
    # psycopg's sync pool lends psycopg connections (with pool.connection() as conn:)
    for pool in ("psycopg_pool.ConnectionPool()", "psycopg_pool.NullConnectionPool()"):
        for lend in ("connection()", "getconn()"):
            table[f"{pool}.{lend}"] = "psycopg.Connection()"
    for connect, (connection, cursor, _) in _DATABASES.items():
        table[connect + "()"] = connection + "()"
        table[connection + "().cursor()"] = cursor + "()"
        table[connection + "().execute()"] = cursor + "()"  # sqlite3 shortcut
        table[cursor + "().execute()"] = cursor + "()"  # sqlite3 returns the cursor
    return table


#: call results and attribute values, normalized to the names the tables below use
RETURNS: Final[Mapping[str, str]] = _returns()


def spelled_last_names(targets: frozenset[str] | set[str]) -> frozenset[str]:
    """Last names a call of one of ``targets`` can be written with: the targets' own and
    those of every synonym of them (``asyncio.tasks.create_task``, ``builtins.open``)."""
    names = {target.rpartition(".")[2] for target in targets}
    names |= {key.rpartition(".")[2] for key, value in RETURNS.items() if value in targets}
    return frozenset(names)

# -- Blocking calls ---------------------------------------------------------------------
_SUBPROCESS: Final = Blocking(BLOCKING_PROCESS, "await asyncio.create_subprocess_exec()")
_SHELL: Final = Blocking(BLOCKING_PROCESS, "await asyncio.create_subprocess_shell()")
_WAIT_PROCESS: Final = Blocking(BLOCKING_PROCESS, "await proc.wait() on an asyncio subprocess")
_FILE: Final = Blocking(BLOCKING_FILE_IO)
_DNS: Final = Blocking(BLOCKING_SOCKET, "await loop.getaddrinfo()")
_REVERSE_DNS: Final = Blocking(BLOCKING_SOCKET, "await loop.getnameinfo()")
_CONNECT: Final = Blocking(BLOCKING_SOCKET, "asyncio.open_connection()")
_SOCKET_IO: Final = Blocking(BLOCKING_SOCKET, "asyncio streams or await loop.sock_*()")
_LOCK: Final = Blocking(
    BLOCKING_WAIT,
    "asyncio.Lock with async with, or await asyncio.to_thread(lock.acquire) if threads share it",
    critical_section=True, mutex=True,
)
#: a reentrant lock belongs to the thread that took it: to_thread(lock.acquire) would
#: leave a worker thread owning it, and release() on the loop's thread would raise
_RLOCK: Final = Blocking(
    BLOCKING_WAIT,
    "asyncio.Lock with async with, or keep the locked section in a function run with "
    "await asyncio.to_thread() if threads share it",
    critical_section=True, mutex=True,
)
_CONDITION: Final = Blocking(BLOCKING_WAIT, "asyncio.Condition with async with",
                             critical_section=True, mutex=True)
_SEMAPHORE: Final = Blocking(BLOCKING_WAIT, "asyncio.Semaphore", critical_section=True)
_EVENT: Final = Blocking(BLOCKING_WAIT, "asyncio.Event and await event.wait()")
_QUEUE: Final = Blocking(BLOCKING_WAIT,
                         "asyncio.Queue, or await asyncio.to_thread({receiver=q}.get)")
_FUTURE: Final = Blocking(BLOCKING_WAIT, "await asyncio.wrap_future({receiver=future})")


def _file_object(method: str) -> Blocking:
    """A file object's ``method``: the advice names the call as written."""
    return Blocking(BLOCKING_FILE_IO, "an async file (aiofiles, anyio.open_file) or await "
                    f"asyncio.to_thread({{receiver}}.{method}, ...)")


_FILE_METHODS: Final = ("flush", "read", "readinto", "readline", "readlines", "truncate",
                        "write", "writelines")
_QUEUE_METHODS: Final = {
    "get": _QUEUE,
    "join": Blocking(BLOCKING_WAIT, "asyncio.Queue and await its join()"),
    "put": Blocking(BLOCKING_WAIT,
                    "asyncio.Queue, or await asyncio.to_thread({receiver=q}.put, item)"),
}
#: thread and process queues -> their methods that can wait.  A queue made without a
#: positive maxsize never waits in put(); SimpleQueues take no maxsize at all.
QUEUES: Final[Mapping[str, tuple[str, ...]]] = {
    "multiprocessing.JoinableQueue": ("get", "join", "put"),
    "multiprocessing.Queue": ("get", "put"),
    "multiprocessing.SimpleQueue": ("get",),
    "queue.LifoQueue": ("get", "join", "put"),
    "queue.PriorityQueue": ("get", "join", "put"),
    "queue.Queue": ("get", "join", "put"),
    "queue.SimpleQueue": ("get",),
}
_LOOP_RUN: Final = Blocking(LOOP_RUN_IN_COROUTINE)


def _blocking_calls() -> dict[str, Blocking]:
    table: dict[str, Blocking] = {
        "time.sleep": Blocking(BLOCKING_SLEEP),
        # HTTP
        "urllib.request.urlopen": Blocking(BLOCKING_HTTP),
        "urllib.request.urlretrieve": Blocking(BLOCKING_HTTP),
        "urllib.request.OpenerDirector().open": Blocking(BLOCKING_HTTP),
        "urllib3.request": Blocking(BLOCKING_HTTP),
        # model hub downloads: HTTP, then the file written to the cache directory
        "huggingface_hub.hf_hub_download": Blocking(
            BLOCKING_HTTP, "await asyncio.to_thread(hf_hub_download, ...)"),
        "huggingface_hub.snapshot_download": Blocking(
            BLOCKING_HTTP, "await asyncio.to_thread(snapshot_download, ...)"),
        "http.client.HTTPConnection().getresponse": Blocking(BLOCKING_HTTP),
        "http.client.HTTPConnection().request": Blocking(BLOCKING_HTTP),
        "http.client.HTTPSConnection().getresponse": Blocking(BLOCKING_HTTP),
        "http.client.HTTPSConnection().request": Blocking(BLOCKING_HTTP),
        # processes
        "os.popen": _SHELL,
        "os.system": _SHELL,
        "os.wait": _WAIT_PROCESS,
        "os.wait3": _WAIT_PROCESS,
        "os.wait4": _WAIT_PROCESS,
        "os.waitid": _WAIT_PROCESS,
        "os.waitpid": _WAIT_PROCESS,
        "subprocess.Popen().communicate": Blocking(
            BLOCKING_PROCESS, "await proc.communicate() on an asyncio subprocess"),
        "subprocess.Popen().wait": _WAIT_PROCESS,
        "subprocess.getoutput": _SHELL,
        "subprocess.getstatusoutput": _SHELL,
        # files
        "bz2.open": _FILE,
        "codecs.open": _FILE,
        "glob.glob": _FILE,
        "glob.iglob": _FILE,
        "gzip.open": _FILE,
        "io.open": _FILE,
        "lzma.open": _FILE,
        "open": _FILE,
        "os.listdir": _FILE,
        "os.open": _FILE,
        "os.read": _FILE,
        "os.scandir": _FILE,
        "os.walk": _FILE,
        "os.write": _FILE,
        # lists the directories given (or sys.path's): directory reads, as it is iterated
        "pkgutil.iter_modules": _FILE,
        "tarfile.open": _FILE,
        "zipfile.ZipFile": _FILE,
        # sockets and DNS
        "socket.create_connection": _CONNECT,
        # waits for readiness; with a timeout of 0 it only polls (TIMEOUT_ARGS_BY_NAME)
        "select.select": Blocking(BLOCKING_SOCKET, "loop.add_reader()/loop.add_writer(), or "
                                  "asyncio streams"),
        "socket.getaddrinfo": _DNS,
        "socket.getfqdn": Blocking(BLOCKING_SOCKET, "await asyncio.to_thread(socket.getfqdn)"),
        "socket.gethostbyaddr": _REVERSE_DNS,
        "socket.gethostbyname": _DNS,
        "socket.gethostbyname_ex": _DNS,
        "socket.getnameinfo": _REVERSE_DNS,
        "socket.socket().accept": Blocking(BLOCKING_SOCKET, "asyncio.start_server()"),
        "socket.socket().connect": _CONNECT,
        "socket.socket().connect_ex": _CONNECT,
        # stdin
        # a console read: the advice names it (to_thread(getpass.getpass, prompt))
        **{name: Blocking(BLOCKING_INPUT, f"await asyncio.to_thread({name}, ...)")
           for name in ("getpass.getpass", "sys.stdin.buffer.read", "sys.stdin.buffer.readline",
                        "sys.stdin.read", "sys.stdin.readline", "sys.stdin.readlines")},
        "input": Blocking(BLOCKING_INPUT),
        # the console prompts of CLI libraries: each waits for the user like input()
        **{name: Blocking(BLOCKING_INPUT, f"await asyncio.to_thread({name}, ...)")
           for name in ("click.confirm", "click.pause", "click.prompt", "typer.confirm",
                        "typer.prompt", "rich.prompt.Confirm.ask", "rich.prompt.FloatPrompt.ask",
                        "rich.prompt.IntPrompt.ask", "rich.prompt.Prompt.ask")},
        # synchronous waits
        "concurrent.futures.Future().exception": _FUTURE,
        "concurrent.futures.Future().result": _FUTURE,
        "concurrent.futures.as_completed": Blocking(BLOCKING_WAIT, "asyncio.as_completed()"),
        "concurrent.futures.wait": Blocking(BLOCKING_WAIT, "asyncio.wait()"),
        "multiprocessing.Process().join": Blocking(
            BLOCKING_WAIT, "await asyncio.to_thread({receiver=worker}.join)"),
        "threading.Barrier().wait": Blocking(BLOCKING_WAIT, "asyncio.Barrier"),
        # shutdown() waits for the workers (wait=True is the default; see NON_BLOCKING_ARGS)
        **{f"concurrent.futures.{pool}().shutdown": Blocking(
            BLOCKING_WAIT, "shutdown(wait=False), or await asyncio.to_thread("
            "{receiver=executor}.shutdown)")
           for pool in ("ThreadPoolExecutor", "ProcessPoolExecutor")},
        "threading.Thread().join": Blocking(
            BLOCKING_WAIT, "await asyncio.to_thread({receiver=worker}.join)"),
        # event loops started inside a coroutine
        "aiohttp.web.run_app": Blocking(
            LOOP_RUN_IN_COROUTINE, "await site.start() on a web.AppRunner instead"),
        "anyio.run": _LOOP_RUN,
        "asyncio.Runner().run": _LOOP_RUN,
        "asyncio.run": _LOOP_RUN,
        "trio.run": _LOOP_RUN,
        "uvicorn.run": Blocking(
            LOOP_RUN_IN_COROUTINE, "await uvicorn.Server(config).serve() instead"),
    }
    # threading's primitives, and multiprocessing's that block the same way
    for module in ("threading", "multiprocessing"):
        table[f"{module}.Condition().acquire"] = _CONDITION
        table[f"{module}.Condition().wait"] = Blocking(BLOCKING_WAIT, "asyncio.Condition")
        table[f"{module}.Condition().wait_for"] = Blocking(BLOCKING_WAIT, "asyncio.Condition")
        table[f"{module}.Event().wait"] = _EVENT
        table[f"{module}.Lock().acquire"] = _LOCK
        table[f"{module}.RLock().acquire"] = _RLOCK
        table[f"{module}.Semaphore().acquire"] = _SEMAPHORE
    # queues: get() waits for an item, join() for the consumers; put() waits for room
    # only when a positive maxsize was given (the Unbounded* variants have none)
    for queue_type, methods in QUEUES.items():
        module, _, name = queue_type.rpartition(".")
        unbounded = (f"{module}.Unbounded{name}",) if "put" in methods else ()
        for variant in (queue_type, *unbounded):
            for method in methods:
                if method == "put" and variant != queue_type:
                    continue
                table[f"{variant}().{method}"] = _QUEUE_METHODS[method]
    for method in _DJANGO_QUERIES:
        orm = Blocking(BLOCKING_DATABASE, f"await {{receiver}}.a{method}() (in a coroutine this "
                       "call raises SynchronousOnlyOperation)", as_written=True)
        table[f"{_DJANGO_MODELS}.Manager().{method}"] = orm
        table[f"{_DJANGO_MODELS}.QuerySet().{method}"] = orm
    for method in _DJANGO_INSTANCE_QUERIES:
        table[f"{_DJANGO_MODELS}.Model().{method}"] = Blocking(
            BLOCKING_DATABASE, f"await {{receiver}}.a{method}() (in a coroutine this call "
            "raises SynchronousOnlyOperation)", as_written=True)
    for name in ("call", "check_call", "check_output", "Popen", "run"):
        table[f"subprocess.{name}"] = _SUBPROCESS
    # every os.spawn*, P_NOWAIT too: it forks and execs like subprocess.Popen
    for suffix in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe"):
        table[f"os.spawn{suffix}"] = _SUBPROCESS
    table["os.posix_spawn"] = _SUBPROCESS
    table["os.posix_spawnp"] = _SUBPROCESS
    for name in ("chown", "copy", "copy2", "copyfile", "copyfileobj", "copymode", "copystat",
                 "copytree", "make_archive", "move", "rmtree", "unpack_archive"):
        table[f"shutil.{name}"] = _FILE
    # the os functions that change the file system, like the Path methods below
    for name in ("chmod", "chown", "link", "makedirs", "mkdir", "remove", "removedirs",
                 "rename", "renames", "replace", "rmdir", "symlink", "truncate", "unlink"):
        table[f"os.{name}"] = _FILE
    for name in ("chmod", "glob", "hardlink_to", "iterdir", "mkdir", "open", "read_bytes",
                 "read_text", "rename", "replace", "rglob", "rmdir", "symlink_to", "touch",
                 "unlink", "walk", "write_bytes", "write_text"):
        table[f"pathlib.Path().{name}"] = _FILE
    # TLS material read from disk: the certificate chain (certfile is required) and CA
    # files (only with cafile: cadata alone is in memory; see SLEEPS_BY_ARGUMENT)
    for method in ("load_cert_chain", "load_default_certs", "load_verify_locations",
                   "set_default_verify_paths"):
        table[f"ssl.SSLContext().{method}"] = Blocking(
            BLOCKING_FILE_IO, "an SSL context built once, outside the coroutine, or await "
            f"asyncio.to_thread({{receiver}}.{method}, ...)")
    # create_default_context() loads the system's CA store (load_default_certs) from disk
    table["ssl.create_default_context"] = Blocking(
        BLOCKING_FILE_IO, "an SSL context built once, outside the coroutine, or await "
        "asyncio.to_thread(ssl.create_default_context, ...)")
    # files: openers, temporary files, other libraries that open a path
    # (not os.fdopen: it wraps a descriptor that is open already, often a pipe or a
    # socket, and waits on nothing; what blocks is reading it. Not
    # tempfile.SpooledTemporaryFile: it stays in memory until a write passes max_size)
    for name in ("io.open_code", "tempfile.mkdtemp", "tempfile.mkstemp",
                 # PIL reads the image header from the file at once; wave reads the
                 # header on open for reading
                 "PIL.Image.open", "wave.open",
                 # moves the file to the desktop trash: file I/O
                 "send2trash.send2trash"):
        # no async file library replaces these: the advice is the thread
        table[name] = Blocking(BLOCKING_FILE_IO, f"await asyncio.to_thread({name}, ...)")
    for name in ("NamedTemporaryFile", "TemporaryDirectory", "TemporaryFile"):
        table[f"tempfile.{name}"] = Blocking(
            BLOCKING_FILE_IO, f"async with aiofiles.tempfile.{name}(), or await "
            f"asyncio.to_thread(tempfile.{name}, ...)")
    # methods of file objects of known type (annotated, or bound from open() elsewhere)
    for file_type in ("io.BufferedRandom", "io.BufferedReader", "io.BufferedWriter",
                      "io.FileIO", "io.TextIOWrapper", "typing.BinaryIO", "typing.IO",
                      "typing.TextIO"):
        for method in _FILE_METHODS:
            table[f"{file_type}().{method}"] = _file_object(method)
    # psutil sleeps for `interval` seconds when given one (see NON_BLOCKING_ARGS)
    table["psutil.cpu_percent"] = Blocking(BLOCKING_SLEEP, "psutil.cpu_percent(interval=None) "
                                           "called twice, apart, or await asyncio.to_thread()")
    table["psutil.cpu_times_percent"] = table["psutil.cpu_percent"]
    table["psutil.Process().cpu_percent"] = table["psutil.cpu_percent"]
    # psutil waits for a process to end (wait(0) only polls: TIMEOUT_ARGS)
    for process in ("psutil.Process()", "psutil.Popen()"):
        table[f"{process}.wait"] = _WAIT_PROCESS
    table["psutil.wait_procs"] = _WAIT_PROCESS
    # a virtual environment: directories and copies, and pip installed by a subprocess
    table["venv.create"] = Blocking(BLOCKING_PROCESS, "await asyncio.to_thread(venv.create, ...)")
    table["venv.EnvBuilder().create"] = Blocking(
        BLOCKING_PROCESS, "await asyncio.to_thread(builder.create, ...)")
    # Not listed, by decision: Jinja's Environment.get_template() reads a file only on
    # the first load through a FileSystemLoader (then it is cached), and the loader is
    # rarely known where the call is made; motor's collections are reached through
    # dynamic attributes (client.db.users), which cannot be typed statically.
    # GitPython runs the git program for these
    for name in ("git.Repo.clone_from", "git.Repo().git.execute", "git.Remote().fetch",
                 "git.Remote().pull", "git.Remote().push", "git.Repo.init"):
        table[name] = Blocking(BLOCKING_PROCESS, "await asyncio.to_thread()")
    for name in ("recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into",
                 "send", "sendall", "sendfile", "sendmsg", "sendto"):
        table[f"socket.socket().{name}"] = _SOCKET_IO
    # UDP: connect() and send() do not wait for a peer; receiving does
    for name in ("recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into"):
        table[f"socket.DatagramSocket().{name}"] = _SOCKET_IO
    for verb in HTTP_VERBS:
        table[f"requests.{verb}"] = Blocking(BLOCKING_HTTP)
        table[f"requests.Session().{verb}"] = Blocking(BLOCKING_HTTP)
        # niquests: a drop-in for requests, with its own AsyncSession
        table[f"niquests.{verb}"] = Blocking(BLOCKING_HTTP, "niquests.AsyncSession")
        table[f"niquests.Session().{verb}"] = Blocking(BLOCKING_HTTP, "niquests.AsyncSession")
    table["requests.Session().send"] = Blocking(BLOCKING_HTTP)
    # httpx and its maintained successor httpx2 (2.x): the same sync API
    for httpx in ("httpx", "httpx2"):
        client = Blocking(BLOCKING_HTTP, f"{httpx}.AsyncClient")
        for verb in HTTP_VERBS:
            table[f"{httpx}.{verb}"] = client
            table[f"{httpx}.Client().{verb}"] = client
        table[f"{httpx}.stream"] = Blocking(BLOCKING_HTTP, f"{httpx}.AsyncClient().stream()")
        table[f"{httpx}.Client().send"] = client
        table[f"{httpx}.Client().stream"] = Blocking(
            BLOCKING_HTTP, f"{httpx}.AsyncClient().stream()")
    table["httplib2.Http().request"] = Blocking(BLOCKING_HTTP)
    # LLM SDKs' module-level calls (their clients: see clients.py): each an HTTP request
    for name in LITELLM_CALLS:
        table[f"litellm.{name}"] = Blocking(BLOCKING_HTTP, f"await litellm.a{name}()")
    for name in _OLLAMA_CALLS:
        table[f"ollama.{name}"] = Blocking(
            BLOCKING_HTTP, f"await ollama.AsyncClient().{name}()")
    for pool in ("urllib3.HTTPConnectionPool", "urllib3.HTTPSConnectionPool",
                 "urllib3.PoolManager", "urllib3.ProxyManager"):
        for method in ("request", "request_encode_body", "request_encode_url", "urlopen"):
            table[f"{pool}().{method}"] = Blocking(BLOCKING_HTTP)
    for connect, (connection, cursor, fix) in _DATABASES.items():
        advice = f"{fix}, or await asyncio.to_thread()"
        db = Blocking(BLOCKING_DATABASE, advice)
        table[connect] = db
        for method in ("commit", "execute", "executemany", "executescript", "rollback"):
            table[f"{connection}().{method}"] = db
        for method in ("callproc", "execute", "executemany", "executescript", "fetchall",
                       "fetchmany", "fetchone"):
            table[f"{cursor}().{method}"] = db
    return table


#: canonical call -> what it blocks on; one dict lookup per call in a coroutine
BLOCKING_CALLS: Final[Mapping[str, Blocking]] = _blocking_calls()

#: objects that block in every public method but these: receiver -> (advice, exceptions)
BLOCKING_ANY_METHOD: Final[Mapping[str, tuple[Blocking, frozenset[str]]]] = {
    # every boto3/botocore client method is an HTTP call to AWS, but the local helpers
    "boto3.client()": (
        Blocking(BLOCKING_HTTP, "aioboto3 or aiobotocore, or await asyncio.to_thread()",
                 as_written=True),
        frozenset({"can_paginate", "close", "generate_presigned_post",
                   "generate_presigned_url", "get_paginator", "get_waiter"})),
    "boto3.resource()": (
        Blocking(BLOCKING_HTTP, "aioboto3, or await asyncio.to_thread()", as_written=True),
        frozenset({"get_available_subresources"})),
}
#: modules whose presence lets every method call through the name prefilter
BLOCKING_ANY_MODULES: Final = frozenset({"boto3", "botocore"})
#: the packages of boto3's type stubs (``from mypy_boto3_s3 import S3Client``)
BOTO3_STUB_PREFIXES: Final = ("mypy_boto3_", "types_boto3_")

#: values whose iteration runs blocking I/O (``for row in Article.objects.all():``)
ITERATION_BLOCKS: Final[Mapping[str, Blocking]] = {
    f"{_DJANGO_MODELS}.QuerySet()": Blocking(
        BLOCKING_DATABASE, "async for over the queryset (Django's async ORM; iterating it "
        "here raises SynchronousOnlyOperation)", as_written=True),
}

#: ``with x:`` on these blocks the thread until the lock is free
BLOCKING_WITH: Final[Mapping[str, tuple[str, Blocking]]] = {
    f"{module}.{name}()": (f"{module}.{name}.acquire", blocking)
    for module in ("threading", "multiprocessing")
    for name, blocking in (("Condition", _CONDITION), ("Lock", _LOCK), ("RLock", _RLOCK),
                           ("Semaphore", _SEMAPHORE))
}

#: calls that make another kind of object when an argument says so:
#: callee -> ((marker, what it returns), ...); a marker is a string constant or the last
#: name of a constant such as socket.SOCK_DGRAM
CALL_VARIANTS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "socket.socket": (("SOCK_DGRAM", "socket.DatagramSocket()"),),
    "sqlite3.connect": ((":memory:", "sqlite3.MemoryConnection()"),),
    # a client whose transport answers from a function in memory (tests): no I/O
    "httpx.Client": (("MockTransport", "httpx.MockClient()"),),
    "httpx2.Client": (("MockTransport", "httpx2.MockClient()"),),
}
#: callee -> what it makes when called without a positive maxsize (first argument or
#: ``maxsize=``): a queue whose put() never waits
UNBOUNDED_UNLESS_MAXSIZE: Final[Mapping[str, str]] = {
    queue_type: "{0}.Unbounded{2}()".format(*queue_type.rpartition("."))
    for queue_type, methods in QUEUES.items() if "put" in methods
}
#: internal type names -> the public name messages and --asyncio-allowed-calls use
DISPLAY_NAMES: Final[Mapping[str, str]] = {
    variant.removesuffix("()"): queue_type
    for queue_type, variant in UNBOUNDED_UNLESS_MAXSIZE.items()
}
#: variants that live in memory: making them waits on nothing
IN_MEMORY_VARIANTS: Final = frozenset({"sqlite3.MemoryConnection()"})
#: calls returning a lazy iterator: no I/O until it is consumed (maybe in a thread)
LAZY_ITERATORS: Final = frozenset({
    "glob.iglob", "os.walk", "pathlib.Path().glob", "pathlib.Path().iterdir",
    "pkgutil.iter_modules",
    "pathlib.Path().rglob", "pathlib.Path().walk",
})

#: methods started on any receiver: the names are asyncio's own and unmistakable
LOOP_RUN_METHODS: Final = frozenset({"run_forever", "run_until_complete"})

#: method name -> positions/keywords whose constant False/0 makes the call non-blocking
NON_BLOCKING_ARGS: Final[Mapping[str, tuple[int, frozenset[str]]]] = {
    "acquire": (0, frozenset({"blocking"})),
    "get": (0, frozenset({"block"})),
    "put": (1, frozenset({"block"})),
    "shutdown": (0, frozenset({"wait"})),
}
#: method name -> position of a timeout argument; a constant 0 means "just poll"
TIMEOUT_ARGS: Final[Mapping[str, int]] = {
    "acquire": 1, "communicate": 1, "exception": 0, "get": 1, "join": 0, "put": 2, "result": 0,
    "wait": 0,
}
#: like TIMEOUT_ARGS, for functions whose method name alone would be ambiguous:
#: callee -> position of the timeout (``select.select(r, w, x, 0)`` only polls)
TIMEOUT_ARGS_BY_NAME: Final[Mapping[str, int]] = {"select.select": 3}
#: file openers that read an in-memory object when given one (``fileobj=``, BytesIO)
IN_MEMORY_OPENERS: Final = frozenset({
    "PIL.Image.open", "bz2.open", "gzip.open", "lzma.open", "tarfile.open", "wave.open",
    "zipfile.ZipFile",
})
IN_MEMORY_FILES: Final = frozenset({"io.BytesIO()", "io.StringIO()"})
#: asyncio attributes -> the Python that added them (a fallback for their absence,
#: ``getattr(asyncio, "Runner", _Fallback)``, runs only on older Pythons)
ASYNCIO_ADDED: Final[Mapping[str, tuple[int, int]]] = {
    "all_tasks": (3, 7), "create_task": (3, 7), "current_task": (3, 7),
    "get_running_loop": (3, 7), "run": (3, 7), "to_thread": (3, 9), "Barrier": (3, 11),
    "Runner": (3, 11), "TaskGroup": (3, 11), "timeout": (3, 11), "timeout_at": (3, 11),
    "eager_task_factory": (3, 12),
}
#: libraries that replace asyncio's loop and policy functions when imported: the calls
#: reach their shims (which neither warn nor go away), not asyncio's own
ASYNCIO_REPLACED_ON_IMPORT: Final[Mapping[str, frozenset[str]]] = {
    "trio_asyncio": frozenset({
        "asyncio.get_event_loop", "asyncio.get_event_loop_policy", "asyncio.new_event_loop",
        "asyncio.set_event_loop", "asyncio.set_event_loop_policy"}),
}
#: annotations that an in-memory stream satisfies as well as a file
STREAM_PROTOCOLS: Final = frozenset({"typing.BinaryIO()", "typing.IO()", "typing.TextIO()"})
#: file object types whose methods do file I/O (reported where the open() is not)
FILE_OBJECTS: Final = frozenset({
    "io.BufferedRandom()", "io.BufferedReader()", "io.BufferedWriter()", "io.FileIO()",
    "io.TextIOWrapper()", "typing.BinaryIO()", "typing.IO()", "typing.TextIO()",
})
#: file functions whose first argument is the path (a pseudo-file path: no disk I/O)
PATH_FUNCTIONS: Final = frozenset({
    "codecs.open", "glob.glob", "glob.iglob", "io.open", "open", "os.listdir", "os.open",
    "os.scandir", "os.walk",
})
#: paths of files and directories that live in the kernel's memory, never on a disk:
#: exact names, and prefixes that end in "/"
PSEUDO_PATHS: Final = frozenset({
    "/dev/null", "/dev/fd", "/dev/fd/", "/proc", "/proc/", "/sys", "/sys/",
})
#: calls that wait only when given a positive ``interval`` (position 0 or keyword), or
#: that read a file only when given one (``load_verify_locations(cafile)``, not ``cadata=``)
SLEEPS_BY_ARGUMENT: Final[Mapping[str, tuple[int, str]]] = {
    "ssl.SSLContext().load_verify_locations": (0, "cafile"),
    "psutil.Process().cpu_percent": (0, "interval"),
    "psutil.cpu_percent": (0, "interval"),
    "psutil.cpu_times_percent": (0, "interval"),
}
#: calls that make no request when given a keyword that supplies the answer:
#: litellm returns ``mock_response`` as the model's reply (its testing switch)
ANSWERED_BY_KEYWORD: Final[Mapping[str, str]] = {
    f"litellm.{name}": "mock_response"
    for name in ("completion", "text_completion", "embedding", "image_generation")
}
#: calls that return at once when an argument includes a flag:
#: callee -> (position, keyword, flag names)
FLAGGED_CALLS: Final[Mapping[str, tuple[int, str, frozenset[str]]]] = {
    "socket.getaddrinfo": (5, "flags", frozenset({"AI_NUMERICHOST"})),
    # a numeric host is only formatted; the service name, if asked, comes from a local
    # table (/etc/services), never from the network
    "socket.getnameinfo": (1, "flags", frozenset({"NI_NUMERICHOST"})),
}
#: name lookups that never reach a resolver for a numeric host (an IP literal is only
#: parsed; ``localhost`` is still looked up, in the hosts file or beyond): callee ->
#: (position, keyword) of the host
HOST_LOOKUPS: Final[Mapping[str, tuple[int, str]]] = {
    "socket.getaddrinfo": (0, "host"),
    "socket.gethostbyname": (0, "hostname"),
    "socket.gethostbyname_ex": (0, "hostname"),
}
#: hosts no lookup sends to a resolver besides IP literals: the wildcard of getaddrinfo
LOCAL_HOSTS: Final = frozenset({""})
#: arguments naming these make os.wait*/os.spawn* return at once
NON_BLOCKING_FLAGS: Final = frozenset({"WNOHANG"})
