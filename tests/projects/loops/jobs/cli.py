"""Runs a loop of its own, named like the one of solo.py."""
import asyncio

from jobs.solo import JOB_NAME


def main() -> None:
    loop = asyncio.new_event_loop()
    loop.run_until_complete(asyncio.sleep(0))
    print(JOB_NAME)
