"""A directory without ``__init__.py`` inside the ``shop`` package: a namespace portion,
imported as ``shop.vault.secrets``.  The secret store reads a file only for names with
a prefix that says so."""
import os


def get_secret(secret_name: str, default_value: str | None = None) -> str | None:
    if secret_name.startswith("os.environ/"):
        secret_name = secret_name.replace("os.environ/", "")
    if secret_name.startswith(("file/", "oidc/")):
        with open(secret_name.partition("/")[2]) as f:
            return f.read()
    return os.environ.get(secret_name, default_value)


def get_secret_str(secret_name: str, default_value: str | None = None) -> str | None:
    value = get_secret(secret_name=secret_name, default_value=default_value)
    return value if isinstance(value, str) else None


def read_key(name: str) -> str | None:
    if not name.endswith(".pem"):
        return os.environ.get(name)
    with open(name) as f:
        return f.read()
