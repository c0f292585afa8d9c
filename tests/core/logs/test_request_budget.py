"""PX requests per connection per UTC day, and the budget rule a run must pass."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.logs.request_budget import (
    budget_blocker,
    count_request_outside_run,
    requests_today,
    run_estimate,
)
from pxdesk.core.px.client import RequestEvent
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store import settings as st
from pxdesk.core.store.enums import Trigger
from pxdesk.core.store.models import ExecutionRun, Job, RequestLog, RunStatus, Setting

DAY = 86_400_000
NOON = int(datetime(2026, 12, 4, 12, tzinfo=UTC).timestamp() * 1000)
MIDNIGHT = NOON - DAY // 2  # 2026-12-04 00:00 UTC
EVENT = RequestEvent("GET", "https://px/v1/users?pageSize=1", 200, 5.0, 1, None)


def _run(connection: str, started: int, ended: int | None, *, job: Job | None = None,
         status: RunStatus = RunStatus.SUCCESS, pages: int = 0) -> ExecutionRun:
    return ExecutionRun.create(job=job, job_name=job.name if job else "Company Sync_PX",
                               connection_name=connection, trigger=Trigger.MANUAL,
                               status=status, queued_at=started, started_at=started,
                               ended_at=ended, pages=pages)


def _requests(run: ExecutionRun, *times: int) -> None:
    RequestLog.insert_many([{"run": run.id, "method": "GET", "url": "u", "status": 200,
                             "at": at} for at in times]).execute()


@pytest.fixture
def service(context: Any) -> ConnectionService:
    return ConnectionService(context.secrets, user="tester")


def test_only_todays_utc_requests_of_the_connection_count(context: Any) -> None:
    overnight = _run("PX", MIDNIGHT - 60_000, MIDNIGHT + 60_000)
    _requests(overnight, MIDNIGHT - 1, MIDNIGHT, MIDNIGHT + 1)  # the first is yesterday's
    _requests(_run("PX", NOON - 10, None), NOON - 5, NOON - 4)  # still running
    _requests(_run("PX", MIDNIGHT - DAY, MIDNIGHT - DAY + 9), MIDNIGHT - DAY + 1)
    _requests(_run("Other", NOON - 10, NOON), NOON - 5)

    assert requests_today("PX", NOON) == 4
    assert requests_today("Other", NOON) == 1
    assert requests_today("PX", MIDNIGHT + DAY) == 0  # the next day starts from zero


def test_requests_outside_runs_count_for_the_saved_connection_of_that_day(
        context: Any, service: ConnectionService) -> None:
    with PxSimulator(accounts=1, users=1) as sim:
        service.create("PX", sim.api_key, base_url=sim.base_url)
    today = int(datetime.now(UTC).timestamp() * 1000)
    count_request_outside_run(EVENT)
    count_request_outside_run(EVENT)

    assert requests_today("PX", today) == 2
    assert requests_today("PX", today + DAY) == 0
    assert all(st.is_private(row.key) for row in Setting.select()
               if row.key not in st.DEFAULTS)


def test_a_connection_test_counts_its_requests(context: Any, service: ConnectionService) -> None:
    with PxSimulator(accounts=1, users=3) as sim:
        service.create("PX", sim.api_key, base_url=sim.base_url)
        before = len(sim.requests)
        assert service.test().ok
        sent = len(sim.requests) - before
    assert sent == 1
    assert requests_today("PX", int(datetime.now(UTC).timestamp() * 1000)) == sent


def test_the_estimate_is_the_last_complete_runs_requests_or_one(
        context: Any, service: ConnectionService) -> None:
    with PxSimulator(accounts=1, users=1) as sim:
        service.create("PX", sim.api_key, base_url=sim.base_url)
    job = Job.get(Job.name == "Company Sync_PX")
    assert run_estimate(job) == 1  # never ran
    complete = _run("PX", NOON - 100, NOON - 90, job=job, pages=3)
    _requests(complete, *range(NOON - 99, NOON - 94))  # 5 requests: retries count too
    _run("PX", NOON - 80, NOON - 70, job=job, status=RunStatus.FAILURE, pages=40)
    assert run_estimate(job) == 5
    _run("PX", NOON - 60, NOON - 50, job=job, status=RunStatus.PARTIAL_SUCCESS, pages=7)
    assert run_estimate(job) == 7  # its request log is gone (retention): its pages


def test_a_run_that_would_cross_the_budget_is_held_with_what_and_when(
        context: Any, service: ConnectionService) -> None:
    with PxSimulator(accounts=1, users=1) as sim:
        service.create("PX", sim.api_key, base_url=sim.base_url)
    job = Job.get(Job.name == "Company Sync_PX")
    st.set_setting(st.DAILY_REQUEST_BUDGET, 1_000)
    last = _run("PX", MIDNIGHT + 10, MIDNIGHT + 20, job=job, pages=20)
    _requests(last, *[MIDNIGHT + 11] * 20)
    _requests(_run("PX", NOON - 10, NOON - 5), *[NOON - 9] * 960)

    assert budget_blocker(job, NOON) is None  # 980 + 20 reaches the budget, does not cross
    _requests(_run("PX", NOON - 4, NOON - 3), *[NOON - 4] * 5)
    assert budget_blocker(job, NOON) == (
        "held: 985 of today's 1,000 PX requests are used and this run needs about 20; "
        "it can run after 00:00 UTC or raise the budget in Settings")
    st.set_setting(st.DAILY_REQUEST_BUDGET, 1_005)
    assert budget_blocker(job, NOON) is None


def test_a_renamed_connection_keeps_the_requests_its_runs_made_today(
        context: Any, service: ConnectionService) -> None:
    with PxSimulator(accounts=1, users=1) as sim:
        service.create("PX", sim.api_key, base_url=sim.base_url)
    job = Job.get(Job.name == "Company Sync_PX")
    _requests(_run("PX", NOON - 10, NOON - 5, job=job), NOON - 9, NOON - 8)
    service.edit(name="Prod")
    assert requests_today("Prod", NOON) == 2


@pytest.mark.sqlite_only("a second sqlite3 connection holds the file's write lock")
def test_a_busy_store_never_breaks_the_call_it_counts(
        context: Any, service: ConnectionService) -> None:
    with PxSimulator(accounts=1, users=1) as sim:
        service.create("PX", sim.api_key, base_url=sim.base_url)
    other = sqlite3.connect(context.paths.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    context.db.execute_sql("PRAGMA busy_timeout = 0")
    try:
        count_request_outside_run(EVENT)  # logged, not raised
    finally:
        other.close()
        context.db.execute_sql("PRAGMA busy_timeout = 5000")
    assert requests_today("PX", int(datetime.now(UTC).timestamp() * 1000)) == 0
