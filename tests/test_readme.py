"""The README's first screen stays true: its commands and the output it shows."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_flake8

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:40])
    assert "pip install . && flake8 --select=AIO examples/" in first_screen
    assert "pip install -e '.[test]' && pytest" in first_screen


def test_shown_output_is_what_flake8_prints_on_the_example() -> None:
    block = re.search(r"```console\n\$ flake8 --select=AIO examples/\n(.*?)```", README, re.S)
    assert block, "the README's example output block is missing"
    shown = block.group(1).strip().splitlines()
    result = run_flake8("--isolated", "--select=AIO", "examples/", cwd=ROOT)
    assert result.returncode == 1
    real = result.stdout.splitlines()
    assert shown and all(line in real for line in shown), (shown, real)


def test_fixed_example_is_clean() -> None:
    result = run_flake8("--isolated", "--select=AIO", "examples/fixed_service.py", cwd=ROOT)
    assert (result.returncode, result.stdout) == (0, "")
