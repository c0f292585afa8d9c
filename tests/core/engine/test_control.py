"""Run control: dependency order, one run at a time, cancel, interruption, Multi Instance."""

from __future__ import annotations

import json

from pxdesk.core.logs.execution import INTERRUPTED_REASON
from pxdesk.core.store.custom_fields import ensure_custom_field
from pxdesk.core.store.leases import JobLease
from pxdesk.core.store.models import (
    Company,
    CompanyInstance,
    CompanyPerson,
    ExecutionRun,
    FieldMapping,
    Job,
    Person,
    RunStatus,
)
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.run_lease import JobLeases, Lease
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB, USERS


def _hold(job_name: str) -> Lease:
    """The job's lease, held by a live run on another machine."""
    lease = JobLeases(host="other-host", pid=4242).acquire(Job.get(Job.name == job_name))
    assert isinstance(lease, Lease)
    return lease


def test_dependencies_run_first_with_dependency_trigger(connect, engine, sim):
    connect()
    result = engine.run_job(PERSON_JOB)
    dep = ExecutionRun.get_by_id(result.dependencies[0].run_id)
    main = ExecutionRun.get_by_id(result.run_id)
    assert dep.job_name == COMPANY_JOB and dep.trigger == "dependency"
    assert main.trigger == "manual"
    assert dep.ended_at <= main.started_at
    paths = [r.path for r in sim.requests if r.path in ("/v1/accounts", "/v1/users")]
    assert paths.index("/v1/accounts") < paths.index("/v1/users")


def test_second_concurrent_run_is_skipped(connect, engine, context, sim):
    connect()
    inner = []

    def progress(_):
        if not inner:  # a second request while the first runs (same process)
            inner.append(engine.run_job(COMPANY_JOB))

    first = engine.run_job(COMPANY_JOB, progress=progress)
    assert first.status == RunStatus.SUCCESS
    here = engine.leases
    assert inner[0].status == RunStatus.SKIPPED
    assert inner[0].reason == f"already running on {here.host} (pid {here.pid})"
    other_process = _hold(COMPANY_JOB)  # another machine's run
    try:
        skipped = engine.run_job(COMPANY_JOB)
    finally:
        other_process.release()
    assert skipped.status == RunStatus.SKIPPED
    assert skipped.reason == "already running on other-host (pid 4242)"
    assert engine.run_job(COMPANY_JOB).status == RunStatus.SUCCESS


def _paged_engine(context, clock) -> tuple[SyncEngine, int | None]:
    """An engine of 50-record pages after Company Sync, and Company Person Sync's window."""
    engine = SyncEngine(context.secrets, runs_dir=context.paths.runs_dir, clock=clock,
                        page_size=50)
    engine.run_job(COMPANY_JOB)
    return engine, Job.get(Job.name == PERSON_JOB).window_end


def test_a_run_that_loses_its_lease_stops_at_the_next_page_and_its_window_stays(
        connect, context, clock, sim):
    """Its heartbeat found the lease taken (it was thought dead): another pxdesk may run the
    job now, so this run stops writing at the next page, as a Failure that says why."""
    connect()
    engine, window_end = _paged_engine(context, clock)
    pages = []

    def taken_by_another(progress):
        pages.append(progress)
        if len(pages) == 1:
            JobLease.update(holder="another-run").execute()

    result = engine.run_job(PERSON_JOB, progress=taken_by_another)
    assert result.status == RunStatus.FAILURE
    assert result.counts.pages == len(pages) < USERS // 50, "stopped after its transaction"
    assert "another pxdesk took this job's lease" in result.reason
    assert Job.get(Job.name == PERSON_JOB).window_end == window_end
    assert JobLease.get().holder == "another-run", "the new holder's lease is left alone"


def test_cancel_stops_at_page_boundary(connect, context, clock, sim):
    connect()
    engine, window_end = _paged_engine(context, clock)
    pages = []
    result = engine.run_job(PERSON_JOB, progress=pages.append, cancel=lambda: len(pages) >= 2)
    assert result.status == RunStatus.CANCELLED
    assert result.counts.pages == 2 and len(pages) == 2
    assert Job.get(Job.name == PERSON_JOB).window_end == window_end  # unmoved (None)
    assert 0 < Person.select().count() <= 100  # what was written stays
    c = result.counts
    assert c.success + c.failure + c.filtered == 100 == pages[-1].records


def test_killed_run_is_closed_as_interrupted(connect, engine, clock, sim):
    connect()
    engine.run_job(COMPANY_JOB)
    job = Job.get(Job.name == COMPANY_JOB)
    before = job.window_end
    ExecutionRun.create(job=job, job_name=job.name, trigger="manual",
                        status=RunStatus.IN_PROGRESS, started_at=1)
    assert engine.close_interrupted_runs() == 1
    row = ExecutionRun.select().order_by(ExecutionRun.id.desc()).first()
    assert row.status == RunStatus.FAILURE and row.reason == INTERRUPTED_REASON
    assert Job.get_by_id(job.id).window_end == before


def test_open_run_of_a_live_process_stays_open(connect, engine, context, sim):
    connect()
    job = Job.get(Job.name == COMPANY_JOB)
    ExecutionRun.create(job=job, job_name=job.name, trigger="manual",
                        status=RunStatus.IN_PROGRESS, started_at=1)
    live = _hold(COMPANY_JOB)
    try:
        assert engine.close_interrupted_runs() == 0
    finally:
        live.release()


def test_multi_instance_rolls_accounts_up(connect, engine, sim):
    connect(multi_instance=True, upsert_key=False)
    ensure_custom_field("company", "Group", "String", "test")
    job = Job.get(Job.name == COMPANY_JOB)
    FieldMapping.create(job=job, position=5, source_path="parentGroupId", source_type="STRING",
                        target_object="company", target_field="Group__gc",
                        target_type="String", is_upsert_key=True)
    result = engine.run_job(PERSON_JOB)
    grouped = [a for a in (sim.get_account(i) for i in sim.account_ids())
               if a.get("parentGroupId")]
    groups = {a["parentGroupId"] for a in grouped}
    assert result.dependencies[0].counts.success == len(grouped)  # no group: empty upsert key
    assert Company.select().count() == len(groups) < len(grouped)
    assert CompanyInstance.select().count() == len(grouped)
    account = grouped[0]
    instance = CompanyInstance.get(CompanyInstance.px_account_id == account["id"])
    assert json.loads(instance.company.custom)["Group__gc"] == account["parentGroupId"]
    assert instance.name == account["name"]
    users = [u for u in (sim.get_user(i) for i in sim.user_ids())
             if u["accountId"] == account["id"] and u.get("email")]
    for user in users:
        person = Person.get(Person.email == user["email"])
        assert CompanyPerson.select().where(
            (CompanyPerson.person == person) & (CompanyPerson.company == instance.company)
        ).exists()
    assert users and result.counts.success + result.counts.failure + result.counts.filtered == USERS


def test_every_run_of_a_tree_is_announced_and_ended_once_with_the_note_on_its_job(
    connect, engine, context
):
    connect()
    events: list[tuple[str, str, str]] = []
    result = engine.run_job(
        PERSON_JOB, note="caught up the run due 10:00",
        on_start=lambda s: events.append(("start", s.job_name, s.status)),
        on_end=lambda r: events.append(("end", r.job_name, r.status)))
    assert events == [("start", PERSON_JOB, RunStatus.QUEUED),
                      ("start", COMPANY_JOB, RunStatus.QUEUED),
                      ("end", COMPANY_JOB, RunStatus.SUCCESS),
                      ("end", PERSON_JOB, result.status)]
    assert result.reason.startswith("caught up the run due 10:00")
    assert ExecutionRun.get_by_id(result.run_id).reason == result.reason
    assert result.dependencies[0].reason is None, "the note is the job's, not its dependency's"
    other_process = _hold(COMPANY_JOB)
    events.clear()
    try:
        skipped = engine.run_job(COMPANY_JOB, note="caught up", on_start=lambda s: events.append(
            ("start", s.job_name, s.status)), on_end=lambda r: events.append(
            ("end", r.job_name, r.status)))
    finally:
        other_process.release()
    assert events == [("start", COMPANY_JOB, RunStatus.SKIPPED),
                      ("end", COMPANY_JOB, RunStatus.SKIPPED)]
    assert skipped.reason == "caught up; already running on other-host (pid 4242)"
