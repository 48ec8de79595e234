"""The flake8 entry point: options, and one run per file."""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from flake8_asyncio_tasks import __version__
from flake8_asyncio_tasks.checks import check_module
from flake8_asyncio_tasks.faults import debug_requested, internal_error
from flake8_asyncio_tasks.rules import ALL_RULES
from flake8_asyncio_tasks.settings import (
    ALLOWED_CALLS_OPTION,
    BLOCKING_CALLS_OPTION,
    PROJECT_ANALYSIS_OPTION,
    TASK_FACTORIES_OPTION,
    Settings,
)


class Plugin:
    """flake8 plugin: flags blocking calls in coroutines and lost asyncio tasks.

    Stateless between files: the only class-level value is the frozen settings, set once
    per process by :meth:`parse_options`; everything per file lives in :meth:`run`.
    """

    name = "flake8-asyncio-tasks"
    version = __version__
    _settings: ClassVar[Settings] = Settings()

    def __init__(
        self, tree: ast.AST, filename: str = "", lines: Sequence[str] | None = None
    ) -> None:
        self._tree = tree
        self._filename = filename
        self._lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        """Register the ``--asyncio-*`` options (command line and config files).

        Rules that are off by default go on flake8's default ignore list: they report
        once selected (``--extend-select=AIO302``), like any flake8 code.
        """
        manager.extend_default_ignore(
            [code for code, rule in ALL_RULES.items() if not rule.default_enabled])
        manager.add_option(
            BLOCKING_CALLS_OPTION,
            default="",
            parse_from_config=True,
            metavar="NAMES",
            help="Extra blocking calls to report as AIO108: comma-separated dotted names, "
            "each optionally name=replacement (e.g. mylib.fetch_sync=mylib.fetch).",
        )
        manager.add_option(
            ALLOWED_CALLS_OPTION,
            default="",
            parse_from_config=True,
            metavar="NAMES",
            help="Dotted names never to report (a name also allows everything under it).",
        )
        manager.add_option(
            TASK_FACTORIES_OPTION,
            default="",
            parse_from_config=True,
            metavar="NAMES",
            help="Extra dotted names of functions that create tasks, checked like "
            "asyncio.create_task by AIO200/AIO201.",
        )
        manager.add_option(
            PROJECT_ANALYSIS_OPTION,
            default="yes",
            parse_from_config=True,
            metavar="yes|no",
            help="Read the project's other modules (never importing them) to know what "
            "imported functions and classes are: yes (default) or no (one file at a time).",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Validate the options once; a bad value stops flake8 with a one-line error."""
        cls._settings = Settings.from_options(options)

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        """Yield ``(line, column, message, type)`` for each finding in this file.

        Never raises: a bug of the plugin on this file becomes one AIO000 finding (see
        :mod:`~flake8_asyncio_tasks.faults`), so other files' findings are still printed.
        """
        try:
            findings = check_module(self._tree, self._settings, self._filename, self._lines)
        except Exception as error:
            if debug_requested():
                raise
            lines = self._lines
            yield (*internal_error(error, None if lines is None else len(lines)), type(self))
            return
        for finding in findings:
            yield finding.line, finding.col, finding.text, type(self)
