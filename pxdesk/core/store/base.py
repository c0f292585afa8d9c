"""The one peewee DatabaseProxy and the BaseModel every table binds to (style rule 6)."""

from __future__ import annotations

import time

from peewee import DatabaseProxy, Model

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
