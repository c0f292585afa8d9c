"""store_error: real SQLite and OS failures become one actionable line, bugs stay bugs."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from pxdesk.core.errors import StoreError
from pxdesk.core.store.db import close_database, open_database
from pxdesk.core.store.errors import (
    CorruptStoreError,
    DatabaseBusyError,
    DiskFullError,
    StoreAccessError,
    failure_reason,
    store_error,
    store_errors,
)


def _raised(db: SqliteDatabase | sqlite3.Connection, sql: str) -> BaseException:
    with pytest.raises(Exception) as caught:
        (db.execute_sql if isinstance(db, SqliteDatabase) else db.execute)(sql)
    return caught.value


def test_sqlite_full_through_peewee_names_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    db = SqliteDatabase(str(path))
    db.execute_sql("CREATE TABLE t (x)")
    db.execute_sql("PRAGMA max_page_count = 2")
    exc = _raised(db, "CREATE TABLE u (x)")  # peewee's OperationalError around sqlite3's
    error = store_error(exc, path)
    assert isinstance(error, DiskFullError)
    assert str(error) == (f"the disk is full (database or disk is full): free space on "
                          f"{path.parent} and run again")
    db.close()


def test_cleanup_errors_do_not_hide_the_cause() -> None:
    """After SQLITE_FULL rolled the transaction back, peewee's ROLLBACK fails: the chain
    still leads to the full disk."""
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.Error:
            raise sqlite3.OperationalError("cannot rollback - no transaction is active")  # noqa: B904
    except sqlite3.Error as exc:
        assert isinstance(store_error(exc, "/d/s.sqlite3"), DiskFullError)


def test_locked_database_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0.01)
    error = store_error(_raised(waiter, "INSERT INTO t VALUES (1)"), path)
    assert isinstance(error, DatabaseBusyError)
    assert str(error) == ("the database is busy: another pxdesk (or program) is writing to it "
                          f"({path}); let it finish or close it, then try again")
    waiter.close()
    holder.close()


def test_read_only_database_is_access_denied(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    error = store_error(_raised(readonly, "INSERT INTO t VALUES (1)"), path)
    assert isinstance(error, StoreAccessError)
    assert str(error).startswith(f"permission denied on {path} (attempt to write a readonly")
    readonly.close()


def test_not_a_database_when_opening(tmp_path: Path) -> None:
    path = tmp_path / "pxdesk.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not SQLite" * 100)
    with pytest.raises(CorruptStoreError) as caught:
        open_database(path)
    assert str(caught.value) == (
        f"the database {path} is not a pxdesk database or is damaged (file is not a "
        f"database): move it away to start with an empty one, or restore a copy from "
        f"{tmp_path / 'backups'}")


@pytest.mark.parametrize(("code", "kind", "start"), [
    (errno.ENOSPC, DiskFullError, "the disk is full (No space left on device): free space on "
                                  "/runs/7 and run again"),
    (errno.EACCES, StoreAccessError, "permission denied on /runs/7/errors.csv (Permission"),
    (errno.EIO, StoreError, "cannot use /runs/7/errors.csv (Input/output error)"),
])
def test_file_errors(code: int, kind: type[StoreError], start: str) -> None:
    exc = OSError(code, os.strerror(code), "/runs/7/errors.csv")
    error = store_error(exc, "/data/pxdesk.sqlite3")
    assert type(error) is kind and str(error).startswith(start)


def test_a_write_error_without_a_file_names_the_database_folder() -> None:
    error = store_error(OSError(errno.ENOSPC, "No space left on device"), "/data/s.sqlite3")
    assert str(error) == ("the disk is full (No space left on device): free space on /data "
                          "and run again")


def test_bugs_are_not_store_errors(tmp_path: Path) -> None:
    db = SqliteDatabase(":memory:")
    exc = _raised(db, "SELECT nope FROM nowhere")
    assert store_error(exc) is None
    assert store_error(OSError(errno.ECONNREFUSED, "Connection refused")) is None
    assert failure_reason(KeyError("x")) == "internal error: KeyError: 'x'"
    with pytest.raises(KeyError), store_errors(tmp_path / "s.sqlite3"):
        raise KeyError("x")
    with pytest.raises(DiskFullError), store_errors(tmp_path / "s.sqlite3"):
        raise sqlite3.OperationalError("database or disk is full")
    close_database()
