"""Re-exports the secret names, and reads them in a coroutine."""
import asyncio

from shop.secret_names import API_BASE_VAR, TOKEN_FILE_VAR
from shop.vault.secrets import get_secret_str

__all__ = ["API_BASE_VAR", "TOKEN_FILE_VAR"]


async def settings() -> list[str | None]:
    await asyncio.sleep(0)
    return [get_secret_str(API_BASE_VAR), get_secret_str(TOKEN_FILE_VAR)]  # error: AIO109
