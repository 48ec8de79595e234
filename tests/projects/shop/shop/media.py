"""Media that loads its bytes only when they are not in memory already."""


class Image:
    def __init__(self, content: bytes | None = None, path: str | None = None) -> None:
        self.content = content
        self.path = path

    def get_bytes(self) -> bytes | None:
        if self.content:
            return self.content
        if self.path:
            with open(self.path, "rb") as handle:  # only when nothing is in memory
                return handle.read()
        return None

    def to_base64(self) -> str:
        return (self.get_bytes() or b"").hex()

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"path": self.path}
        if self.content:  # get_bytes() returns the content then, at once
            found["content"] = self.to_base64()
        return found

    def load(self) -> bytes | None:
        if not self.content:
            return self.get_bytes()  # reads the file
        return self.content
