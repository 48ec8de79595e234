"""The three ``--asyncio-*`` options: on the command line, in config files, and bad values.

Good values must change the findings exactly as documented; every bad value must stop
flake8 with one line that names the option and the offending item: non-zero exit,
no traceback.  All of it through the real ``python -m flake8``, plus unit tests of
``Settings.from_options`` on an ``argparse.Namespace`` as flake8 hands it over.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
from conftest import run_flake8
from flake8.exceptions import ExecutionError

from flake8_asyncio_tasks.plugin import Plugin
from flake8_asyncio_tasks.settings import (
    ALLOWED_CALLS_OPTION,
    BLOCKING_CALLS_OPTION,
    TASK_FACTORIES_OPTION,
    Settings,
)

OPTIONS = (BLOCKING_CALLS_OPTION, ALLOWED_CALLS_OPTION, TASK_FACTORIES_OPTION)
_OUTPUT = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<text>(?P<code>AIO\d+) .*)$")

#: the checked module; a trailing ``# @name`` marks a line the tests refer to
SOURCE = """\
import mylib
import requests
import time
from mylib import spawn


async def work():
    pass


async def handler(url):
    mylib.fetch_sync()  # @fetch
    mylib.other_sync(url)  # @other
    requests.get(url)  # @get
    requests.post(url)  # @post
    time.sleep(1)  # @sleep
    spawn(work())  # @spawn
    task = mylib.spawn(work())  # @task
    await work()
"""


def line_of(marker: str) -> int:
    """The line of ``SOURCE`` that ends in ``# @marker``."""
    for number, line in enumerate(SOURCE.splitlines(), start=1):
        if line.endswith(f"# @{marker}"):
            return number
    raise AssertionError(marker)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "service.py").write_text(SOURCE)
    return tmp_path


def findings(project: Path, *args: str) -> dict[tuple[int, str], str]:
    """``{(line, code): message}`` from one real flake8 run in ``project``."""
    result = run_flake8(*args, "service.py", cwd=project)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert result.stderr == ""
    found = {}
    for line in result.stdout.splitlines():
        match = _OUTPUT.match(line)
        assert match, f"unexpected flake8 output line: {line!r}"
        found[(int(match["line"]), match["code"])] = match["text"]
    return found


def cli(project: Path, *options: str) -> dict[tuple[int, str], str]:
    return findings(project, "--isolated", "--select=AIO", *options)


# -- good values on the command line ---------------------------------------------------
def test_without_options_only_builtin_calls_are_reported(project: Path) -> None:
    assert sorted(cli(project)) == [
        (line_of("get"), "AIO101"), (line_of("post"), "AIO101"), (line_of("sleep"), "AIO100"),
    ]


def test_configured_blocking_call_is_aio108_with_its_replacement(project: Path) -> None:
    found = cli(project, f"{BLOCKING_CALLS_OPTION}=mylib.fetch_sync=mylib.fetch")
    message = found[(line_of("fetch"), "AIO108")]
    assert message == (
        "AIO108 blocking call mylib.fetch_sync() in coroutine 'handler' "
        "(listed in --asyncio-blocking-calls); use mylib.fetch"
    )
    assert (line_of("other"), "AIO108") not in found


def test_configured_blocking_call_without_replacement_gets_the_default_advice(
    project: Path,
) -> None:
    found = cli(project, f"{BLOCKING_CALLS_OPTION}=mylib.fetch_sync=mylib.fetch,mylib.other_sync")
    assert found[(line_of("fetch"), "AIO108")].endswith("; use mylib.fetch")
    other = found[(line_of("other"), "AIO108")]
    assert other.startswith("AIO108 blocking call mylib.other_sync() in coroutine 'handler'")
    assert other.endswith("; use an async equivalent or await asyncio.to_thread()")


@pytest.mark.parametrize(
    ("allowed", "silenced"),
    [
        ("requests.get", {"get"}),
        ("requests", {"get", "post"}),  # a prefix allows everything under it
        ("requests.get,time.sleep", {"get", "sleep"}),
        ("time", {"sleep"}),
        ("req", set()),  # a prefix counts only at a dot
        ("requests.ge", set()),
        ("get", set()),  # the last name alone is not the call
    ],
)
def test_allowed_calls_silence_exactly_the_listed_calls(
    project: Path, allowed: str, silenced: set[str]
) -> None:
    found = cli(project, f"{ALLOWED_CALLS_OPTION}={allowed}")
    reported = {marker for marker in ("get", "post", "sleep")
                if any(line == line_of(marker) for line, _ in found)}
    assert reported == {"get", "post", "sleep"} - silenced


def test_allowed_calls_win_over_configured_blocking_calls(project: Path) -> None:
    found = cli(project, f"{BLOCKING_CALLS_OPTION}=mylib.fetch_sync",
                f"{ALLOWED_CALLS_OPTION}=mylib")
    assert not [key for key in found if key[1] == "AIO108"]


def test_task_factories_make_discarded_and_unused_results_reported(project: Path) -> None:
    found = cli(project, f"{TASK_FACTORIES_OPTION}=mylib.spawn")
    assert found[(line_of("spawn"), "AIO200")].startswith(
        "AIO200 result of mylib.spawn() is discarded")
    assert found[(line_of("task"), "AIO201")].startswith(
        "AIO201 task 'task' from mylib.spawn() is never awaited")
    assert not [key for key in cli(project) if key[1] in ("AIO200", "AIO201")]


def test_options_given_twice_on_the_command_line_last_wins(project: Path) -> None:
    # argparse semantics for a plain ``store`` option: the last value counts
    found = cli(project, f"{ALLOWED_CALLS_OPTION}=requests", f"{ALLOWED_CALLS_OPTION}=time")
    assert {line for line, _ in found} == {line_of("get"), line_of("post")}


def test_task_factory_defined_in_the_same_module(tmp_path: Path) -> None:
    (tmp_path / "service.py").write_text(
        "import asyncio\n\n\n"
        "def spawn(coro):\n    return asyncio.ensure_future(coro)\n\n\n"
        "async def work():\n    pass\n\n\n"
        "async def main():\n    spawn(work())\n"
    )
    one_file = "--asyncio-project-analysis=no"
    assert cli(tmp_path, one_file) == {}
    assert sorted(cli(tmp_path, one_file, f"{TASK_FACTORIES_OPTION}=spawn")) == [
        (13, "AIO200")]
    # project analysis reads spawn()'s body: it returns the task, no option needed
    assert sorted(cli(tmp_path)) == [(13, "AIO200")]


# -- good values in config files -------------------------------------------------------
ALL_OPTIONS_FOUND = {
    (line_of("fetch"), "AIO108"), (line_of("other"), "AIO108"), (line_of("post"), "AIO101"),
    (line_of("spawn"), "AIO200"), (line_of("task"), "AIO201"),
}

CONFIG_BODY = """\
select = AIO
asyncio-blocking-calls =
    mylib.fetch_sync=mylib.fetch,
    mylib.other_sync,

asyncio-allowed-calls =
    requests.get
    time
asyncio-task-factories = mylib.spawn
"""


def test_all_options_on_the_command_line(project: Path) -> None:
    found = cli(project, f"{BLOCKING_CALLS_OPTION}=mylib.fetch_sync=mylib.fetch,mylib.other_sync",
                f"{ALLOWED_CALLS_OPTION}=requests.get,time",
                f"{TASK_FACTORIES_OPTION}=mylib.spawn")
    assert set(found) == ALL_OPTIONS_FOUND


@pytest.mark.parametrize("config_name", ["setup.cfg", "tox.ini", ".flake8"])
def test_all_options_in_a_config_file_with_multi_line_values(
    project: Path, config_name: str
) -> None:
    (project / config_name).write_text("[flake8]\n" + CONFIG_BODY)
    found = findings(project, f"--config={config_name}")
    assert set(found) == ALL_OPTIONS_FOUND
    assert found[(line_of("fetch"), "AIO108")].endswith("; use mylib.fetch")


def test_config_file_is_discovered_without_config_flag(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\n" + CONFIG_BODY)
    assert set(findings(project)) == ALL_OPTIONS_FOUND


def test_command_line_overrides_the_config_file(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\n" + CONFIG_BODY)
    found = findings(project, "--config=setup.cfg", f"{ALLOWED_CALLS_OPTION}=requests")
    assert set(found) == ALL_OPTIONS_FOUND - {(line_of("post"), "AIO101")} | {
        (line_of("sleep"), "AIO100")}


# -- bad values: one clear line, non-zero exit, no traceback ---------------------------
#: (value, the item the error must show); valid for every option
BAD_NAMES = [
    ("a,,b", "a,,b"),
    ("mylib.ok,,other.ok", "mylib.ok,,other.ok"),
    (",a", ",a"),
    ("1abc", "1abc"),
    ("mylib.1abc", "mylib.1abc"),
    ("a..b", "a..b"),
    (".a", ".a"),
    ("a.", "a."),
    ("a.b-c", "a.b-c"),
    ("import.x", "import.x"),
    ("mylib.class", "mylib.class"),
    ("my lib.x", "my lib.x"),
    ("mylib.ok,bad name", "bad name"),
    ("mylib.ok, 2nd.item", "2nd.item"),
    ("a*b", "a*b"),
    ("mylib.fetch()", "mylib.fetch()"),
    ("=x", "=x"),
]
#: only for --asyncio-blocking-calls, whose items are name[=replacement]
BAD_BLOCKING = [
    ("a=", "a="),
    ("a==b", "a==b"),
    ("a=b=c", "a=b=c"),
    ("mylib.ok=x,=y", "=y"),
    ("a-b=c", "a-b=c"),
    ("1abc=mylib.fetch", "1abc=mylib.fetch"),
]
#: ``name=value`` is no dotted name for the other two options
BAD_PLAIN = [("mylib.fetch_sync=mylib.fetch", "mylib.fetch_sync=mylib.fetch")]

BAD_CASES = [
    *[(option, value, shown) for option in OPTIONS for value, shown in BAD_NAMES],
    *[(BLOCKING_CALLS_OPTION, value, shown) for value, shown in BAD_BLOCKING],
    *[(option, value, shown) for option in (ALLOWED_CALLS_OPTION, TASK_FACTORIES_OPTION)
      for value, shown in BAD_PLAIN],
]


def assert_one_clear_error(result: subprocess.CompletedProcess[str], option: str,
                           shown: str) -> None:
    """Non-zero exit, no traceback, no findings, exactly one line naming option and item."""
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "Traceback" not in out, out
    assert "AIO1" not in out and "AIO2" not in out, out  # no file was checked
    naming = [line for line in out.splitlines() if option in line]
    assert len(naming) == 1, out
    assert repr(shown) in naming[0], out
    # flake8 adds only its one-line header; nothing else is printed
    others = [line for line in out.splitlines() if line and option not in line]
    assert others in ([], ["There was a critical error during execution of Flake8:"]), out


@pytest.mark.parametrize(("option", "value", "shown"), BAD_CASES)
def test_bad_value_on_the_command_line(project: Path, option: str, value: str,
                                       shown: str) -> None:
    result = run_flake8("--isolated", "--select=AIO", f"{option}={value}", "service.py",
                        cwd=project)
    assert_one_clear_error(result, option, shown)


@pytest.mark.parametrize(
    ("option", "value", "shown"),
    [
        (BLOCKING_CALLS_OPTION, "\n    mylib.ok=x,\n    a==b", "a==b"),
        (BLOCKING_CALLS_OPTION, "\n    mylib.ok\n    1abc", "1abc"),
        (ALLOWED_CALLS_OPTION, "\n    requests,\n    a..b,\n", "a..b"),
        (ALLOWED_CALLS_OPTION, "a,,b", "a,,b"),
        (TASK_FACTORIES_OPTION, "\n    mylib.spawn\n    my spawn", "my spawn"),
        (TASK_FACTORIES_OPTION, "import.x", "import.x"),
    ],
)
def test_bad_value_in_a_config_file(project: Path, option: str, value: str,
                                    shown: str) -> None:
    key = option.removeprefix("--")
    (project / "setup.cfg").write_text(f"[flake8]\nselect = AIO\n{key} = {value}\n")
    result = run_flake8("--config=setup.cfg", "service.py", cwd=project)
    assert_one_clear_error(result, option, shown)


def test_unknown_option_on_the_command_line(project: Path) -> None:
    result = run_flake8("--isolated", "--asyncio-blocking-cals=mylib.fetch", "service.py",
                        cwd=project)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in out
    naming = [line for line in out.splitlines() if "--asyncio-blocking-cals" in line]
    assert len(naming) == 1 and "unrecognized" in naming[0], out


def test_unknown_key_in_a_config_file_is_ignored_by_flake8(project: Path) -> None:
    """flake8 itself skips unregistered config keys; it must not turn into a crash."""
    (project / "setup.cfg").write_text("[flake8]\nselect = AIO\nasyncio-blocking-cals = a.b\n")
    assert sorted(findings(project, "--config=setup.cfg")) == sorted(cli(project))


# -- unit level: Settings.from_options on what flake8 hands over -----------------------
def namespace(blocking: object = "", allowed: object = "", factories: object = "",
              ) -> argparse.Namespace:
    return argparse.Namespace(asyncio_blocking_calls=blocking, asyncio_allowed_calls=allowed,
                              asyncio_task_factories=factories)


def test_from_options_defaults() -> None:
    for options in (argparse.Namespace(), namespace(), namespace(None, None, None)):
        settings = Settings.from_options(options)
        assert dict(settings.blocking_calls) == {}
        assert settings.allowed_calls == frozenset()
        assert settings.task_factories == frozenset()


def test_from_options_parses_each_option() -> None:
    settings = Settings.from_options(namespace(
        blocking="mylib.fetch_sync = mylib.fetch, a.b, c.d=await c.ad()",
        allowed="requests,\n  time.sleep,\n\n  pkg.mod.Cls.method,",
        factories="\n    spawn\n    mylib.start_task\n",
    ))
    assert dict(settings.blocking_calls) == {
        "mylib.fetch_sync": "mylib.fetch", "a.b": "", "c.d": "await c.ad()",
    }
    assert settings.allowed_calls == {"requests", "time.sleep", "pkg.mod.Cls.method"}
    assert settings.task_factories == {"spawn", "mylib.start_task"}


def test_from_options_accepts_a_list_as_well_as_a_string() -> None:
    as_list = Settings.from_options(namespace(["a.b=c", "d.e"], ["x.y"], ["s", "t.u"]))
    as_text = Settings.from_options(namespace("a.b=c,d.e", "x.y", "s,t.u"))
    assert as_list == as_text


@pytest.mark.parametrize(("option", "value", "shown"), BAD_CASES)
def test_from_options_rejects_bad_values(option: str, value: str, shown: str) -> None:
    attr = option.removeprefix("--").replace("-", "_")
    with pytest.raises(ExecutionError) as raised:
        Settings.from_options(argparse.Namespace(**{attr: value}))
    message = str(raised.value)
    assert message.startswith(f"{option}: ")
    assert repr(shown) in message
    assert "\n" not in message


def test_settings_are_frozen() -> None:
    settings = Settings.from_options(namespace("a.b=c", "d", "e"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.allowed_calls = frozenset()  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.blocking_calls["x.y"] = ""  # type: ignore[index]


def test_parse_options_replaces_the_class_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Plugin, "_settings", Plugin._settings)  # restored afterwards
    Plugin.parse_options(namespace("mylib.fetch_sync=mylib.fetch"))
    assert dict(Plugin._settings.blocking_calls) == {"mylib.fetch_sync": "mylib.fetch"}
    with pytest.raises(ExecutionError):
        Plugin.parse_options(namespace(allowed="a..b"))
