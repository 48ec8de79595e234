"""AIO109 summaries: linear work on long chains and wide modules, exact chains."""

from __future__ import annotations

import ast

import pytest
from conftest import count_resolutions

from flake8_asyncio_tasks.checks import check_module
from flake8_asyncio_tasks.settings import Settings


def chain_module(length: int) -> str:
    """helper_0 blocks; helper_i calls helper_{i-1}; a coroutine calls the last one."""
    lines = ["import time", "", "def helper_0():", "    time.sleep(1)", ""]
    for index in range(1, length):
        lines += [f"def helper_{index}():", f"    helper_{index - 1}()", ""]
    lines += ["async def main():", f"    helper_{length - 1}()", ""]
    return "\n".join(lines)


def wide_module(width: int) -> str:
    """``width`` helpers that each call every one of 5 others, and coroutines calling all."""
    lines = ["import time", ""]
    for index in range(width):
        lines.append(f"def helper_{index}():")
        lines += [f"    helper_{(index + step) % width}()" for step in range(1, 6)]
        if index == width - 1:
            lines.append("    time.sleep(1)")
        lines.append("")
    lines.append("async def main():")
    lines += [f"    helper_{index}()" for index in range(width)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("builder", [chain_module, wide_module], ids=["chain", "wide"])
def test_work_grows_linearly(builder, monkeypatch: pytest.MonkeyPatch) -> None:
    small, small_findings = count_resolutions(builder(200), monkeypatch)
    large, large_findings = count_resolutions(builder(800), monkeypatch)
    assert small_findings >= 1 and large_findings >= 1
    # four times the module, at most a little over four times the work
    assert large <= 4.5 * small, (small, large)


def test_long_chain_is_reported_with_a_shortened_chain() -> None:
    findings = check_module(ast.parse(chain_module(50)), Settings(), "mod.py")
    assert len(findings) == 1
    text = findings[0].text
    assert text.startswith("AIO109 helper_49() blocks the event loop in coroutine 'main': ")
    assert (
        "helper_49() (line 150) -> helper_48() (line 147) -> ... -> helper_1() (line 6) "
        "-> helper_0() (line 3) -> time.sleep() (line 4)"
        in text
    )
    assert text.endswith("; use await asyncio.to_thread(helper_49, ...)")


def test_every_function_of_a_wide_module_is_reported() -> None:
    findings = check_module(ast.parse(wide_module(100)), Settings(), "mod.py")
    assert [f.text.split()[0] for f in findings] == ["AIO109"] * 100


def test_recursion_terminates() -> None:
    source = "def a():\n    b()\n\ndef b():\n    a()\n\nasync def main():\n    a()\n"
    assert check_module(ast.parse(source), Settings(), "mod.py") == []


@pytest.mark.parametrize(
    "allowed", ["mod.load_config", "pkg.mod.load_config", "load_config"],
)
def test_allowed_calls_silence_a_helper(allowed: str) -> None:
    source = (
        "def load_config():\n    return open('x').read()\n\n"
        "async def main():\n    load_config()\n"
    )
    assert check_module(ast.parse(source), Settings(), "pkg/mod.py") != []
    settings = Settings(allowed_calls=frozenset({allowed}))
    assert check_module(ast.parse(source), settings, "pkg/mod.py") == []


def test_allowed_root_call_silences_the_chain() -> None:
    source = "import time\n\ndef pause():\n    time.sleep(1)\n\nasync def main():\n    pause()\n"
    settings = Settings(allowed_calls=frozenset({"time.sleep"}))
    assert check_module(ast.parse(source), settings, "mod.py") == []
