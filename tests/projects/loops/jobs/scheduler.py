"""Schedules on the loop of loops.py, which runner.py runs: nothing to report."""
from jobs.loops import loop
from jobs.work import job


def submit() -> None:
    loop.create_task(job())  # error: AIO200
