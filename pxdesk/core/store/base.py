"""The one peewee DatabaseProxy and the BaseModel every table binds to (style rule 6)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from peewee import SQL, Check, DatabaseProxy, Model, NodeList, SqliteDatabase

if TYPE_CHECKING:
    from peewee import ModelDelete

# The proxy is the only sanctioned module-level object: models bind to it at class definition,
# open_database() initialises it at run time, so importing models never opens a file.
database_proxy = DatabaseProxy()


def database() -> SqliteDatabase:
    """The open store: the one way code reaches it outside a model's own queries (a transaction,
    raw SQL, PRAGMAs). Raises when no store is open, instead of a confusing None later."""
    db = database_proxy.obj
    if db is None:
        raise RuntimeError("no store is open: call open_database() first")
    return cast(SqliteDatabase, db)


def now_ms() -> int:
    """Current time as epoch milliseconds (UTC), the unit of every timestamp column."""
    return time.time_ns() // 1_000_000


def one_of(column: str, values: Iterable[str]) -> SQL | NodeList:
    """CHECK (column IN (...)) built from constants, so code and schema cannot drift."""
    items = ", ".join("'" + str(v) + "'" for v in values)
    return Check(f'"{column}" IN ({items})')


class BaseModel(Model):
    """Base of every table; explicit table names so raw SQL in the engine can rely on them."""

    class Meta:
        database = database_proxy
        legacy_table_names = False

    if TYPE_CHECKING:
        # types-peewee declares `delete` as a Self-typed class attribute, which mypy refuses to
        # read through a class ("generic instance variables via class"); say what it is.
        @classmethod
        def delete(cls) -> ModelDelete: ...
