"""The one peewee DatabaseProxy and the BaseModel every table binds to (style rule 6)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from peewee import DatabaseProxy, Model

if TYPE_CHECKING:
    from peewee import ModelDelete

# The proxy is the only sanctioned module-level object: models bind to it at class definition,
# open_database() initialises it at run time, so importing models never opens a file.
database_proxy = DatabaseProxy()


def now_ms() -> int:
    """Current time as epoch milliseconds (UTC), the unit of every timestamp column."""
    return time.time_ns() // 1_000_000


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
