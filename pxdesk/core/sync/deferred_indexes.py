"""Secondary indexes a large load builds once at its end instead of row by row.

A first import of a million users inserts in random key order into every index of the tables it
writes, so each commit rewrites thousands of index pages: measured, the company_person
company_id index and the custom-field expression indexes cost about a third of such a run. An
index the run never reads (not unique, not an upsert key, not a lookup field) is dropped when
the listing is large against the table, then built in one sorted pass when the run ends,
whatever its status. Only speed depends on these indexes, never a result. A killed run leaves
them missing until the next run of the same job, which builds them before it starts (its job
lock guarantees no other run is loading those tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from peewee import Database

from pxdesk.core.store.custom_fields import index_name, index_sql, list_custom_fields, table_for
from pxdesk.core.store.db import index_exists, temporary_pragmas
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.store.migrations import ACTIVITY_ACCOUNT_INDEX_SQL

DEFER_MIN_RECORDS = 50_000  # a smaller listing keeps maintaining its indexes row by row
SORT_CACHE_KIB = -8000  # page cache (and so sorter memory) while building indexes: 8 MB

# Schema indexes no run reads, by name: (object whose run writes the table, field api name,
# table, DDL as in the schema). The activity index serves the Adoption figures only.
_SCHEMA_INDEXES = {
    "company_person_company_id": (
        TargetObject.COMPANY_PERSON.value, "Company_ID", "company_person",
        'CREATE INDEX "company_person_company_id" ON "company_person" ("company_id")'),
    "user_activity_account": (
        TargetObject.COMPANY_PERSON.value, "", "user_activity", ACTIVITY_ACCOUNT_INDEX_SQL),
}

FieldKey = tuple[str, str]  # (object, field api name)


@dataclass(frozen=True)
class DeferrableIndex:
    name: str
    obj: str
    field: str
    table: str
    create_sql: str  # CREATE INDEX IF NOT EXISTS ..., stored by SQLite exactly as the original


def deferrable_indexes(objects: Iterable[str]) -> list[DeferrableIndex]:
    """Every index on `objects` that a large load may build at its end."""
    wanted = list(objects)
    found = [DeferrableIndex(name, obj, field, table,
                             ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
             for name, (obj, field, table, ddl) in _SCHEMA_INDEXES.items() if obj in wanted]
    for obj in wanted:
        found += [DeferrableIndex(index_name(obj, cf.api_name), obj, cf.api_name, table_for(obj),
                                  index_sql(obj, cf.api_name)) for cf in list_custom_fields(obj)]
    return found


def restore_indexes(db: Database, objects: Iterable[str]) -> None:
    """Build any deferrable index of `objects` that is missing (a no-op when none is)."""
    missing = [i for i in deferrable_indexes(objects) if not index_exists(db, i.name)]
    if not missing:
        return
    with _lean_sorter(db), db.atomic():
        for index in missing:
            db.execute_sql(index.create_sql)


@contextmanager
def _lean_sorter(db: Database) -> Iterator[None]:
    """Building an index sorts every row: with the store's temp_store=memory the sort runs
    would all stay in RAM (+60 MB at a million rows). Spill them to temporary files instead,
    and keep the sorter's in-memory share small; both settings come back afterwards."""
    with temporary_pragmas(db, {"temp_store": 1, "cache_size": SORT_CACHE_KIB}):  # 1 = FILE
        yield


class IndexDeferral:
    """Drops, for one large run, the deferrable indexes of the tables it writes and does not
    read; `restore()` builds them again."""

    def __init__(self, db: Database, objects: Iterable[str], read: set[FieldKey]) -> None:
        self.db = db
        self.objects = list(objects)
        self.read = read
        self.dropped: list[DeferrableIndex] = []
        self._decided = False

    def begin(self, total_hits: int | None) -> None:
        """Once, in the first page's transaction: drop the indexes when `total_hits` records are
        coming and each table holds less than half as many rows (else rebuilding costs more)."""
        if self._decided:
            return
        self._decided = True
        if (total_hits or 0) < DEFER_MIN_RECORDS:
            return
        candidates = [i for i in deferrable_indexes(self.objects)
                      if (i.obj, i.field) not in self.read]
        sizes: dict[str, int] = {}
        for index in candidates:
            table = index.table
            if table not in sizes:
                sizes[table] = self.db.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if sizes[table] * 2 < (total_hits or 0):
                self.db.execute_sql(f'DROP INDEX IF EXISTS "{index.name}"')
                self.dropped.append(index)

    def restore(self) -> None:
        """Build the dropped indexes again (in one transaction); safe to call more than once."""
        if self.dropped:
            restore_indexes(self.db, self.objects)
            self.dropped = []
