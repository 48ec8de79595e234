"""A module-level loop: another module imports something else from here and has a loop
of its own with the same name, which it runs; this one still never runs."""
import asyncio

from jobs.work import job

JOB_NAME = "solo"
loop = asyncio.new_event_loop()
loop.create_task(job())  # error: AIO203
