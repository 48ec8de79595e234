"""The registry, the rule pages, the README and the fixtures agree with each other.

``flake8_asyncio_tasks/rules.py`` is the one source of truth: every code in
``ALL_RULES`` has a documentation page with the required headings, a row in the docs
index and in the README table, and a fixture line that expects it; nothing documents,
lists or expects a code the registry does not have.  Each page's example is run through
the real ``flake8`` command and its output must be the one the page shows, so a message
change cannot leave stale docs behind.
"""

from __future__ import annotations

import re
import shlex
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXPECT, run_flake8

from flake8_asyncio_tasks.rules import ALL_RULES, Rule

ROOT = Path(__file__).resolve().parents[1]
DOCS_DIR = ROOT / "docs" / "rules"
DOCS_INDEX = DOCS_DIR / "README.md"
README = ROOT / "README.md"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

#: README links are absolute, so that they work on PyPI too (test_readme.py checks)
DOCS_URL = "https://github.com/flake8-asyncio-tasks/flake8-asyncio-tasks/blob/main/docs/rules/"
CODES = sorted(ALL_RULES)
CODE = re.compile(r"AIO\d{3}")
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
REQUIRED_HEADINGS = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Known limitations",
    "## Options",
    "## References",
]
#: every field a check passes to ``Rule.format``; a template may use no other
KNOWN_FIELDS = frozenset({"call", "coro", "fix", "chain", "line", "name", "problem", "loop",
                          "error", "frame", "offload", "callee", "rest"})

#: Rules that only fire with an option set: the fixture run uses no options, so their
#: positive cases live in a test module of their own, which must exist and name the code.
OPTION_ONLY: dict[str, str] = {"AIO108": "test_configured_calls.py"}
#: AIO000 reports a bug of the plugin: no valid code triggers it on purpose.  Its
#: positive cases force a failure; that test also checks the page's example output.
FORCED_ONLY: dict[str, str] = {"AIO000": "test_fault_isolation.py"}


# -- helpers ------------------------------------------------------------------------------
def template_fields(template: str) -> set[str]:
    """The replacement fields of a ``str.format`` template: ``{call}()`` -> ``{"call"}``."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def placeholder_fix(rule: Rule) -> str:
    """The rule's advice with its fields shown by name: ``{loop}.run...`` -> ``loop.run...``."""
    return rule.fix.format(**{field: field for field in template_fields(rule.fix)})


def index_row(rule: Rule) -> str:
    return f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.summary} |"


def readme_row(rule: Rule) -> str:
    return (f"| [{rule.code}]({DOCS_URL}{rule.code}.md) | {rule.name} | {rule.summary} "
            f"| {placeholder_fix(rule)} |")


def page(code: str) -> str:
    return (DOCS_DIR / f"{code}.md").read_text(encoding="utf-8")


def prose_lines(text: str) -> Iterator[str]:
    """The lines of a markdown text outside fenced code blocks."""
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield line


def section(text: str, heading: str) -> str:
    """The markdown between ``heading`` and the next ``## `` heading."""
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    end = text.find("\n## ", start)
    return text[start:] if end == -1 else text[start:end]


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.S | re.M)


def readme_rules_block() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- rules-table: start -->\n(.*?)<!-- rules-table: end -->", text, re.S)
    assert match, "README.md lost its rules-table markers"
    return match.group(1)


def fixture_expectations() -> dict[Path, set[str]]:
    """Codes each fixture file expects, from its ``# error:`` comments."""
    found: dict[Path, set[str]] = {}
    for path in sorted(FIXTURES_DIR.glob("*.py")):
        codes: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := EXPECT.search(line):
                codes |= {code.strip() for code in match.group(1).split(",")}
        found[path] = codes
    return found


# -- the registry itself -------------------------------------------------------------------
@pytest.mark.parametrize("code", CODES)
def test_rule_identity_is_well_formed(code: str) -> None:
    rule = ALL_RULES[code]
    assert rule.code == code
    assert CODE.fullmatch(code), code
    assert KEBAB.fullmatch(rule.name), f"{code}: name {rule.name!r} is not kebab-case"
    assert rule.summary.strip() == rule.summary and rule.summary, code
    assert "\n" not in rule.summary and "|" not in rule.summary, (
        f"{code}: the summary must be one line that fits a markdown table cell")


def test_names_are_unique() -> None:
    names = [rule.name for rule in ALL_RULES.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", CODES)
def test_message_template_names_the_call_and_the_fix(code: str) -> None:
    rule = ALL_RULES[code]
    fields = template_fields(rule.message)
    assert "fix" in fields, f"{code}: message must end with the fix, via {{fix}}"
    assert rule.fix, f"{code}: no default advice for {{fix}}"
    # The call is a field ({call}()) or, for rules about one function, written out;
    # AIO000 names the plugin's failing line instead.
    assert "call" in fields or re.search(r"\b[a-z_.]+\(\)", rule.message) or (
        code in FORCED_ONLY and "frame" in fields), code
    assert fields | template_fields(rule.fix) <= KNOWN_FIELDS, code
    sample = {field: f"<{field}>" for field in KNOWN_FIELDS - {"fix"}}
    text = rule.format(**sample)
    assert text.startswith(f"{code} ")
    body = text[len(code) + 1:]
    assert "\n" not in text and "`" not in text, text
    assert body[0].islower() or body.startswith("<call>"), text
    assert not text.endswith("."), text
    assert rule.fix.format(**sample) in text, f"{code}: the default fix is not in: {text}"


# -- docs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("code", CODES)
def test_rule_page_has_title_and_headings_in_order(code: str) -> None:
    path = DOCS_DIR / f"{code}.md"
    assert path.is_file(), f"docs/rules/{code}.md is missing"
    text = page(code)
    assert text.splitlines()[0] == f"# {code}: {ALL_RULES[code].name}"
    headings = [line for line in prose_lines(text) if line.startswith("#")]
    assert headings == [headings[0], *REQUIRED_HEADINGS], f"{code}: {headings}"
    assert len(fenced_blocks(section(text, "## Example"), "python")) == 1
    assert len(fenced_blocks(section(text, "## Example"), "console")) == 1
    assert len(fenced_blocks(section(text, "## Use instead"), "python")) >= 1


@pytest.mark.parametrize("code", CODES)
def test_docs_index_lists_the_rule(code: str) -> None:
    rows = DOCS_INDEX.read_text(encoding="utf-8").splitlines()
    assert index_row(ALL_RULES[code]) in rows, f"expected row:\n{index_row(ALL_RULES[code])}"


@pytest.mark.parametrize("code", CODES)
def test_readme_table_lists_the_rule(code: str) -> None:
    rows = readme_rules_block().splitlines()
    assert readme_row(ALL_RULES[code]) in rows, f"expected row:\n{readme_row(ALL_RULES[code])}"


@pytest.mark.parametrize("code", CODES)
def test_a_fixture_expects_the_rule(code: str) -> None:
    if code in OPTION_ONLY or code in FORCED_ONLY:
        module = Path(__file__).parent / {**OPTION_ONLY, **FORCED_ONLY}[code]
        assert code in module.read_text(encoding="utf-8"), f"{module.name} never names {code}"
        return
    expecting = [path.name for path, codes in fixture_expectations().items() if code in codes]
    assert expecting, f"no tests/fixtures/*.py line ends in '# error: {code}'"


# -- nothing names a code the registry does not have ---------------------------------------
def test_every_rule_page_is_a_registry_code() -> None:
    pages = {path.stem for path in DOCS_DIR.glob("*.md") if path.name != "README.md"}
    assert pages - set(ALL_RULES) == set()


def test_docs_and_readme_mention_only_registry_codes() -> None:
    texts = {path.name: path.read_text(encoding="utf-8") for path in DOCS_DIR.glob("*.md")}
    texts["README.md (top level)"] = README.read_text(encoding="utf-8")
    unknown = {
        (name, code) for name, text in texts.items()
        for code in re.findall(r"\bAIO\d{3}\b", text) if code not in ALL_RULES
    }
    assert unknown == set()


def test_readme_and_index_rows_are_registry_codes() -> None:
    linked = re.findall(rf"^\| \[(AIO\d{{3}})\]\({re.escape(DOCS_URL)}", readme_rules_block(),
                        re.M)
    indexed = re.findall(r"^\| \[(AIO\d{3})\]\(", DOCS_INDEX.read_text(encoding="utf-8"), re.M)
    assert sorted(linked) == CODES
    assert sorted(indexed) == CODES


def test_fixtures_expect_only_registry_codes() -> None:
    unknown = {
        (path.name, code) for path, codes in fixture_expectations().items()
        for code in codes if code not in ALL_RULES
    }
    assert unknown == set()
    named = {match.group() for path in FIXTURES_DIR.glob("AIO*.py")
             if (match := CODE.match(path.name))}
    assert named - set(ALL_RULES) == set(), "a fixture file is named after an unknown code"



# -- the pages' examples, through the real flake8 command ---------------------------------
def example_command(code: str) -> list[str]:
    """The flake8 arguments of the page's ``$ flake8 ... example.py`` line."""
    console = fenced_blocks(section(page(code), "## Example"), "console")[0]
    first = console.splitlines()[0]
    assert first.startswith("$ "), f"{code}: the console block must start with the command"
    args = shlex.split(first[2:])
    assert args[0] == "flake8" and args[-1] == "example.py", first
    return args[1:-1]


@pytest.fixture(scope="module")
def example_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    """``(code, "example" | "fixed")`` -> flake8 output, one run per distinct command."""
    root = tmp_path_factory.mktemp("rule_examples")
    by_args: dict[tuple[str, ...], list[str]] = {}
    for code in CODES:
        if not (DOCS_DIR / f"{code}.md").is_file():
            continue
        text = page(code)
        (root / code).mkdir()
        (root / code / "example.py").write_text(
            fenced_blocks(section(text, "## Example"), "python")[0], encoding="utf-8")
        (root / code / "fixed.py").write_text(
            "\n\n".join(fenced_blocks(section(text, "## Use instead"), "python")),
            encoding="utf-8")
        by_args.setdefault(tuple(example_command(code)), []).append(code)
    outputs: dict[tuple[str, str], str] = {}
    for args, codes in by_args.items():
        files = [f"{code}/{name}.py" for code in codes for name in ("example", "fixed")]
        result = run_flake8("--isolated", "--jobs=1", *args, *files, cwd=root)
        assert result.returncode in (0, 1) and not result.stderr, result.stderr
        for code in codes:
            for name in ("example", "fixed"):
                prefix = f"{code}/{name}.py:"
                outputs[code, name] = "".join(
                    f"example.py:{line[len(prefix):]}\n"
                    for line in result.stdout.splitlines() if line.startswith(prefix))
    return outputs


@pytest.mark.parametrize("code", CODES)
def test_page_shows_the_real_output_of_its_example(
        code: str, example_outputs: dict[tuple[str, str], str]) -> None:
    if (code, "example") not in example_outputs:
        pytest.fail(f"docs/rules/{code}.md is missing")
    if code in FORCED_ONLY:
        pytest.skip(f"{code}: the output needs a forced failure ({FORCED_ONLY[code]})")
    console = fenced_blocks(section(page(code), "## Example"), "console")[0]
    shown = "".join(line + "\n" for line in console.splitlines()[1:])
    actual = example_outputs[code, "example"]
    assert shown == actual
    assert re.search(rf":\d+:\d+: {code} ", actual), f"the example does not trigger {code}"


@pytest.mark.parametrize("code", CODES)
def test_use_instead_is_clean(code: str, example_outputs: dict[tuple[str, str], str]) -> None:
    if (code, "fixed") not in example_outputs:
        pytest.fail(f"docs/rules/{code}.md is missing")
    assert example_outputs[code, "fixed"] == ""


# -- pinned messages, one per rule family ---------------------------------------------------
PINNED_SNIPPET = '''\
import asyncio
import time


def nap() -> None:
    time.sleep(1)


async def poll() -> None:
    time.sleep(5)
    nap()
    asyncio.create_task(poll())
    await asyncio.sleep(1)


loop = asyncio.get_event_loop()
'''

PINNED_OUTPUT = """\
snippet.py:10:5: AIO100 blocking call time.sleep() in coroutine 'poll'; use await asyncio.sleep()
snippet.py:11:5: AIO109 nap() blocks the event loop in coroutine 'poll': nap() (line 5) -> time.sleep() (line 6); use await asyncio.to_thread(nap, ...)
snippet.py:12:5: AIO200 result of asyncio.create_task() is discarded and may be garbage-collected mid-flight; keep a reference to it or use asyncio.TaskGroup
snippet.py:16:8: AIO300 asyncio.get_event_loop() outside a coroutine raises on Python 3.14 when no loop is set (deprecated since 3.12); use asyncio.get_running_loop() in code the loop calls, or asyncio.run() where the program starts its loop
"""  # noqa: E501


def test_pinned_messages_and_columns(tmp_path: Path) -> None:
    """Exact text and position of one message per family (and AIO109's chain format)."""
    (tmp_path / "snippet.py").write_text(PINNED_SNIPPET, encoding="utf-8")
    result = run_flake8("--isolated", "--select=AIO", "snippet.py", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == PINNED_OUTPUT
