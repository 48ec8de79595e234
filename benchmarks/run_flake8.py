"""Run the real flake8 CLI with its built-in checkers plus only the plugins named.

flake8 runs every installed plugin on every file whatever ``--select`` says (selection
only filters what is reported), so "flake8 without our plugin" cannot be had from the
command line while the plugin is installed.  This launcher keeps flake8's own machinery
untouched and only narrows plugin discovery to pycodestyle, pyflakes, mccabe and the
distributions listed in its first argument:

    python benchmarks/run_flake8.py ""                    -- --isolated src/   # built-ins
    python benchmarks/run_flake8.py flake8-asyncio-tasks  -- --isolated src/   # + ours
"""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Sequence
from typing import Any, Final

from flake8.main import cli
from flake8.plugins import finder

#: a file to write this process's peak RSS (KiB) to, when set
PEAK_RSS_ENV: Final = "BENCH_PEAK_RSS_FILE"
#: flake8's own checkers: flake8 (the E/W/F/C90 entry points), pycodestyle, pyflakes, mccabe
BUILTIN: Final = frozenset({"flake8", "pycodestyle", "pyflakes", "mccabe"})


def _normalize(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def restrict_plugins(keep: frozenset[str]) -> None:
    """Make flake8 discover only the built-in plugins and those of ``keep``."""
    allowed = BUILTIN | {_normalize(n) for n in keep}
    original = finder.find_plugins

    def find_plugins(*args: Any, **kwargs: Any) -> list[finder.Plugin]:
        return [p for p in original(*args, **kwargs) if _normalize(p.package) in allowed]

    finder.find_plugins = find_plugins


def _peak_rss_kib() -> int:
    """Peak resident memory of this process since exec (``VmHWM``), in KiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: Sequence[str] | None = None) -> int:
    """``run_flake8.py PKG[,PKG...] -- FLAKE8 ARGS``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    restrict_plugins(frozenset(n.strip() for n in args[0].split(",") if n.strip()))
    try:
        return int(cli.main(args[2:]))
    finally:
        report = os.environ.get(PEAK_RSS_ENV)
        if report:  # this process's own peak RSS (ru_maxrss would count the parent's)
            with open(report, "w") as handle:
                handle.write(str(_peak_rss_kib()))


if __name__ == "__main__":
    raise SystemExit(main())
