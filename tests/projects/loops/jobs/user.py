"""Schedules on a loop that another module makes and no module runs."""
from jobs.shared_loop import loop
from jobs.work import job


def submit() -> None:
    task = loop.create_task(job())  # error: AIO203
    print(task)


def closed() -> bool:
    return loop.is_closed()
