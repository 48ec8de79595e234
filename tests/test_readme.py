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


def test_links_work_on_pypi_too() -> None:
    """PyPI renders the README without the repository: every link must be absolute."""
    targets = re.findall(r"\]\(([^)\s]+)\)", README)
    assert targets
    relative = [target for target in targets if not target.startswith(("https://", "#"))]
    assert relative == []
    for target in targets:
        path = target.removeprefix(
            "https://github.com/flake8-asyncio-tasks/flake8-asyncio-tasks/blob/main/")
        if path != target:  # a file of this repository: it must exist
            assert (ROOT / path.partition("#")[0]).exists(), target


def test_supported_pythons_are_stated() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    classified = sorted(
        classifier.rpartition(":: ")[2] for classifier in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", classifier))
    assert project["requires-python"] == f">={classified[0]}"
    first_screen = "\n".join(README.splitlines()[:40])
    assert f"Python {classified[0]} to {classified[-1]}" in first_screen
