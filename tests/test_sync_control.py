"""Negative control: the same fixtures with every coroutine made synchronous.

Rewriting ``async def`` to ``def``, ``async with``/``async for`` to their sync forms and
``await x`` to ``x`` leaves each blocking call where it was, but no longer inside a
coroutine: not one AIO1xx finding may remain.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import skip_reason

from flake8_asyncio_tasks.plugin import Plugin
from flake8_asyncio_tasks.syntax import dotted_source
from flake8_asyncio_tasks.visitor import GENERATOR_COROUTINES

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.py"))


class SyncTransformer(ast.NodeTransformer):
    """Turn every coroutine construct into its synchronous twin."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        """``@gen.coroutine`` generators run on the loop: make them plain generators."""
        self.generic_visit(node)
        node.decorator_list = [
            d for d in node.decorator_list
            if dotted_source(d.func if isinstance(d, ast.Call) else d) not in GENERATOR_COROUTINES
        ]
        return node

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        fields = {name: getattr(node, name) for name in node._fields}
        return ast.copy_location(ast.FunctionDef(**fields), node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> ast.With:
        self.generic_visit(node)
        return ast.copy_location(ast.With(items=node.items, body=node.body,
                                          type_comment=None), node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.For:
        self.generic_visit(node)
        return ast.copy_location(ast.For(target=node.target, iter=node.iter, body=node.body,
                                         orelse=node.orelse, type_comment=None), node)

    def visit_Await(self, node: ast.Await) -> ast.expr:
        self.generic_visit(node)
        return node.value

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.is_async = 0
        return node


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_no_blocking_finding_without_coroutines(path: Path) -> None:
    if reason := skip_reason(path):
        pytest.skip(reason)
    source = path.read_text(encoding="utf-8")
    tree = ast.fix_missing_locations(SyncTransformer().visit(ast.parse(source)))
    compile(tree, str(path), "exec")  # still a valid program
    codes = [message.split()[0] for _, _, message, _ in Plugin(tree, str(path)).run()]
    assert [code for code in codes if code.startswith("AIO1")] == []


def test_the_control_can_fail() -> None:
    """Without the rewrite, the fixtures do have blocking findings."""
    path = Path(__file__).parent / "fixtures" / "AIO100.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert any(message.startswith("AIO100") for _, _, message, _ in Plugin(tree).run())
