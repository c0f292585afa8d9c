"""The execution log: one ExecutionRun row per run, its record errors and its PX requests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from peewee import fn

from pxdesk.core.px.client import RequestEvent
from pxdesk.core.store.base import database, now_ms
from pxdesk.core.store.models import ExecutionRun, Job, RequestLog, RunStatus
from pxdesk.core.store.rows import tuple_rows

INTERRUPTED_REASON = "interrupted (pxdesk stopped while the run was in progress)"
OPEN_STATUSES = (RunStatus.QUEUED, RunStatus.IN_PROGRESS)
ADVANCING_STATUSES = (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS)


def final_status(success: int, failure: int) -> RunStatus:
    """Success without failures (also for 0 records), Partial Success with some of each,
    Failure when every processed record failed."""
    if failure == 0:
        return RunStatus.SUCCESS
    if success == 0:
        return RunStatus.FAILURE
    return RunStatus.PARTIAL_SUCCESS


@dataclass
class RunCounts:
    """Counters of a run, kept by the engine and written to its row."""

    success: int = 0
    failure: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0  # read again (the window's lookback) with nothing to change; successes
    filtered: int = 0
    pages: int = 0
    total_hits: int | None = None
    retried: int = 0  # records that failed before, fetched again by id
    deleted: int = 0  # PX records a reconcile found gone

    @contextmanager
    def undone_on_error(self) -> Iterator[None]:
        """Wrap one write transaction: if it raises, nothing of it was committed, so the
        counters go back to what the store holds (a run counts only committed pages)."""
        saved = replace(self)
        try:
            yield
        except BaseException:
            vars(self).update(vars(saved))
            raise


class ExecutionLog:
    """Creates, updates and closes run rows; `clock` is injectable for tests."""

    def __init__(self, clock: Callable[[], int] = now_ms) -> None:
        self._clock = clock

    def create(
        self, job: Job, trigger: str, *, connection_name: str = "",
        status: RunStatus = RunStatus.QUEUED, reason: str | None = None,
        chain_name: str | None = None,
    ) -> ExecutionRun:
        """A new run row; `chain_name` names the job chain it runs in (its mail goes to the
        chain's recipients)."""
        now = self._clock()
        closed = status not in OPEN_STATUSES
        return ExecutionRun.create(
            job=job, job_name=job.name, connection_name=connection_name, trigger=trigger,
            status=status, queued_at=now, started_at=now if closed else None,
            ended_at=now if closed else None, reason=reason, chain_name=chain_name,
        )

    def start(self, run: ExecutionRun, window_from: int | None, window_to: int | None) -> None:
        run.status = RunStatus.IN_PROGRESS
        run.started_at = self._clock()
        run.window_from, run.window_to = window_from, window_to
        run.save()

    def progress(self, run: ExecutionRun, counts: RunCounts) -> None:
        """Persist counters mid-run so the Logs tab shows a live row."""
        self._apply(run, counts)
        run.save()

    def finish(
        self, run: ExecutionRun, status: RunStatus, counts: RunCounts | None = None,
        reason: str | None = None,
    ) -> None:
        if counts is not None:
            self._apply(run, counts)
        run.status = status
        run.reason = reason
        run.ended_at = self._clock()
        if run.started_at is None:
            run.started_at = run.ended_at
        run.save()

    @staticmethod
    def _apply(run: ExecutionRun, counts: RunCounts) -> None:
        run.success_count, run.failure_count = counts.success, counts.failure
        run.inserted_count, run.updated_count = counts.inserted, counts.updated
        run.unchanged_count = counts.unchanged
        run.retried_count, run.deleted_count = counts.retried, counts.deleted
        run.pages, run.total_hits = counts.pages, counts.total_hits

    def close_interrupted_runs(self, is_running: Callable[[str], bool] | None = None) -> int:
        """Close Queued / In Progress rows left by a process that died, as Failure.

        `is_running(job_name)` tells whether a live process still runs that job (its lock
        file is held); those rows stay open. The window is untouched: it only moves when a run
        ends with Success or Partial Success.
        """
        closed = 0
        for run in ExecutionRun.select().where(ExecutionRun.status.in_(list(OPEN_STATUSES))):
            if is_running is not None and is_running(run.job_name):
                continue
            self.finish(run, RunStatus.FAILURE, reason=INTERRUPTED_REASON)
            closed += 1
        return closed


def open_runs(job: Job) -> list[ExecutionRun]:
    return list(ExecutionRun.select().where(
        (ExecutionRun.job == job) & ExecutionRun.status.in_(list(OPEN_STATUSES))))


class RequestLogBuffer:
    """Collects PX request events from the fetch thread; the run thread flushes them in batches."""

    def __init__(self, run_id: int) -> None:
        self._run_id = run_id
        self._events: list[tuple[RequestEvent, int]] = []
        self._lock = threading.Lock()

    def __call__(self, event: RequestEvent) -> None:
        with self._lock:
            self._events.append((event, now_ms()))

    def flush(self) -> int:
        with self._lock:
            events, self._events = self._events, []
        if events:
            RequestLog.insert_many(
                [{"run": self._run_id, "method": e.method, "url": e.url, "status": e.status,
                  "elapsed_ms": int(e.elapsed_ms), "attempt": e.attempt, "at": at,
                  "error": e.error} for e, at in events]
            ).execute()
        return len(events)


def insert_record_errors(
    run_id: int, rows: Iterable[tuple[str | None, str | None, str | None, str, str | None]],
) -> None:
    """Bulk-insert (source_id, field, value, reason, source_record) rows of one page."""
    db = database()
    cursor = db.connection().cursor()
    cursor.executemany(
        'INSERT INTO "record_error" (run_id, source_id, field, value, reason, source_record) '
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(run_id, *row) for row in rows],
    )


# ---------------------------------------------------------------- scheduling helpers

NETWORK_FAILURE_PREFIX = "Cannot reach PX"  # PxClient's NetworkError text


def add_run_note(run_id: int, note: str) -> None:
    """Put `note` in front of a finished run's reason, once (e.g. why a scheduled run ran).

    Call it after the run has ended: the engine rewrites the reason when it closes the row.
    """
    run = ExecutionRun.get_or_none(ExecutionRun.id == run_id)
    if run is None or not note or note in (run.reason or ""):
        return
    reason = f"{note}; {run.reason}" if run.reason else note
    ExecutionRun.update(reason=reason).where(ExecutionRun.id == run_id).execute()


def last_run_times() -> dict[str, datetime]:
    """When each job last started a run (any trigger or status): missed runs count from here."""
    started = fn.MAX(fn.COALESCE(ExecutionRun.started_at, ExecutionRun.queued_at))
    rows = (ExecutionRun.select(Job.name, started.alias("at"))
            .join(Job, on=(ExecutionRun.job == Job.id))
            .group_by(Job.id))
    return {name: _aware(at) for name, at in tuple_rows(rows) if at is not None}


def last_chain_run_times() -> dict[str, datetime]:
    """When each job chain last started a run: its missed runs count from here."""
    started = fn.MAX(fn.COALESCE(ExecutionRun.started_at, ExecutionRun.queued_at))
    rows = (ExecutionRun.select(ExecutionRun.chain_name, started.alias("at"))
            .where(ExecutionRun.chain_name.is_null(False))
            .group_by(ExecutionRun.chain_name))
    return {name: _aware(at) for name, at in tuple_rows(rows) if at is not None}


def latest_closed_runs() -> Any:
    """A subquery: the id of each job's latest closed run (what the tray and alerts show)."""
    return (ExecutionRun.select(fn.MAX(ExecutionRun.id))
            .where(ExecutionRun.job.is_null(False)
                   & ExecutionRun.status.not_in(list(OPEN_STATUSES)))
            .group_by(ExecutionRun.job))


def last_results() -> dict[str, tuple[str, datetime]]:
    """Each job's latest closed run: (status, when it ended), for the tray's job lines."""
    rows = (ExecutionRun.select(Job.name, ExecutionRun.status, ExecutionRun.ended_at,
                                ExecutionRun.queued_at)
            .join(Job, on=(ExecutionRun.job == Job.id))
            .where(ExecutionRun.id.in_(latest_closed_runs())))
    return {name: (str(status), _aware(ended or queued))
            for name, status, ended, queued in tuple_rows(rows)}


def failed_for_network(run_id: int) -> bool:
    """A Failure because PX could not be reached (no HTTP answer): worth a retry later."""
    run = ExecutionRun.get_or_none(ExecutionRun.id == run_id)
    if run is None or run.status != RunStatus.FAILURE:
        return False
    if (run.reason or "").startswith(NETWORK_FAILURE_PREFIX):
        return True
    last = (RequestLog.select().where(RequestLog.run == run_id)
            .order_by(RequestLog.id.desc()).first())
    return last is not None and last.status is None and bool(last.error)


def _aware(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)
