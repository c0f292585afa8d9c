"""A run that would cross today's PX request budget does not start: Skipped, saying why."""

from __future__ import annotations

from datetime import UTC, datetime

from pxdesk.core.logs.request_budget import requests_today
from pxdesk.core.store import settings as st
from pxdesk.core.store.models import Company, ExecutionRun, RunStatus
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB


def _now() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def test_runs_count_their_requests_for_today(connect, engine, sim):
    connect()
    sim.clear_requests()
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.SUCCESS
    assert requests_today("PX", _now()) == len(sim.requests) > 0


def test_a_run_that_would_cross_the_budget_is_skipped_before_any_request(connect, engine, sim):
    connect()
    first = engine.run_job(COMPANY_JOB)
    used = requests_today("PX", _now())
    needs = first.counts.pages
    st.set_setting(st.DAILY_REQUEST_BUDGET, used + needs - 1)
    sim.clear_requests()

    held = engine.run_job(COMPANY_JOB)

    assert held.status == RunStatus.SKIPPED
    assert held.reason == (
        f"held: {used:,} of today's {used + needs - 1:,} PX requests are used and this run "
        f"needs about {needs:,}; it can run after 00:00 UTC or raise the budget in Settings")
    assert ExecutionRun.get_by_id(held.run_id).status == RunStatus.SKIPPED
    assert sim.requests == []
    assert Company.select().count() > 0  # what the first run wrote stays


def test_a_held_job_runs_none_of_its_dependencies(connect, engine, sim):
    connect()
    st.set_setting(st.DAILY_REQUEST_BUDGET, 1)
    engine.run_job(COMPANY_JOB)  # 1 request is all today's budget allows
    sim.clear_requests()

    result = engine.run_job(PERSON_JOB)

    assert result.status == RunStatus.SKIPPED
    assert (result.reason or "").startswith("held: 1 of today's 1 PX requests are used")
    assert result.dependencies == []
    assert sim.requests == []


def test_within_the_budget_the_run_goes_ahead(connect, engine, sim):
    connect()
    engine.run_job(COMPANY_JOB)
    st.set_setting(st.DAILY_REQUEST_BUDGET, requests_today("PX", _now()) * 2)
    assert engine.run_job(COMPANY_JOB).status == RunStatus.SUCCESS
