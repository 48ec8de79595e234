"""Never a traceback: generated programs, deep structures, odd sources, parallel runs.

Everything goes through the real machinery: the flake8 plugin class
(``Plugin(tree, filename, lines).run()``) and the real ``python -m flake8`` command.

Property-based tests (hypothesis + hypothesmith) run a modest number of examples by
default.  For a long run, set ``AIO_FUZZ_EXAMPLES`` (examples per strategy)::

    AIO_FUZZ_EXAMPLES=1000 python -m pytest -q tests/test_robustness.py -k fuzz -p no:cacheprovider

The whole-standard-library sweep lives in ``test_stdlib_sweep.py`` (marked ``slow``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import hypothesis.strategies as st
import hypothesmith
import pytest
import test_spelling_matrix as spelling_matrix
from conftest import FLAKE8_LINE, count_resolutions, run_flake8
from hypothesis import HealthCheck, Phase, assume, find, given, settings

from flake8_asyncio_tasks.plugin import Plugin
from flake8_asyncio_tasks.rules import ALL_RULES

Result = tuple[int, int, str]


# -- helpers ---------------------------------------------------------------------------
def plugin_results(tree: ast.AST, filename: str = "mod.py",
                   lines: Sequence[str] | None = None) -> list[Result]:
    """Run the flake8 plugin class on ``tree``; check every result is well formed."""
    results = []
    for result in Plugin(tree, filename, lines).run():
        assert_well_formed(result)
        results.append(result[:3])
    return results


def assert_well_formed(result: tuple[object, ...]) -> None:
    """``(line >= 1, col >= 0, "AIOxxx message", Plugin)`` with a registered code."""
    assert len(result) == 4, result
    line, col, text, kind = result
    assert type(line) is int and line >= 1, result
    assert type(col) is int and col >= 0, result
    assert isinstance(text, str) and "\n" not in text, result
    code, _, message = text.partition(" ")
    assert code in ALL_RULES and message, result
    assert code != "AIO000", f"internal error: {result}"
    assert kind is Plugin, result


def codes_at(results: Sequence[Result]) -> list[tuple[int, str]]:
    """Sorted ``(line, code)`` pairs."""
    return sorted((line, text.split()[0]) for line, _, text in results)


def check_source(source: str) -> list[Result]:
    """Parse and check ``source`` as flake8 would (lines given), and with the walk forced.

    The cheap text pre-filter (``lines`` given) must never hide a finding that the
    full walk (``lines=None``) reports.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    walked = plugin_results(tree, "fuzz.py", None)
    filtered = plugin_results(tree, "fuzz.py", lines)
    assert filtered == walked
    for line, _, _ in walked:
        assert line <= max(len(lines), 1)
    return walked


#: every option set, so the configured code paths run too
CONFIGURED = argparse.Namespace(
    asyncio_blocking_calls="mylib.fetch_sync=mylib.fetch, x.y, helper, self.s.get",
    asyncio_allowed_calls="requests, time.sleep, main, Time.time",
    asyncio_task_factories="spawn, mylib.spawn, x.make, self.start",
)


@contextlib.contextmanager
def configured(options: argparse.Namespace = CONFIGURED) -> Iterator[None]:
    """Plugin options as flake8 would set them (``parse_options``), restored afterwards."""
    previous = Plugin._settings
    Plugin.parse_options(options)
    try:
        yield
    finally:
        Plugin._settings = previous


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TimeoutError`` in the block after ``seconds`` (POSIX main thread only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cli_findings(output: str, root: Path) -> dict[str, list[tuple[int, int, str]]]:
    """``{file name relative to root: sorted (line, col, code)}`` from flake8's stdout.

    ``root`` is also the directory flake8 ran in, for the relative paths it prints.
    """
    found: dict[str, list[tuple[int, int, str]]] = {}
    for line in output.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, f"unexpected flake8 output line: {line!r}"
        path = Path(match["path"])
        path = path if path.is_absolute() else root / path
        name = path.resolve().relative_to(root.resolve()).as_posix()
        found.setdefault(name, []).append((int(match["line"]), int(match["col"]),
                                           match["code"]))
    return {name: sorted(pairs) for name, pairs in found.items()}


def assert_clean_run(result: subprocess.CompletedProcess[str]) -> None:
    """flake8 finished normally: exit 0/1, nothing on stderr, no traceback anywhere."""
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr == "", result.stderr


# -- property-based: generated programs never make the plugin raise -------------------
_FUZZ_EXAMPLES = int(os.environ.get("AIO_FUZZ_EXAMPLES", "0"))


def fuzz_settings(default: int) -> settings:
    """``default`` examples, or ``AIO_FUZZ_EXAMPLES`` when set; no deadline, no database."""
    return settings(
        max_examples=_FUZZ_EXAMPLES or default,
        deadline=None,
        database=None,
        # hypothesmith's strategies are slow and large by nature, and the custom
        # strategy discards the few combinations ast.parse rejects.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much, HealthCheck.large_base_example],
    )


def _async_template(source: str) -> ast.AsyncFunctionDef:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.AsyncFunctionDef)
    return node


class _MakeAsync(ast.NodeTransformer):
    """Every ``def`` becomes ``async def``, so every function body is a coroutine."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        new = _async_template("async def f():\n    pass\n")
        for name in node._fields:
            if hasattr(node, name):
                setattr(new, name, getattr(node, name))
        return ast.copy_location(new, node)


def coroutine_variants(tree: ast.Module) -> list[ast.Module]:
    """``tree`` with every def made async, and its whole body wrapped in an ``async def``."""
    made_async = _MakeAsync().visit(copy.deepcopy(tree))
    wrapper = _async_template("async def _fuzz_main():\n    pass\n")
    wrapper.body = copy.deepcopy(tree.body) or wrapper.body
    wrapped = ast.Module(body=[wrapper], type_ignores=[])
    return [made_async, ast.fix_missing_locations(wrapped)]


def _check_with_coroutine_variants(source: str) -> None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assume(False)
        return
    check_source(source)
    for variant in coroutine_variants(tree):
        plugin_results(variant, "fuzz.py", None)
    with configured():
        check_source(source)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@fuzz_settings(200)
@given(hypothesmith.from_grammar())
def test_fuzz_from_grammar(source: str) -> None:
    _check_with_coroutine_variants(source)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@fuzz_settings(25)
@given(hypothesmith.from_node())
def test_fuzz_from_node(source: str) -> None:
    _check_with_coroutine_variants(source)


# A custom strategy: statements an asyncio program really contains (blocking calls,
# tasks, loops, awaits, aliases, shadowing), nested in every kind of block, inside
# coroutines, sync helpers, methods and at module level.  $A/$B are filled from a
# small pool of names so that aliasing and shadowing collide often.
_NAMES = ("time", "sleep", "t", "task", "loop", "coro", "helper", "x", "self", "asyncio",
          "requests", "spawn", "lock", "s", "_", "main", "tasks", "fut")
_SIMPLE = (
    "time.sleep($A)", "t.sleep(0)", "$A(1)", "sleep(1)", "pause(0.1)", "requests.get($A)",
    "$A = requests.Session()", "s.get($A)", "open($A).read()", "subprocess.run([$A])",
    "os.system('true')", "input()", "os.waitpid($A, os.WNOHANG)", "$A.read_text()",
    "asyncio.create_task(coro())", "$A = asyncio.create_task(coro($B))",
    "asyncio.ensure_future($A)", "asyncio.gather(coro(), $A)", "$A = asyncio.gather()",
    "loop = asyncio.get_event_loop()", "$A = asyncio.new_event_loop()",
    "loop.create_task(coro())", "$A.create_task($B())", "$A.run_until_complete(coro())",
    "loop.run_forever()", "asyncio.run(coro())", "asyncio.set_event_loop($A)",
    "await asyncio.sleep(0)", "await $A", "coro()", "$A = coro()", "helper($A)",
    "$A()", "$A.$B()", "await $A.$B($A)", "spawn(coro())", "$A = spawn($B())",
    "await asyncio.to_thread(time.sleep, 1)", "await loop.run_in_executor(None, $A, 1)",
    "pass", "return", "return $A", "$A = $B", "del $A", "global $A", "nonlocal $A",
    "yield", "yield $A", "yield from $A", "($A := coro())", "[time.sleep(i) for i in $A]",
    "{$A: $B for $A in $B}", "($A() for _ in $B)", "[$A async for $A in $B()]",
    "lock.acquire()", "$A.acquire(blocking=False)", "q.get(timeout=0)", "$A.result()",
    "self.$A = asyncio.create_task(coro())", "self.$A.sleep(1)", "self.$A()",
    "import time as $A", "from time import sleep as $A", "import $A", "import $A.$B",
    "from $A import *", "from . import $A", "$A += 1", "$A: int", "$A: requests.Session = $B",
    "raise", "break", "continue", "assert coro()", "if not coro(): pass",
    "x = $A or coro()", "$A, *$B = coro(), $A", "lambda: time.sleep($A)",
    "f = lambda $A=coro(): $A", "sock.setblocking(False)", "sock.recv(1)",
    "threading.Lock().acquire()", "print(*$A, **$B)", "$A[0] = asyncio.create_task(coro())",
    "tasks.add($A)", "$A.add_done_callback($B)", "$A.cancel()",
    "asyncio.create_task(coro()).add_done_callback(print)", "async with $A: pass",
    "with $A: time.sleep(0)", "with threading.Lock(): pass", "await asyncio.wait_for($A(), 1)",
    "mylib.fetch_sync()", "x.y($A)", "x.make(coro())", "self.s.get($A)", "self.start(coro())",
    "mylib.spawn($A())", "import mylib; mylib.fetch_sync()", "import time; time.sleep($A)",
)
_SIMPLE_SYNC = tuple(s for s in _SIMPLE if "await" not in s and "async" not in s)
_COMPOUND: tuple[tuple[str, ...], ...] = (
    ("if $A:",), ("if $A:", "else:"), ("if $A:", "elif $B:"), ("for $A in $B:",),
    ("for $A in $B:", "else:"), ("async for $A in $B:",), ("while $A:",),
    ("with $A as $B:",), ("with $A() as ($A, $B), $B:",), ("async with $A($B) as $B:",),
    ("try:", "except Exception as $A:"), ("try:", "finally:"), ("try:", "except:", "else:"),
    ("match $A:\n    case [$B, *_]:",), ("match $A:\n    case {'k': $B, **rest}:",),
    ("match $A:\n    case $B.C(x=0) as y if (z := y):", "    case _:"),
    ("def $A($B):",), ("async def $A($B, /, *, k=coro()):",), ("class $A($B):",),
    ("@$A\nasync def $B():",), ("@functools.lru_cache\ndef $A():",),
    ("@contextlib.contextmanager\ndef $A():",), ("async def $A(self, s: requests.Session):",),
)
if sys.version_info >= (3, 11):
    _COMPOUND += (("try:", "except* ValueError:"),)


@dataclass
class _Block:
    """A block of source lines, indented relative to its header."""

    lines: list[str] = field(default_factory=list)


def _fill(template: str, a: str, b: str) -> str:
    return template.replace("$A", a).replace("$B", b)


def _indent(lines: list[str], prefix: str = "    ") -> list[str]:
    return [prefix + line for line in lines]


_name = st.sampled_from(_NAMES)


def _simple(pool: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.builds(lambda t, a, b: [_fill(t, a, b)], st.sampled_from(pool), _name, _name)


def _compound(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    def build(headers: tuple[str, ...], a: str, b: str, bodies: list[list[str]]) -> list[str]:
        lines: list[str] = []
        for index, header in enumerate(headers):
            header_lines = _fill(header, a, b).split("\n")
            lines += header_lines
            depth = header_lines[-1].index(header_lines[-1].lstrip())
            body = bodies[index % len(bodies)]
            lines += _indent(body, " " * depth + "    ")
        return lines

    return st.builds(build, st.sampled_from(_COMPOUND), _name, _name,
                     st.lists(children, min_size=1, max_size=3))


def _spelled_calls() -> tuple[tuple[str, ...], ...]:
    """Every table entry in every spelling of the spelling matrix, as statement lines.

    Imports and aliases come first, inline (a function-level import binds like a
    module-level one), then the call with one of the matrix's argument forms.
    """
    found = []
    for entry in spelling_matrix.entries():
        forms = [*spelling_matrix.ARGUMENTS, *entry.flags]
        for spelling, (_, args) in itertools.product(spelling_matrix.spellings(entry), forms):
            if spelling.on_self is not None or spelling.parameter:
                continue  # needs a class or a parameter: the matrix covers those
            head = [*spelling.imports, *spelling.module_setup, *spelling.setup]
            if entry.kind == "with":
                found.append((*head, f"with {spelling.callee}:", "    pass"))
            else:
                found.append((*head, f"{spelling.callee}({args})"))
    return tuple(found)


_SPELLED = st.sampled_from(_spelled_calls()).map(list)


def _statements(pool: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    block = st.recursive(
        st.one_of(_simple(pool), _SPELLED),
        lambda children: st.one_of(
            _compound(children),
            st.lists(children, min_size=2, max_size=4).map(lambda bs: sum(bs, [])),
        ),
        max_leaves=25,
    )
    return block


_PRELUDE = (
    "import asyncio", "import contextlib", "import functools", "import os", "import socket",
    "import subprocess", "import threading", "import time", "import time as t",
    "import requests", "import pathlib", "from time import sleep",
    "from time import sleep as pause", "from asyncio import create_task, get_event_loop",
    "from mylib import spawn", "import mylib", "import x",
    "from concurrent.futures import ThreadPoolExecutor",
)


@st.composite
def asyncio_programs(draw: st.DrawFn) -> str:
    """A module: imports, then coroutines, helpers, classes and module-level code."""
    lines = draw(st.lists(st.sampled_from(_PRELUDE), max_size=len(_PRELUDE), unique=True))
    for kind in draw(st.lists(st.sampled_from(["async", "def", "class", "module"]),
                              min_size=1, max_size=4)):
        name = draw(_name)
        if kind == "async":
            lines.append(f"async def {name}(x, *args, loop=None):")
            if draw(st.booleans()):
                lines.append("    helper(x)")
            lines += _indent(draw(_statements(_SIMPLE)))
        elif kind == "def":
            # "helper" often, so that coroutines calling helper() reach AIO109
            name = draw(st.one_of(st.just("helper"), _name))
            lines.append(f"def {name}(x):")
            if draw(st.booleans()):
                lines.append("    import time; time.sleep(x)")
            lines += _indent(draw(_statements(_SIMPLE_SYNC)))
        elif kind == "class":
            lines += [f"class {name.title()}:", f"    async def {name}(self, x):"]
            lines += _indent(draw(_statements(_SIMPLE)), "        ")
        else:
            lines += draw(_statements(_SIMPLE_SYNC))
    if draw(st.booleans()):
        lines.append("asyncio.run(main())")
    return "\n".join(lines) + "\n"


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@fuzz_settings(300)
@given(asyncio_programs())
def test_fuzz_asyncio_programs(source: str) -> None:
    try:
        ast.parse(source)
    except SyntaxError:
        assume(False)
    check_source(source)
    with configured():
        check_source(source)
    # the same program with every def made async and the module body in a coroutine
    for variant in coroutine_variants(ast.parse(source)):
        plugin_results(variant, "fuzz.py", None)


def _codes_of(source: str, *, with_options: bool) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    with configured() if with_options else contextlib.nullcontext():
        return {code for _, code in codes_at(plugin_results(tree, "fuzz.py", None))}


@pytest.mark.parametrize(
    ("code", "with_options"),
    [("AIO100", False), ("AIO109", False), ("AIO200", False), ("AIO202", False),
     ("AIO108", True),
     # only the spelled table entries make these
     ("AIO107", False), ("AIO101", False)],
)
def test_custom_strategy_reaches_the_checks(code: str, with_options: bool) -> None:
    """Guard against a strategy that silently never produces a finding."""
    example = find(
        asyncio_programs(),
        lambda source: code in _codes_of(source, with_options=with_options),
        # the first hit is enough: no shrinking, which would re-run the plugin a lot
        settings=settings(max_examples=3000, deadline=None, database=None,
                          phases=[Phase.generate], suppress_health_check=list(HealthCheck)),
    )
    assert code in _codes_of(example, with_options=with_options)


# -- deep structures -------------------------------------------------------------------
_TEMPLATES = {
    "async": "async def f():\n    pass\n",
    "def": "def f():\n    pass\n",
    "if": "if x:\n    pass\n",
}


def _statement(source: str, line: int) -> ast.stmt:
    node = ast.parse(source).body[0]
    ast.increment_lineno(node, line - 1)
    return node


def nested(kinds: Sequence[str], innermost: str) -> tuple[ast.Module, int]:
    """A module nesting ``kinds`` (outermost first) around one ``innermost`` statement.

    Built as a tree: Python's tokenizer allows only 100 indentation levels, so 200
    nested blocks exist only as ASTs (other tools, or a transformer, can build them).
    Returns the tree and the line of the innermost statement.
    """
    line = len(kinds) + 2
    body: list[ast.stmt] = [_statement(innermost, line)]
    for depth in range(len(kinds) - 1, -1, -1):
        node = _statement(_TEMPLATES[kinds[depth]], depth + 2)
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.If))
        if not isinstance(node, ast.If):
            node.name = f"f{depth}"
        node.body = body
        node.col_offset = depth * 4
        body = [node]
    module = ast.Module(body=[_statement("import time", 1), *body], type_ignores=[])
    return module, line


_ALTERNATING_ASYNC_LAST = ["def" if i % 2 == 0 else "async" for i in range(200)]
_ALTERNATING_SYNC_LAST = ["async" if i % 2 == 0 else "def" for i in range(200)]


@pytest.mark.parametrize(
    ("kinds", "innermost", "expected"),
    [
        pytest.param(["async"] * 200, "time.sleep(1)", ["AIO100"], id="200-async-blocking"),
        pytest.param(["async"] * 200, "x = 1", [], id="200-async-quiet"),
        pytest.param(_ALTERNATING_ASYNC_LAST, "time.sleep(1)", ["AIO100"],
                     id="200-alternating-async-innermost"),
        pytest.param(_ALTERNATING_SYNC_LAST, "time.sleep(1)", [],
                     id="200-alternating-sync-innermost"),
        pytest.param(["def"] * 200, "time.sleep(1)", [], id="200-sync"),
        pytest.param(["async"] + ["if"] * 200, "time.sleep(1)", ["AIO100"],
                     id="200-ifs-in-coroutine"),
        pytest.param(["async"] + ["if"] * 200, "y = x", [], id="200-ifs-quiet"),
        pytest.param(["async"] * 1000, "time.sleep(1)", ["AIO100"], id="1000-async"),
    ],
)
def test_deeply_nested_blocks(kinds: list[str], innermost: str, expected: list[str]) -> None:
    tree, line = nested(kinds, innermost)
    with time_limit(60):
        results = plugin_results(tree)
    assert codes_at(results) == [(line, code) for code in expected]


def _deepest_parsable(build: Callable[[int], str], low: int, high: int) -> int:
    """The largest n in [low, high] for which ``ast.parse(build(n))`` succeeds."""
    def parses(n: int) -> bool:
        try:
            ast.parse(build(n))
        except (RecursionError, SyntaxError, MemoryError):
            return False
        return True

    assert parses(low), f"ast.parse rejects even n={low}"
    while low < high:
        middle = (low + high + 1) // 2
        if parses(middle):
            low = middle
        else:
            high = middle - 1
    return low


_DEEP_EXPRESSIONS: dict[str, Callable[[int], str]] = {
    # (source for n, whether the leftmost/deepest operand is a blocking call)
    "attributes-quiet": lambda n: "async def f():\n    y = a" + ".b" * n + "\n",
    "attributes-blocking": lambda n: (
        "import time\nasync def f():\n    y = time.sleep(1)" + ".b" * n + "\n"),
    "binary-operators-quiet": lambda n: "async def f():\n    y = " + " + ".join(["x"] * n) + "\n",
    "binary-operators-blocking": lambda n: (
        "import time\nasync def f():\n    y = time.sleep(1)" + " + x" * n + "\n"),
    "method-chain-quiet": lambda n: "async def f():\n    y = x" + ".f()" * n + "\n",
    "method-chain-blocking": lambda n: (
        "import time\nasync def f():\n    time.sleep(1)" + ".f()" * n + "\n"),
    "nested-calls": lambda n: (
        "import time\nasync def f():\n    y = " + "g(" * n + "time.sleep(1)" + ")" * n + "\n"),
}


@pytest.mark.parametrize("shape", sorted(_DEEP_EXPRESSIONS))
def test_deepest_expression_ast_parse_accepts(shape: str) -> None:
    build = _DEEP_EXPRESSIONS[shape]
    depth = _deepest_parsable(build, 100, 20_000)
    if shape != "nested-calls":  # the parser caps nested parentheses at 200
        assert depth >= 1000, depth
    source = build(depth)
    with time_limit(60):
        results = check_source(source)
    expected = [(3, "AIO100")] if "quiet" not in shape else []
    assert codes_at(results) == expected


def test_nested_lambdas_as_deep_as_ast_parse_accepts_without_task() -> None:
    def build(n: int) -> str:
        return "async def f():\n    g = " + "lambda: " * n + "time.sleep(1)\n"

    depth = _deepest_parsable(build, 100, 20_000)
    assert depth >= 1000
    with time_limit(60):
        assert check_source("import time\n" + build(depth)) == []


def _lambdas_around_task(depth: int) -> str:
    return (
        "import asyncio\n\n\nasync def work():\n    pass\n\n\n"
        "async def main():\n"
        "    task = asyncio.create_task(work())\n"
        "    keep = " + "lambda: " * depth + "task\n"
        "    return keep\n"
    )


def test_nested_lambdas_around_a_task_variable_shallow() -> None:
    # the task is read inside the (nested) lambdas: kept, nothing to report
    assert check_source(_lambdas_around_task(50)) == []


def test_nested_lambdas_around_a_task_variable_deep() -> None:
    source = _lambdas_around_task(2000)
    ast.parse(source)  # the parser accepts it
    with time_limit(60):
        assert check_source(source) == []


def big_module(total_lines: int) -> tuple[str, list[tuple[int, str]]]:
    """A generated module of ``total_lines`` lines: helpers, coroutines, tasks, and a
    blocking call (direct or through a helper) every few thousand lines."""
    lines = ["import asyncio", "import time", "", "",
             "async def worker(n):", "    await asyncio.sleep(n)", ""]
    expected: list[tuple[int, str]] = []
    index = 0
    while len(lines) < total_lines:
        helper_blocks = index % 1000 == 0
        lines += ["", f"def helper_{index}(x):"]
        if helper_blocks:
            lines.append("    time.sleep(x)")
        lines += [f"    return x + {index}", "", "", f"async def handler_{index}(session, x):",
                  f"    y = helper_{index}(x)"]
        if helper_blocks:
            expected.append((len(lines), "AIO109"))
        lines += ["    task = asyncio.create_task(worker(y))", "    await task",
                  "    data = [v * 2 for v in range(y) if v]", "    if data:",
                  "        await asyncio.sleep(0)"]
        if index % 1000 == 500:
            lines.append("    time.sleep(0.1)")
            expected.append((len(lines), "AIO100"))
        lines += ["    return data", ""]
        index += 1
    return "\n".join(lines) + "\n", expected


def test_hundred_thousand_line_module() -> None:
    source, expected = big_module(100_000)
    assert source.count("\n") >= 100_000
    with time_limit(120):
        results = check_source(source)
    assert codes_at(results) == expected


def _module_level_loops(count: int) -> str:
    lines = ["import asyncio", "", "", "async def work():", "    pass", ""]
    for index in range(count):
        lines += [f"loop_{index} = asyncio.new_event_loop()",
                  f"loop_{index}.create_task(work())"]
    return "\n".join(lines) + "\n"


def test_many_module_level_loops_take_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    small, small_findings = count_resolutions(_module_level_loops(100), monkeypatch)
    large, large_findings = count_resolutions(_module_level_loops(400), monkeypatch)
    assert (small_findings, large_findings) == (100, 400)
    # four times the module, at most a little over four times the work
    assert large <= 5 * small, (small, large)


# -- source oddities, through the real flake8 command line -------------------------------
@dataclass
class OddSource:
    """A file written byte for byte; lines ending in ``# error: CODE`` must be reported."""

    name: str
    lines: list[str]
    encoding: str = "utf-8"
    newline: str = "\n"
    prefix: bytes = b""

    def data(self) -> bytes:
        text = self.newline.join(self.lines) + self.newline
        return self.prefix + text.encode(self.encoding)

    def expected(self) -> list[tuple[int, str]]:
        pairs = []
        for number, line in enumerate(self.lines, start=1):
            match = re.search(r"#\s*error:\s*(AIO\d{3})", line)
            if match:
                pairs.append((number, match.group(1)))
        return pairs


ODD_SOURCES = [
    OddSource("latin1_cookie.py", [
        "# -*- coding: latin-1 -*-",
        '"""Caf\xe9 cr\xe8me: na\xefve \xa9 text."""',
        "import time",
        "",
        "",
        "async def caf\xe9(r\xe9sum\xe9: str) -> str:",
        '    libell\xe9 = "d\xe9j\xe0 vu \xb5"  # commentaire \xe9t\xe9',
        "    time.sleep(1)  # error: AIO100",
        "    return libell\xe9 + r\xe9sum\xe9",
    ], encoding="latin-1"),
    OddSource("utf8_bom.py", [
        "import time",
        "",
        "",
        "async def main() -> None:",
        "    time.sleep(1)  # error: AIO100",
    ], prefix=b"\xef\xbb\xbf"),
    OddSource("crlf.py", [
        "import asyncio",
        "import time",
        "",
        "",
        "async def main() -> None:",
        "    x = 1 + \\",
        "        2",
        "    time.sleep(  # error: AIO100",
        "        x,",
        "    )",
        '    """a docstring',
        '    over lines"""',
        "    asyncio.create_task(main())  # error: AIO200",
        "    await asyncio.sleep(1)",
    ], newline="\r\n"),
    OddSource("tabs.py", [
        "import time",
        "",
        "",
        "async def main(flag: bool) -> None:",
        "\tif flag:",
        "\t\ttime.sleep(1)  # error: AIO100",
        "\telse:\ttime.sleep(2)  # error: AIO100",
    ]),
    OddSource("form_feed.py", [
        "import time",
        "\x0c",
        "",
        "async def first() -> None:",
        "    time.sleep(1)  # error: AIO100",
        "\x0c",
        "\x0casync def second() -> None:",
        "    x = 1\x0c",
        "    time.sleep(x)  # error: AIO100",
    ]),
    OddSource("type_comments.py", [
        "import time",
        "from typing import List",
        "",
        "",
        "def helper(a, b):",
        "    # type: (int, str) -> None",
        "    pass",
        "",
        "",
        "async def main(a):",
        "    # type: (int) -> None",
        "    items = []  # type: List[int]",
        "    for i in items:  # type: int",
        "        time.sleep(i)  # type: ignore  # error: AIO100",
        "    with memoryview(b'') as view:  # type: ignore[assignment]",
        "        pass",
    ]),
    OddSource("new_syntax.py", [
        "import asyncio",
        "import time",
        "from time import sleep",
        "",
        "",
        "async def handle(command, /, value=None, *, flag=False):",
        "    if (n := len(command)) > 2:",
        "        time.sleep(n)  # error: AIO100",
        "    match command:",
        "        case ['sleep', seconds]:",
        "            time.sleep(seconds)  # error: AIO100",
        "        case {'task': name, **rest}:",
        "            asyncio.create_task(handle(name))  # error: AIO200",
        "        case str() as text if (m := text.strip()):",
        "            await asyncio.sleep(len(m))",
        "        case sleep:",
        "            sleep(1)  # the capture pattern rebinds sleep: not time.sleep",
        "    async with (asyncio.timeout(1) as a, asyncio.timeout(2) as b):",
        "        time.sleep(0)  # error: AIO100",
    ]),
]
if sys.version_info >= (3, 11):
    ODD_SOURCES.append(OddSource("except_star.py", [
        "import time",
        "",
        "",
        "async def main() -> None:",
        "    try:",
        "        pass",
        "    except* (ValueError, TypeError) as group:",
        "        time.sleep(1)  # error: AIO100",
        "        print(group)",
    ]))
if sys.version_info >= (3, 12):
    ODD_SOURCES.append(OddSource("pep695.py", [
        "import time",
        "",
        "type Pair[T] = tuple[T, T]",
        "",
        "",
        "class Box[T]:",
        "    async def get[U: (int, str)](self, key: U) -> T:",
        "        time.sleep(1)  # error: AIO100",
        "        return f'{key!r:{f'{1}'}}'",
        "",
        "",
        "async def first[T, *Ts, **P](items: list[T]) -> T:",
        "    time.sleep(0)  # error: AIO100",
        "    return items[0]",
    ]))


@pytest.fixture(scope="module")
def odd_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("odd")
    for case in ODD_SOURCES:
        (root / case.name).write_bytes(case.data())
    return root


@pytest.fixture(scope="module")
def odd_cli(odd_tree: Path) -> dict[str, list[tuple[int, int, str]]]:
    result = run_flake8("--isolated", "--select=AIO", "--jobs=1", str(odd_tree))
    assert_clean_run(result)
    return cli_findings(result.stdout, odd_tree)


@pytest.mark.parametrize("case", ODD_SOURCES, ids=lambda case: case.name)
def test_odd_source_via_cli(case: OddSource,
                            odd_cli: dict[str, list[tuple[int, int, str]]]) -> None:
    found = [(line, code) for line, _, code in odd_cli.get(case.name, [])]
    assert found == case.expected()


@pytest.mark.parametrize("case", ODD_SOURCES, ids=lambda case: case.name)
def test_odd_source_via_class(case: OddSource, odd_tree: Path) -> None:
    import tokenize

    with tokenize.open(odd_tree / case.name) as handle:
        source = handle.read()
    for type_comments in (False, True):
        tree = ast.parse(source, type_comments=type_comments)
        results = plugin_results(tree, case.name, source.splitlines(keepends=True))
        assert codes_at(results) == case.expected()


def test_odd_source_columns(odd_cli: dict[str, list[tuple[int, int, str]]]) -> None:
    # flake8 columns are 1-based; a BOM or CRLF must not shift them
    assert odd_cli["utf8_bom.py"] == [(5, 5, "AIO100")]
    assert odd_cli["crlf.py"] == [(8, 5, "AIO100"), (13, 5, "AIO200")]
    assert odd_cli["tabs.py"] == [(6, 3, "AIO100"), (7, 8, "AIO100")]


def test_source_from_stdin(tmp_path: Path) -> None:
    """Editors pipe the buffer in: ``flake8 --stdin-display-name=NAME -``."""
    source = "import time\r\n\r\n\r\nasync def main():\r\n    time.sleep(1)\r\n"
    result = run_flake8("--isolated", "--select=AIO", "--stdin-display-name=app/jobs.py", "-",
                        stdin=source, cwd=tmp_path)
    assert_clean_run(result)
    assert result.stdout.splitlines() == [
        "app/jobs.py:5:5: AIO100 blocking call time.sleep() in coroutine 'main'; "
        "use await asyncio.sleep()"
    ]


def test_deepest_indentation_via_cli(tmp_path: Path) -> None:
    """As many nested blocks as the tokenizer accepts, through flake8 itself."""
    depth = 98
    lines = ["import time", ""]
    for level in range(depth):
        keyword = "async def" if level % 2 == 0 else "def"
        lines.append("    " * level + f"{keyword} f{level}():")
    lines.append("    " * depth + "time.sleep(1)")
    lines.append("    " * (depth - 1) + "if x:")
    lines.append("    " * depth + "pass")
    source = "\n".join(lines) + "\n"
    ast.parse(source)
    (tmp_path / "deep.py").write_text(source)
    result = run_flake8("--isolated", "--select=AIO", str(tmp_path / "deep.py"))
    assert_clean_run(result)
    # the innermost function (f97) is a sync def: nothing to report
    assert result.stdout == ""
    lines[depth + 2 - 1] = "    " * (depth - 1) + "async def f97():"
    (tmp_path / "deep.py").write_text("\n".join(lines) + "\n")
    result = run_flake8("--isolated", "--select=AIO", str(tmp_path / "deep.py"))
    assert_clean_run(result)
    assert [(line, code) for line, _, code in cli_findings(result.stdout, tmp_path)["deep.py"]] \
        == [(depth + 3, "AIO100")]


# -- parallel runs -------------------------------------------------------------------------
_MULTI_FILE_SOURCES = {
    "sleep.py": "import time\n\n\nasync def a():\n    time.sleep(1)\n",
    "http.py": "import requests\n\n\nasync def b(url):\n    return requests.get(url)\n",
    "tasks.py": ("import asyncio\n\n\nasync def w():\n    pass\n\n\nasync def c():\n"
                 "    asyncio.create_task(w())\n    t = asyncio.create_task(w())\n"),
    "loops.py": "import asyncio\n\n\ndef d():\n    return asyncio.get_event_loop()\n",
    "coro.py": "async def w():\n    pass\n\n\nasync def e():\n    w()\n",
    "helper.py": ("import subprocess\n\n\ndef h():\n    subprocess.run(['ls'])\n\n\n"
                  "async def f():\n    h()\n"),
    "configured.py": "import mylib\n\n\nasync def g():\n    mylib.fetch_sync()\n",
    "factory.py": ("from mylib import spawn\n\n\nasync def w():\n    pass\n\n\n"
                   "async def k():\n    spawn(w())\n"),
    "pkg/__init__.py": "",
    "pkg/inner.py": "import time\n\n\nasync def m():\n    time.sleep(2)\n    open('f')\n",
    "quiet.py": "import asyncio\n\n\nasync def q():\n    await asyncio.sleep(1)\n",
}


def test_jobs_2_equals_jobs_1(tmp_path: Path) -> None:
    for name, source in _MULTI_FILE_SOURCES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source)
    options = ("--isolated", "--select=AIO",
               "--asyncio-blocking-calls=mylib.fetch_sync=mylib.fetch",
               "--asyncio-task-factories=mylib.spawn")
    serial = run_flake8(*options, "--jobs=1", ".", cwd=tmp_path)
    parallel = run_flake8(*options, "--jobs=2", ".", cwd=tmp_path)
    assert_clean_run(serial)
    assert_clean_run(parallel)
    assert sorted(parallel.stdout.splitlines()) == sorted(serial.stdout.splitlines())
    files = cli_findings(serial.stdout, tmp_path)
    assert len(files) >= 8, files
    assert {"AIO108", "AIO200"} <= {code for pairs in files.values() for *_, code in pairs}


# -- the checked code is never imported or run ------------------------------------------
def test_checked_code_is_never_imported(tmp_path: Path) -> None:
    marker_a = tmp_path / "imported_victim"
    marker_b = tmp_path / "imported_dependency"
    (tmp_path / "sideeffect.py").write_text(
        f"from pathlib import Path\nPath({str(marker_b)!r}).write_text('imported')\n"
    )
    (tmp_path / "victim.py").write_text(
        "import pathlib\n"
        "import time\n\n"
        "import sideeffect\n\n"
        f"pathlib.Path({str(marker_a)!r}).write_text('imported')\n"
        f"open({str(marker_a)!r}, 'a').close()\n\n\n"
        "async def main():\n"
        "    time.sleep(1)\n\n\n"
        "if __name__ == '__main__':\n"
        f"    open({str(marker_a)!r}, 'w').close()\n"
    )
    result = run_flake8("--isolated", "--select=AIO", "victim.py", cwd=tmp_path)
    assert_clean_run(result)
    assert cli_findings(result.stdout, tmp_path) == {"victim.py": [(11, 5, "AIO100")]}
    source = (tmp_path / "victim.py").read_text()
    assert codes_at(plugin_results(ast.parse(source), "victim.py",
                                   source.splitlines(keepends=True))) == [(11, "AIO100")]
    assert not marker_a.exists()
    assert not marker_b.exists()
