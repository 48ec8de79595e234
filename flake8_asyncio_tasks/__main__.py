"""``python -m flake8_asyncio_tasks``: the same command as ``flake8-asyncio-tasks``."""

from __future__ import annotations

import sys

from flake8_asyncio_tasks.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m flake8_asyncio_tasks"))
