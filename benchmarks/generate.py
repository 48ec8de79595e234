"""Generate synthetic asyncio modules for the scaling benchmark and the tests.

:func:`generate_module` writes a module of about N lines that is dense in what the
plugin looks at: many imports (some aliased), coroutines that create, keep, discard and
await tasks, blocking calls (direct, aliased, through same-module sync helpers), nested
functions and lambdas, and classes whose methods store tasks and clients on ``self``.
Every block gets its own names, so the number of scopes, bindings and call sites grows
with the size; a few module-level helpers are shared by all blocks, so name look-ups
against the module scope are exercised at every size.

:func:`deep_nesting_module` writes functions, classes and lambdas nested as deep as
CPython's tokenizer allows (it stops at 100 indentation levels and 200 open brackets);
:func:`deep_nesting_tree` builds a tree nested to any depth directly, which no source
could produce, to show that the walk itself has no depth limit.

    python benchmarks/generate.py --lines 10000 out.py
    python benchmarks/generate.py --deep 200 deep.py
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Sequence
from pathlib import Path
from typing import Final

_HEADER: Final = '''\
"""Generated for the flake8-asyncio-tasks scaling benchmark."""
import asyncio
import os
import socket
import subprocess
import time
import time as clock
from time import sleep as nap

import requests
from requests import Session


def shared_blocking_helper(path):
    with open(path) as f:
        return f.read()


def shared_pure_helper(value):
    return value * 2


BACKGROUND = set()
'''

# One block of ~60 lines; {i} makes every name unique to the block.
_BLOCK: Final = '''

import json as json_{i}
from os import path as path_{i}


async def fetch_{i}(url, retries=3):
    """Coroutine with a blocking call and an awaited helper."""
    time.sleep(0.1)
    clock.sleep(0.2)
    response = requests.get(url, timeout=retries)
    await asyncio.sleep(0)
    return json_{i}.loads(response.text)


def sync_helper_{i}(path):
    nap(0.01)
    return path_{i}.exists(path) and shared_pure_helper(len(path))


async def spawn_{i}(items):
    asyncio.create_task(fetch_{i}("http://example.invalid/{i}"))
    kept = asyncio.create_task(fetch_{i}("http://example.invalid/kept"))
    unused = asyncio.ensure_future(fetch_{i}("http://example.invalid/unused"))
    BACKGROUND.add(kept)
    fetch_{i}("http://example.invalid/never-awaited")
    sync_helper_{i}("/tmp/{i}")
    shared_blocking_helper("/tmp/shared")

    def nested_{i}(x):
        time.sleep(x)
        return [lambda y: y + x for _ in items]

    async def inner_{i}():
        await asyncio.to_thread(time.sleep, 1)
        return await asyncio.gather(*(fetch_{i}(item) for item in items))

    results = {{item: nested_{i}(item) for item in items if item}}
    return await inner_{i}(), results


class Worker{i}:
    """A class whose methods keep state on self."""

    def __init__(self, host):
        self.host = host
        self.session = Session()
        self.task = None
        self.loop = asyncio.new_event_loop()

    async def start(self):
        self.task = asyncio.create_task(self.run())
        self.session.get(self.host)
        subprocess.run(["true"], check=False)
        return self.task

    async def run(self):
        data = self.read()
        with open(self.host) as handle:
            data += handle.read()
        await asyncio.sleep(len(data))

    def read(self):
        return os.path.join(self.host, str(socket.gethostname()))
'''


def generate_module(lines: int) -> str:
    """A module of about ``lines`` lines (never fewer blocks than one)."""
    block_lines = _BLOCK.count("\n")
    blocks = max(1, round((lines - _HEADER.count("\n")) / block_lines))
    parts = [_HEADER]
    parts.extend(_BLOCK.format(i=i) for i in range(blocks))
    return "".join(parts)


def generate_project(modules: int) -> dict[str, str]:
    """A package of ``modules`` modules importing each other: relative path -> source.

    Module ``m{i}`` imports a helper and a class from ``m{i - 1}`` and from ``m{i // 2}``,
    derives its class from the previous one's, and has a coroutine that calls them
    (a coroutine left unawaited, a sync helper that blocks a few modules down, an
    inherited async method): the cross-module lookups grow with the project.
    """
    files = {"pyproject.toml": "", "proj/__init__.py": ""}
    for i in range(modules):
        parts = ["import asyncio\n"]
        if i:
            parts.append(f"from proj.m{i - 1} import Client{i - 1}, helper{i - 1}\n")
            parts.append(f"from proj.m{i // 2} import fetch{i // 2}\n")
        parts.append("\n\n")
        if i:
            parts.append(f"def helper{i}(path):\n    return helper{i - 1}(path)\n\n\n")
            parts.append(f"class Client{i}(Client{i - 1}):\n"
                         f"    def local(self):\n        return helper{i}('x')\n\n\n")
        else:
            parts.append("def helper0(path):\n    with open(path) as f:\n"
                         "        return f.read()\n\n\n")
            parts.append("class Client0:\n    async def close(self):\n"
                         "        await asyncio.sleep(0)\n\n\n")
        parts.append(f"async def fetch{i}(url):\n    await asyncio.sleep(0)\n    return url\n\n\n")
        parts.append(f"async def main{i}():\n    client = Client{i}()\n    client.close()\n")
        if i:
            parts.append(f"    fetch{i // 2}('u')\n    helper{i}('x')\n"
                         f"    await fetch{i // 2}('v')\n")
        files[f"proj/m{i}.py"] = "".join(parts)
    return files


def deep_nesting_module(depth: int = 200) -> str:
    """Nested ``def``/``async def``/``class`` up to the tokenizer's limit, then lambdas.

    CPython refuses more than 100 indentation levels, so the statement nesting stops at
    95 and the remaining depth is made of nested lambdas and nested calls (the
    tokenizer allows fewer than 200 open brackets, so calls stop at 190).
    """
    statement_depth = min(depth, 95)
    out = ["import asyncio", "import time", ""]
    kinds = ("async def", "def", "class")
    for level in range(statement_depth):
        indent = "    " * level
        kind = kinds[level % 3]
        header = f"{kind} level_{level}" + (":" if kind == "class" else "():")
        out.append(indent + header)
        out.append(indent + "    time.sleep(1)")
    indent = "    " * statement_depth
    out.append(indent + "async def innermost():")
    out.append(indent + "    time.sleep(1)")
    out.append(indent + "    asyncio.create_task(innermost())")
    lambdas = max(0, depth - statement_depth)
    out.append(indent + "    f = " + "lambda: " * lambdas + "time.sleep(1)")
    calls = min(depth, 190)
    out.append(indent + "    g = " + "asyncio.ensure_future(" * calls + "innermost()" + ")" * calls)
    out.append(indent + "    return f, g")
    return "\n".join(out) + "\n"


def deep_nesting_tree(depth: int = 200) -> ast.Module:
    """A tree of ``depth`` nested functions (alternately async), built without source."""

    def call(module: str, func: str, *args: ast.expr) -> ast.Expr:
        target = ast.Attribute(ast.Name(module, ast.Load()), func, ast.Load())
        return ast.Expr(ast.Call(target, list(args), []))

    body: list[ast.stmt] = [
        call("asyncio", "create_task", ast.Call(ast.Name("level_0", ast.Load()), [], []))
    ]
    for level in reversed(range(depth)):
        kind = ast.AsyncFunctionDef if level % 2 == 0 else ast.FunctionDef
        body = [kind(name=f"level_{level}",
                     args=ast.arguments([], [], None, [], [], None, []),
                     body=[call("time", "sleep", ast.Constant(1)), *body],
                     decorator_list=[], returns=None, type_comment=None)]
    imports: list[ast.stmt] = [ast.Import([ast.alias("asyncio")]),
                               ast.Import([ast.alias("time")])]
    module = ast.Module(body=[*imports, *body], type_ignores=[])
    _set_locations(module)
    return module


def _set_locations(tree: ast.AST) -> None:
    """Give every node line 1, column 0 (``ast.fix_missing_locations`` recurses)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if "lineno" in node._attributes:
            node.lineno = node.end_lineno = 1  # type: ignore[attr-defined]
            node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        stack.extend(ast.iter_child_nodes(node))


def main(argv: Sequence[str] | None = None) -> int:
    """Write one generated module to a file."""
    parser = argparse.ArgumentParser(description="generate a synthetic asyncio module")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--lines", type=int, help="about this many lines")
    group.add_argument("--deep", type=int, help="nesting depth")
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    source = generate_module(args.lines) if args.lines else deep_nesting_module(args.deep)
    args.output.write_text(source)
    print(f"{args.output}: {source.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
