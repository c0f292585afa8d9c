"""Stale-data alerts with an injected clock: no success for N hours, a run longer than M
minutes, cleared by success, mailed once per episode."""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

import pytest

from pxdesk.core.logs.stale import HOUR_MS, MINUTE_MS, StaleKind, stale_alerts
from pxdesk.core.notify.email import SmtpSettings
from pxdesk.core.notify.stale_notifier import StaleNotifier
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB, connect, sim  # noqa: F401

T0 = 1_800_000_000_000
RECIPIENT = "ops@example.com"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


class Outbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def __call__(self, _settings: SmtpSettings, message: EmailMessage, _ctx: Any) -> None:
        self.sent.append(message)


@pytest.fixture
def job(connect: Any) -> Job:  # noqa: F811
    connect()
    Job.update(created_at=T0 - 100 * HOUR_MS, failure_recipients=json.dumps([RECIPIENT])).execute()
    return Job.get(Job.name == COMPANY_JOB)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def notifier(clock: Clock, outbox: Outbox) -> StaleNotifier:
    settings = SmtpSettings(host="smtp.example.com", sender="pxdesk@example.com")
    return StaleNotifier(lambda: settings, clock=clock, send=outbox)


def _run(job: Job, status: str, started: int, ended: int | None) -> ExecutionRun:
    return ExecutionRun.create(job=job, job_name=job.name, trigger="scheduled", status=status,
                               queued_at=started, started_at=started, ended_at=ended)


def _set(job: Job, **fields: int) -> None:
    Job.update(**fields).where(Job.id == job.id).execute()


def test_off_by_default_finds_nothing(job: Job, clock: Clock) -> None:
    assert (job.stale_after_hours, job.long_run_minutes) == (0, 0)
    _run(job, RunStatus.FAILURE, T0 - 90 * HOUR_MS, T0 - 10 * HOUR_MS)
    assert stale_alerts(clock()) == []


def test_fires_after_n_hours_without_success_and_mails_once(
        job: Job, clock: Clock, notifier: StaleNotifier, outbox: Outbox) -> None:
    _set(job, stale_after_hours=24)
    _run(job, RunStatus.SUCCESS, T0 - 60_000, T0)
    _run(job, RunStatus.FAILURE, T0 + HOUR_MS, T0 + HOUR_MS + 1000)  # a failure is no success
    clock.now = T0 + 24 * HOUR_MS
    assert notifier.check().current == ()  # exactly N hours: not yet
    clock.now += MINUTE_MS
    check = notifier.check()
    assert [a.kind for a in check.new] == [StaleKind.NO_SUCCESS] and check.mailed == (COMPANY_JOB,)
    assert check.new[0].summary() == "no successful run for 24 hours (warn after 24 hours)"
    assert list(check.by_job()) == [COMPANY_JOB]
    assert len(outbox.sent) == 1
    message = outbox.sent[0]
    assert message["To"] == RECIPIENT
    assert message["Subject"] == (f"[pxdesk] {COMPANY_JOB}: no successful run for 24 hours "
                                  "(warn after 24 hours)")
    for _tick in range(5):  # every minute after: still alerted, never mailed again
        clock.now += MINUTE_MS
        again = notifier.check()
        assert len(again.current) == 1 and again.new == ()
    assert len(outbox.sent) == 1


def test_a_successful_run_clears_it_and_the_next_episode_mails_again(
        job: Job, clock: Clock, notifier: StaleNotifier, outbox: Outbox) -> None:
    _set(job, stale_after_hours=2)
    clock.now = T0 + 3 * HOUR_MS  # created 100 h ago, never succeeded
    first = notifier.check()
    assert first.new[0].never_succeeded and "no successful run yet" in first.new[0].summary()
    _run(job, RunStatus.PARTIAL_SUCCESS, clock.now, clock.now + 1000)  # data flowed: success
    clock.now += MINUTE_MS
    assert notifier.check().current == ()
    assert Job.get_by_id(job.id).stale_alert_at is None
    clock.now += 2 * HOUR_MS
    second = notifier.check()
    assert len(second.new) == 1 and len(outbox.sent) == 2


def test_a_run_longer_than_m_minutes_fires_once_while_going_and_after(
        job: Job, clock: Clock, notifier: StaleNotifier, outbox: Outbox) -> None:
    _set(job, long_run_minutes=60)
    run = _run(job, RunStatus.IN_PROGRESS, T0, None)
    clock.now = T0 + 60 * MINUTE_MS
    assert notifier.check().current == ()
    clock.now = T0 + 61 * MINUTE_MS
    _run(job, RunStatus.SKIPPED, clock.now, clock.now)  # a fire while it goes changes nothing
    check = notifier.check()
    assert [(a.kind, a.run_id, a.running) for a in check.new] == [
        (StaleKind.LONG_RUN, run.id, True)]
    assert check.new[0].summary() == (f"run {run.id} has been running for 61 minutes "
                                      "(warn above 60 minutes)")
    ExecutionRun.update(status=RunStatus.SUCCESS, ended_at=T0 + 90 * MINUTE_MS).where(
        ExecutionRun.id == run.id).execute()
    clock.now = T0 + 91 * MINUTE_MS
    after = notifier.check()
    assert after.new == () and after.current[0].summary() == (
        f"run {run.id} took 90 minutes (warn above 60 minutes)")
    _run(job, RunStatus.SUCCESS, clock.now, clock.now + 10 * MINUTE_MS)  # a normal run clears it
    clock.now += 11 * MINUTE_MS
    assert notifier.check().current == ()
    assert len(outbox.sent) == 1
    assert "may be stuck" in outbox.sent[0].get_content()


def test_no_recipient_or_no_smtp_still_alerts_without_mail(
        job: Job, clock: Clock, outbox: Outbox) -> None:
    _set(job, stale_after_hours=1)
    Job.update(failure_recipients="[]").where(Job.id == job.id).execute()
    person = Job.get(Job.name == PERSON_JOB)
    _set(person, stale_after_hours=1)
    Job.update(failure_recipients=json.dumps([RECIPIENT])).where(Job.id == person.id).execute()
    unset = StaleNotifier(lambda: SmtpSettings(host=""), clock=clock, send=outbox)
    check = unset.check()
    assert {a.job_name for a in check.new} == {COMPANY_JOB, PERSON_JOB}
    assert check.mailed == () and outbox.sent == []


def test_the_suggestion_is_twice_the_longest_gap_of_the_schedule() -> None:
    from datetime import UTC, datetime

    from pxdesk.core.config.job_config import ScheduleConfig
    from pxdesk.core.logs.stale import FALLBACK_HOURS, suggested_stale_hours
    from pxdesk.core.schedule.rules import next_runs

    monday = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def suggested(**schedule: Any) -> int:
        return suggested_stale_hours(next_runs(ScheduleConfig(**schedule), monday, count=200))

    assert suggested(kind="hourly", every_hours=1) == 2
    assert suggested(kind="daily_once", time="09:00") == 48
    # Weekdays 9-17: the weekend gap (Fri 17:00 -> Mon 09:00, 64 h) decides.
    assert suggested(kind="daily_repeat", every_hours=2, start_time="09:00", end_time="17:00",
                     days="weekdays") == 128
    assert suggested_stale_hours([]) == FALLBACK_HOURS
