"""Names of secrets, as module constants (imported, and re-exported by ``shop.env``)."""
from typing import Final

API_BASE_VAR: Final = "API_BASE"
TOKEN_FILE_VAR = "file/token"
