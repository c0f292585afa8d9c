"""The store adapter and RunNotifier: who gets mail per status, digests recorded in the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from peewee import SqliteDatabase

from pxdesk.core.notify.context import context_for_run, last_digest_at, top_reasons
from pxdesk.core.notify.email import SmtpSettings, body_for, load_smtp_settings
from pxdesk.core.notify.notifier import RunNotifier
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store.enums import JobKind, RunStatus, SourceObject, Trigger
from pxdesk.core.store.models import (
    Connection,
    ExecutionRun,
    Job,
    JobChain,
    RecordError,
    Schedule,
)
from pxdesk.core.store.settings import (
    SMTP_FROM,
    SMTP_HOST,
    SMTP_PASSWORD_REF,
    SMTP_PORT,
    SMTP_SECURITY,
    SMTP_USER,
    set_setting,
)
from pxdesk.core.sync.quality import FailureGroup, FilterCount, LookupCount, QualityReport
from tests.core.notify.conftest import PASSWORD, USER, SmtpServer

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
SUCCESS_LIST = ["happy@example.com"]
FAILURE_LIST = ["oncall@example.com", "lead@example.com"]


def ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


@pytest.fixture
def job(store_db: SqliteDatabase) -> Job:
    connection = Connection.create(name="X", key_ref="ref")
    created = Job.create(
        connection=connection, kind=JobKind.COMPANY, name="Company Sync_X",
        source_object=SourceObject.ACCOUNT, target_object=JobKind.COMPANY,
        success_recipients=json.dumps(SUCCESS_LIST), failure_recipients=json.dumps(FAILURE_LIST),
    )
    Schedule.create(job=created, timezone="America/New_York")
    return created


def add_run(job: Job, status: str, at: datetime, *, success: int = 0, failure: int = 0,
            error_file: str | None = None) -> ExecutionRun:
    return ExecutionRun.create(
        job=job, job_name=job.name, connection_name="X", trigger=Trigger.SCHEDULED,
        status=status, started_at=ms(at), ended_at=ms(at + timedelta(minutes=1)),
        success_count=success, failure_count=failure, error_file=error_file,
    )


@pytest.mark.parametrize(("status", "expected"), [
    (RunStatus.SUCCESS, SUCCESS_LIST), (RunStatus.PARTIAL_SUCCESS, FAILURE_LIST),
    (RunStatus.FAILURE, FAILURE_LIST), (RunStatus.SKIPPED, []), (RunStatus.CANCELLED, []),
])
def test_recipients_per_status(job: Job, status: str, expected: list[str]) -> None:
    assert context_for_run(add_run(job, status, T0)).recipients == expected


def test_context_reads_times_zone_counts_reasons_and_error_file(job: Job, tmp_path: Path) -> None:
    run = add_run(job, RunStatus.PARTIAL_SUCCESS, T0, success=980, failure=20,
                  error_file="7/errors.csv")
    reasons = ["no existing record"] * 4 + ["bad email"] * 3 + [f"r{i}" for i in range(5)]
    for reason in reasons:
        RecordError.create(run=run, reason=reason)
    ctx = context_for_run(run, runs_dir=tmp_path)
    assert ctx.timezone == ZoneInfo("America/New_York")
    assert (ctx.started_at, ctx.success, ctx.failure) == (T0, 980, 20)
    assert ctx.error_file == tmp_path / "7" / "errors.csv"
    assert ctx.top_reasons == [("no existing record", 4), ("bad email", 3), ("r0", 1),
                               ("r1", 1), ("r2", 1)]
    assert top_reasons(run.id, limit=1) == [("no existing record", 4)]


def test_run_of_a_deleted_job_still_has_a_context(job: Job) -> None:
    run = add_run(job, RunStatus.FAILURE, T0)
    job.delete_instance()
    run = ExecutionRun.get_by_id(run.id)
    ctx = context_for_run(run)
    assert ctx.job_name == "Company Sync_X" and ctx.recipients == []


def test_notifier_sends_digests_once_a_day(job: Job, smtp_server: SmtpServer) -> None:
    now = [T0]
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, security="none",
                            sender="pxdesk@example.com", timeout=5)
    notifier = RunNotifier(lambda: settings, clock=lambda: now[0])
    sent: list[bool] = []
    for hour in range(30):  # 30 hourly failures
        now[0] = T0 + timedelta(hours=hour, minutes=2)
        run = add_run(job, RunStatus.FAILURE, T0 + timedelta(hours=hour))
        outcome = notifier.notify_run(run.id)
        assert outcome.error is None
        sent.append(outcome.sent)
    # failures 1, 2, 3 (first digest), then one more digest 24 h after the first one
    assert [i for i, was_sent in enumerate(sent) if was_sent] == [0, 1, 2, 26]
    subjects = [m["Subject"] for m in smtp_server.inbox.messages]
    assert "daily digest" not in subjects[0] and subjects[2].endswith(
        "3 failures in a row (daily digest)")
    assert subjects[3].endswith("27 failures in a row (daily digest)")
    assert last_digest_at(job.id) == T0 + timedelta(hours=26, minutes=2)
    # recovery: mailed to the success list, digest memory cleared
    now[0] = T0 + timedelta(hours=31)
    outcome = notifier.notify_run(add_run(job, RunStatus.SUCCESS, T0 + timedelta(hours=30)).id)
    assert outcome.sent and smtp_server.inbox.envelopes[-1][1] == SUCCESS_LIST
    assert last_digest_at(job.id) is None


def test_an_alerted_partial_success_is_mailed_as_a_failure_mail(
    job: Job, smtp_server: SmtpServer
) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, security="none",
                            sender="pxdesk@example.com", timeout=5)
    notifier = RunNotifier(lambda: settings, clock=lambda: T0 + timedelta(hours=1))
    quiet = add_run(job, RunStatus.PARTIAL_SUCCESS, T0, success=980, failure=20)  # 2 %
    alerted = add_run(job, RunStatus.PARTIAL_SUCCESS, T0, success=875, failure=125)
    assert notifier.notify_run(quiet.id).sent and notifier.notify_run(alerted.id).sent
    first, second = smtp_server.inbox.messages
    assert first["Subject"] == "[pxdesk] Company Sync_X: Partial Success (980 ok, 20 failed)"
    assert "Alert:" not in first.get_content()
    assert second["Subject"] == ("[pxdesk] Company Sync_X: Partial Success (875 ok, 125 failed)"
                                 " - 12.5% of records failed (alert above 5%)")
    assert "Alert:      12.5% of records failed (alert above 5%)" in second.get_content()
    assert smtp_server.inbox.envelopes[-1][1] == FAILURE_LIST


def test_the_alert_follows_the_jobs_threshold(job: Job) -> None:
    run = add_run(job, RunStatus.PARTIAL_SUCCESS, T0, success=875, failure=125)
    assert context_for_run(run).alerted
    Job.update(alert_failure_percent=20.0).where(Job.id == job.id).execute()
    ctx = context_for_run(run)
    assert not ctx.alerted and ctx.recipients == FAILURE_LIST


def test_notifier_reports_smtp_errors_without_raising(job: Job) -> None:
    settings = SmtpSettings(host="", sender="pxdesk@example.com")
    outcome = RunNotifier(lambda: settings).notify_run(add_run(job, RunStatus.FAILURE, T0).id)
    assert not outcome.sent and outcome.error is not None and "SMTP server" in outcome.error
    assert last_digest_at(job.id) is None


def test_load_smtp_settings_reads_store_and_secret(store_db: SqliteDatabase,
                                                   tmp_path: Path) -> None:
    secrets = SecretStore(tmp_path / "secrets.json")
    ref = secrets.put(PASSWORD, "smtp-password")
    for key, value in ((SMTP_HOST, "mail.example.com"), (SMTP_PORT, 465),
                       (SMTP_SECURITY, "ssl"), (SMTP_USER, USER), (SMTP_PASSWORD_REF, ref),
                       (SMTP_FROM, "pxdesk@example.com")):
        set_setting(key, value)
    settings = load_smtp_settings(secrets)
    assert settings == SmtpSettings(host="mail.example.com", port=465, security="ssl",
                                    user=USER, password=PASSWORD, sender="pxdesk@example.com")
    assert PASSWORD not in repr(settings)


def test_a_run_of_a_job_chain_mails_the_chains_recipients(job: Job) -> None:
    JobChain.create(connection=job.connection, name="Nightly",
                    success_recipients=json.dumps(["chain-ok@example.com"]),
                    failure_recipients=json.dumps(["chain-ops@example.com"]))
    chained = add_run(job, RunStatus.FAILURE, T0)
    ExecutionRun.update(chain_name="Nightly").where(ExecutionRun.id == chained.id).execute()
    alone = add_run(job, RunStatus.FAILURE, T0)
    assert context_for_run(ExecutionRun.get_by_id(chained.id)).recipients == [
        "chain-ops@example.com"]
    assert context_for_run(alone).recipients == FAILURE_LIST  # on its own: the job's lists
    JobChain.delete().execute()
    assert context_for_run(ExecutionRun.get_by_id(chained.id)).recipients == FAILURE_LIST


def test_run_email_has_the_quality_report_instead_of_full_reasons(job: Job) -> None:
    report = QualityReport(
        received=2990, total_hits=3000,
        failures=(FailureGroup("no company matches PX_Account_ID__gc = accountId (…)",
                               "Company_ID", 2140, "no company matches … ('acct-17')"),),
        lookups=(LookupCount("Company_ID", "company where accountId = PX_Account_ID__gc",
                             2140, 3),),
        filters=(FilterCount("A", "email is not null", 57),))
    run = add_run(job, RunStatus.PARTIAL_SUCCESS, T0, success=793, failure=2140)
    run.quality = report.to_json()
    run.save()
    for n in range(3):  # as many full reasons as records: the report groups them
        RecordError.create(run=run, reason=f"no company matches … ('acct-{n}')")
    ctx = context_for_run(ExecutionRun.get_by_id(run.id))
    assert ctx.quality == report and ctx.top_reasons == []
    body = body_for(ctx)
    assert "Top error reasons" not in body
    assert body.split("Run quality:\n")[1].split("\n\n")[0].splitlines() == [
        "  Records received 2,990 of 3,000 announced by PX (totalHits)",
        "  2,140 failed [Company_ID]: no company matches PX_Account_ID__gc = accountId (…)",
        "  Derived Company_ID (company where accountId = PX_Account_ID__gc): 2,140 no match, "
        "3 several matches",
        "  Filter A (email is not null) removed 57",
    ]


def test_notify_run_tree_mails_dependencies_first_and_logs_what_was_not_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The one rule the app's RunMailer and `pxdesk-cli run` share."""
    from pxdesk.core.notify.notifier import NotifyOutcome, notify_run_tree
    from pxdesk.core.sync.results import RunCrash, RunResult

    calls: list[int] = []

    def notify_run(run_id: int) -> NotifyOutcome:
        calls.append(run_id)
        return NotifyOutcome(False, None, None, error="SMTP down" if run_id == 2 else None)

    tree = RunResult(3, "C", RunStatus.SUCCESS, dependencies=[
        RunResult(2, "B", RunStatus.FAILURE, dependencies=[RunResult(1, "A", RunStatus.SUCCESS)])])
    outcomes = notify_run_tree(notify_run, tree)
    assert calls == [1, 2, 3] and [o.error for o in outcomes] == [None, "SMTP down", None]
    assert any("SMTP down" in r.getMessage() for r in caplog.records)
    assert notify_run_tree(notify_run, RunCrash("C", "store full")) == []
    assert calls == [1, 2, 3]


def test_a_run_without_a_zone_is_told_in_the_machine_s_named_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tzlocal's IANA zone, not today's fixed offset: a winter run reads CET in summer too."""
    import tzlocal

    from pxdesk.core.notify.context import zone_named

    monkeypatch.setenv("TZ", "Europe/Berlin")
    tzlocal.reload_localzone()
    try:
        assert zone_named(None) == ZoneInfo("Europe/Berlin")
        assert zone_named("Not/AZone") == ZoneInfo("Europe/Berlin")
        assert zone_named("Asia/Tokyo") == ZoneInfo("Asia/Tokyo")
    finally:
        monkeypatch.delenv("TZ")
        tzlocal.reload_localzone()
