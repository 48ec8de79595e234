"""Every table entry, spelled every way real code spells it, in every place it can sit.

Generated from the data tables the checks read (``tables.py``): blocking calls and the
guards that make them return at once, ``with`` receivers, task factories, library
coroutines, event loops and their methods, synonyms.  Adding a table entry adds its
cases.  For each entry the generator writes small modules, one per spelling:

* functions: ``mod.f()``, ``from mod import f; f()``, ``from mod import f as g``,
  ``import mod as m; m.f()``, ``import pkg.sub`` then ``pkg.sub.f()``, ``from pkg import
  sub``, a local alias ``g = mod.f; g()``, a module-level alias, a synonym
  (``asyncio.tasks.create_task``), ``builtins.open`` for builtins;
* methods: on the constructed value inline, through a local, through a bound-method
  alias ``r = obj.m; r()``, on a parameter annotated with the type, on ``self.obj``, with
  the constructor imported under another name;

each with no arguments, positional, keyword and ``*args``/``**kwargs`` arguments, and the
flag arguments the guards inspect (``blocking=False``, ``timeout=0``, ``os.WNOHANG``,
``fileobj=``...); each placed in a coroutine, in a sync helper the coroutine calls
(AIO109), in a nested ``def``, ``lambda`` and ``class`` body, in a comprehension and at
module level; used as a statement and assigned.

Asserted: the plugin never raises (the suite runs with FLAKE8_ASYNCIO_TASKS_DEBUG=1) and
never reports AIO000; spellings of the same call give the same codes on the call's line
(or the same silence) in every place and with every argument form; the canonical
spelling in a coroutine gives the entry's code, so no entry is unreachable.
"""

from __future__ import annotations

import ast
import itertools
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import pytest

from flake8_asyncio_tasks.plugin import Plugin
from flake8_asyncio_tasks.tables import BLOCKING_CALLS, BLOCKING_WITH, CALL_VARIANTS, FILE_OBJECTS, IN_MEMORY_OPENERS, LOOP_RUN_METHODS, NON_BLOCKING_ARGS, NON_BLOCKING_FLAGS, RETURNS, SLEEPS_BY_ARGUMENT, TIMEOUT_ARGS, TIMEOUT_ARGS_BY_NAME, UNBOUNDED_UNLESS_MAXSIZE
from flake8_asyncio_tasks.task_tables import ASYNC_CONTEXT_MANAGERS, DEPRECATED_ASYNCIO, DROPPED_AWAITABLES, GATHERS, GET_EVENT_LOOP, LIBRARY_COROUTINES, LOOPS, NEW_LOOPS, OFFLOADS, TASK_FACTORIES, VALUE_CONSUMERS

#: dotted prefixes that are modules although not top level (else the top level is)
SUBMODULES = frozenset({
    "aiohttp.web", "asyncio.events", "asyncio.tasks", "concurrent.futures",
    "http.client", "mysql.connector", "os.path", "psycopg2.extensions",
    "pymysql.connections", "pymysql.cursors", "urllib.request",
})
#: classes with lower-case names (other lower-case names are functions: no annotation)
LOWERCASE_CLASSES = frozenset({
    "psycopg2.extensions.connection", "psycopg2.extensions.cursor", "socket.socket",
})
#: internal type names of the tables, made only through the variant that produces them
VARIANT_MAKERS: dict[str, str] = {}
for _callee, _variants in CALL_VARIANTS.items():
    for _marker, _variant in _variants:
        VARIANT_MAKERS.setdefault(_variant, f"{_callee}|{_marker}")
for _callee, _variant in UNBOUNDED_UNLESS_MAXSIZE.items():
    VARIANT_MAKERS.setdefault(_variant, f"{_callee}|")


# -- what an entry is ----------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One table entry: a call (``name``) or a ``with`` receiver, and the code it gives."""

    name: str  # canonical: "time.sleep", "socket.socket().recv", "threading.Lock()"
    code: str  # in a coroutine, as a statement, no arguments
    kind: str = "call"  # "call" or "with"
    #: extra argument lists the guards read: (label, source)
    flags: tuple[tuple[str, str], ...] = ()


def _guard_flags(name: str) -> tuple[tuple[str, str], ...]:
    method = name.rpartition(".")[2]
    flags: list[tuple[str, str]] = []
    if method in NON_BLOCKING_ARGS:
        index, keywords = NON_BLOCKING_ARGS[method]
        flags.append(("flag-positional", ", ".join(["arg0"] * index + ["False"])))
        flags += [(f"flag-{keyword}", f"{keyword}=False") for keyword in sorted(keywords)]
    if name in TIMEOUT_ARGS_BY_NAME or method in TIMEOUT_ARGS:
        index = TIMEOUT_ARGS_BY_NAME.get(name, TIMEOUT_ARGS.get(method, 0))
        flags.append(("timeout-positional", ", ".join(["arg0"] * index + ["0"])))
        flags.append(("timeout-keyword", "timeout=0"))
    if name.startswith(("os.wait", "os.spawn")):
        flags += [(f"flag-{flag}", f"arg0, arg1, os.{flag}") for flag in sorted(NON_BLOCKING_FLAGS)]
        flags.append(("flag-or", "arg0, os.WEXITED | os.WNOHANG"))
    if name in SLEEPS_BY_ARGUMENT:
        index, keyword = SLEEPS_BY_ARGUMENT[name]
        flags.append(("interval-positional", _argument_at(index, "1")))
        flags.append(("interval-keyword", f"{keyword}=1"))
    if name in IN_MEMORY_OPENERS:
        flags.append(("fileobj", "fileobj=arg0"))
        flags.append(("bytesio", "io.BytesIO(arg0)"))
    return tuple(flags)


def entries() -> list[Entry]:
    # a call that sleeps only when given an interval reports nothing without one
    found = [Entry(name, "" if name in SLEEPS_BY_ARGUMENT else blocking.rule.code,
                   flags=_guard_flags(name))
             for name, blocking in sorted(BLOCKING_CALLS.items())]
    found += [Entry(name, blocking.rule.code, "with") for name, (_, blocking)
              in sorted(BLOCKING_WITH.items())]
    found += [Entry(name, "AIO200") for name in sorted(TASK_FACTORIES | GATHERS)]
    found += [Entry(name, "AIO202") for name in sorted(LIBRARY_COROUTINES)]
    for loop in sorted(LOOPS):
        found += [Entry(f"{loop}.{method}", "AIO110") for method in sorted(LOOP_RUN_METHODS)]
        # a task on a loop just made and never run is AIO203, not merely dropped
        found.append(Entry(f"{loop}.create_task",
                           "AIO203" if loop.removesuffix("()") in NEW_LOOPS else "AIO200"))
    found.append(Entry(GET_EVENT_LOOP, "AIO301"))
    found += [Entry(name, "") for name in sorted(NEW_LOOPS)]
    # a blocking call written as the function argument of an offload (AIO111)
    found += [Entry(name, "AIO202" if name in LIBRARY_COROUTINES else "",
                    flags=(("blocking-argument", _argument_at(index, "time.sleep(arg0)")),))
              for name, index in sorted(OFFLOADS.items())]
    for loop in sorted(LOOPS):
        found.append(Entry(f"{loop}.run_in_executor", "AIO204", flags=(
            ("blocking-argument", "None, time.sleep(arg0)"),)))
    found += [Entry(name, "AIO204") for name in sorted(DROPPED_AWAITABLES)]
    found += [Entry(name, "AIO302") for name in sorted(DEPRECATED_ASYNCIO)]
    found += [Entry(name, "AIO208", "with") for name in sorted(ASYNC_CONTEXT_MANAGERS)]
    # a coroutine passed to a function that reads it as a plain value (AIO202)
    found += [Entry(name, "", flags=(("coroutine-argument", "asyncio.sleep(arg0)"),))
              for name in sorted(VALUE_CONSUMERS)]
    return found


def _argument_at(index: int, source: str) -> str:
    return ", ".join(["arg0"] * index + [source])


# -- how to write a value of a type, and a call of a name -----------------------------------
def split_module(name: str) -> tuple[str, str]:
    """``"urllib.request.urlopen"`` -> ``("urllib.request", "urlopen")``.

    A builtin has no module: ``"open"`` -> ``("", "open")``.
    """
    parts = name.split(".")
    if len(parts) == 1:
        return "", name
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        if cut == 1 or module in SUBMODULES:
            return module, ".".join(parts[cut:])
    raise AssertionError(name)


@cache
def producers() -> dict[str, list[str]]:
    """Type ``"T()"`` -> the call results that give one (``"sqlite3.connect()"``...)."""
    made: dict[str, list[str]] = defaultdict(list)
    for key, value in RETURNS.items():
        if key.endswith("()") and key != value and "[" not in key:
            made[value].append(key)
    return made


class Aliases(dict[str, str]):
    """Module -> the name the generated code uses for it; records the modules used."""

    def __init__(self, renamed: dict[str, str] | None = None) -> None:
        super().__init__(renamed or {})
        self.used: set[str] = set()

    def imports(self) -> tuple[str, ...]:
        return tuple(f"import {module}" if self.get(module, module) == module
                     else f"import {module} as {self[module]}" for module in sorted(self.used))


def value_of(type_name: str, module_alias: Aliases, depth: int = 0) -> str | None:
    """Source for a value of type ``"T()"``, with its modules written as ``module_alias`` says."""
    if depth > 4:
        return None
    if type_name in VARIANT_MAKERS:
        callee, marker = VARIANT_MAKERS[type_name].split("|")
        if not marker:  # queue.Queue() without a maxsize
            return f"{spell(callee, module_alias)}()"
        made = value_of(callee + "()", module_alias, depth + 1)
        if made is None:
            return None
        argument = repr(marker) if not marker.isidentifier() else (
            f"{spell(callee.rpartition('.')[0], module_alias)}.{marker}")
        return f"{made[:-2]}(arg0, {argument})" if marker.isidentifier() else (
            f"{made[:-2]}({argument})")
    for made in producers().get(type_name, []):
        source = call_of(made, module_alias, depth + 1)
        if source is not None:
            return source
    if type_name.endswith("()") and RETURNS.get(type_name, type_name) == type_name:
        if type_name[:-2] in UNBOUNDED_UNLESS_MAXSIZE:  # a queue with a maxsize
            return f"{spell(type_name[:-2], module_alias)}(arg0)"
        return call_of(type_name, module_alias, depth + 1)
    return None


def call_of(result: str, module_alias: Aliases, depth: int) -> str | None:
    """Source of the call whose result is written ``"a.b()"`` or ``"A().m()"``."""
    callee = result[:-2]
    if "()" in callee:
        receiver, _, method = callee.rpartition(").")
        base = value_of(receiver + ")", module_alias, depth + 1)
        return None if base is None else f"{base}.{method}()"
    return f"{spell(callee, module_alias)}()"


def spell(name: str, module_alias: Aliases) -> str:
    module, path = split_module(name)
    if not module:
        return path
    module_alias.used.add(module)
    return f"{module_alias.get(module, module)}.{path}"


@dataclass(frozen=True)
class Spelling:
    """One way to write the entry: imports, setup statements and the callee."""

    label: str
    imports: tuple[str, ...]
    callee: str  # what is called (or, for "with" entries, the context expression)
    setup: tuple[str, ...] = ()  # statements before the call, in the same function
    module_setup: tuple[str, ...] = ()  # statements at module level
    parameter: str = ""  # an annotated parameter the callee uses ("obj_: socket.socket")
    on_self: tuple[str, str] | None = None  # (attribute, value): self.attribute = value
    #: the receiver's construction when it is written on the call's own line: what it
    #: reports there is counted apart (see ``constructor_cases``)
    constructor: str = ""


def function_spellings(name: str, synonyms: list[str]) -> list[Spelling]:
    module, path = split_module(name)
    head, _, rest = path.partition(".")
    tail = f".{rest}" if rest else ""
    if not module:  # a builtin
        return [
            Spelling("plain", (), name),
            Spelling("builtins", ("import builtins",), f"builtins.{name}"),
            Spelling("local-alias", (), "fn_", setup=(f"fn_ = {name}",)),
        ]
    top = module.partition(".")[0]
    found = [
        Spelling("dotted", (f"import {module}",), f"{module}.{path}"),
        Spelling("from-import", (f"from {module} import {head}",), f"{head}{tail}"),
        Spelling("from-import-as", (f"from {module} import {head} as other_",), f"other_{tail}"),
        Spelling("import-as", (f"import {module} as mod_",), f"mod_.{path}"),
        Spelling("local-alias", (f"import {module}",), "fn_", setup=(f"fn_ = {module}.{path}",)),
        Spelling("module-alias", (f"import {module}",), "fn_",
                 module_setup=(f"fn_ = {module}.{path}",)),
    ]
    if module != top:
        parent, _, last = module.rpartition(".")
        found.append(Spelling("from-package", (f"from {parent} import {last}",),
                              f"{last}.{path}"))
    for synonym in synonyms:
        syn_module, syn_path = split_module(synonym)
        found.append(Spelling(f"synonym:{synonym}", (f"import {syn_module}",),
                              f"{syn_module}.{syn_path}"))
    return found


def method_spellings(name: str, kind: str) -> list[Spelling]:
    """Spellings of ``"T().m"`` (a call) or ``"T()"`` (a ``with`` receiver)."""
    if kind == "with":
        receiver, method = name, ""
    else:
        receiver, _, method = name.rpartition(").")
        receiver += ")"
    attr = f".{method}" if method else ""
    modules = Aliases()
    source = value_of(receiver, modules)
    if source is None:
        return []
    imports = modules.imports()
    found = [
        Spelling("local", imports, f"obj_{attr}", setup=(f"obj_ = {source}",),
                 constructor=source),
        Spelling("inline", imports, f"{source}{attr}", constructor=source),
        Spelling("self-attribute", imports, f"self.obj_{attr}", on_self=("obj_", source)),
    ]
    if method:
        found.append(Spelling("bound-method-alias", imports, "bound_",
                              setup=(f"obj_ = {source}", f"bound_ = obj_{attr}"),
                              constructor=source))
    aliased = Aliases({module: f"{module.replace('.', '_')}_alias" for module in modules.used})
    other = value_of(receiver, aliased)
    if other is not None:
        found.append(Spelling("import-as", aliased.imports(), f"obj_{attr}",
                              setup=(f"obj_ = {other}",), constructor=other))
    type_name = receiver[:-2]
    # an annotation names the type, not the variant its constructor's arguments pick
    direct = "()" not in type_name and receiver not in VARIANT_MAKERS and not producers().get(
        receiver) and RETURNS.get(receiver, receiver) == receiver and (
        type_name not in UNBOUNDED_UNLESS_MAXSIZE and type_name not in CALL_VARIANTS) and (
        type_name.rpartition(".")[2][:1].isupper() or type_name in LOWERCASE_CLASSES)
    if direct:
        module, _ = split_module(type_name)
        found.append(Spelling("annotated-parameter", (f"import {module}",),
                              f"obj_{attr}", parameter=f"obj_: {type_name}"))
    return found


def spellings(entry: Entry) -> list[Spelling]:
    name = entry.name
    if entry.kind == "call" and name.endswith("()") and "()" not in name[:-2]:
        # "asgiref.sync.sync_to_async()": what calling the function's result does
        return [Spelling(spelling.label, spelling.imports, f"{spelling.callee}(print)",
                         spelling.setup, spelling.module_setup)
                for spelling in function_spellings(name[:-2], [])]
    if entry.kind == "with" or "()" in entry.name:
        return method_spellings(entry.name, entry.kind)
    synonyms = sorted(key for key, value in RETURNS.items()
                      if value == entry.name and "(" not in key and key != entry.name)
    return function_spellings(entry.name, synonyms)


# -- where the call sits ----------------------------------------------------------------
PLACES = ("coroutine", "helper", "nested-def", "lambda", "class-body", "comprehension",
          "module")
#: places where the call sits in a scope of its own inside the coroutine
NESTED_SCOPES = ("nested-def", "lambda", "class-body", "comprehension")
#: places where the argument forms are crossed with every spelling
ARGUMENT_PLACES = ("coroutine", "helper")
ARGUMENTS = (("none", ""), ("positional", "arg0, arg1"), ("keyword", "arg0, key=arg1"),
             ("star", "*args_, **kwargs_"))
USAGES = ("statement", "assigned")


@dataclass
class Module:
    """One generated module and, per case, the line whose findings count."""

    lines: list[str] = field(default_factory=list)
    cases: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # line -> case key
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def add(self, text: list[str], key: tuple[str, str, str], marker: str = "# <-") -> None:
        start = len(self.lines)
        for offset, line in enumerate(text):
            if line.endswith(marker):
                self.cases[start + offset + 1] = key
                line = line[: -len(marker)].rstrip()
            self.lines.append(line)
        self.lines += ["", ""]


def _statement(entry: Entry, call: str, usage: str) -> str:
    if entry.kind == "with":
        return f"with {call}:"
    return call if usage == "statement" else f"value_ = {call}"


def _body(entry: Entry, statement: str) -> list[str]:
    return [f"{statement}  # <-", "    pass"] if entry.kind == "with" else [f"{statement}  # <-"]


def _numbered(text: str, number: int) -> str:
    return re.sub(r"\b(obj_|bound_|fn_)(?=\W|$)", rf"\g<1>{number}", text)


def _unmarked(lines: list[str]) -> list[str]:
    return [line.removesuffix("  # <-") for line in lines]


def _indent(lines: list[str] | tuple[str, ...], depth: int = 1) -> list[str]:
    return ["    " * depth + line if line else line for line in lines]


def case_lines(entry: Entry, spelling: Spelling, place: str, args: str, usage: str,
               number: int, call: str | None = None) -> list[str] | None:
    """The source of one case, the counted line marked ``# <-``; ``None`` if it cannot be.

    ``call`` replaces the call expression (the constructor cases).
    """
    if call is None:
        call = spelling.callee if entry.kind == "with" else f"{spelling.callee}({args})"
    if place == "module" and spelling.setup:
        # module-level cases share one namespace: give each its own names
        spelling = Spelling(spelling.label, spelling.imports, _numbered(spelling.callee, number),
                            tuple(_numbered(line, number) for line in spelling.setup),
                            spelling.module_setup, spelling.parameter, spelling.on_self)
        call = _numbered(call, number)
    statement = _statement(entry, call, usage)
    setup = list(spelling.setup)
    made = re.match(r"(\s*)(\w+) = ", setup[-1]) if setup else None
    if made and entry.kind == "call" and entry.name in BLOCKING_CALLS and (
            BLOCKING_CALLS[entry.name].mutex):
        # lock = threading.Lock(); lock.acquire() takes a lock nobody else has yet:
        # publish it first, as code sharing a lock does
        setup.append(f"{made.group(1)}print({made.group(2)})")
    body = [*setup, *_body(entry, statement)]
    if place == "coroutine" and entry.kind == "with" and entry.name in BLOCKING_WITH and (
            BLOCKING_WITH[entry.name][1].mutex):
        # a thread lock is reported in a coroutine when held across a suspension
        body[-1] = "    await asyncio.sleep(0)"
    params = ", ".join(filter(None, [spelling.parameter, "arg0=None", "arg1=None",
                                     "*args_", "**kwargs_"]))
    if place == "module" and spelling.parameter:
        return None  # a parameter exists only in functions
    if spelling.on_self is not None:
        if place not in ("coroutine", "helper"):
            return None
        attribute, value = spelling.on_self
        init = ["def __init__(self):", f"    self.{attribute} = {value}", ""]
        if place == "coroutine":
            method = [f"async def run_{number}(self, {params}):", *_indent(body)]
        else:
            method = [f"def helper_{number}(self, {params}):", *_indent(_unmarked(body)), "",
                      f"async def run_{number}(self):",
                      f"    self.helper_{number}()  # <-"]
        return [f"class Case{number}:", *_indent(init), *_indent(method)]
    if place == "coroutine":
        return [f"async def case_{number}({params}):", *_indent(body)]
    if place == "helper":
        helper = [f"def helper_{number}({params}):", *_indent(_unmarked(body))]
        return [*helper, "", "", f"async def case_{number}():", f"    helper_{number}()  # <-"]
    if place == "nested-def":
        return [f"async def case_{number}({params}):", f"    def inner_{number}():",
                *_indent(body, 2), f"    return inner_{number}"]
    if place == "class-body":
        return [f"async def case_{number}({params}):", f"    class Inner{number}:",
                *_indent(body, 2), f"    return Inner{number}"]
    if entry.kind == "with":
        if place == "module":
            return [*spelling.setup, *_body(entry, statement)]
        return None  # a with statement is no expression
    if place == "lambda":
        return [f"async def case_{number}({params}):", *_indent(setup),
                f"    return lambda: {call}  # <-"]
    if place == "comprehension":
        return [f"async def case_{number}({params}):", *_indent(setup),
                f"    [{call} for _ in arg0]  # <-"]
    if place == "module":
        return [*setup, f"{statement}  # <-"]
    raise AssertionError(place)


_HEADER = ("import asyncio", "import io", "import os", "import time")
_HEADER_NAMES = frozenset({"asyncio", "io", "os", "time"})


def _bound_names(imports: tuple[str, ...]) -> set[str]:
    """The names import statements bind: ``from a import b as c`` -> ``{"c"}``."""
    names = set()
    for line in imports:
        if line in _HEADER:
            continue
        for node in ast.parse(line).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(alias.asname or alias.name).partition(".")[0]
                          for alias in node.names}
    return names


def modules_for(entry: Entry) -> Iterator[tuple[Spelling, Module]]:
    """One module per spelling of ``entry``, holding every place, argument form and usage."""
    for spelling in spellings(entry):
        if _bound_names(spelling.imports) & _HEADER_NAMES:
            continue  # ``from aiofiles import os`` would shadow the header's ``os``
        module = Module()
        header = [*_HEADER, *spelling.imports, *spelling.module_setup]
        module.lines += [*dict.fromkeys(header), "", ""]
        # every argument form for entries whose guards read arguments; the others
        # get no arguments and *args/**kwargs (the fuzz tests vary the rest)
        forms = [*ARGUMENTS, *entry.flags] if entry.flags else [ARGUMENTS[0], ARGUMENTS[3]]
        for place in PLACES:
            for (label, args), usage in itertools.product(
                    forms if place in ARGUMENT_PLACES else forms[:1],
                    USAGES if place in ARGUMENT_PLACES else USAGES[:1]):
                if entry.kind == "with" and (label != "none" or usage != "statement"):
                    continue
                text = case_lines(entry, spelling, place, args, usage, next(module.counter))
                if text is not None:
                    module.add(text, (place, label, usage))
                if spelling.constructor and label == "none":
                    text = case_lines(entry, spelling, place, args, usage,
                                      next(module.counter), call=spelling.constructor)
                    if text is not None:
                        module.add(text, (place, "constructor", usage))
        yield spelling, module


# -- running it ---------------------------------------------------------------------------
def codes_by_case(module: Module, filename: str) -> tuple[dict[tuple[str, str, str], set[str]],
                                                           list[str]]:
    source = "\n".join(module.lines) + "\n"
    tree = ast.parse(source)
    found: dict[tuple[str, str, str], set[str]] = {key: set() for key in module.cases.values()}
    problems = []
    for line, _col, text, _ in Plugin(tree, filename, source.splitlines(True)).run():
        code = text.split()[0]
        if code == "AIO000":
            problems.append(text)
        if line in module.cases:
            found[module.cases[line]].add(code)
    return found, problems


@dataclass
class Matrix:
    """Codes per (entry, spelling, case), and what went wrong."""

    results: dict[str, dict[str, dict[tuple[str, str, str], set[str]]]]
    problems: list[str]
    modules: int
    cases: int
    seconds: float


@pytest.fixture(scope="module")
def matrix() -> Matrix:
    started = time.perf_counter()
    results: dict[str, dict[str, dict[tuple[str, str, str], set[str]]]] = {}
    problems: list[str] = []
    modules = cases = 0
    for entry in entries():
        per_spelling = results.setdefault(entry.name, {})
        for spelling, module in modules_for(entry):
            modules += 1
            cases += len(module.cases)
            try:
                found, internal = codes_by_case(module, "case.py")
            except Exception as error:  # noqa: BLE001 - every failure is collected
                problems.append(f"{entry.name} [{spelling.label}]: {type(error).__name__}: "
                                f"{error}\n" + "\n".join(module.lines))
                continue
            problems += [f"{entry.name} [{spelling.label}]: {text}" for text in internal]
            per_spelling[spelling.label] = found
    return Matrix(results, problems, modules, cases, time.perf_counter() - started)


def test_matrix_is_big_and_quick(matrix: Matrix) -> None:
    print(f"\nspelling matrix: {len(matrix.results)} entries, {matrix.modules} modules, "
          f"{matrix.cases} cases, {matrix.seconds:.1f} s")
    assert len(matrix.results) >= len(BLOCKING_CALLS)
    assert matrix.cases >= 20 * len(BLOCKING_CALLS)


def test_no_exception_and_no_internal_error(matrix: Matrix) -> None:
    assert matrix.problems == [], "\n\n".join(matrix.problems[:5])


def test_every_entry_has_spellings(matrix: Matrix) -> None:
    lonely = [name for name, per_spelling in matrix.results.items() if len(per_spelling) < 3]
    assert lonely == []


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry.name)
def test_canonical_spelling_in_a_coroutine_reports_the_entry(
        entry: Entry, matrix: Matrix) -> None:
    per_spelling = matrix.results[entry.name]
    first = next(iter(per_spelling))
    if entry.name.rpartition(".")[0] in FILE_OBJECTS:
        # a file opened in the same coroutine is reported at its open(), not at each
        # method: the file kept on self and used in a coroutine is the canonical case
        first = "self-attribute"
    codes = per_spelling[first][("coroutine", "none", "statement")]
    assert codes == ({entry.code} if entry.code else set()), (first, codes)
    if entry.code.startswith("AIO1") and entry.code != "AIO110":
        assert per_spelling[first].get(("module", "none", "statement"), set()) == set()


@pytest.mark.parametrize("entry", entries(), ids=lambda entry: entry.name)
def test_spellings_agree(entry: Entry, matrix: Matrix) -> None:
    per_spelling = matrix.results[entry.name]
    reference_label = next(iter(per_spelling))
    reference = per_spelling[reference_label]
    disagreements = []
    for label, found in per_spelling.items():
        for key, codes in found.items():
            place, _, usage = key
            if found.get((place, "constructor", usage)) or reference.get(
                    (place, "constructor", usage)):
                continue  # the receiver's construction in the same function reports there
            if entry.code == "AIO203" and (label == "self-attribute" or (
                    label == "inline" and place in NESTED_SCOPES)):
                # whether a loop is ever run depends on where it is bound: one made
                # inline can never be run, one bound to a local may be run by a closure
                # that reads it, one kept on self by any method (AIO203 reads locals)
                continue
            if label == "annotated-parameter" and place == "helper" and (
                    entry.name.rpartition(".")[0] in FILE_OBJECTS):
                # def emit(stream: IO): stream.write(): the caller decides what the stream
                # is, so the helper is no AIO109 root (AIO109_stream_parameters.py)
                assert "AIO109" not in codes, (label, key, codes)
                continue
            if key in reference and codes != reference[key]:
                disagreements.append(
                    f"{label} {key}: {sorted(codes)} vs {reference_label}: "
                    f"{sorted(reference[key])}")
    assert disagreements == []
