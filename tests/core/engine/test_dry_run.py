"""Dry run: the store stays byte-identical, and the prediction is exactly what the run does."""

from __future__ import annotations

import csv
import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pytest
from peewee import SqliteDatabase

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.models import Job, RecordError, RunStatus
from pxdesk.core.sync.dry_run import WOULD_FAIL, WOULD_INSERT, WOULD_STAY, WOULD_UPDATE
from pxdesk.core.sync.dry_state import HOT_ENTRIES
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB

_ACTIONS = {"Inserted": WOULD_INSERT, "Updated": WOULD_UPDATE, "Unchanged": WOULD_STAY}


def store_digest(context: Any) -> str:
    """sha256 of the database file once the WAL is checkpointed into it; on PostgreSQL (no
    file to hash) of every row of every table, sequences included."""
    if not isinstance(context.db, SqliteDatabase):
        digest = hashlib.sha256()
        for table in sorted(context.db.get_tables()):
            rows = context.db.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
            digest.update(repr((table, rows)).encode())
        for (name,) in context.db.execute_sql("SELECT sequencename FROM pg_sequences "
                                               "ORDER BY 1").fetchall():
            digest.update(repr(context.db.execute_sql(
                f'SELECT last_value, is_called FROM "{name}"').fetchone()).encode())
        return digest.hexdigest()
    context.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(Path(context.paths.db_path).read_bytes()).hexdigest()


def run_outcomes(run_id: int, success_file: str) -> dict[str, str]:
    """PX id -> outcome of what a run did, from its success file and its error rows."""
    with open(success_file, encoding="utf-8", newline="") as handle:
        done = {row["Source ID"]: _ACTIONS[row["Action"]] for row in csv.DictReader(handle)}
    for error in RecordError.select().where(RecordError.run == run_id):
        done[error.source_id] = WOULD_FAIL
    return done


def predict_then_run(context: Any, engine: SyncEngine, job: str, keep: int = 5,
                     hot_rows: int = HOT_ENTRIES) -> tuple[Any, Any]:
    """The dry run (past `keep` records, and `hot_rows` would-be rows, in temporary
    files), then the run."""
    Job.update(window_end=None).execute()  # read every record again
    before = store_digest(context)
    dry = engine.dry_run(job, keep=keep, hot_rows=hot_rows)
    assert store_digest(context) == before
    real = engine.run_job(job)
    while real.job_name != job:  # a dependency's result comes first in a chain only
        real = real.dependencies[-1]
    return dry, real


def assert_same(dry: Any, real: Any) -> None:
    outcomes = {r.source_id: r.outcome for r in dry.records}
    assert outcomes == run_outcomes(real.run_id, real.success_file)
    d, r = dry.counts, real.counts
    assert (d.success, d.failure, d.inserted, d.updated, d.unchanged, d.filtered) == \
        (r.success, r.failure, r.inserted, r.updated, r.unchanged, r.filtered)
    assert d.total_hits == r.total_hits
    assert dry.status == real.status
    assert dry.quality == real.quality  # the same report, before the run
    assert dry.totals() == {WOULD_INSERT: r.inserted, WOULD_UPDATE: r.updated,
                            WOULD_STAY: r.unchanged, WOULD_FAIL: r.failure}


def test_company_dry_run_predicts_inserts_updates_failures_exactly(connect, engine, sim,
                                                                   context):
    connect()
    assert engine.run_job(COMPANY_JOB).status == RunStatus.SUCCESS
    sim.update_account("acct-000001", name="Renamed Ltd")
    sim.add_account({"id": "acct-new-1", "name": "Newco"})
    sim.add_account({"id": "acct-new-2", "name": ""})  # Name is required
    dry, real = predict_then_run(context, engine, COMPANY_JOB)
    assert_same(dry, real)
    assert real.status == RunStatus.PARTIAL_SUCCESS
    assert dry.totals() == {WOULD_INSERT: 1, WOULD_UPDATE: 1, WOULD_STAY: ACCOUNTS - 1,
                            WOULD_FAIL: 1}
    by_id = {r.source_id: r for r in dry.records}
    renamed = by_id["acct-000001"]
    assert renamed.outcome == WOULD_UPDATE
    assert [(c.field, c.new) for c in renamed.changes] == [("Name", "Renamed Ltd")]
    assert renamed.detail.startswith("Name: '") and renamed.detail.endswith("-> 'Renamed Ltd'")
    assert "Name = 'Newco'" in by_id["acct-new-1"].detail
    assert "Name is required" in (by_id["acct-new-2"].reason or "")


def test_person_dry_run_predicts_lookups_and_failures_exactly(connect, engine, sim, context):
    connect()
    engine.run_job(PERSON_JOB)  # Company Sync first, then the people
    ids = [i for i in sim.user_ids() if sim.get_user(i).get("email")
           and sim.get_user(i).get("accountId")][:3]
    sim.update_user(ids[0], firstName="Changed")
    sim.update_user(ids[1], accountId="acct-missing")  # no company matches
    sim.update_user(ids[2], email="not-an-email")
    sim.add_user({"identifyId": "user-new", "email": "new.person@example.com",
                  "firstName": "New", "accountId": "acct-000003"})
    dry, real = predict_then_run(context, engine, PERSON_JOB)
    assert_same(dry, real)
    by_id = {r.source_id: r for r in dry.records}
    assert by_id[ids[0]].outcome == WOULD_UPDATE
    assert ("FirstName", "Changed") in {(c.field, c.new) for c in by_id[ids[0]].changes}
    assert by_id[ids[1]].outcome == WOULD_FAIL and "no company" in (by_id[ids[1]].reason or "")
    assert by_id[ids[2]].outcome == WOULD_FAIL
    assert by_id["user-new"].outcome == WOULD_INSERT
    assert dry.counts.filtered > 0  # users without an email: the locked filter


@pytest.mark.parametrize(("hot_rows", "before"), [(HOT_ENTRIES, PERSON_JOB), (3, COMPANY_JOB)])
def test_dry_run_pages_see_what_earlier_pages_would_write(connect, context, sim, hot_rows,
                                                          before, tmp_path, monkeypatch):
    """One email on a user of the first page and on a new user of the last page: the later
    page updates the Person the earlier one would write, as in the run (it wrote it); also
    with no Person yet and the would-be rows of the first page in the dry run's temporary
    file by then."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    connect()
    engine = SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir),
                        page_size=50)
    engine.run_job(before)
    first = next(i for i in sim.user_ids() if sim.get_user(i).get("email")
                 and sim.get_user(i).get("accountId"))
    sim.update_user(first, email="twin@example.com", firstName="Twin")
    sim.add_user({"identifyId": "twin-2", "email": "TWIN@example.com", "firstName": "Twin",
                  "lastName": "Two", "accountId": sim.get_user(first)["accountId"]})
    dry, real = predict_then_run(context, engine, PERSON_JOB, hot_rows=hot_rows)
    assert_same(dry, real)
    assert not list(tmp_path.glob("pxdesk-dry-state-*"))  # deleted when the dry run ended
    assert real.counts.pages > 1
    twin = {r.source_id: r for r in dry.records}["twin-2"]
    assert twin.outcome == WOULD_UPDATE  # the Person and Company Person of `first`
    assert ("LastName", "Two") in {(c.field, c.new) for c in twin.changes}


def test_dry_run_of_a_blocked_or_unknown_job(connect, engine, context):
    connect(upsert_key=False)
    before = store_digest(context)
    result = engine.dry_run(COMPANY_JOB)
    assert result.status == RunStatus.FAILURE and "upsert key" in (result.error or "")
    assert len(result.records) == 0
    assert store_digest(context) == before
    with pytest.raises(ConfigError):
        engine.dry_run("No such job")


def test_dry_run_cancelled(connect, engine, context):
    connect()
    result = engine.dry_run(COMPANY_JOB, cancel=lambda: True)
    assert result.cancelled and result.status == RunStatus.CANCELLED


def test_dry_run_past_its_memory_spills_and_close_deletes_the_file(connect, engine, context):
    connect()
    engine.run_job(PERSON_JOB)
    dry, real = predict_then_run(context, engine, PERSON_JOB, keep=7)
    path = dry.records.path
    assert path is not None and path.exists() and path != Path(context.paths.db_path)
    assert_same(dry, real)  # read back through the file
    assert len(dry.records) == real.counts.success + real.counts.failure > 7
    assert dry.records[7:9] == list(dry.records)[7:9]
    with dry:
        pass
    assert not path.exists()
