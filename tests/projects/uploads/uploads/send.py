"""Coroutines that pass the file object (nothing is opened) or leave it out (open())."""
import asyncio
import io

from .parts import FormPart, load_manifest, read_always


async def upload(buffer: io.BytesIO, manifest: dict) -> None:
    FormPart.from_file("avatar", "avatar.png", file=buffer)
    FormPart.from_file("avatar", "avatar.png", buffer)
    load_manifest("manifest.json", manifest)
    FormPart.from_file("avatar", "avatar.png")  # error: AIO109
    FormPart.from_file("avatar", "avatar.png", file=None)  # error: AIO109
    load_manifest("manifest.json")  # error: AIO109
    read_always("notes.txt", manifest)  # error: AIO109
    await asyncio.to_thread(FormPart.from_file, "avatar", "avatar.png")
