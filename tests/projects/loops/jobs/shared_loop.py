"""A module-level loop for other modules; nothing in the project runs it."""
import asyncio

loop = asyncio.new_event_loop()
