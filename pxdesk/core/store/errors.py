"""The one place that turns SQLite, peewee and file-system failures into StoreErrors an admin
can act on: a full disk, a busy database, a file pxdesk may not write, a damaged database."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peewee import PeeweeException

from pxdesk.core.errors import StoreError

# What a store or file failure is raised as: peewee wraps sqlite3's errors (keeping the
# original as __context__), file writes raise OSError.
STORE_FAILURES: tuple[type[BaseException], ...] = (sqlite3.Error, PeeweeException, OSError)

# Primary SQLite result codes (an extended code carries one in its low byte).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = (
    10, 11, 13, 14, 26)
# sqlite3_errstr() of those codes, for errors raised without a code (by a shim or a wrapper).
_SQLITE_TEXTS = {
    "access permission denied": _SQLITE_PERM,
    "database is locked": _SQLITE_BUSY,
    "database table is locked": _SQLITE_LOCKED,
    "attempt to write a readonly database": _SQLITE_READONLY,
    "disk I/O error": _SQLITE_IOERR,
    "database disk image is malformed": _SQLITE_CORRUPT,
    "database or disk is full": _SQLITE_FULL,
    "unable to open database file": _SQLITE_CANTOPEN,
    "file is not a database": _SQLITE_NOTADB,
}
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_DENIED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}


class DiskFullError(StoreError):
    """No space left for the database or a run file (SQLITE_FULL, ENOSPC, quota)."""


class DatabaseBusyError(StoreError):
    """Another connection held the write lock longer than busy_timeout."""


class StoreAccessError(StoreError):
    """pxdesk may not read or write the database or one of its files."""


class CorruptStoreError(StoreError):
    """The database file is not SQLite, or it is damaged."""


def store_error(exc: BaseException, path: str | os.PathLike[str] | None = None,
                ) -> StoreError | None:
    """The StoreError for `exc`, or None when it is no store or file failure (a bug).

    `path` is the database (or file) in use, named in the message when the error names no
    file. The whole exception chain is searched: after SQLITE_FULL, SQLite may roll the
    transaction back itself, and peewee's clean-up then fails with "no such savepoint" or
    "cannot rollback" errors that would hide the real cause.
    """
    # A PostgreSQL store is named by a URL, no file: file advice must not point into it.
    where = Path(path) if path and "://" not in str(path) else None
    for link in _chain(exc):
        error: StoreError | None = None
        if isinstance(link, StoreError):
            error = link
        elif isinstance(link, sqlite3.Error):
            code = _sqlite_code(link)
            error = _for_sqlite(code, str(link), where) if code is not None else None
        elif isinstance(link, OSError) and link.errno is not None:
            error = _for_os_error(link, where)
        elif _is_postgres_error(link):
            error = _for_postgres(link)
        if error is not None:
            return error
    return None


def failure_reason(exc: BaseException, path: str | os.PathLike[str] | None = None) -> str:
    """One line for a run row: the store failure's advice, else the bug's type and text."""
    error = store_error(exc, path)
    return str(error) if error is not None else f"internal error: {type(exc).__name__}: {exc}"


@contextmanager
def store_errors(path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Re-raise a store or file failure of the block as its StoreError; bugs pass unchanged."""
    try:
        yield
    except STORE_FAILURES as exc:
        error = store_error(exc, path)
        if error is None or error is exc:
            raise
        raise error from exc


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _is_postgres_error(exc: BaseException) -> bool:
    # psycopg is optional (the 'postgres' extra): recognised by module, never imported here.
    return type(exc).__module__.split(".")[0] == "psycopg"


# SQLSTATE classes and codes an admin can act on (PostgreSQL appendix A).
_PG_DISK_FULL, _PG_LOCK_TIMEOUT, _PG_PRIVILEGE = "53100", "55P03", "42501"


def _for_postgres(exc: BaseException) -> StoreError | None:
    state = str(vars(exc).get("sqlstate") or getattr(type(exc), "sqlstate", "") or "")
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if state == _PG_DISK_FULL:
        return DiskFullError(f"the PostgreSQL server's disk is full ({detail}): free space "
                             "on the server and run again")
    if state == _PG_LOCK_TIMEOUT:
        return DatabaseBusyError(f"the PostgreSQL store is busy ({detail}); try again")
    if state == _PG_PRIVILEGE:
        return StoreAccessError(f"permission denied on the PostgreSQL store ({detail}): grant "
                                "the pxdesk user rights on its database")
    if state.startswith("08") or (not state and type(exc).__name__ == "OperationalError"):
        return StoreError(f"cannot reach the PostgreSQL store ({detail}): check that the "
                          "server runs and the store URL is right, then try again")
    return None


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # set only when sqlite3 raised it
    if isinstance(code, int):
        return code & 0xFF
    return _SQLITE_TEXTS.get(str(exc))


def _for_sqlite(code: int, detail: str, path: Path | None) -> StoreError | None:
    name = str(path) if path is not None else "the database"
    if code == _SQLITE_FULL:
        return _disk_full(detail, path.parent if path is not None else None)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return DatabaseBusyError(
            "the database is busy: another pxdesk (or program) is writing to it "
            f"({name}); let it finish or close it, then try again")
    if code in (_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_CANTOPEN):
        return _denied(name, detail)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        backups = path.parent / "backups" if path is not None else "the backups folder"
        return CorruptStoreError(
            f"the database {name} is not a pxdesk database or is damaged ({detail}): move "
            f"it away to start with an empty one, or restore a copy from {backups}")
    if code == _SQLITE_IOERR:
        return StoreError(f"cannot read or write {name} ({detail}): check the disk, then "
                          "try again")
    return None


def _for_os_error(exc: OSError, path: Path | None) -> StoreError | None:
    detail = exc.strerror or str(exc)
    target = Path(exc.filename) if exc.filename else None
    if exc.errno in _FULL_ERRNOS:
        folder = target.parent if target is not None else path.parent if path else None
        return _disk_full(detail, folder)
    if exc.errno in _DENIED_ERRNOS:
        return _denied(str(target or path or "a pxdesk file"), detail)
    if target is not None:
        return StoreError(f"cannot use {target} ({detail})")
    return None  # no file involved (a socket, a pipe): not the store's to explain


def _disk_full(detail: str, folder: Path | None) -> DiskFullError:
    where = folder if folder is not None else "the disk that holds pxdesk's data"
    return DiskFullError(f"the disk is full ({detail}): free space on {where} and run again")


def _denied(name: str, detail: str) -> StoreAccessError:
    return StoreAccessError(f"permission denied on {name} ({detail}): pxdesk must be able to "
                            "read and write it; check its owner and permissions")
