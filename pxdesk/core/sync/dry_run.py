"""Dry run of a job: read PX and decide every record exactly as its next run would, writing
nothing (not the store, the window, the retry list, nor the execution or audit logs).

It takes the run's own path: the same plan, window, listing reader and page processor; only
the write target differs (sync/recording_target.py records instead of writing). Dependencies
do not run first: the prediction is for the store as it is now. One line goes to the app log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pxdesk.core.errors import CancelledError, PxdeskError
from pxdesk.core.logs.csv_export import write_csv
from pxdesk.core.logs.execution import RunCounts
from pxdesk.core.logs.run_files import safe_text, value_text
from pxdesk.core.px.client import PxClient, RequestEvent
from pxdesk.core.store.base import database
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.errors import failure_reason
from pxdesk.core.store.models import Job
from pxdesk.core.store.settings import retry_max_attempts, window_lookback_ms
from pxdesk.core.sync.dry_records import (
    KEEP_IN_MEMORY,
    OUTCOMES,
    WOULD_FAIL,
    WOULD_INSERT,
    WOULD_STAY,
    WOULD_UPDATE,
    DryRecord,
    DryRecords,
)
from pxdesk.core.sync.dry_state import HOT_ENTRIES
from pxdesk.core.sync.job_run import RunSettings, run_status
from pxdesk.core.sync.listing_reader import ListingReader
from pxdesk.core.sync.pipeline import PageProcessor
from pxdesk.core.sync.plan import JobPlan, run_blockers
from pxdesk.core.sync.quality import QualityReport, QualityTally
from pxdesk.core.sync.recording_target import RecordingTarget
from pxdesk.core.sync.results import RunProgress
from pxdesk.core.sync.tracking import JobMemory
from pxdesk.core.sync.window import plan_window
from pxdesk.core.sync.writer import INSERTED, UNCHANGED, UPDATED, PageResult

__all__ = ["OUTCOMES", "WOULD_FAIL", "WOULD_INSERT", "WOULD_STAY", "WOULD_UPDATE", "DryRecord",
           "DryRun", "DryRunResult", "write_dry_run_csv"]

_log = logging.getLogger("pxdesk.sync")

_OUTCOME_OF = {INSERTED: WOULD_INSERT, UPDATED: WOULD_UPDATE, UNCHANGED: WOULD_STAY}
CSV_HEADER = ("PX id", "Outcome", "Field", "Value", "Details")


@dataclass
class DryRunResult:
    """A dry run's prediction: every record's outcome, the run's counts and final status.
    `error` says why it could not finish (then the records are those decided before).
    The records may spill to a temporary file: `close()` it (or use `with`) when done."""

    job_name: str
    records: DryRecords = field(default_factory=DryRecords)
    counts: RunCounts = field(default_factory=RunCounts)
    status: RunStatus = RunStatus.SUCCESS
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    cancelled: bool = False
    quality: QualityReport | None = None  # the run's quality report, as the run would keep it

    def totals(self) -> dict[str, int]:
        """Records per outcome, every outcome present."""
        return self.records.totals()

    def close(self) -> None:
        """Delete the records' temporary file, if they needed one."""
        self.records.close()

    def __enter__(self) -> DryRunResult:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def summary_dict(self) -> dict[str, Any]:
        """Everything but the records (`to_dict` adds them; a CLI streams them)."""
        c = self.counts
        return {"job_name": self.job_name, "dry_run": True, "status": str(self.status),
                "error": self.error, "cancelled": self.cancelled, "notes": self.notes,
                "totals": self.totals(), "filtered": c.filtered, "total_hits": c.total_hits,
                "retried": c.retried,
                "quality": asdict(self.quality) if self.quality is not None else None}

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary_dict(), "records": [r.to_dict() for r in self.records]}


def write_dry_run_csv(records: Iterable[DryRecord], target: Path | TextIO, *,
                      bom: bool = False) -> int:
    """Records' predicted outcomes as formula-safe CSV (the logs export's writer)."""
    return write_csv(target, CSV_HEADER, (record.csv_row() for record in records), bom=bom)


def _ignore_request(_event: RequestEvent) -> None:
    """A dry run keeps no request log: the store stays as it was."""


class DryRun:
    """One dry run of one job, on the calling thread (its own database connection)."""

    def __init__(self, settings: RunSettings, job: Job,
                 progress: Callable[[RunProgress], None] | None = None,
                 cancel: Callable[[], bool] | None = None, *,
                 keep: int = KEEP_IN_MEMORY, hot_rows: int = HOT_ENTRIES) -> None:
        self.settings, self.job = settings, job
        self.progress, self.cancel = progress, cancel
        self.result = DryRunResult(job.name, DryRecords(keep))
        self.db = database()
        self._target = RecordingTarget(hot_rows)
        self._retry_failed = 0
        self._quality = QualityTally()
        self._started = time.perf_counter()

    def execute(self) -> DryRunResult:
        result = self.result
        client: PxClient | None = None
        try:
            blockers = run_blockers(self.job)
            if blockers:
                result.error = "; ".join(blockers)
                result.status = RunStatus.FAILURE
                return result
            client = self.settings.make_client(_ignore_request)
            self._read(client)
        except CancelledError:
            result.cancelled, result.status = True, RunStatus.CANCELLED
        except PxdeskError as exc:
            result.error, result.status = str(exc), RunStatus.FAILURE
        except Exception as exc:  # a bug or a store failure: one line, never a traceback
            _log.exception("dry run of %s failed", self.job.name)
            result.error = failure_reason(exc, self.db.database)
            result.status = RunStatus.FAILURE
        finally:
            if client is not None:
                client.close()
            self._target.close()
            result.records.finish()
        totals = result.totals()
        _log.info("dry run of %s: %s; %s", self.job.name, result.status,
                  ", ".join(f"{n} {o.lower()}" for o, n in totals.items()))
        return result

    def _read(self, client: PxClient) -> None:
        settings, result = self.settings, self.result
        plan = JobPlan.load(self.db, self.job, multi_instance=settings.multi_instance)
        window = plan_window(self.job.window_end, settings.clock(), None,
                             lookback_ms=window_lookback_ms())
        processor = PageProcessor(self.db, plan, self.job.name, settings.clock,
                                  window.matcher(), self._target)
        memory = JobMemory(self.db, self.job, 0, plan.objects, settings.clock, self.job.name)
        due = set(memory.due_retries(retry_max_attempts()))
        reader = ListingReader(client, plan, window, settings.page_size, self.cancel,
                               notes=result.notes)
        for page in reader.pages():
            due.difference_update(str(r.get(plan.id_path)) for r in page.records
                                  if type(r) is dict)
            self._page(processor, page.records, retry=False)
            result.counts.pages += 1
            result.counts.total_hits = page.total_hits
        for batch in self._fetch_again(client, plan, sorted(due)):
            self._page(processor, batch, retry=True)
        result.counts.filtered = processor.filtered
        result.status = run_status(result.counts, self._retry_failed)
        listing = reader.listing
        result.quality = self._quality.report(plan, listing, removed_by=processor.removed_by,
                                              outside_window=processor.outside_window)
        if listing is not None and (not listing.complete or listing.shortfall):
            result.notes.insert(0, f"PX announced {listing.total_hits or 0:,} {listing.kind}, "
                                   f"received {listing.received:,}")
            if result.status == RunStatus.SUCCESS:
                result.status = RunStatus.PARTIAL_SUCCESS

    def _fetch_again(self, client: PxClient, plan: JobPlan,
                     ids: Sequence[str]) -> Iterator[list[Any]]:
        """The records on the retry list the listing did not bring, fetched by id as the run
        would (those PX no longer has are skipped, as the run skips them)."""
        batch: list[Any] = []
        for source_id in ids:
            if self.cancel is not None and self.cancel():
                raise CancelledError("Dry run cancelled")
            record = client.find(plan.listing, source_id)
            if record is None:
                continue
            batch.append(record)
            if len(batch) >= self.settings.page_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _page(self, processor: PageProcessor, records: Sequence[Any], *, retry: bool) -> None:
        page = processor.process(records, windowed=not retry)
        self._record(page)
        self._quality.add(page.failures)
        c = self.result.counts
        c.success += len(page.successes)
        c.failure += len(page.failures)
        c.inserted, c.updated = c.inserted + page.inserted, c.updated + page.updated
        c.unchanged += page.unchanged
        if retry:
            c.retried += len(records)
            self._retry_failed += len(page.failures)
        if self.progress is not None:
            elapsed = time.perf_counter() - self._started
            done = c.success + c.failure + processor.filtered
            self.progress(RunProgress(0, self.job.name, c.pages, done, c.success, c.failure,
                                      c.total_hits, done / elapsed if elapsed else 0.0, elapsed))

    def _record(self, page: PageResult) -> None:
        persons = {sid: person for sid, _obj, _gsid, person, _record in page.links}
        take, append = self._target.take_changes, self.result.records.append
        for source_id, gsid, action in page.successes:
            changes = take(gsid)
            person = persons.get(str(source_id)) if source_id is not None else None
            if person is not None and person != gsid:
                changes = take(person) + changes
            append(DryRecord(_text(source_id), _OUTCOME_OF[action], tuple(changes)))
        for failure in page.failures:
            append(DryRecord(_text(failure.row.source_id), WOULD_FAIL,
                                     field=failure.field, value=value_text(failure.value),
                                     reason=safe_text(failure.reason)))


def _text(source_id: Any) -> str | None:
    return None if source_id is None else safe_text(str(source_id))
