"""Copy a whole store into a new, empty one: SQLite <-> PostgreSQL (or SQLite -> SQLite).

Rows go table by table, parents first, in batches; every value keeps its type (flags, JSON,
the raw PX records) and every row its id and stored order (rowid), so both stores export the
same records in the same order. Custom-field indexes are created on the target afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from peewee import Database, PostgresqlDatabase

from pxdesk.core.errors import StoreError
from pxdesk.core.store.custom_fields import index_sql
from pxdesk.core.store.migrations import VERSION_TABLE, check_version, user_version
from pxdesk.core.store.schema import ALL_MODELS
from pxdesk.core.store.store_url import StoreUrl

BATCH_ROWS = 5000
ROWID = "rowid"


@dataclass
class CopyReport:
    """What was copied: rows per table, in copy order."""

    target: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def open_empty_target(url: StoreUrl) -> Database:
    """Open `url` unbound, refuse it unless it is empty, and create the current schema."""
    from pxdesk.core.store.db import open_store  # db imports this module's neighbours

    if url.sqlite_path is not None and url.sqlite_path.exists() \
            and url.sqlite_path.stat().st_size > 0:
        raise StoreError(f"{url.sqlite_path} already exists: copy into a new file.")
    return open_store(url, bind=False, empty_only=True)


def copy_store(source: Database, url: StoreUrl,
               progress: Callable[[str, int], None] | None = None) -> CopyReport:
    """Copy every row of `source` into the new empty store at `url`; returns the counts."""
    check_version(source)
    target = open_empty_target(url)
    try:
        if user_version(target) != user_version(source):
            raise StoreError(f"The target has schema version {user_version(target)}, the "
                             f"source {user_version(source)}: open the source with this "
                             "pxdesk first so it is migrated.")
        report = CopyReport(target=url.display)
        with target.atomic():
            for table in _tables(source):
                report.rows[table] = _copy_table(source, target, table)
                if progress is not None:
                    progress(table, report.rows[table])
            _index_custom_fields(target)
            if isinstance(target, PostgresqlDatabase):
                _reset_sequences(target)
        return report
    finally:
        target.close()


def _tables(db: Database) -> list[str]:
    """The source's tables, parents first (schema order), then any the schema list lacks."""
    present = set(db.get_tables()) - {VERSION_TABLE}
    ordered = [str(m._meta.table_name) for m in ALL_MODELS if m._meta.table_name in present]
    return ordered + sorted(present - set(ordered))


def _columns(source: Database, target: Database, table: str) -> list[str]:
    names = [c.name for c in source.get_columns(table) if c.name != ROWID]
    # The stored order: SQLite's rowid is the "rowid" identity column on PostgreSQL.
    pg = source if isinstance(source, PostgresqlDatabase) else target
    if isinstance(pg, PostgresqlDatabase) and ROWID in {c.name for c in pg.get_columns(table)}:
        names.append(ROWID)
    return names


def _flags(db: Database, table: str) -> set[str]:
    """Columns that are real booleans on PostgreSQL (0/1 on SQLite)."""
    if not isinstance(db, PostgresqlDatabase):
        return set()
    return {c.name for c in db.get_columns(table) if c.data_type == "boolean"}


def _copy_table(source: Database, target: Database, table: str) -> int:
    """Copy one table in stored order; a row's reference to a row of its own table (a parent
    company) is set in a second pass, once every row it may point to exists."""
    columns = _columns(source, target, table)
    quoted = ", ".join(f'"{c}"' for c in columns)
    flags = [i for i, c in enumerate(columns) if c in _flags(target, table)]
    own = [i for i, c in enumerate(columns) if c in _self_references(target, table)]
    keys = [columns.index(k) for k in target.get_primary_keys(table)] if own else []
    order = ROWID if ROWID in columns else (
        ", ".join(f'"{k}"' for k in source.get_primary_keys(table)) or "1")
    select = f'SELECT {quoted} FROM "{table}" ORDER BY {order}'
    insert = (f'INSERT INTO "{table}" ({quoted}) VALUES '
              f"({', '.join('?' * len(columns))})")
    later: list[tuple[Any, ...]] = []
    count = 0
    for batch in _read(source, select):
        if flags:
            batch = [_with_flags(row, flags) for row in batch]
        if own:
            later += [(*(row[i] for i in own), *(row[k] for k in keys)) for row in batch
                      if any(row[i] is not None for i in own)]
            batch = [tuple(None if i in own else v for i, v in enumerate(row)) for row in batch]
        target.cursor().executemany(insert, batch)
        count += len(batch)
    if later:
        sets = ", ".join(f'"{columns[i]}" = ?' for i in own)
        where = " AND ".join(f'"{columns[k]}" = ?' for k in keys)
        target.cursor().executemany(f'UPDATE "{table}" SET {sets} WHERE {where}', later)
    return count


def _self_references(db: Database, table: str) -> set[str]:
    return {fk.column for fk in db.get_foreign_keys(table) if fk.dest_table == table}


def _with_flags(row: tuple[Any, ...], flags: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in flags:
        values[i] = None if values[i] is None else bool(values[i])
    return tuple(values)


def _read(source: Database, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `sql` in batches; from PostgreSQL through a server-side cursor (psycopg's
    client cursor would hold the whole table in memory: 1 GB at a million users)."""
    if not isinstance(source, PostgresqlDatabase):
        yield from _batches(source.execute_sql(sql))
        return
    from pxdesk.core.store.dialect import PostgresStore

    if not isinstance(source, PostgresStore):
        raise StoreError("copy from PostgreSQL needs a store opened by pxdesk")
    with source.atomic():
        cursor = source.stream(sql)
        try:
            yield from _batches(cursor)
        finally:
            cursor.close()


def _batches(cursor: Any) -> Iterator[list[tuple[Any, ...]]]:
    while True:
        rows = cursor.fetchmany(BATCH_ROWS)
        if not rows:
            return
        yield [tuple(row) for row in rows]


def _index_custom_fields(target: Database) -> None:
    rows = target.execute_sql('SELECT "object", api_name FROM "custom_field"').fetchall()
    for obj, api_name in rows:
        target.execute_sql(index_sql(str(obj), str(api_name)))


def _reset_sequences(target: PostgresqlDatabase) -> None:
    """Identity columns count on from the highest copied value (as SQLite's rowid does)."""
    rows = target.execute_sql(
        "SELECT table_name, column_name FROM information_schema.columns WHERE "
        "table_schema = current_schema() AND is_identity = 'YES'").fetchall()
    for table, column in rows:
        target.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f'coalesce(max("{column}"), 0) + 1, false) FROM "{table}"')
