"""User options, parsed and validated once per process into a frozen :class:`Settings`."""

from __future__ import annotations

import argparse
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from flake8.exceptions import ExecutionError

_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

BLOCKING_CALLS_OPTION: Final = "--asyncio-blocking-calls"
ALLOWED_CALLS_OPTION: Final = "--asyncio-allowed-calls"
TASK_FACTORIES_OPTION: Final = "--asyncio-task-factories"
PROJECT_ANALYSIS_OPTION: Final = "--asyncio-project-analysis"
#: the values that option takes, and what each means
_SWITCH: Final = {"yes": True, "true": True, "on": True, "1": True,
                  "no": False, "false": False, "off": False, "0": False}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the checks read from the user's configuration."""

    #: extra blocking calls (canonical dotted name -> replacement advice, "" for none)
    blocking_calls: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: canonical dotted names that are never reported
    allowed_calls: frozenset[str] = frozenset()
    #: extra callables that create tasks, treated like asyncio.create_task
    task_factories: frozenset[str] = frozenset()
    #: read the project's other modules (``--asyncio-project-analysis=no`` turns it off)
    project_analysis: bool = True

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> Settings:
        """Build settings from flake8's parsed options; raise ``ExecutionError`` if invalid."""
        blocking: dict[str, str] = {}
        for item in split_items(getattr(options, "asyncio_blocking_calls", ""),
                                BLOCKING_CALLS_OPTION):
            name, sep, replacement = item.partition("=")
            name, replacement = name.strip(), replacement.strip()
            check_dotted_name(name, item, BLOCKING_CALLS_OPTION,
                              "expected module.function[=replacement]")
            if sep and not replacement:
                raise option_error(BLOCKING_CALLS_OPTION, item,
                                   "'=' must be followed by a replacement")
            if "=" in replacement:
                raise option_error(BLOCKING_CALLS_OPTION, item, "more than one '='")
            blocking[name] = replacement
        return cls(
            blocking_calls=MappingProxyType(blocking),
            allowed_calls=_dotted_names(options, "asyncio_allowed_calls",
                                        ALLOWED_CALLS_OPTION),
            task_factories=_dotted_names(options, "asyncio_task_factories",
                                         TASK_FACTORIES_OPTION),
            project_analysis=_switch(options, "asyncio_project_analysis",
                                     PROJECT_ANALYSIS_OPTION),
        )


def _switch(options: argparse.Namespace, attr: str, option: str) -> bool:
    raw = getattr(options, attr, "yes")
    if isinstance(raw, bool):
        return raw
    value = str(raw if raw is not None else "yes").strip().lower()
    if value not in _SWITCH:
        raise option_error(option, str(raw), "expected yes or no")
    return _SWITCH[value]


def _dotted_names(options: argparse.Namespace, attr: str, option: str) -> frozenset[str]:
    names = set()
    for item in split_items(getattr(options, attr, ""), option):
        check_dotted_name(item, item, option, "expected a dotted name such as module.function")
        names.add(item)
    return frozenset(names)


def split_items(raw: str | Sequence[str] | None, option: str) -> list[str]:
    """Split an option value on commas and newlines.

    Blank lines and one trailing comma per line are accepted (multi-line config values
    are usually written that way); an empty item between two commas is an error, since
    it is almost always a typo.
    """
    if not raw:
        return []
    text = raw if isinstance(raw, str) else ",".join(raw)
    items = []
    for line in text.splitlines():
        line = line.strip()
        if line.endswith(","):
            line = line[:-1].rstrip()
        if not line:
            continue
        for item in line.split(","):
            item = item.strip()
            if not item:
                raise option_error(option, line, "empty item between commas")
            items.append(item)
    return items


def check_dotted_name(name: str, item: str, option: str, expected: str) -> None:
    """Raise ``ExecutionError`` unless ``name`` is a dotted Python name."""
    if not name:
        raise option_error(option, item, f"missing name; {expected}")
    for part in name.split("."):
        if not _IDENTIFIER.match(part) or keyword.iskeyword(part):
            raise option_error(option, item, f"not a dotted Python name; {expected}")


def option_error(option: str, item: str, problem: str) -> ExecutionError:
    """The one-line error flake8 prints for a malformed option value."""
    return ExecutionError(f"{option}: {problem}, got {item!r}")
