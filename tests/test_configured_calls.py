"""AIO108: calls the user lists in ``--asyncio-blocking-calls``.

The sample below is checked with the option set, through the real ``flake8`` command
line (option on the command line, and the same value in a config file) and through the
plugin class with its settings built from the same value.  Lines ending in
``# error: AIO108`` must be reported; every other line must give nothing.
"""

from __future__ import annotations

import argparse
import ast
import textwrap
from pathlib import Path

import pytest
from conftest import FLAKE8_LINE, expected_codes, run_flake8

from flake8_asyncio_tasks.plugin import Plugin

OPTION = (
    "mylib.fetch_sync=mylib.fetch,"
    "legacy.db.query,"
    "vendor.Client.download=vendor.AsyncClient.download"
)

SAMPLE = '''\
"""A service that still uses some of the project's synchronous helpers."""
import asyncio
import functools

import legacy.db
import mylib
import mylib as ml
import vendor
from legacy import db as legacy_db
from mylib import fetch_sync
from mylib import fetch_sync as fetch_now
from vendor import Client


async def every_spelling(client: vendor.Client) -> None:
    mylib.fetch_sync("a")  # error: AIO108
    ml.fetch_sync("a")  # error: AIO108
    fetch_sync("a")  # error: AIO108
    fetch_now("a")  # error: AIO108
    legacy.db.query("SELECT 1")  # error: AIO108
    legacy_db.query("SELECT 1")  # error: AIO108
    client.download("x")  # error: AIO108
    Client().download("x")  # error: AIO108
    local = vendor.Client()
    local.download("y")  # error: AIO108
    with vendor.Client() as managed:
        managed.download("z")  # error: AIO108


async def multi_line_call() -> None:
    mylib.fetch_sync(  # error: AIO108
        "a",
        retries=3,
    )


class Service:
    def __init__(self) -> None:
        self._client = vendor.Client()

    def download_sync(self) -> None:
        self._client.download("x")

    async def download(self) -> None:
        self._client.download("x")  # error: AIO108


async def async_blocks(lock: asyncio.Lock, names, items: list[str]):
    async with lock:
        fetch_sync("a")  # error: AIO108
    async for name in names:
        legacy.db.query(name)  # error: AIO108
    rows = [legacy_db.query(item) for item in items]  # error: AIO108
    yield rows


async def not_reported(loop: asyncio.AbstractEventLoop, fetch) -> None:
    await mylib.fetch("a")  # the replacement
    mylib.fetch_sync_v2("a")  # another name that merely starts the same
    mylib.helpers.fetch_sync("a")  # another module
    legacy.query("SELECT 1")
    vendor.Client()  # only the listed method blocks
    vendor.AsyncClient().upload("x")
    fetch("a")  # a parameter
    await asyncio.to_thread(mylib.fetch_sync, "a")
    await loop.run_in_executor(None, functools.partial(fetch_sync, "a"))
    await asyncio.to_thread(lambda: legacy.db.query("SELECT 1"))

    def in_a_thread() -> None:
        mylib.fetch_sync("a")

    await asyncio.to_thread(in_a_thread)


async def shadowed(fetch_sync, legacy_db) -> None:
    fetch_sync("a")
    legacy_db.query("SELECT 1")


async def local_function_of_the_same_name() -> None:
    def fetch_now(url: str) -> str:
        return url

    print(fetch_now("a"))


async def strings_and_comments() -> None:
    """mylib.fetch_sync("a") in a docstring is text."""
    print("legacy.db.query('x')")  # fetch_sync("a")


def sync_function() -> None:
    mylib.fetch_sync("a")
    legacy.db.query("SELECT 1")
    Client().download("x")


mylib.fetch_sync("at import time")
'''



def cli_findings(stdout: str) -> list[tuple[int, int, str, str]]:
    """``(line, column, code, message)`` from flake8's default output format."""
    found = []
    for line in stdout.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, f"unexpected flake8 output line: {line!r}"
        found.append((int(match["line"]), int(match["col"]), match["code"], match["text"]))
    return sorted(found)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "service.py"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def options(blocking: str = "", allowed: str = "") -> argparse.Namespace:
    """The namespace flake8 hands to ``Plugin.parse_options``."""
    return argparse.Namespace(
        asyncio_blocking_calls=blocking,
        asyncio_allowed_calls=allowed,
        asyncio_task_factories="",
    )


def via_class(source: str, namespace: argparse.Namespace,
              monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, str]]:
    """Run the plugin class with settings parsed from ``namespace`` (restored afterwards)."""
    monkeypatch.setattr(Plugin, "_settings", Plugin._settings)  # undone at teardown
    Plugin.parse_options(namespace)
    plugin = Plugin(ast.parse(source), "service.py", source.splitlines(keepends=True))
    return sorted((line, col, text) for line, col, text, _ in plugin.run())


def test_sample_compiles() -> None:
    compile(SAMPLE, "service.py", "exec")


def test_listed_calls_via_cli(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", f"--asyncio-blocking-calls={OPTION}",
                        sample.name, cwd=sample.parent)
    assert result.returncode == 1, result.stderr
    found = cli_findings(result.stdout)
    assert [(line, code) for line, _, code, _ in found] == expected_codes(SAMPLE)


def test_listed_calls_via_class(monkeypatch: pytest.MonkeyPatch) -> None:
    found = via_class(SAMPLE, options(OPTION), monkeypatch)
    assert [(line, text.split()[0]) for line, _, text in found] == expected_codes(SAMPLE)


def test_class_settings_are_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running with the option must not leak into the next file checked by the class."""
    with monkeypatch.context() as patch:
        assert via_class(SAMPLE, options(OPTION), patch)
    plugin = Plugin(ast.parse(SAMPLE), "service.py", SAMPLE.splitlines(keepends=True))
    assert not [text for _, _, text, _ in plugin.run() if text.startswith("AIO108")]


def test_without_the_option_nothing_is_reported(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", sample.name, cwd=sample.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_message_names_the_call_and_the_replacement(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO108", f"--asyncio-blocking-calls={OPTION}",
                        sample.name, cwd=sample.parent)
    by_line = {line: (col, text) for line, col, _, text in cli_findings(result.stdout)}
    # fetch_now() is reported under its canonical name, with the user's replacement
    assert by_line[19] == (5, "blocking call mylib.fetch_sync() in coroutine 'every_spelling' "
                              "(listed in --asyncio-blocking-calls); use mylib.fetch")
    # a method, named by class, with the replacement the user gave
    assert by_line[22] == (5, "blocking call vendor.Client.download() in coroutine "
                              "'every_spelling' (listed in --asyncio-blocking-calls); "
                              "use vendor.AsyncClient.download")
    # no replacement given: the rule's default advice
    assert by_line[20] == (5, "blocking call legacy.db.query() in coroutine 'every_spelling' "
                              "(listed in --asyncio-blocking-calls); use an async equivalent "
                              "or await asyncio.to_thread()")


@pytest.mark.parametrize("config_name", [".flake8", "setup.cfg", "tox.ini"])
def test_config_file_value_gives_the_same_findings(tmp_path: Path, config_name: str) -> None:
    """A multi-line config value, one call per line, as users write it."""
    lines = "\n".join(f"    {item}," for item in OPTION.split(","))
    (tmp_path / config_name).write_text(
        f"[flake8]\nselect = AIO\nasyncio-blocking-calls =\n{lines}\n", encoding="utf-8")
    (tmp_path / "service.py").write_text(SAMPLE, encoding="utf-8")
    result = run_flake8("service.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    found = cli_findings(result.stdout)
    assert [(line, code) for line, _, code, _ in found] == expected_codes(SAMPLE)


def test_allowed_prefix_silences_listed_calls(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", f"--asyncio-blocking-calls={OPTION}",
                        "--asyncio-allowed-calls=mylib,vendor.Client",
                        sample.name, cwd=sample.parent)
    names = {text.split()[2] for _, _, _, text in cli_findings(result.stdout)}
    assert names == {"legacy.db.query()"}


def test_listing_a_builtin_blocking_call_reports_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    source = textwrap.dedent("""\
        import time

        async def poll() -> None:
            time.sleep(1)
        """)
    found = via_class(source, options("time.sleep=trio.sleep"), monkeypatch)
    assert [line for line, _, _ in found] == [4]


def test_listed_call_in_nested_coroutine_of_sync_function(monkeypatch: pytest.MonkeyPatch) -> None:
    source = textwrap.dedent("""\
        import mylib

        def main() -> None:
            async def inner() -> None:
                mylib.fetch_sync("a")

            print(inner)
        """)
    found = via_class(source, options(OPTION), monkeypatch)
    assert [(line, text.split()[0]) for line, _, text in found] == [(5, "AIO108")]


def test_bad_value_is_a_one_line_error(sample: Path) -> None:
    result = run_flake8("--isolated", "--select=AIO", "--asyncio-blocking-calls=mylib.fetch=",
                        sample.name, cwd=sample.parent)
    assert result.returncode != 0
    output = result.stdout + result.stderr  # flake8 prints critical errors on stdout
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if "--asyncio-blocking-calls" in line]
    assert len(errors) == 1 and "'mylib.fetch='" in errors[0], output
