"""Project-wide analysis: multi-module fixtures through the plugin class and the flake8 CLI.

Each directory under ``tests/projects/`` is a small project; its lines that must be
reported end in ``# error: CODE`` as in the one-file fixtures.  A file's findings must
not depend on which files flake8 is given, on ``--jobs`` or on the order of the files.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from conftest import FLAKE8_LINE, expected_codes, run_flake8

from flake8_asyncio_tasks import chains, layout
from flake8_asyncio_tasks import project as project_module
from flake8_asyncio_tasks.checks import check_module
from flake8_asyncio_tasks.plugin import Plugin
from flake8_asyncio_tasks.project import Project, locate
from flake8_asyncio_tasks.settings import Settings
from flake8_asyncio_tasks.summarize import summarize
from flake8_asyncio_tasks.visitor import Visitor

PROJECTS = Path(__file__).parent / "projects"
PROJECT_DIRS = sorted(p for p in PROJECTS.iterdir() if p.is_dir())

Pairs = dict[Path, list[tuple[int, str]]]


def project_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def expected(root: Path) -> Pairs:
    found = {}
    for path in project_files(root):
        pairs = expected_codes(path.read_text(encoding="utf-8"))
        if pairs:
            found[path.resolve()] = pairs
    return found


def via_class(root: Path, settings: Settings | None = None) -> Pairs:
    found: Pairs = {}
    for path in project_files(root):
        source = path.read_text(encoding="utf-8")
        plugin_settings = settings or Settings()
        findings = check_module(ast.parse(source), plugin_settings, str(path),
                                source.splitlines(keepends=True))
        pairs = sorted((f.line, f.text.split()[0]) for f in findings)
        if pairs:
            found[path.resolve()] = pairs
    return found


def via_cli(*args: str, cwd: Path | None = None) -> Pairs:
    result = run_flake8("--isolated", "--select=AIO", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    found: dict[Path, list[tuple[int, str]]] = {}
    for line in result.stdout.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, f"unexpected flake8 output line: {line!r}"
        path = Path(cwd or ".", match["path"]).resolve()
        found.setdefault(path, []).append((int(match["line"]), match["code"]))
    return {path: sorted(pairs) for path, pairs in found.items()}


@pytest.mark.parametrize("root", PROJECT_DIRS, ids=lambda p: p.name)
def test_project_via_class(root: Path) -> None:
    assert via_class(root) == expected(root)


@pytest.mark.parametrize("root", PROJECT_DIRS, ids=lambda p: p.name)
def test_project_via_cli(root: Path) -> None:
    assert via_cli("--jobs=1", str(root)) == expected(root)


@pytest.mark.parametrize("root", PROJECT_DIRS, ids=lambda p: p.name)
def test_a_file_alone_gets_the_same_findings(root: Path) -> None:
    """pre-commit passes only the changed files: each one alone, the same findings."""
    want = expected(root)
    for path in project_files(root):
        alone = via_cli("--jobs=1", str(path))
        assert alone.get(path.resolve(), []) == want.get(path.resolve(), []), path


@pytest.mark.parametrize("root", PROJECT_DIRS, ids=lambda p: p.name)
def test_jobs_and_order_do_not_change_findings(root: Path) -> None:
    files = [str(path) for path in project_files(root)]
    want = expected(root)
    assert via_cli("--jobs=2", *files) == want
    assert via_cli("--jobs=1", *reversed(files)) == want
    assert via_cli("--jobs=2", *reversed(files)) == want


@pytest.mark.parametrize("root", PROJECT_DIRS, ids=lambda p: p.name)
def test_relative_paths_from_inside_the_project(root: Path) -> None:
    """flake8 run from the project directory with relative paths, as pre-commit does."""
    files = [str(path.relative_to(root)) for path in project_files(root)]
    assert via_cli("--jobs=1", *files, cwd=root) == expected(root)


def test_switched_off_gives_one_file_results() -> None:
    root = PROJECTS / "shop"
    one_file = via_class(root, Settings(project_analysis=False))
    assert via_cli("--jobs=1", "--asyncio-project-analysis=no", str(root)) == one_file
    # what needs a second module is gone: the imported coroutine, the helper's chain
    service = (root / "shop" / "service.py").resolve()
    assert (33, "AIO202") not in one_file.get(service, [])
    assert (45, "AIO109") not in one_file.get(service, [])
    assert (33, "AIO202") in expected(root)[service]


def test_switch_in_a_config_file(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(PROJECTS / "shop", root)
    (root / "setup.cfg").write_text("[flake8]\nasyncio-project-analysis = no\n")
    result = run_flake8("--select=AIO", "shop/service.py", cwd=root)
    assert "service.py:33:9: AIO202" not in result.stdout
    assert result.stderr == ""


def test_a_bad_switch_value_is_a_one_line_error() -> None:
    result = run_flake8("--isolated", "--asyncio-project-analysis=maybe",
                        str(PROJECTS / "shop" / "shop" / "service.py"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "--asyncio-project-analysis: expected yes or no, got 'maybe'" in output
    assert "Traceback" not in output


def test_messages_name_each_hop_of_another_module() -> None:
    service = PROJECTS / "shop" / "shop" / "service.py"
    result = run_flake8("--isolated", "--select=AIO", str(service))
    line = next(text for text in result.stdout.splitlines() if ":45:9:" in text)
    assert line.endswith(
        "AIO109 load_config() blocks the event loop in coroutine 'handle': "
        "settings.load_config() (shop/settings.py:11) -> settings.read_file() "
        "(shop/settings.py:6) -> open() (shop/settings.py:7); "
        "use await asyncio.to_thread(load_config, ...)")


# -- the index: files, layouts, cache ----------------------------------------------------
def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


CLIENT = "async def fetch():\n    pass\n"
USER = "from app.client import fetch\n\n\nasync def main():\n    fetch()\n"


def findings_of(path: Path, settings: Settings | None = None) -> list[tuple[int, str]]:
    source = path.read_text()
    return [(f.line, f.text.split()[0]) for f in check_module(
        ast.parse(source), settings or Settings(), str(path),
        source.splitlines(keepends=True))]


@pytest.mark.parametrize("layout", ["flat", "src", "script"])
def test_layouts(tmp_path: Path, layout: str) -> None:
    base = {"flat": tmp_path, "src": tmp_path / "src", "script": tmp_path}[layout]
    (tmp_path / "pyproject.toml").write_text("")
    write(base, {"app/__init__.py": "", "app/client.py": CLIENT})
    user = tmp_path / ("run.py" if layout == "script" else "tests/test_user.py")
    write(user.parent, {user.name: USER})
    assert findings_of(user) == [(5, "AIO202")]


def test_namespace_package(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "app/client.py": CLIENT, "app/user.py": USER})
    assert findings_of(tmp_path / "app" / "user.py") == [(5, "AIO202")]


def test_installed_code_is_never_the_project(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "site-packages"
    write(site, {"app/__init__.py": "", "app/client.py": CLIENT, "app/user.py": USER})
    assert locate(str(site / "app" / "user.py")) is None
    assert findings_of(site / "app" / "user.py") == []


def test_nothing_outside_the_project_is_read(tmp_path: Path) -> None:
    """A package beside the project (not in it, not under src/) is not first-party."""
    write(tmp_path, {"app/__init__.py": "", "app/client.py": CLIENT,
                     "proj/pyproject.toml": "", "proj/run.py": USER})
    assert findings_of(tmp_path / "proj" / "run.py") == []


def test_stdin_and_missing_files_have_no_project() -> None:
    assert locate("stdin") is None
    assert locate("-") is None
    assert locate("/nonexistent/x.py") is None


def test_unreadable_and_broken_modules_are_unknown(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "app/__init__.py": "",
                     "app/client.py": "async def fetch(:\n",
                     "app/user.py": USER.replace("app.client", "app.missing") + USER})
    assert findings_of(tmp_path / "app" / "user.py") == []


def test_each_module_is_parsed_once_per_process(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "app/__init__.py": "",
                     "app/client.py": CLIENT,
                     **{f"app/user{n}.py": USER for n in range(5)}})
    before = project_module.STATS["parses"]
    for n in range(5):
        assert findings_of(tmp_path / "app" / f"user{n}.py") == [(5, "AIO202")]
    assert project_module.STATS["parses"] - before == 1


def test_a_changed_module_is_read_again(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "", "app/__init__.py": "",
                     "app/client.py": CLIENT, "app/user.py": USER})
    assert findings_of(tmp_path / "app" / "user.py") == [(5, "AIO202")]
    client = tmp_path / "app" / "client.py"
    client.write_text("def fetch():\n    pass\n\n\n")  # a different size
    os.utime(client, ns=(client.stat().st_atime_ns, client.stat().st_mtime_ns + 10**9))
    assert findings_of(tmp_path / "app" / "user.py") == []


def test_the_checked_files_summary_equals_a_fresh_one() -> None:
    """The summary built by the walk that checks a file is the one a fresh parse gives."""
    path = PROJECTS / "shop" / "shop" / "client.py"
    location = locate(str(path))
    assert location is not None
    settings = Settings()
    index = Project(location, settings)
    tree = ast.parse(path.read_text())
    visitor = Visitor(settings, str(path), location.package)
    visitor.visit(tree)
    first = summarize(visitor, location.module, location.path, index.first_party)
    other = locate(str(PROJECTS / "shop" / "shop" / "service.py"))
    assert other is not None
    fresh = Project(other, settings)._parse(str(path), location.module)
    assert fresh is not None
    assert fresh == first
    assert first.functions["fetch"].coroutine
    assert first.classes["Client"].methods["fetch_sync"].blocks == (
        "requests.Session.get", 22)
    assert first.names["session"] == "requests.Session()"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "other"  # type: ignore[misc]


def test_deep_chains_and_many_modules_stop_silently(tmp_path: Path) -> None:
    """A chain longer than the search cap is unknown, not slow and not an error."""
    files = {"pyproject.toml": "", "app/__init__.py": ""}
    count = chains.MAX_CHAIN_SEARCH + 10
    for n in range(count):
        body = f"from app.m{n + 1} import step{n + 1}\n\n\ndef step{n}():\n    step{n + 1}()\n"
        files[f"app/m{n}.py"] = body
    files[f"app/m{count}.py"] = f"def step{count}():\n    open('x')\n"
    files["app/user.py"] = "from app.m60 import step60\nfrom app.m0 import step0\n\n\n" \
        "async def near():\n    step60()\n\n\nasync def far():\n    step0()\n"
    write(tmp_path, files)
    found = findings_of(tmp_path / "app" / "user.py")
    assert found == [(6, "AIO109")]


def test_plugin_class_with_project_on_a_file_without_a_project() -> None:
    tree = ast.parse("async def f():\n    g()\n")
    assert list(Plugin(tree, "stdin", ["async def f():\n", "    g()\n"]).run()) == []


def test_options_name_functions_of_other_modules() -> None:
    """--asyncio-allowed-calls and --asyncio-blocking-calls reach project functions by
    their full dotted name, ``module.name`` or a package prefix."""
    service = PROJECTS / "shop" / "shop" / "service.py"
    base = via_cli("--jobs=1", str(service))[service.resolve()]
    allowed = via_cli("--jobs=1", "--asyncio-allowed-calls=shop.settings.load_config,"
                      "tasks.run_sync", str(service))[service.resolve()]
    lines = service.read_text(encoding="utf-8").splitlines()
    line = {text.strip(): number for number, text in enumerate(lines, 1)}
    assert set(base) - set(allowed) == {
        (line["load_config()  # error: AIO109"], "AIO109"),
        (line["settings.load_config()  # error: AIO109"], "AIO109"),
        (line['run_sync(fetch("f"))  # error: AIO110'], "AIO110")}
    configured = via_cli("--jobs=1", "--asyncio-blocking-calls=shop.settings.defaults",
                         str(service))[service.resolve()]
    assert set(configured) - set(base) == {(47, "AIO108")}


def test_long_chains_keep_both_ends(tmp_path: Path) -> None:
    files = {"pyproject.toml": "", "app/__init__.py": ""}
    for n in range(8):
        files[f"app/m{n}.py"] = f"from app.m{n + 1} import step{n + 1}\n\n\n" \
            f"def step{n}():\n    step{n + 1}()\n"
    files["app/m8.py"] = "def step8():\n    open('x')\n"
    files["app/user.py"] = "from app.m0 import step0\n\n\nasync def main():\n    step0()\n"
    write(tmp_path, files)
    result = run_flake8("--isolated", "--select=AIO", str(tmp_path / "app" / "user.py"))
    assert result.stdout.strip().endswith(
        "AIO109 step0() blocks the event loop in coroutine 'main': m0.step0() (app/m0.py:4) "
        "-> m1.step1() (app/m1.py:4) -> ... -> m7.step7() (app/m7.py:4) -> m8.step8() "
        "(app/m8.py:1) -> open() (app/m8.py:2); use await asyncio.to_thread(step0, ...)")


def test_loops_that_other_modules_may_run() -> None:
    """AIO203 on loops that outlive a scope needs the other modules: off, a module-level
    loop that another module imports and runs is reported, a loop on self is not."""
    root = PROJECTS / "loops"
    one_file = via_class(root, Settings(project_analysis=False))
    assert via_cli("--jobs=1", "--asyncio-project-analysis=no", str(root)) == one_file
    loops = (root / "jobs" / "loops.py").resolve()
    pending = (root / "jobs" / "pending.py").resolve()
    assert (7, "AIO203") in one_file[loops]
    assert (7, "AIO203") not in expected(root)[loops]
    assert (13, "AIO203") not in one_file.get(pending, [])
    assert (13, "AIO203") in expected(root)[pending]
    # a loop made in one module and only scheduled on in another
    user = (root / "jobs" / "user.py").resolve()
    assert (7, "AIO203") not in one_file.get(user, [])
    assert (7, "AIO203") in expected(root)[user]


def test_a_project_too_big_to_search_keeps_loops_silent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "loops"
    shutil.copytree(PROJECTS / "loops", root)
    pending = root / "jobs" / "pending.py"
    orphan = root / "jobs" / "orphan.py"
    assert (13, "AIO203") in findings_of(pending)
    monkeypatch.setattr(layout, "MAX_SEARCH_FILES", 3)
    monkeypatch.setattr(layout, "_SOURCES", {})
    monkeypatch.setattr(layout, "_MENTIONS", {})
    assert not [pair for pair in findings_of(pending) if pair[1] == "AIO203"]
    assert not [pair for pair in findings_of(orphan) if pair[1] == "AIO203"]


def package_findings(root: Path, modules: dict[str, str]) -> list[tuple[int, str]]:
    """Write a project with the package ``pkg`` of ``modules``; the findings of
    ``pkg/main.py``, the same through the plugin class and the flake8 command."""
    (root / "pyproject.toml").write_text("")
    write(root, {"pkg/__init__.py": "", **{f"pkg/{name}": text
                                           for name, text in modules.items()}})
    main = root / "pkg" / "main.py"
    found = findings_of(main)
    assert via_cli("--jobs=1", str(main)).get(main.resolve(), []) == found
    return found


def test_a_table_entry_renamed_in_another_module(tmp_path: Path) -> None:
    """``pause = time.sleep`` in a project module, imported by its own name elsewhere."""
    assert package_findings(tmp_path, {
        "helpers.py": "import time\nfrom time import sleep as nap\n"
                      "pause = time.sleep\nsnooze = nap\n",
        "main.py": "from pkg.helpers import pause, snooze\n\n\n"
                   "async def handler():\n    pause(1)\n    snooze(1)\n"}) == [
        (5, "AIO100"), (6, "AIO100")]
    main = tmp_path / "pkg" / "main.py"
    assert findings_of(main, Settings(project_analysis=False)) == []


def test_a_summary_only_walk_gives_the_same_summary() -> None:
    """Modules read for their summary alone skip what no summary reads (the calls made
    in coroutines): the summary must be the one the full walk of a check gives."""
    settings = Settings()
    files = [*Path(__file__).parent.rglob("*.py"),
             *(Path(__file__).parent.parent / "flake8_asyncio_tasks").glob("*.py")]
    compared = 0
    for path in sorted(files):
        location = locate(str(path))
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        if location is None:
            continue
        own = Project(location, settings)
        made = []
        for summary_only in (False, True):
            visitor = Visitor(settings, str(path), location.package, summary_only=summary_only)
            visitor.visit(tree)
            made.append(summarize(visitor, location.module, location.path, own.first_party))
        assert made[0] == made[1], path
        compared += 1
    assert compared > 100


def test_a_generator_function_of_another_module_blocks_where_iterated(tmp_path: Path) -> None:
    assert package_findings(tmp_path, {
        "data.py": "def rows(name):\n    with open(name) as f:\n        yield from f\n\n\n"
                   "def load(name):\n    with open(name) as f:\n        return f.read()\n\n\n"
                   "def count(name):\n    return len(list(rows(name)))\n",
        "main.py": "from pkg.data import count, load, rows\n\n\n"
                   "async def handler():\n    rows('a')\n    load('a')\n"
                   "    for row in rows('a'):\n        print(row)\n    count('a')\n"}) == [
        (6, "AIO109"), (7, "AIO109"), (9, "AIO109")]


def test_an_in_memory_stream_given_to_another_modules_opener(tmp_path: Path) -> None:
    """``ZipFile(source)`` two hops into another module: a caller handing it
    ``io.BytesIO(...)`` (directly or through a local) never opens a file; one handing
    it a path does."""
    write(tmp_path, {
        "pyproject.toml": "",
        "app/__init__.py": "",
        "app/loader.py": "import zipfile\n\n\ndef _read(source):\n"
                         "    return zipfile.ZipFile(source)\n\n\n"
                         "def verify(source):\n    return _read(source)\n",
        "app/api.py": "import io\n\nfrom app.loader import verify\n\n\n"
                      "async def upload(content, path):\n"
                      "    stream = io.BytesIO(content)\n"
                      "    verify(stream)\n"
                      "    verify(io.BytesIO(content))\n"
                      "    verify(path)\n",
    })
    assert findings_of(tmp_path / "app" / "api.py") == [(10, "AIO109")]


def test_a_task_of_another_modules_plain_def(tmp_path: Path) -> None:
    """``create_task(manager.close())`` of another module's plain ``def`` that returns
    nothing makes no task (a TypeError); of its ``async def`` it does."""
    write(tmp_path, {
        "pyproject.toml": "",
        "app/__init__.py": "",
        "app/manager.py": "class Manager:\n    def close(self) -> None:\n        pass\n\n"
                          "    async def aclose(self) -> None:\n        pass\n",
        "app/user.py": "import asyncio\n\nfrom app.manager import Manager\n\n\n"
                       "def stop(manager: Manager) -> None:\n"
                       "    asyncio.create_task(manager.close())\n"
                       "    asyncio.create_task(manager.aclose())\n",
    })
    assert findings_of(tmp_path / "app" / "user.py") == [(8, "AIO200")]
