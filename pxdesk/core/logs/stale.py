"""The stale-data rule: a job with no successful run for N hours, or a run longer than M minutes.

One rule for every place that shows it (the tray notice, the jobs table, the mail, the CLI), so
they never disagree. Pure over the store and the `now` it is given: tests move a clock, the
app calls it off the GUI thread once a minute and after each run (core/schedule/stale_watch.py).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from peewee import fn

from pxdesk.core.logs.execution import ADVANCING_STATUSES
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.store.rows import tuple_rows

HOUR_MS = 3_600_000
MINUTE_MS = 60_000
# A Skipped row (a fire while the run is still going) took no time: it neither makes nor
# clears a long-run alert, so the run that is really going keeps its own.
_TIMED_STATUSES = (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS, RunStatus.FAILURE,
                   RunStatus.CANCELLED)


class StaleKind(StrEnum):
    NO_SUCCESS = "no_success"
    LONG_RUN = "long_run"


def _hours(ms: int) -> str:
    hours = ms / HOUR_MS
    return f"{hours:.0f} hours" if hours >= 10 else f"{hours:.1f} hours".replace(".0 ", " ")


def _minutes(ms: int) -> str:
    return f"{ms // MINUTE_MS} minutes"


@dataclass(frozen=True)
class StaleAlert:
    """One alert of one job. `elapsed_ms`: since the last successful run (or since the job was
    created, when it never had one) for NO_SUCCESS; the run's duration so far for LONG_RUN."""

    job_id: int
    job_name: str
    kind: StaleKind
    limit: int  # hours (NO_SUCCESS) or minutes (LONG_RUN), as the admin set it
    elapsed_ms: int
    run_id: int | None = None  # LONG_RUN: the run that is or was too long
    running: bool = False  # LONG_RUN: the run is still going
    never_succeeded: bool = False  # NO_SUCCESS: no successful run at all yet

    def summary(self) -> str:
        """e.g. "no successful run for 26 hours (warn after 24 hours)"."""
        if self.kind is StaleKind.NO_SUCCESS:
            what = ("no successful run yet, in " if self.never_succeeded
                    else "no successful run for ")
            return f"{what}{_hours(self.elapsed_ms)} (warn after {self.limit} hours)"
        verb = "has been running for" if self.running else "took"
        return (f"run {self.run_id} {verb} {_minutes(self.elapsed_ms)} "
                f"(warn above {self.limit} minutes)")


def _last_successes(job_ids: list[int]) -> dict[int, int]:
    ended = fn.MAX(ExecutionRun.ended_at)
    rows = (ExecutionRun.select(ExecutionRun.job, ended.alias("at"))
            .where(ExecutionRun.job.in_(job_ids)
                   & ExecutionRun.status.in_(list(ADVANCING_STATUSES)))
            .group_by(ExecutionRun.job))
    return {int(job_id): int(at) for job_id, at in tuple_rows(rows) if at is not None}


def _no_success(job: Job, last_success: int | None, now_ms: int) -> StaleAlert | None:
    since = last_success if last_success is not None else int(job.created_at)
    elapsed = now_ms - since
    if elapsed <= job.stale_after_hours * HOUR_MS:
        return None
    return StaleAlert(job.id, job.name, StaleKind.NO_SUCCESS, int(job.stale_after_hours),
                      elapsed, never_succeeded=last_success is None)


def _long_run(job: Job, now_ms: int) -> StaleAlert | None:
    """The run going now (the oldest started one), else the job's latest timed run."""
    limit_ms = job.long_run_minutes * MINUTE_MS
    runs = ExecutionRun.select().where((ExecutionRun.job == job)
                                       & ExecutionRun.started_at.is_null(False))
    going = (runs.where(ExecutionRun.status == RunStatus.IN_PROGRESS)
             .order_by(ExecutionRun.started_at).first())
    if going is not None:
        elapsed, run, running = now_ms - int(going.started_at), going, True
    else:
        run = (runs.where(ExecutionRun.status.in_(list(_TIMED_STATUSES))
                          & ExecutionRun.ended_at.is_null(False))
               .order_by(ExecutionRun.id.desc()).first())
        if run is None:
            return None
        elapsed, running = int(run.ended_at) - int(run.started_at), False
    if elapsed <= limit_ms:
        return None
    return StaleAlert(job.id, job.name, StaleKind.LONG_RUN, int(job.long_run_minutes),
                      elapsed, run_id=int(run.id), running=running)


def stale_alerts(now_ms: int) -> list[StaleAlert]:
    """Every stale-data alert at `now_ms` (epoch ms), jobs in kind order; a limit of 0 is off.

    "Successful" is Success or Partial Success: both moved the job's window, so data flowed.
    """
    jobs = list(Job.select().where((Job.stale_after_hours > 0) | (Job.long_run_minutes > 0))
                .order_by(Job.kind, Job.name))
    successes = _last_successes([job.id for job in jobs])
    alerts: list[StaleAlert] = []
    for job in jobs:
        found = (_no_success(job, successes.get(job.id), now_ms) if job.stale_after_hours > 0
                 else None, _long_run(job, now_ms) if job.long_run_minutes > 0 else None)
        alerts.extend(alert for alert in found if alert is not None)
    return alerts


SUGGESTION_SLOTS = 200  # slots sampled: covers a weekend gap of an hourly weekday schedule
FALLBACK_HOURS = 48  # no slots to measure (an invalid schedule): two days


def suggested_stale_hours(slots: Sequence[datetime]) -> int:
    """What the Schedule page offers for "no successful run for N hours": twice the longest
    gap between the schedule's next `slots` (one missed or failed run is news for the failure
    mail, the second one means the data is going stale), in whole hours, at least 2."""
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    if not gaps:
        return FALLBACK_HOURS
    return max(2, math.ceil(2 * max(gaps).total_seconds() / 3600))
