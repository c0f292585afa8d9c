"""Large loads build the indexes they do not read once at the end; small ones keep them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from peewee import SqliteDatabase

from pxdesk.core.store.db import index_names
from pxdesk.core.store.enums import Trigger
from pxdesk.core.store.migrations import migrate
from pxdesk.core.store.models import CompanyPerson, ExecutionRun, Job, RunStatus
from pxdesk.core.sync import deferred_indexes
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB

LINK_INDEX = "company_person_company_id"
ACTIVITY_INDEX = "user_activity_account"  # read by the Adoption figures, never by a run
SIGN_UP_INDEX = "ix_company_person_cf_Sign_up_date__gc"
ACCOUNT_ID_INDEX = "ix_company_cf_PX_Account_ID__gc"  # Company Sync's upsert key
USERS_INDEX = "ix_company_cf_Number_of_Users__gc"


def indexes(context: Any) -> set[str]:
    return index_names(context.db)


def schema(db: Any) -> dict[str, str]:
    rows = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return dict(rows.fetchall())


def run_watching(engine: SyncEngine, context: Any, job: str) -> tuple[Any, list[set[str]]]:
    """Run `job`; the indexes present after each of its pages (dependencies excluded)."""
    seen: list[set[str]] = []

    def progress(p: Any) -> None:
        if p.job_name == job:
            seen.append(indexes(context))

    return engine.run_job(job, progress=progress), seen


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 300-user simulator counts as a large load."""
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_RECORDS", 100)


def test_large_first_load_builds_unread_indexes_at_the_end(
        connect, context, sim, small_threshold, tmp_path: Path):
    connect()
    engine = SyncEngine(context.secrets, runs_dir=context.paths.runs_dir, page_size=50)
    result, seen = run_watching(engine, context, PERSON_JOB)
    assert result.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS)
    assert len(seen) == 6
    assert all(not {LINK_INDEX, SIGN_UP_INDEX, ACTIVITY_INDEX} & s for s in seen)
    assert all("person_email_lower" in s and ACCOUNT_ID_INDEX in s for s in seen)  # read
    after = indexes(context)
    assert {LINK_INDEX, SIGN_UP_INDEX, ACTIVITY_INDEX} <= after
    assert CompanyPerson.select().count() > 0
    if not isinstance(context.db, SqliteDatabase):
        return  # the DDL text below is SQLite's (on PostgreSQL the names are checked above)
    # rebuilt exactly as the schema and the custom fields define them
    fresh = SqliteDatabase(str(tmp_path / "fresh.sqlite3"))
    migrate(fresh)
    reference = schema(fresh)
    fresh.close()
    ours = schema(context.db)
    assert ours[LINK_INDEX] == reference[LINK_INDEX]
    assert ours[ACTIVITY_INDEX] == reference[ACTIVITY_INDEX]
    assert ours[SIGN_UP_INDEX] == (
        'CREATE INDEX "ix_company_person_cf_Sign_up_date__gc" '
        "ON \"company_person\" (json_extract(custom, '$.Sign_up_date__gc'))")


def test_indexes_the_run_reads_are_kept(connect, context, sim, monkeypatch):
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_RECORDS", 20)  # 30 accounts
    connect()
    engine = SyncEngine(context.secrets, runs_dir=context.paths.runs_dir, page_size=10)
    result, seen = run_watching(engine, context, COMPANY_JOB)
    assert result.status == RunStatus.SUCCESS and len(seen) == 3
    assert all(ACCOUNT_ID_INDEX in s and USERS_INDEX not in s for s in seen)
    assert USERS_INDEX in indexes(context)


def test_small_or_repeated_loads_keep_their_indexes(connect, context, sim, small_threshold,
                                                    monkeypatch):
    connect()
    engine = SyncEngine(context.secrets, runs_dir=context.paths.runs_dir, page_size=50)
    engine.run_job(PERSON_JOB)
    Job.update(window_end=None).execute()  # a second full read: the table is already full
    result, seen = run_watching(engine, context, PERSON_JOB)
    assert result.counts.unchanged > 0 and seen  # read again: nothing to rewrite
    assert all(LINK_INDEX in s and SIGN_UP_INDEX in s for s in seen)
    Job.update(window_end=None).execute()
    context.db.execute_sql("DELETE FROM company_person")
    context.db.execute_sql("DELETE FROM person")
    monkeypatch.setattr(deferred_indexes, "DEFER_MIN_RECORDS", 301)  # one more than the listing
    result, seen = run_watching(engine, context, PERSON_JOB)
    assert result.counts.inserted > 0
    assert all(LINK_INDEX in s and SIGN_UP_INDEX in s for s in seen)


def test_a_killed_load_gets_its_indexes_back_before_the_next_run(connect, context, sim):
    connect()
    engine = SyncEngine(context.secrets, runs_dir=context.paths.runs_dir, page_size=50)
    engine.run_job(COMPANY_JOB)
    for name in (LINK_INDEX, SIGN_UP_INDEX):  # what a run killed mid-load leaves behind
        context.db.execute_sql(f'DROP INDEX "{name}"')
    result, seen = run_watching(engine, context, PERSON_JOB)
    assert result.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS)
    assert seen and all(LINK_INDEX in s and SIGN_UP_INDEX in s for s in seen)


@pytest.mark.sqlite_only("PRAGMA temp_store / cache_size")
def test_restore_keeps_the_store_temp_settings(context):
    before = [context.db.execute_sql(f"PRAGMA {p}").fetchone()[0]
              for p in ("temp_store", "cache_size")]
    context.db.execute_sql(f'DROP INDEX "{LINK_INDEX}"')
    deferred_indexes.restore_indexes(context.db, ["company_person"])
    assert LINK_INDEX in indexes(context)
    after = [context.db.execute_sql(f"PRAGMA {p}").fetchone()[0]
             for p in ("temp_store", "cache_size")]
    assert after == before


def test_start_up_after_a_killed_load_builds_the_missing_indexes(connect, context, sim):
    """The Data tab should not wait for the next run of the job to be fast again."""
    connect()
    job = Job.get(Job.name == PERSON_JOB)
    ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.MANUAL,
                        status=RunStatus.IN_PROGRESS, started_at=1)  # a process killed mid-run
    context.db.execute_sql(f'DROP INDEX "{LINK_INDEX}"')
    engine = SyncEngine(context.secrets, runs_dir=context.paths.runs_dir)
    assert engine.close_interrupted_runs() == 1
    assert LINK_INDEX in indexes(context)
