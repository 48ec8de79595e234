"""Runs what other modules made: the loop of Base and the module-level one of loops.py."""
import asyncio

from jobs.base import Base
from jobs.loops import loop


class Runner(Base):
    def run(self) -> None:
        self._shared_loop.run_forever()


def main() -> None:
    loop.run_until_complete(asyncio.sleep(0))
