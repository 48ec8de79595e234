"""A module-level loop that another module imports and runs: not reported."""
import asyncio

from jobs.work import job

loop = asyncio.new_event_loop()
loop.create_task(job())  # error: AIO200
