"""What a run tells the rest of the app: its start, its progress, and its outcome.

These values cross threads (worker -> GUI) and layers (engine -> runner -> views, CLI, mail), so
they are plain frozen data with no store access. A run *tree* is a job run with the runs of its
dependencies inside it; `run_tree` walks it in the order the runs happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pxdesk.core.logs.execution import RunCounts
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun
from pxdesk.core.sync.quality import QualityReport


@dataclass(frozen=True)
class RunStart:
    """A run row exists: every run of a tree is announced once, dependencies included.

    `status` is In Progress for a run that goes ahead, or the final status of one that ends
    as it starts (Skipped when its job is already running elsewhere)."""

    run_id: int
    job_name: str
    status: RunStatus


@dataclass(frozen=True)
class RunProgress:
    """Sent after each page."""

    run_id: int
    job_name: str
    pages: int
    records: int
    success: int
    failure: int
    total_hits: int | None
    rate_per_s: float
    elapsed_s: float


@dataclass
class RunResult:
    """What a run did, as its row holds it; `dependencies` are the runs that ran before it."""

    run_id: int
    job_name: str
    status: RunStatus
    reason: str | None = None
    counts: RunCounts = field(default_factory=RunCounts)
    window_from: int | None = None
    window_to: int | None = None
    error_file: str | None = None
    success_file: str | None = None
    notes: list[str] = field(default_factory=list)
    dependencies: list[RunResult] = field(default_factory=list)
    quality: QualityReport | None = None

    @classmethod
    def from_run(cls, run: ExecutionRun, *, filtered: int = 0, **extra: Any) -> RunResult:
        """The run as its row says (`filtered` is not kept in the row: the run passes it)."""
        counts = RunCounts(run.success_count, run.failure_count, run.inserted_count,
                           run.updated_count, run.unchanged_count, filtered, run.pages,
                           run.total_hits, run.retried_count, run.deleted_count)
        extra.setdefault("quality", QualityReport.from_json(run.quality))
        return cls(int(run.id), run.job_name, RunStatus(run.status), run.reason, counts,
                   run.window_from, run.window_to, run.error_file, run.success_file, **extra)


@dataclass(frozen=True)
class RunCrash:
    """Stands in for a RunResult when the run could not even be recorded (a busy or full
    store) or the code failed: no row tells its story, so the message does."""

    job_name: str
    message: str
    status: RunStatus = RunStatus.FAILURE


RunOutcome = RunResult | RunCrash


def run_tree(outcome: RunOutcome) -> Iterator[RunOutcome]:
    """Every outcome of a finished run tree in run order: dependencies (depth first), then it."""
    if isinstance(outcome, RunResult):
        for dep in outcome.dependencies:
            yield from run_tree(dep)
    yield outcome


def tree_run_ids(outcome: RunOutcome) -> list[int]:
    """Run ids of a finished run tree in run order (a crash has none)."""
    return [r.run_id for r in run_tree(outcome) if isinstance(r, RunResult)]
