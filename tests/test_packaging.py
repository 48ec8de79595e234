"""Build the sdist and wheel for real, check their metadata, install the wheel into a fresh
virtualenv and use it the way a user would: plain ``flake8``, ``flake8 --version`` and
``flake8-asyncio-tasks explain``.
"""

from __future__ import annotations

import email.parser
import os
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path

import pytest

from flake8_asyncio_tasks import __version__
from flake8_asyncio_tasks.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[1]
DOC_PAGES = sorted(path.name for path in (ROOT / "docs" / "rules").glob("*.md"))

SAMPLE = """\
import asyncio
import time


async def main() -> None:
    time.sleep(1)
    asyncio.create_task(main())
    await asyncio.sleep(1)
"""


def _run(*argv: str | Path, cwd: Path | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # Without PYTHONPATH, nothing from this checkout or the dev environment leaks in.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([str(arg) for arg in argv], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build``: an sdist, then a wheel built from that sdist."""
    pytest.importorskip("build", reason="the 'build' package is not installed")
    out = tmp_path_factory.mktemp("dist")
    result = _run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def _only(directory: Path, pattern: str) -> Path:
    matches = sorted(directory.glob(pattern))
    assert len(matches) == 1, f"expected one {pattern} in {directory}: {matches}"
    return matches[0]


def _wheel_metadata(wheel: Path) -> tuple[Message, list[str], str]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"flake8_asyncio_tasks-{__version__}.dist-info"
        metadata = email.parser.Parser().parsestr(
            archive.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8")
    return metadata, names, entry_points


@pytest.mark.slow
def test_wheel_and_sdist_contents_and_metadata(dist: Path) -> None:
    wheel = _only(dist, f"flake8_asyncio_tasks-{__version__}-py3-none-any.whl")
    sdist = _only(dist, f"flake8_asyncio_tasks-{__version__}.tar.gz")
    metadata, names, entry_points = _wheel_metadata(wheel)

    # The rule pages ship inside the package (mapped from docs/rules, not copied in git).
    assert DOC_PAGES, "docs/rules has no pages"
    assert sorted(n.rsplit("/", 1)[1] for n in names
                  if n.startswith("flake8_asyncio_tasks/rule_docs/")) == DOC_PAGES
    assert "flake8_asyncio_tasks/cli.py" in names
    assert "flake8_asyncio_tasks/__main__.py" in names
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", *(f"docs/rules/{p}" for p in DOC_PAGES)} <= members

    assert metadata["Name"] == "flake8-asyncio-tasks"
    assert metadata["Version"] == __version__
    assert (metadata["License-Expression"] or metadata["License"]) == "MIT"
    classifiers = metadata.get_all("Classifier") or []
    for wanted in ["Framework :: Flake8", "Framework :: AsyncIO",
                   "Programming Language :: Python :: 3.11",
                   "Programming Language :: Python :: 3.15"]:
        assert wanted in classifiers
    assert "Programming Language :: Python :: 3.10" not in classifiers
    assert metadata["Requires-Python"] == ">=3.11"
    assert any(req.startswith("flake8") for req in metadata.get_all("Requires-Dist") or [])
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Issues", "Changelog"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    # The long description is the README, declared as markdown so PyPI renders it.
    assert metadata["Description-Content-Type"] == "text/markdown"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    description = metadata.get_payload()
    assert isinstance(description, str)
    assert description.strip() == readme.strip()

    assert "AIO = flake8_asyncio_tasks.plugin:Plugin" in entry_points
    assert "flake8-asyncio-tasks = flake8_asyncio_tasks.cli:main" in entry_points


@pytest.mark.slow
def test_wheel_works_in_a_fresh_virtualenv(dist: Path, tmp_path: Path) -> None:
    wheel = _only(dist, "*.whl")
    venv = tmp_path / "venv"
    created = _run(sys.executable, "-m", "venv", venv)
    assert created.returncode == 0, created.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    # flake8 itself comes from the package index, as for a user.
    installed = _run(bin_dir / "python", "-m", "pip", "install", "--quiet",
                     "--disable-pip-version-check", wheel)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]

    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(SAMPLE, encoding="utf-8")

    version = _run(bin_dir / "flake8", "--version", cwd=project)
    assert version.returncode == 0, version.stderr
    assert f"flake8-asyncio-tasks: {__version__}" in version.stdout

    # Plain flake8, no options: the plugin's codes are on by default.
    lint = _run(bin_dir / "flake8", "app.py", cwd=project)
    assert lint.returncode == 1, lint.stderr
    assert lint.stdout.splitlines() == [
        "app.py:6:5: AIO100 blocking call time.sleep() in coroutine 'main'; "
        "use await asyncio.sleep()",
        "app.py:7:5: " + ALL_RULES["AIO200"].format(call="asyncio.create_task"),
    ]

    # The rule page comes from the wheel's package data: there is no checkout here.
    explain = _run(bin_dir / "flake8-asyncio-tasks", "explain", "AIO100", cwd=project)
    assert (explain.returncode, explain.stderr) == (0, "")
    assert explain.stdout == (ROOT / "docs" / "rules" / "AIO100.md").read_text(encoding="utf-8")
    listing = _run(bin_dir / "python", "-m", "flake8_asyncio_tasks", "rules", cwd=project)
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[0] for line in listing.stdout.splitlines()] == list(ALL_RULES)
