"""A small price-watcher service with the asyncio mistakes this plugin reports.

Run ``flake8 examples/`` to see them; ``fixed_service.py`` is the same program done right.
"""

import asyncio
import json
import subprocess
import time

import requests

PRICES_URL = "https://prices.example.com/v1/quotes"


def load_settings(path: str = "settings.json") -> dict:
    with open(path) as handle:
        return json.load(handle)


class PriceWatcher:
    def __init__(self) -> None:
        self.session = requests.Session()
        self.history: list[float] = []

    async def poll(self, symbol: str) -> float:
        response = self.session.get(PRICES_URL, params={"symbol": symbol})
        time.sleep(0.5)  # be nice to the API
        return float(response.json()["price"])

    async def record(self, price: float) -> None:
        self.history.append(price)

    async def watch(self, symbol: str) -> None:
        settings = load_settings()
        while True:
            price = await self.poll(symbol)
            self.record(price)
            if price > settings["alert_above"]:
                asyncio.create_task(self.alert(symbol, price))
            await asyncio.sleep(settings["interval"])

    async def alert(self, symbol: str, price: float) -> None:
        subprocess.run(["notify-send", f"{symbol} is at {price}"])
        await asyncio.sleep(60)  # at most one alert a minute


watcher = PriceWatcher()
loop = asyncio.get_event_loop()
task = loop.create_task(watcher.watch("ACME"))
