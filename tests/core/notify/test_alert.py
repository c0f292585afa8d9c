"""The invalid-row alert rule: more than the job's threshold of processed records failed."""

from __future__ import annotations

import json

import pytest
from peewee import SqliteDatabase

from pxdesk.core.notify.alert import (
    FailureRate,
    failure_rate_of,
    last_run_rates,
    percent_text,
    run_failure_rate,
)
from pxdesk.core.store.enums import JobKind, RunStatus, SourceObject, Trigger
from pxdesk.core.store.models import Connection, ExecutionRun, Job


@pytest.mark.parametrize(("success", "failure", "threshold", "alerted"), [
    (875, 125, 5.0, True),  # 12.5 %
    (95, 5, 5.0, False),  # exactly the threshold: no alert
    (94, 6, 5.0, True),
    (0, 0, 0.0, False),  # nothing processed: no alert, whatever the threshold
    (10, 0, 0.0, False),  # no failure never crosses 0 %
    (999, 1, 0.0, True),  # 0 %: any failure alerts
    (0, 10, 100.0, False),  # 100 %: never
    (0, 10, 5.0, True),  # every record failed
])
def test_the_rule(success: int, failure: int, threshold: float, alerted: bool) -> None:
    assert FailureRate(success, failure, threshold).alerted is alerted


def test_what_it_says() -> None:
    rate = FailureRate(875, 125, 5.0)
    assert rate.summary() == "12.5% of records failed (alert above 5%)"
    assert rate.short() == "12.5% failed"
    assert FailureRate(2, 1, 2.5).summary() == "33.3% of records failed (alert above 2.5%)"
    assert FailureRate(0, 0, 5.0).percent is None


def test_a_share_just_above_the_threshold_never_reads_as_equal_to_it() -> None:
    rate = FailureRate(9_995, 505, 4.8)  # 4.8095...%
    assert rate.alerted and rate.short() == "4.81% failed"
    assert percent_text(5.0) == "5" and percent_text(12.0) == "12"
    assert percent_text(5.004, above=5.0) == "5.004"


@pytest.fixture
def job(store_db: SqliteDatabase) -> Job:
    connection = Connection.create(name="X", key_ref="ref")
    return Job.create(connection=connection, kind=JobKind.COMPANY, name="Company Sync_X",
                      source_object=SourceObject.ACCOUNT, target_object=JobKind.COMPANY,
                      success_recipients=json.dumps([]), failure_recipients=json.dumps([]),
                      alert_failure_percent=10.0)


def _run(job: Job | None, status: str, success: int, failure: int) -> ExecutionRun:
    return ExecutionRun.create(job=job, job_name="Company Sync_X", trigger=Trigger.MANUAL,
                               status=status, success_count=success, failure_count=failure)


def test_a_run_is_measured_against_its_jobs_threshold(job: Job) -> None:
    rate = run_failure_rate(_run(job, RunStatus.PARTIAL_SUCCESS, 88, 12))
    assert rate == FailureRate(88, 12, 10.0) and rate.alerted
    quiet = failure_rate_of(_run(job, RunStatus.PARTIAL_SUCCESS, 92, 8).id)
    assert quiet is not None and not quiet.alerted


def test_open_runs_runs_without_a_job_and_unknown_runs_have_no_rate(job: Job) -> None:
    assert run_failure_rate(_run(job, RunStatus.IN_PROGRESS, 1, 50)) is None
    assert run_failure_rate(_run(None, RunStatus.PARTIAL_SUCCESS, 1, 50)) is None
    assert failure_rate_of(999_999) is None


def test_each_jobs_latest_closed_run_is_measured(job: Job) -> None:
    _run(job, RunStatus.PARTIAL_SUCCESS, 50, 50)
    _run(job, RunStatus.PARTIAL_SUCCESS, 88, 12)
    _run(job, RunStatus.IN_PROGRESS, 0, 3)  # still going: the last closed run counts
    assert last_run_rates() == {"Company Sync_X": FailureRate(88, 12, 10.0)}
