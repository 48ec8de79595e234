"""Same names as shop.client, but synchronous: importing these is no coroutine."""


def fetch(url: str) -> bytes:
    return url.encode()


class Client:
    def close(self) -> None:
        pass
