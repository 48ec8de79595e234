"""An HTTP client with async and sync methods."""
import asyncio

import requests

session = requests.Session()
loop = asyncio.new_event_loop()


class Client:
    def __init__(self) -> None:
        self.http = requests.Session()

    async def close(self) -> None:
        await asyncio.sleep(0)

    async def fetch(self, url: str) -> bytes:
        await asyncio.sleep(0)
        return url.encode()

    def fetch_sync(self, url: str) -> bytes:
        return self.http.get(url).content

    @property
    def raw(self) -> requests.Session:
        return self.http

    @property
    def plain(self):  # no annotation: what it returns
        return self.http

    def child(self):
        return Client()


async def fetch(url: str) -> bytes:
    await asyncio.sleep(0)
    return url.encode()


def make_client() -> Client:
    return Client()


def new_client():
    return Client()
