"""Secrets read in coroutines: a constant name without the prefix that reads a file
never reaches the open() (AIO109 only where the name may have it)."""
import asyncio

from shop.env import API_BASE_VAR, TOKEN_FILE_VAR
from shop.vault.secrets import get_secret, get_secret_str, read_key


def _api_base() -> str | None:
    return get_secret_str("API_BASE")  # a constant: the other module's test decides


def _token_file() -> str | None:
    return get_secret_str("file/token")


async def api_keys(user: str) -> list[str | None]:
    await asyncio.sleep(0)
    return [
        get_secret_str("OPENAI_API_KEY"),
        get_secret("os.environ/HOME"),
        read_key("API_TOKEN"),
        get_secret(f"env/{user}"),
        get_secret_str("file/token.txt"),  # error: AIO109
        get_secret_str(user),  # error: AIO109
        read_key("client.pem"),  # error: AIO109
        get_secret(f"fi{user}"),  # error: AIO109
        _api_base(),
        _token_file(),  # error: AIO109
        get_secret_str(API_BASE_VAR),  # an imported constant, re-exported by shop.env
        get_secret_str(TOKEN_FILE_VAR),  # error: AIO109
    ]
