"""open_database: pragmas, per-thread connections, refusal of foreign files."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from pxdesk.core.errors import StoreError
from pxdesk.core.store.db import close_database, database_proxy, open_database
from pxdesk.core.store.migrations import SCHEMA_VERSION
from pxdesk.core.store.models import Company, Setting


def _pragma(db: SqliteDatabase, name: str) -> object:
    return db.execute_sql(f"PRAGMA {name}").fetchone()[0]


def test_open_sets_pragmas_and_creates_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "store.sqlite3"
    db = open_database(path)
    try:
        assert path.exists()
        assert _pragma(db, "journal_mode") == "wal"
        assert _pragma(db, "foreign_keys") == 1
        assert _pragma(db, "busy_timeout") == 5000
        assert _pragma(db, "synchronous") == 1  # NORMAL
        assert _pragma(db, "user_version") == SCHEMA_VERSION
        assert database_proxy.obj is db
    finally:
        close_database()


def test_memory_database_works() -> None:
    db = open_database(":memory:")
    try:
        Company.create(name="Acme")
        assert Company.select().count() == 1
        assert _pragma(db, "user_version") == SCHEMA_VERSION
    finally:
        close_database()


def test_close_unbinds_the_proxy(tmp_path: Path) -> None:
    open_database(tmp_path / "s.sqlite3")
    close_database()
    with pytest.raises(AttributeError):
        Setting.select().count()


def test_reopen_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    open_database(path)
    Company.create(name="Acme")
    close_database()
    db = open_database(path, backup_dir=tmp_path / "b")
    try:
        assert Company.get().name == "Acme"
        assert not (tmp_path / "b").exists()  # same version: nothing to back up
        assert _pragma(db, "user_version") == SCHEMA_VERSION
    finally:
        close_database()


@pytest.mark.sqlite_only("per-connection PRAGMAs and WAL readers")
def test_worker_thread_writes_while_main_reads(store_db: SqliteDatabase) -> None:
    """Each thread gets its own connection (with the same pragmas); WAL lets both proceed."""
    seen: dict[str, object] = {}

    def worker() -> None:
        with store_db.connection_context():
            seen["fk"] = _pragma(store_db, "foreign_keys")
            with store_db.atomic():
                Company.create(name="From worker")
                seen["inside"] = True
                # The main thread reads while this transaction is open.
                ready.set()
                resume.wait(5)

    ready, resume = threading.Event(), threading.Event()
    thread = threading.Thread(target=worker)
    thread.start()
    assert ready.wait(5)
    assert Company.select().count() == 0  # uncommitted write invisible, read not blocked
    resume.set()
    thread.join(5)
    assert Company.select().count() == 1
    assert seen["fk"] == 1


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="is not a pxdesk database or is damaged"):
        open_database(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.close()
    with pytest.raises(StoreError, match="not a pxdesk database"):
        open_database(path)
