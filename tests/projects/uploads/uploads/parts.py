"""Form parts read from a path, or from a file object the caller already has."""
from typing import IO


class FormPart:
    def __init__(self, name: str, data: IO[bytes]) -> None:
        self.name = name
        self.data = data

    @classmethod
    def from_file(cls, name: str, file_path: str, file: IO[bytes] | None = None) -> "FormPart":
        if file is None:
            file = open(file_path, "rb")
        return cls(name, file)


def load_manifest(path: str, cached: dict | None = None) -> dict:
    if cached is None:
        with open(path) as handle:
            return {"manifest": handle.read()}
    return cached


def read_always(path: str, cached: dict | None = None) -> str:
    if cached is None:
        cached = {}
    with open(path) as handle:
        return handle.read()
