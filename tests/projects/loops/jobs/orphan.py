"""A module-level loop that no module imports: its task never runs."""
import asyncio

from jobs.work import job

orphan_loop = asyncio.new_event_loop()
orphan_loop.create_task(job())  # error: AIO203
