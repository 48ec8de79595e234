"""Configuration: read from disk, two calls below what the service calls."""
import functools
import json


def read_file(path: str) -> dict[str, str]:
    with open(path) as handle:
        return dict(json.load(handle))


def load_config() -> dict[str, str]:
    return read_file("config.json")


def defaults() -> dict[str, str]:
    return {"name": "shop"}


@functools.cache
def version() -> str:
    """Read once per process: later calls are a lookup."""
    return read_file("version.json")["version"]
