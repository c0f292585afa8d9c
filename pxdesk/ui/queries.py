"""Read queries for the Connectors tab: job rows with last run and schedule, the connection card.

Writes go through the core services (ConnectionService, JobService, settings); this module only
gathers what the tables display, in the desktop's wording, so widgets never build queries.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pxdesk.core.config.chain_service import chain_of_job
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.logs.execution import OPEN_STATUSES
from pxdesk.core.logs.request_budget import budget_text
from pxdesk.core.notify.alert import FailureRate, run_failure_rate
from pxdesk.core.schedule.rules import describe, next_runs
from pxdesk.core.store.base import now_ms
from pxdesk.core.store.enums import JobKind, ModificationType, Region, RunStatus
from pxdesk.core.store.leases import lease_stamp
from pxdesk.core.store.models import ExecutionRun, Job, JobDependency, Schedule
from pxdesk.core.sync.plan import run_blockers
from pxdesk.core.sync.results import RunStart
from pxdesk.core.sync.run_lease import JobLeases, running_text


@dataclass(frozen=True)
class JobRow:
    """One line of the jobs table."""

    name: str
    kind: str
    source_target: str
    modification_type: str
    last_status: str
    last_run_at: int | None  # epoch ms
    success: int | None
    failure: int | None
    schedule: str
    next_run: datetime | None
    failure_rate: FailureRate | None = None  # the last run's, against the failure alert
    blocker: Blocker | None = None  # why it cannot run as saved
    running: str | None = None  # "Running on HOST (pid N) since ..." while a run holds it

    @property
    def alerted(self) -> bool:
        return self.failure_rate is not None and self.failure_rate.alerted


@dataclass(frozen=True)
class Blocker:
    """Why a job cannot run (run_blockers' rule) and which job's wizard fixes it: its own, or
    the dependency that would fail first and leave it Skipped."""

    needs: str  # short, for the row: "needs an upsert key"
    reasons: tuple[str, ...]  # run_blockers' full sentences, for the tooltip
    fix_job: str

    def text(self, job_name: str) -> str:
        """The row's status: "Needs an upsert key — Set it…" or "Waits for X — Set it…"."""
        if self.fix_job == job_name:
            return f"{self.needs[0].upper()}{self.needs[1:]} — Set it…"
        return f"Waits for {self.fix_job} — Set it…"

    def tooltip(self, job_name: str) -> str:
        reasons = "\n".join(self.reasons)
        if self.fix_job == job_name:
            return reasons
        return f"{self.fix_job} runs first and cannot run: {self.needs}.\n{reasons}"


def _needs(job: Job) -> str:
    return ("needs an upsert key" if job.kind == JobKind.COMPANY
            else "needs the Person Resolution Key mapped")


def job_blocker(job: Job) -> Blocker | None:
    """The job's own blockers first, else those of the first dependency that has some."""
    for candidate in [job, *(d.depends_on for d in JobDependency.select()
                             .where(JobDependency.job == job)
                             .order_by(JobDependency.position))]:
        reasons = run_blockers(candidate)
        if reasons:
            return Blocker(_needs(candidate), tuple(reasons), candidate.name)
    return None


def blocker_of(job_name: str) -> Blocker | None:
    """job_blocker of the job named so, read now (None for a job that does not exist)."""
    job = Job.get_or_none(Job.name == job_name)
    return None if job is None else job_blocker(job)


def _schedule_text(schedule: Schedule | None, job: Job) -> tuple[str, datetime | None]:
    """describe() and the next run, through schedule.rules and the job's configuration; a
    job in an enabled job chain runs on the chain's schedule, and says so."""
    if (chain := chain_of_job(job.id)) is not None:
        runs = next_runs(chain, datetime.now().astimezone(), count=1)
        return f"Scheduled by chain {chain.name}", (runs[0] if runs else None)
    if schedule is None:
        return "Not scheduled", None
    if not schedule.enabled:
        return "Disabled", None
    config = load_job_config(job)
    runs = next_runs(config.schedule, datetime.now().astimezone(), count=1)
    return describe(config.schedule), (runs[0] if runs else None)


def job_rows() -> list[JobRow]:
    """Every job of the connection with its latest run, in a stable order."""
    rows: list[JobRow] = []
    held = JobLeases().held_elsewhere()
    for job in Job.select().order_by(Job.kind):
        last = (ExecutionRun.select().where(ExecutionRun.job == job)
                .order_by(ExecutionRun.queued_at.desc(), ExecutionRun.id.desc()).first())
        schedule = Schedule.get_or_none(Schedule.job == job)
        text, next_run = _schedule_text(schedule, job)
        rows.append(JobRow(
            name=job.name, kind=job.kind, source_target=JobKind(job.kind).flow,
            modification_type=ModificationType.label_of(job.modification_type),
            last_status=last.status if last else "Never run",
            last_run_at=(last.started_at or last.queued_at) if last else None,
            success=last.success_count if last else None,
            failure=last.failure_count if last else None,
            schedule=text, next_run=next_run,
            failure_rate=run_failure_rate(last) if last else None,
            blocker=job_blocker(job),
            running=running_text(held[job.name]) if job.name in held else None,
        ))
    return rows


def store_stamp() -> tuple[int, int, int]:
    """(newest run id, lease rows, newest heartbeat): changes when any process on the store
    starts or logs a run, or another process takes, renews or releases a lease. Two index
    lookups."""
    row = ExecutionRun.select(ExecutionRun.id).order_by(ExecutionRun.id.desc()).first()
    this_process = (socket.gethostname(), os.getpid())
    return (int(row.id) if row is not None else 0, *lease_stamp(besides=this_process))


def open_run_ids() -> set[int]:
    """Runs Queued or In Progress now (a scan of the log: once, when a watch starts)."""
    query = ExecutionRun.select(ExecutionRun.id).where(
        ExecutionRun.status.in_(list(OPEN_STATUSES)))
    return {int(r.id) for r in query}


def runs_to_show(after_id: int, open_ids: set[int]) -> list[RunStart]:
    """Runs newer than `after_id` or open at the last look (`open_ids`): what the execution
    log re-reads when another process moved on. Primary-key lookups only: a run is open
    from its creation, so it is new or already in `open_ids`."""
    columns = (ExecutionRun.id, ExecutionRun.job_name, ExecutionRun.status)
    # Two queries: with OR, SQLite scans the whole log in id order instead.
    rows = [*ExecutionRun.select(*columns).where(ExecutionRun.id.in_(sorted(open_ids))),
            *ExecutionRun.select(*columns).where(ExecutionRun.id > after_id)]
    found = {int(r.id): RunStart(int(r.id), r.job_name, RunStatus(r.status)) for r in rows}
    return [found[run_id] for run_id in sorted(found)]


def connection_card(conn: Any) -> dict[str, str]:
    """Label -> text of the PX connection card (the key is only ever shown masked)."""
    where = conn.base_url or Region.label_of(conn.region or "", "?")
    if conn.last_test_at is None:
        tested = "Not tested yet"
    else:
        when = datetime.fromtimestamp(conn.last_test_at / 1000).strftime("%Y-%m-%d %H:%M")
        verdict = "OK" if conn.last_test_ok else "Failed"
        detail = f": {conn.last_test_message}" if conn.last_test_message else ""
        tested = f"{verdict} on {when}{detail}"
    return {
        "Name": conn.name,
        "Region / base URL": where,
        "Multi Instance": "Yes" if conn.multi_instance else "No",
        "API key": conn.key_hint or "****",
        "Last test": tested,
        "PX requests today (UTC)": budget_text(conn.name, now_ms()),
    }
