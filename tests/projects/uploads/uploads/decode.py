"""A generated client's decoder: one response type of many writes a temporary file, and
an event decoder that decodes through it only when asked for a type."""
import json
import tempfile


class ApiClient:
    def deserialize(self, data: str, response_type: str) -> object:
        if response_type == "file":
            return self._to_file(data)
        return json.loads(data)

    def _to_file(self, data: str) -> str:
        handle, path = tempfile.mkstemp()
        return path


class Watch:
    def __init__(self) -> None:
        self.client = ApiClient()

    def unmarshal(self, data: str, response_type: str | None) -> object:
        if response_type:
            return self.client.deserialize(data, response_type=response_type)
        return json.loads(data)

    def save(self, data: str, block: bool = True) -> None:
        self.flush(data, force=block)

    def flush(self, data: str, force: bool = False) -> None:
        if force:
            self.client.deserialize(data, "file")

    def relay(self, data: str, options: dict) -> None:
        self.flush(data, **options)  # which flags: unknown
