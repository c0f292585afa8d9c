"""A full disk, a busy database or an unwritable run file ends a run as one clear Failure line:
the row is closed, the counts are what was committed, and run_job never leaks a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.logs import run_files as run_files_module
from pxdesk.core.logs.execution import RequestLogBuffer
from pxdesk.core.store.errors import DatabaseBusyError
from pxdesk.core.store.models import ExecutionRun, Person, RunStatus
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.fetch import PageFetcher
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB
from tests.core.engine.test_batches import success_rows
from tests.core.logs.test_run_files import FullDiskStream

# SQLite's own failures: SQLITE_FULL via max_page_count, sqlite3 errors and a second sqlite3
# connection holding the file's write lock.
pytestmark = pytest.mark.sqlite_only("simulates SQLite file failures (SQLITE_FULL, locks)")


def _engine(context: Any) -> SyncEngine:
    """Pages of 50 from the simulator: 6 pages of users."""
    return SyncEngine(context.secrets, runs_dir=Path(context.paths.runs_dir), page_size=50)


def _fill_disk(context: Any, spare_pages: int = 12) -> None:
    """Cap the database a few pages above its size: SQLite then fails with SQLITE_FULL
    ("database or disk is full") exactly as on a full disk."""
    count = context.db.execute_sql("PRAGMA page_count").fetchone()[0]
    context.db.execute_sql(f"PRAGMA max_page_count = {count + spare_pages}")


def _disk_full_reason(context: Any, detail: str = "database or disk is full") -> str:
    return (f"the disk is full ({detail}): free space on {context.paths.data_dir} "
            "and run again")


def _assert_counts_are_committed(result: Any) -> None:
    run = ExecutionRun.get_by_id(result.run_id)
    stored = Person.select().count()
    assert run.success_count == result.counts.success == stored == len(success_rows(result))
    assert run.inserted_count == stored


@pytest.mark.parametrize("ready", [True, False])  # one transaction for all pages, or one each
def test_disk_full_mid_run_ends_as_failure_with_committed_counts(
        connect, context, monkeypatch, ready):
    connect()
    engine = _engine(context)
    assert engine.run_job(COMPANY_JOB).status == RunStatus.SUCCESS
    monkeypatch.setattr(PageFetcher, "ready", lambda self: ready)
    _fill_disk(context)
    result = engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.FAILURE
    assert result.reason == _disk_full_reason(context)
    assert ExecutionRun.get_by_id(result.run_id).status == RunStatus.FAILURE
    _assert_counts_are_committed(result)
    # A second run on the still-full disk ends the same way: no traceback, no open row.
    again = engine.run_job(PERSON_JOB)
    assert again.status == RunStatus.FAILURE and again.reason == _disk_full_reason(context)
    assert ExecutionRun.get_by_id(again.run_id).status == RunStatus.FAILURE


def test_run_file_on_a_full_disk_ends_as_failure(connect, context, monkeypatch):
    connect()
    monkeypatch.setattr(run_files_module, "open_csv", lambda path: FullDiskStream())
    engine = _engine(context)
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.FAILURE
    assert result.reason == _disk_full_reason(context, "No space left on device")
    assert ExecutionRun.get_by_id(result.run_id).status == RunStatus.FAILURE


def test_store_failure_while_closing_the_run_still_ends_it(connect, context, monkeypatch):
    """The request log is written after the row is closed; if that write fails too, run_job
    still returns the Failure and the row keeps its final status."""
    connect()

    def full(self: RequestLogBuffer) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(RequestLogBuffer, "flush", full)
    engine = _engine(context)
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.FAILURE
    assert result.reason == _disk_full_reason(context)
    row = ExecutionRun.get_by_id(result.run_id)
    assert (row.status, row.reason) == (RunStatus.FAILURE, result.reason)


BUSY = "the database is busy: another pxdesk (or program) is writing to it"


@pytest.fixture
def blocker(context: Any) -> Any:
    """A second connection that can hold the write lock; the store waits only 50 ms for it."""
    context.db.execute_sql("PRAGMA busy_timeout = 50")
    other = sqlite3.connect(context.paths.db_path, isolation_level=None,
                            check_same_thread=False)
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_busy_database_before_the_run_raises_one_line_error(connect, context, blocker):
    connect()
    engine = _engine(context)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(DatabaseBusyError) as caught:
        engine.run_job(COMPANY_JOB)
    assert str(caught.value).startswith(BUSY) and "\n" not in str(caught.value)
    blocker.execute("ROLLBACK")
    assert not engine.is_running(COMPANY_JOB)


def test_busy_database_during_the_run_ends_in_the_run_row(connect, context, blocker,
                                                           monkeypatch):
    connect()
    engine = _engine(context)
    start, finish = engine.log.start, engine.log.finish

    def start_while_locked(*args: Any) -> None:
        blocker.execute("BEGIN IMMEDIATE")  # another writer takes the lock and keeps it
        start(*args)

    def finish_once_unlocked(*args: Any, **kwargs: Any) -> None:
        if blocker.in_transaction:
            blocker.execute("ROLLBACK")
        finish(*args, **kwargs)

    monkeypatch.setattr(engine.log, "start", start_while_locked)
    monkeypatch.setattr(engine.log, "finish", finish_once_unlocked)
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.FAILURE
    assert (result.reason or "").startswith(BUSY)
    assert ExecutionRun.get_by_id(result.run_id).reason == result.reason


def test_a_row_that_cannot_be_closed_still_returns_the_reason(connect, context, monkeypatch):
    """On a disk with no byte left even the run row's last write fails: run_job still says
    why, and the next start-up closes the row as interrupted."""
    connect()
    engine = _engine(context)

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    finish = engine.log.finish
    monkeypatch.setattr(RequestLogBuffer, "flush", full)
    monkeypatch.setattr(engine.log, "finish", full)
    result = engine.run_job(COMPANY_JOB)
    assert (result.status, result.reason) == (RunStatus.FAILURE, _disk_full_reason(context))
    monkeypatch.setattr(engine.log, "finish", finish)  # space again
    assert engine.close_interrupted_runs() == 1
    assert ExecutionRun.get_by_id(result.run_id).status == RunStatus.FAILURE
