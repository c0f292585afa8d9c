"""Open the store (SQLite: pragmas, backup; PostgreSQL), migrate it, bind it to the proxy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from peewee import Database, DatabaseError, PostgresqlDatabase, SqliteDatabase

from pxdesk.core.errors import StoreError
from pxdesk.core.paths import PRIVATE_FILE_MODE, private_file
from pxdesk.core.store.base import BaseModel, database_proxy
from pxdesk.core.store.errors import store_errors
from pxdesk.core.store.migrations import migrate
from pxdesk.core.store.store_url import StoreUrl, database_name

# Applied by peewee to every new connection, i.e. once per thread: a QThread worker writing
# and the GUI thread reading each get their own connection with the same settings. WAL lets
# readers proceed while the writer commits; busy_timeout waits out short write locks.
PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,  # ms
    "synchronous": "normal",  # safe with WAL; a power loss may drop only the last commits
    "cache_size": -32000,  # negative = KiB: 32 MB page cache per connection
    "temp_store": "memory",
}

# During a sync run: checkpoint the WAL every ~64 MB instead of every 1,000 pages (4 MB). Each
# checkpoint costs two fsyncs and copies every page once; a bulk run dirties thousands of index
# pages per commit, so the default checkpointed after every commit. Durability is unchanged
# (WAL, synchronous=NORMAL): only the WAL file grows larger between checkpoints.
BULK_WAL_PAGES = 16384

__all__ = [
    "PRAGMAS", "BaseModel", "bulk_writes", "close_database", "database_proxy", "open_database",
    "open_store",
]


def open_store(url: StoreUrl, *, backup_dir: Path | None = None, bind: bool = True,
               empty_only: bool = False) -> Database:
    """Open and migrate the store `url` names (see store_url.py) and bind the models to it
    (unless `bind` is false: a copy's target). `empty_only` refuses a store with tables."""
    if url.sqlite_path is not None:
        return open_database(url.sqlite_path, backup_dir=backup_dir, bind=bind,
                             empty_only=empty_only)
    return open_postgres(url, bind=bind, empty_only=empty_only)


def _refuse_non_empty(db: Database, empty_only: bool) -> None:
    if empty_only and db.get_tables():
        raise StoreError(f"{database_name(db)} already has tables: copy into an empty store.")


def open_postgres(url: StoreUrl, *, bind: bool = True, empty_only: bool = False,
                  ) -> PostgresqlDatabase:
    """Open and migrate a PostgreSQL store; StoreError (one line, no password) if it fails."""
    try:
        from pxdesk.core.store.dialect import PostgresStore
    except ImportError as exc:  # psycopg is the optional 'postgres' extra
        raise StoreError("A postgresql:// store needs psycopg: pip install "
                         "'pxdesk[postgres]' (or psycopg[binary])") from exc
    db = PostgresStore(url.url)
    try:
        db.connect()
        _refuse_non_empty(db, empty_only)
        db.install_prelude()
        migrate(db)
    except StoreError:
        db.close()
        raise
    except DatabaseError as exc:
        db.close()
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"Cannot open the store {url.display}: {detail}. Check that the "
                         "server runs and the URL, user and database are right.") from exc
    if bind:
        database_proxy.initialize(db)
    return db


def open_database(path: Path | str, *, backup_dir: Path | None = None, bind: bool = True,
                  empty_only: bool = False) -> SqliteDatabase:
    """Open (creating if needed) and migrate the store at `path`; ":memory:" works for tests.

    Raises StoreError when the file is not a usable pxdesk database or is newer than this code.
    Each thread that uses the store opens its own connection lazily; a worker thread should
    wrap its work in `db.connection_context()` so its connection closes when it finishes.
    """
    memory = str(path) == ":memory:"
    if not memory:
        path = Path(path)
        with store_errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            _make_private(path)
    db = SqliteDatabase(str(path), pragmas=PRAGMAS)
    try:
        with store_errors(None if memory else path):
            db.connect()
            _refuse_non_empty(db, empty_only)
            migrate(db, backup_dir)
    except StoreError:
        db.close()
        raise
    except (DatabaseError, OSError) as exc:  # a store failure store_errors has no advice for
        db.close()
        raise StoreError(f"Cannot open the database {path}: {exc}") from exc
    if bind:
        database_proxy.initialize(db)
    return db


def _make_private(path: Path) -> None:
    """The store holds every synced person: owner-only (0600). SQLite gives the -wal and -shm
    files it creates the database's mode; those of an older install are tightened here."""
    private_file(path)
    for sidecar in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        if sidecar.exists():
            sidecar.chmod(PRIVATE_FILE_MODE)


def close_database() -> None:
    """Close the calling thread's connection and unbind the proxy (later use fails loudly)."""
    db = database_proxy.obj
    if db is None:
        return
    if not db.is_closed():
        db.close()
    database_proxy.initialize(None)


def transaction_open(db: Database) -> bool:
    """Whether this thread's connection is inside a transaction that can still commit: after
    a failed statement SQLite may have rolled it back itself (disk full), and PostgreSQL
    refuses everything until a rollback."""
    conn = db.connection()
    if isinstance(db, SqliteDatabase):
        return bool(conn.in_transaction)
    from psycopg.pq import TransactionStatus

    return bool(conn.info.transaction_status == TransactionStatus.INTRANS)


def index_names(db: Database) -> set[str]:
    """The names of the store's indexes (on either engine)."""
    if isinstance(db, PostgresqlDatabase):
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    return {str(row[0]) for row in db.execute_sql(sql)}


def index_exists(db: Database, name: str) -> bool:
    """Whether the store has an index called `name` (on either engine)."""
    return name in index_names(db)


@contextmanager
def temporary_pragmas(db: Database, values: Mapping[str, int]) -> Iterator[None]:
    """Set integer PRAGMAs on this thread's connection for a block; the old values come back.
    SQLite tuning only: a no-op on PostgreSQL."""
    if not isinstance(db, SqliteDatabase):
        yield
        return
    old = {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0] for name in values}
    for name, value in values.items():
        db.execute_sql(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        for name, value in old.items():
            db.execute_sql(f"PRAGMA {name} = {int(value)}")


@contextmanager
def bulk_writes(db: Database) -> Iterator[None]:
    """Checkpoint less often on this thread's connection while a long run writes; the WAL
    file is cut back to the same size at its next reset. Restores the settings after.
    A no-op on PostgreSQL (the server tunes its own checkpoints)."""
    if not isinstance(db, SqliteDatabase):
        yield
        return
    page_size = db.execute_sql("PRAGMA page_size").fetchone()[0]
    with temporary_pragmas(db, {"wal_autocheckpoint": BULK_WAL_PAGES,
                                "journal_size_limit": BULK_WAL_PAGES * page_size}):
        yield
