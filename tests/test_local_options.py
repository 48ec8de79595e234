"""Options that name a function defined in the checked module itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_flake8

SOURCE = '''\
import asyncio


def spawn(coro):
    return asyncio.create_task(coro)


def fetch_sync(url):
    return url


async def job():
    await asyncio.sleep(0)


async def main():
    spawn(job())
    fetch_sync("https://example.org")
'''


@pytest.mark.parametrize("name", ["spawn", "jobs.spawn", "myapp.jobs.spawn"])
def test_task_factory_defined_in_the_module(tmp_path: Path, name: str) -> None:
    path = tmp_path / "jobs.py"
    path.write_text(SOURCE)
    # one file at a time, spawn() is only a task factory when the option says so
    plain = run_flake8("--isolated", "--select=AIO", "--asyncio-project-analysis=no",
                       str(path))
    assert plain.returncode == 0, plain.stdout
    result = run_flake8("--isolated", "--select=AIO", "--asyncio-project-analysis=no",
                        f"--asyncio-task-factories={name}", str(path))
    assert result.returncode == 1
    assert f"{path}:17:5: AIO200 result of spawn() is discarded" in result.stdout


def test_task_factory_found_by_project_analysis(tmp_path: Path) -> None:
    """``return asyncio.create_task(coro)`` makes spawn() a task factory, no option needed."""
    path = tmp_path / "jobs.py"
    path.write_text(SOURCE)
    result = run_flake8("--isolated", "--select=AIO", str(path))
    assert result.stdout.strip() == (
        f"{path}:17:5: AIO200 result of spawn() is discarded and may be garbage-collected "
        "mid-flight; keep a reference to it or use asyncio.TaskGroup")


def test_blocking_call_defined_in_the_module(tmp_path: Path) -> None:
    path = tmp_path / "jobs.py"
    path.write_text(SOURCE)
    result = run_flake8("--isolated", "--select=AIO108",
                        "--asyncio-blocking-calls=jobs.fetch_sync=fetch_async", str(path))
    assert result.stdout.strip() == (
        f"{path}:18:5: AIO108 blocking call fetch_sync() in coroutine 'main' "
        "(listed in --asyncio-blocking-calls); use fetch_async"
    )


def test_configured_acquire_is_a_root_of_a_helper_chain(tmp_path: Path) -> None:
    """Only threading's locks are critical sections in a helper; a configured blocking
    call named ``acquire`` (a connection pool's) still makes the helper block."""
    path = tmp_path / "pool.py"
    path.write_text("import mylib\n\npool = mylib.Pool()\n\n\ndef helper():\n"
                    "    pool.acquire()\n\n\nasync def main():\n    helper()\n")
    result = run_flake8("--isolated", "--select=AIO",
                        "--asyncio-blocking-calls=mylib.Pool.acquire", str(path))
    assert result.stdout.strip() == (
        f"{path}:11:5: AIO109 helper() blocks the event loop in coroutine 'main': helper() "
        "(line 6) -> mylib.Pool.acquire() (line 7); use await asyncio.to_thread(helper, ...)")
