"""Window overlap: each incremental run re-reads a lookback before the previous window end, and
records it re-reads without a change count as unchanged (never written again)."""

from __future__ import annotations

import csv

from pxdesk.core.store.models import Company, ExecutionRun, Job, RunStatus
from pxdesk.core.store.settings import WINDOW_LOOKBACK_MINUTES, set_setting, window_lookback_ms
from pxdesk.core.sync.window import plan_window
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB
from tests.core.engine.test_runs import sim_user_has_email_and_account


def test_incremental_window_starts_a_lookback_before_the_last_end():
    later = plan_window(1_000_000, 5_000_000, lookback_ms=300_000)
    assert (later.start, later.end, later.advances) == (700_000, 5_000_000, True)
    assert later.pushdown() == ["lastModifiedDate>=700000;lastModifiedDate<5000000"]
    assert later.matcher()({"lastModifiedDate": 700_000})
    assert plan_window(100, 5_000, lookback_ms=300_000).start == 0
    assert plan_window(None, 5_000, lookback_ms=300_000).full  # the first run reads everything
    assert plan_window(1_000, 9_000, (10, 20), lookback_ms=300_000).start == 10  # as chosen


def test_lookback_is_a_setting_of_five_minutes_by_default(context):
    assert window_lookback_ms() == 300_000
    set_setting(WINDOW_LOOKBACK_MINUTES, 2)
    assert window_lookback_ms() == 120_000


def test_boundary_records_are_read_again_and_unchanged_ones_are_not_rewritten(
        connect, clocked_engine, clock, sim):
    connect()
    sim.update_account("acct-000002", lastModifiedDate=clock.now - 1_000, name="Steady Ltd")
    assert clocked_engine.run_job(COMPANY_JOB).status == RunStatus.SUCCESS
    window_end = clock.now
    steady = Company.get(Company.name == "Steady Ltd")
    # changed just before the previous window end, but indexed by PX only after that run
    sim.update_account("acct-000001", lastModifiedDate=window_end - 2_000, name="Late Ltd")
    clock.advance()
    result = clocked_engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.SUCCESS
    c = result.counts
    assert (c.success, c.inserted, c.updated, c.unchanged) == (2, 0, 1, 1)
    assert Company.get(Company.name == "Late Ltd")
    assert Company.get_by_id(steady.gsid).modified_at == steady.modified_at  # not rewritten
    assert ExecutionRun.get_by_id(result.run_id).unchanged_count == 1
    with open(result.success_file, encoding="utf-8") as handle:
        actions = {row["Source ID"]: row["Action"] for row in csv.DictReader(handle)}
    assert actions == {"acct-000001": "Updated", "acct-000002": "Unchanged"}
    assert Job.get(Job.name == COMPANY_JOB).window_end == clock.now


def test_people_read_again_are_unchanged_until_one_field_changes(connect, engine, sim):
    connect()
    first = engine.run_job(PERSON_JOB)
    Job.update(window_end=None).execute()  # read everything again
    sim.update_user("user-0000003", firstName="Renamed")
    again = engine.run_job(PERSON_JOB)
    changed = 1 if sim_user_has_email_and_account(sim, "user-0000003") else 0
    assert (again.counts.success, again.counts.inserted) == (first.counts.success, 0)
    assert again.counts.updated == changed
    assert again.counts.unchanged == first.counts.success - changed
