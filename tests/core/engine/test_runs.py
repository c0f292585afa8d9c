"""Running jobs against the simulator: keys, counts, modes, windows and the 400 fallback."""

from __future__ import annotations

import json

from pxdesk.core.store.models import (
    Company,
    ExecutionRun,
    FieldMapping,
    Job,
    Person,
    RecordError,
    RunStatus,
)
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB, user_requests


def test_company_sync_refused_without_upsert_key(connect, engine, sim):
    connect(upsert_key=False)
    sim.clear_requests()
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.FAILURE
    assert "upsert key" in (result.reason or "")
    assert sim.requests == []  # nothing fetched
    assert Company.select().count() == 0


def test_person_sync_skipped_when_dependency_fails(connect, engine, sim):
    connect(upsert_key=False)
    result = engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.SKIPPED
    assert COMPANY_JOB in (result.reason or "")
    assert result.dependencies[0].status == RunStatus.FAILURE
    assert Person.select().count() == 0
    assert ExecutionRun.get_by_id(result.run_id).status == RunStatus.SKIPPED


def test_first_run_inserts_second_full_run_leaves_unchanged(connect, engine, sim):
    connect()
    first = engine.run_job(COMPANY_JOB)
    assert first.status == RunStatus.SUCCESS
    assert (first.counts.inserted, first.counts.updated) == (ACCOUNTS, 0)
    Job.update(window_end=None).execute()  # force another full read
    second = engine.run_job(COMPANY_JOB)
    c = second.counts
    assert second.status == RunStatus.SUCCESS
    assert (c.success, c.inserted, c.updated, c.unchanged) == (ACCOUNTS, 0, 0, ACCOUNTS)
    assert Company.select().count() == ACCOUNTS
    ids = {json.loads(c.custom)["PX_Account_ID__gc"] for c in Company.select()}
    assert ids == {f"acct-{i:06d}" for i in range(ACCOUNTS)}


def test_import_from_date_reads_range_and_keeps_window(connect, clocked_engine, clock, sim):
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    window_end = Job.get(Job.name == COMPANY_JOB).window_end
    assert window_end == clock.now
    clock.advance()
    result = clocked_engine.run_job(COMPANY_JOB, date_range=(0, clock.now))
    assert result.status == RunStatus.SUCCESS
    c = result.counts
    assert (c.inserted, c.updated, c.unchanged) == (0, 0, ACCOUNTS)
    assert ExecutionRun.get_by_id(result.run_id).trigger == "import_from_date"
    assert Job.get(Job.name == COMPANY_JOB).window_end == window_end  # not moved
    assert any("lastModifiedDate>=0" in v for r in sim.requests for k, v in r.query
               if k == "filter")


def test_update_mode_never_inserts(connect, engine, sim):
    connect()
    Job.update(modification_type="update").where(Job.name == COMPANY_JOB).execute()
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.FAILURE  # every record failed
    assert result.counts.failure == ACCOUNTS and result.counts.inserted == 0
    assert Company.select().count() == 0
    with open(result.error_file, encoding="utf-8") as handle:
        assert "no existing company record" in handle.read()


def test_incremental_run_reads_and_writes_only_changed(connect, clocked_engine, clock, sim):
    connect()
    assert clocked_engine.run_job(PERSON_JOB).status == RunStatus.PARTIAL_SUCCESS
    before = Person.select().count()
    clock.advance()
    changed = [f"user-{i:07d}" for i in range(10)]
    for ident in changed:
        sim.update_user(ident, lastModifiedDate=clock.now - 1000, firstName="Changed")
    clock.advance()
    sim.clear_requests()
    result = clocked_engine.run_job(PERSON_JOB)
    users = user_requests(sim)
    assert len(users) == 1
    filters = [v for k, v in users[0].query if k == "filter"]
    assert any("lastModifiedDate>=" in f for f in filters)
    changed_ok = [i for i in changed if sim_user_has_email_and_account(sim, i)]
    assert result.counts.success == len(changed_ok)
    assert result.counts.inserted == 0 and result.counts.updated == len(changed_ok)
    assert Person.select().count() == before
    assert Person.select().where(Person.first_name == "Changed").count() == len(changed_ok)
    with open(result.success_file, encoding="utf-8") as handle:
        assert len(handle.read().strip().splitlines()) == 1 + len(changed_ok)


def sim_user_has_email_and_account(sim, ident):
    user = sim.get_user(ident)
    return bool(user.get("email")) and bool(user.get("accountId"))


def test_date_filter_400_falls_back_to_local_window(connect, clocked_engine, clock, sim):
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    clock.advance()
    sim.update_account("acct-000001", lastModifiedDate=clock.now - 10, name="Renamed Ltd")
    clock.advance()
    sim.date_filter_supported = False
    sim.clear_requests()
    result = clocked_engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.SUCCESS
    assert (result.counts.success, result.counts.updated) == (1, 1)
    assert any("400" in note for note in result.notes)
    assert "lastModifiedDate" in (ExecutionRun.get_by_id(result.run_id).reason or "")
    statuses = [r.status for r in sim.requests if r.path == "/v1/accounts"]
    assert statuses[0] == 400 and statuses[-1] == 200
    assert Company.get(Company.name == "Renamed Ltd")
    assert Job.get(Job.name == COMPANY_JOB).window_end == clock.now


def test_bad_value_fails_alone(connect, engine, sim):
    connect()
    from pxdesk.core.store.custom_fields import ensure_custom_field

    ensure_custom_field("company_person", "Logins", "Number", "test")
    job = Job.get(Job.name == PERSON_JOB)
    FieldMapping.create(job=job, position=9, source_path="customAttributes.loginCount",
                        source_type="NUMBER", target_object="company_person",
                        target_field="Logins__gc", target_type="Number")
    baseline = engine.run_job(PERSON_JOB)
    Job.update(window_end=None).execute()
    bad = "user-0000001"
    sim.update_user(bad, {"customAttributes.loginCount": "lots", "firstName": "Bad"})
    result = engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.PARTIAL_SUCCESS
    assert result.counts.failure == baseline.counts.failure + 1
    assert result.counts.success == baseline.counts.success - 1
    row = RecordError.get((RecordError.run == result.run_id) & (RecordError.source_id == bad))
    assert (row.field, row.value) == ("Logins__gc", "lots")
    assert "'lots' is not a number" in row.reason
    assert json.loads(row.source_record)["identifyId"] == bad
    assert Person.select().where(Person.first_name == "Bad").count() == 0  # nothing written
