"""The pre-commit hook, driven by the real ``pre-commit try-repo`` in a throwaway git repo.

try-repo clones this repository at HEAD (plus uncommitted changes to tracked files, as a
temporary commit), builds the hook's virtualenv and pip-installs the project into it, as
a user's ``pre-commit install`` would.  That install is most of the run time, so one
invocation covers the failing file, the clean file and a non-Python file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOK_ID = "flake8-asyncio-tasks"

BAD = """\
import time


async def poll() -> None:
    time.sleep(1)
"""
GOOD = """\
import asyncio


async def poll() -> None:
    await asyncio.sleep(1)  # a comment long enough for E501, which this hook does not select
"""
# The same blocking call in a file pre-commit must not hand to the hook (types: [python]).
NOT_PYTHON = BAD
# Unparsable: must fail (E999), not pass unchecked.
BROKEN = "async def poll(:\n"

_FINDING = re.compile(r"^(?P<path>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) ",
                      re.MULTILINE)


def _isolated_env(home: Path) -> dict[str, str]:
    """This environment minus anything git- or pre-commit-specific, plus a git identity."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_AUTHOR_NAME="hook test", GIT_AUTHOR_EMAIL="hook-test@example.invalid",
        GIT_COMMITTER_NAME="hook test", GIT_COMMITTER_EMAIL="hook-test@example.invalid",
        PRE_COMMIT_HOME=str(home / "pre-commit-home"),
        PRE_COMMIT_COLOR="never",
    )
    return env


@pytest.mark.slow
def test_hook_fails_on_blocking_call_and_broken_file_passes_clean_ones(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout, which try-repo needs")

    work = tmp_path / "user-repo"
    work.mkdir()
    env = _isolated_env(tmp_path)
    (work / "bad.py").write_text(BAD, encoding="utf-8")
    (work / "good.py").write_text(GOOD, encoding="utf-8")
    (work / "notes.txt").write_text(NOT_PYTHON, encoding="utf-8")
    (work / "broken.py").write_text(BROKEN, encoding="utf-8")
    for command in (["git", "init", "-q", "."], ["git", "add", "."]):
        subprocess.run(command, cwd=work, env=env, check=True, capture_output=True)

    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), HOOK_ID,
         "--verbose", "--color=never", "--files", "bad.py", "good.py", "notes.txt", "broken.py"],
        cwd=work, env=env, capture_output=True, text=True, timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(rf"^{re.escape(HOOK_ID)}\.+Failed$", output, re.MULTILINE), output
    assert "- exit code: 1" in output, output
    findings = [(m["path"], int(m["line"]), m["code"]) for m in _FINDING.finditer(output)]
    # bad.py fails with its AIO100 and broken.py with E999; good.py gives nothing (no
    # E501 either: the hook selects AIO and E9 only) and notes.txt is not a python file.
    assert sorted(findings) == [("bad.py", 5, "AIO100"), ("broken.py", 1, "E999")], output
