"""The invalid-row alert: a run whose failed share of its records is above its job's threshold.

One rule for every place that shows it (the mail, the tray, the jobs table, the run details and
`pxdesk-cli run`), so they never disagree. The share counts the processed records (succeeded +
failed): a run that processed none is no alert, whatever went wrong before its records.
"""

from __future__ import annotations

from dataclasses import dataclass

from pxdesk.core.logs.execution import OPEN_STATUSES, latest_closed_runs
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.store.rows import tuple_rows

_MAX_DECIMALS = 4


def percent_text(value: float, *, above: float | None = None) -> str:
    """`value` with as few decimals as it needs ("12.5", "5", "0.25"); with `above`, enough
    decimals that a value above it never reads as equal to it (5.004 above 5 is "5.004")."""
    text = ""
    for decimals in range(1, _MAX_DECIMALS + 1):
        text = f"{value:.{decimals}f}"
        if above is None or float(text) > above:
            break
    return text.rstrip("0").rstrip(".")


@dataclass(frozen=True)
class FailureRate:
    """A run's failed records against its job's threshold (a percentage of processed records)."""

    success: int
    failure: int
    threshold: float

    @property
    def processed(self) -> int:
        return self.success + self.failure

    @property
    def percent(self) -> float | None:
        """The failed share in percent; None when the run processed no record."""
        return None if self.processed == 0 else 100 * self.failure / self.processed

    @property
    def alerted(self) -> bool:
        """More than the threshold failed (exactly the threshold is no alert)."""
        percent = self.percent
        return percent is not None and percent > self.threshold

    def _shown(self) -> str:
        percent = self.percent
        if percent is None:
            return "0"
        return percent_text(percent, above=self.threshold if self.alerted else None)

    def summary(self) -> str:
        """e.g. "12.5% of records failed (alert above 5%)"."""
        return (f"{self._shown()}% of records failed "
                f"(alert above {percent_text(self.threshold)}%)")

    def short(self) -> str:
        """e.g. "12.5% failed", for a table cell."""
        return f"{self._shown()}% failed"


def job_threshold(job_id: int | None) -> float | None:
    """The job's alert threshold now; None when the job is gone (its runs stay in the log)."""
    if job_id is None:
        return None
    job = Job.get_or_none(Job.id == job_id)
    return None if job is None else float(job.alert_failure_percent)


def run_failure_rate(run: ExecutionRun) -> FailureRate | None:
    """The rate of a closed run against its job's threshold; None while the run is open (its
    counts still move) or when its job is gone."""
    if run.status in OPEN_STATUSES:
        return None
    threshold = job_threshold(run.job_id)
    if threshold is None:
        return None
    return FailureRate(int(run.success_count), int(run.failure_count), threshold)


def failure_rate_of(run_id: int) -> FailureRate | None:
    """`run_failure_rate` of the run `run_id` (None when there is no such run)."""
    run = ExecutionRun.get_or_none(ExecutionRun.id == run_id)
    return None if run is None else run_failure_rate(run)


def last_run_rates() -> dict[str, FailureRate]:
    """Each job's latest closed run (as `logs.execution.last_results` picks it) against the
    job's threshold, by job name: the tray's job lines and icon."""
    rows = (ExecutionRun.select(Job.name, ExecutionRun.success_count, ExecutionRun.failure_count,
                                Job.alert_failure_percent)
            .join(Job, on=(ExecutionRun.job == Job.id))
            .where(ExecutionRun.id.in_(latest_closed_runs())))
    return {str(name): FailureRate(int(success), int(failure), float(threshold))
            for name, success, failure, threshold in tuple_rows(rows)}
