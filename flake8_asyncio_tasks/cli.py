"""The ``flake8-asyncio-tasks`` command: explain a rule, or list them all.

Linting itself is flake8's job (``flake8 --select=AIO path``); this command only reads
the rule registry and the rule documentation pages, so a code seen in CI output can be
looked up from the same terminal::

    flake8-asyncio-tasks explain AIO100
    flake8-asyncio-tasks rules
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final, TextIO

from flake8_asyncio_tasks import __version__
from flake8_asyncio_tasks.rules import ALL_RULES, Rule

PROG: Final = "flake8-asyncio-tasks"

#: Exit status for a usage error, the same argparse uses for a bad argument.
EXIT_USAGE: Final = 2

_PACKAGE_DIR: Final = Path(__file__).resolve().parent


def doc_dirs() -> Iterator[Path]:
    """Directories that may hold ``<code>.md`` rule pages, most specific first.

    A built wheel carries the pages as package data in ``rule_docs/`` (pyproject maps
    ``docs/rules`` there, so the markdown lives only once in git).  A source checkout,
    including an editable install, reads ``docs/rules`` directly.
    """
    yield _PACKAGE_DIR / "rule_docs"
    yield _PACKAGE_DIR.parent / "docs" / "rules"


def find_rule(query: str) -> Rule | None:
    """The rule for a code (any case: ``aio100``) or a rule name, or ``None``."""
    text = query.strip()
    if rule := ALL_RULES.get(text.upper()):
        return rule
    by_name = {rule.name: rule for rule in ALL_RULES.values()}
    return by_name.get(text.lower())


def rule_page(rule: Rule) -> str | None:
    """The markdown documentation page of ``rule``, or ``None`` if it is not found."""
    for directory in doc_dirs():
        page = directory / f"{rule.code}.md"
        if page.is_file():
            return page.read_text(encoding="utf-8")
    return None


def _fallback_page(rule: Rule) -> str:
    # Only reached from a broken install or an unfinished checkout: the registry still
    # knows enough to be useful, and stderr says what is missing.
    fix = f"\nFix: {rule.fix}\n" if rule.fix else ""
    return f"# {rule.code}: {rule.name}\n\n{rule.summary}\n{fix}"


def rules_table(rules: Sequence[Rule]) -> str:
    """One aligned line per rule: code, name, summary (and a note if off by default)."""
    width = max(len(rule.name) for rule in rules)
    lines = []
    for rule in rules:
        note = "" if rule.default_enabled else " (off by default)"
        lines.append(f"{rule.code}  {rule.name:<{width}}  {rule.summary}{note}")
    return "\n".join(lines) + "\n"


def _explain(queries: Sequence[str], prog: str, out: TextIO, err: TextIO) -> int:
    rules = []
    for query in queries:
        rule = find_rule(query)
        if rule is None:
            err.write(f"{prog}: unknown rule {query!r}; '{prog} rules' lists the known codes\n")
            return EXIT_USAGE
        rules.append(rule)
    pages = []
    for rule in rules:
        page = rule_page(rule)
        if page is None:
            err.write(f"{prog}: no documentation page for {rule.code} in this "
                      "installation; showing the registry entry\n")
            page = _fallback_page(rule)
        pages.append(page.rstrip("\n") + "\n")
    out.write("\n".join(pages))
    return 0


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The argument parser, shared by the console script and ``python -m``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Explain the AIO codes reported by the flake8-asyncio-tasks plugin. "
        "To lint code, run flake8 itself: flake8 --select=AIO PATH",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    explain = commands.add_parser(
        "explain",
        help="print the documentation page of one or more rules",
        description="Print the documentation page of each rule, given by code "
        "(AIO100, aio100) or by name (blocking-sleep-in-coroutine).",
    )
    explain.add_argument("codes", nargs="+", metavar="CODE", help="a rule code or name")
    commands.add_parser(
        "rules",
        help="list every rule: code, name and summary",
        description="List every rule: code, name and summary.",
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Run the command line; return the exit status (0 ok, 2 usage error)."""
    args = build_parser(prog).parse_args(argv)
    status = 0
    try:
        if args.command == "explain":
            status = _explain(args.codes, prog, sys.stdout, sys.stderr)
        else:
            sys.stdout.write(rules_table(list(ALL_RULES.values())))
        sys.stdout.flush()
    except BrokenPipeError:
        # `flake8-asyncio-tasks rules | head`: the reader left, which is not an error.
        # Point stdout at devnull so the interpreter's final flush does not complain.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return status


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
