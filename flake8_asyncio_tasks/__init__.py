"""flake8-asyncio-tasks: a flake8 plugin that catches asyncio misuse statically."""

from __future__ import annotations

__version__ = "0.1.0"
