"""Fault isolation: an unexpected exception on one file becomes one AIO000 finding.

flake8 prints a traceback and reports nothing for any file when a plugin raises, so
one file that trips a bug here would blank a whole CI gate.  :func:`internal_error`
turns the exception into a single finding on that file instead: the gate still fails
loudly, every other file's findings are still printed, and the message says where the
plugin broke so the bug can be reported.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from types import TracebackType
from typing import Final

from flake8_asyncio_tasks.rules import DEBUG_ENV, INTERNAL_ERROR

_PACKAGE_DIR: Final = Path(__file__).resolve().parent
#: locals of the plugin's frames that hold the node being checked, innermost first
_NODE_LOCALS: Final = ("node", "site", "expr", "call", "func", "target", "value")
_MAX_DETAIL: Final = 120


def debug_requested() -> bool:
    """``FLAKE8_ASYNCIO_TASKS_DEBUG=1``: let the exception (and its traceback) through."""
    return os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")


def internal_error(error: BaseException, line_count: int | None) -> tuple[int, int, str]:
    """``(line, column, text)`` of the AIO000 finding that reports ``error``.

    The position is the node being checked when the traceback shows one (kept inside the
    file's lines), else line 1, column 0.
    """
    frames = _plugin_frames(error.__traceback__)
    frame = "unknown location"
    if frames:
        innermost = frames[-1]
        frame = f"{Path(innermost.tb_frame.f_code.co_filename).name}:{innermost.tb_lineno}"
    detail = " ".join(str(error).split())
    if len(detail) > _MAX_DETAIL:
        detail = detail[: _MAX_DETAIL - 3] + "..."
    name = type(error).__name__
    described = f"{name}: {detail}" if detail else name
    line, col = _position(frames, line_count)
    return line, col, INTERNAL_ERROR.format(error=described, frame=frame)


def _plugin_frames(tb: TracebackType | None) -> list[TracebackType]:
    """The traceback entries that run this package's code, outermost first."""
    frames = []
    while tb is not None:
        try:
            in_package = Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(
                _PACKAGE_DIR)
        except (OSError, ValueError):
            in_package = False
        if in_package:
            frames.append(tb)
        tb = tb.tb_next
    return frames


def _position(frames: list[TracebackType], line_count: int | None) -> tuple[int, int]:
    """Line and column of the innermost AST node a plugin frame was working on."""
    for tb in reversed(frames):
        local_values = tb.tb_frame.f_locals
        for local in _NODE_LOCALS:
            value = local_values.get(local)
            node = getattr(value, "node", value)  # a CallSite holds its ast.Call
            if isinstance(node, ast.AST):
                line = getattr(node, "lineno", None)
                col = getattr(node, "col_offset", None)
                if type(line) is int and type(col) is int and line >= 1 and col >= 0 and (
                    line_count is None or line <= max(line_count, 1)
                ):
                    return line, col
    return 1, 0
