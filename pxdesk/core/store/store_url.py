"""Which store to open: `sqlite:///file` (default, embedded) or `postgresql://…` (shared)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from peewee import Database, PostgresqlDatabase

from pxdesk.core.errors import ConfigError

STORE_ENV = "PXDESK_STORE"
SQLITE_PREFIX = "sqlite:///"
_POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class StoreUrl:
    """A parsed store URL: an SQLite file path or a PostgreSQL connection URL."""

    url: str
    sqlite_path: Path | None = None

    @property
    def is_postgres(self) -> bool:
        return self.sqlite_path is None

    @property
    def display(self) -> str:
        """The URL without its password: safe in logs, errors and messages."""
        return redact(self.url)


def parse_store_url(text: str) -> StoreUrl:
    """Parse `text`; a plain path is taken as an SQLite file. Raises ConfigError."""
    text = text.strip()
    if not text:
        raise ConfigError("The store URL is empty: use sqlite:///path or postgresql://…",
                          field="store")
    scheme = text.split(":", 1)[0].lower() if "://" in text else ""
    if scheme in _POSTGRES_SCHEMES:
        return StoreUrl(url=text)
    if scheme == "sqlite":
        if not text.startswith(SQLITE_PREFIX) or len(text) == len(SQLITE_PREFIX):
            raise ConfigError(f"Invalid SQLite store URL {text!r}: use sqlite:///path/to/file "
                              "(four slashes for an absolute path)", field="store")
        return StoreUrl(url=text, sqlite_path=Path(text[len(SQLITE_PREFIX):]).expanduser())
    if scheme:
        raise ConfigError(f"Unsupported store {redact(text)!r}: use sqlite:///path or "
                          "postgresql://user@host/db", field="store")
    path = Path(text).expanduser().resolve()
    return StoreUrl(url=f"{SQLITE_PREFIX}{path}", sqlite_path=path)


def resolve_store_url(explicit: str | None, default_path: Path) -> StoreUrl:
    """The store to open: `explicit` (--store) > $PXDESK_STORE > the SQLite file in the home."""
    chosen = explicit or os.environ.get(STORE_ENV) or None
    if chosen is None:
        return StoreUrl(url=f"{SQLITE_PREFIX}{default_path}", sqlite_path=default_path)
    return parse_store_url(chosen)


def redact(url: str) -> str:
    """`url` with any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))


def database_name(db: Database) -> str:
    """How messages name the open store (never with a password)."""
    if isinstance(db, PostgresqlDatabase):
        return redact(str(db.database))
    return str(db.database)
