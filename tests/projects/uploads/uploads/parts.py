"""Form parts read from a path, or from a file object the caller already has."""
import json
from pathlib import Path
from typing import IO


class FormPart:
    def __init__(self, name: str, data: IO[bytes]) -> None:
        self.name = name
        self.data = data

    @classmethod
    def from_file(cls, name: str, file_path: str, file: IO[bytes] | None = None) -> "FormPart":
        data = open(file_path, "rb") if file is None else file
        return cls(name, data)


def load_manifest(path: str, cached: dict | None = None) -> dict:
    if cached is None:
        cached = json.loads(Path(path).read_text())
    return cached


def read_always(path: str, cached: dict | None = None) -> str:
    notes = Path(path).read_text()
    return notes if cached is None else notes + json.dumps(cached)
