"""What a run notification says (plain data), and the adapter that reads it from the store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peewee import fn

from pxdesk.core.config.chain_service import chain_recipients
from pxdesk.core.inputs import stored_emails
from pxdesk.core.notify.alert import FailureRate, run_failure_rate
from pxdesk.core.notify.policy import NOTIFIED_STATUSES, HistoryEntry
from pxdesk.core.schedule.rules import machine_timezone
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job, RecordError, Schedule
from pxdesk.core.store.rows import tuple_rows
from pxdesk.core.store.settings import (
    DEFAULT_TIMEZONE,
    DIGEST_KEY_PREFIX,
    delete_setting,
    get_setting,
    set_setting,
)
from pxdesk.core.sync.quality import QualityReport

TOP_REASONS = 5
HISTORY_LIMIT = 1000  # a streak longer than this is reported as this long


@dataclass(frozen=True)
class NotificationContext:
    """Everything a run message needs, independent of the engine and the store."""

    job_name: str
    connection_name: str
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    success: int
    failure: int
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    error_file: Path | None = None
    recipients: list[str] = field(default_factory=list)
    timezone: tzinfo = UTC
    run_id: int | None = None
    reason: str | None = None  # why the run failed as a whole (bad key, no network...)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0  # read again (window lookback) and already up to date
    failure_rate: FailureRate | None = None  # against the job's alert threshold
    quality: QualityReport | None = None  # failures by kind, lookups, filters, totals

    @property
    def alerted(self) -> bool:
        """More than the job's threshold of the records failed: mailed as a failure."""
        return self.failure_rate is not None and self.failure_rate.alerted


def recipients_for(
    status: str, success_list: Sequence[str], failure_list: Sequence[str], *,
    alerted: bool = False,
) -> list[str]:
    """Success mails the success list; Partial Success, Failure and any run above the job's
    failure alert threshold the failure list; else nobody."""
    if alerted:
        return list(failure_list)
    if status == RunStatus.SUCCESS:
        return list(success_list)
    if status in (RunStatus.PARTIAL_SUCCESS, RunStatus.FAILURE):
        return list(failure_list)
    return []



def zone_named(name: str | None) -> tzinfo:
    """The IANA zone `name`; the machine's zone (tzlocal's) when empty or unknown."""
    for candidate in (name, machine_timezone()):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                pass
    return UTC


def _job_zone(job: Job | None) -> tzinfo:
    schedule = Schedule.get_or_none(Schedule.job == job) if job is not None else None
    if schedule is not None:
        return zone_named(schedule.timezone)
    return zone_named(get_setting(DEFAULT_TIMEZONE))


def _when(epoch_ms: int | None) -> datetime | None:
    return None if epoch_ms is None else datetime.fromtimestamp(epoch_ms / 1000, UTC)


def top_reasons(run_id: int, limit: int = TOP_REASONS) -> list[tuple[str, int]]:
    """The most frequent record error reasons of a run, most frequent first."""
    count = fn.COUNT(RecordError.id)
    query = (
        RecordError.select(RecordError.reason, count.alias("n"))
        .where(RecordError.run == run_id)
        .group_by(RecordError.reason)
        .order_by(count.desc(), RecordError.reason)
        .limit(limit)
    )
    return [(reason, int(n)) for reason, n in tuple_rows(query)]


def _error_path(run: ExecutionRun, runs_dir: Path | None) -> Path | None:
    if not run.error_file:
        return None
    path = Path(run.error_file)
    if not path.is_absolute() and runs_dir is not None:
        path = runs_dir / path
    return path


def context_for_run(run: ExecutionRun, runs_dir: Path | None = None) -> NotificationContext:
    """Read the run, its job's (or its chain's) recipients and schedule zone; relative
    error files use runs_dir."""
    job = Job.get_or_none(Job.id == run.job_id) if run.job_id is not None else None
    success_list = stored_emails(job.success_recipients) if job is not None else []
    failure_list = stored_emails(job.failure_recipients) if job is not None else []
    if (chained := chain_recipients(run.chain_name)) is not None:
        success_list, failure_list = chained  # a run of a job chain mails the chain's lists
    rate = run_failure_rate(run)
    alerted = rate is not None and rate.alerted
    quality = QualityReport.from_json(run.quality)
    return NotificationContext(
        job_name=run.job_name, connection_name=run.connection_name, status=run.status,
        started_at=_when(run.started_at), ended_at=_when(run.ended_at),
        success=run.success_count, failure=run.failure_count,
        top_reasons=top_reasons(run.id) if quality is None else [],  # the report groups them
        error_file=_error_path(run, runs_dir),
        recipients=recipients_for(run.status, success_list, failure_list, alerted=alerted),
        timezone=_job_zone(job), run_id=run.id, reason=run.reason,
        inserted=run.inserted_count, updated=run.updated_count,
        unchanged=run.unchanged_count, failure_rate=rate, quality=quality,
    )


def job_history(run: ExecutionRun, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Finished runs of the run's job up to and including `run`, newest first."""
    if run.job_id is None:
        return [HistoryEntry(run.status, _when(run.ended_at) or datetime.now(UTC))]
    query = (
        ExecutionRun.select(ExecutionRun.id, ExecutionRun.status, ExecutionRun.ended_at)
        .where((ExecutionRun.job == run.job_id) & (ExecutionRun.id <= run.id)
               & ExecutionRun.ended_at.is_null(False))
        .order_by(ExecutionRun.ended_at.desc(), ExecutionRun.id.desc())
        .limit(limit)
    )
    entries: list[HistoryEntry] = []
    for row in query:
        entries.append(HistoryEntry(row.status, _when(row.ended_at) or datetime.now(UTC)))
        # The streak ends at the first Success / Partial Success: older runs cannot matter.
        if row.status in NOTIFIED_STATUSES and row.status != RunStatus.FAILURE:
            break
    return entries


def last_digest_at(job_id: int) -> datetime | None:
    value = get_setting(DIGEST_KEY_PREFIX + str(job_id), None)
    return _when(int(value)) if isinstance(value, int) else None


def record_digest(job_id: int, at: datetime) -> None:
    set_setting(DIGEST_KEY_PREFIX + str(job_id), int(at.timestamp() * 1000))


def clear_digest(job_id: int) -> None:
    """Forget the digest time (after a success), so the setting table does not keep stale keys."""
    delete_setting(DIGEST_KEY_PREFIX + str(job_id))
