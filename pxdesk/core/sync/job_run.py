"""JobRun: one run of one job — blockers, window, paging with fallbacks, pages, the run row."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pxdesk.core.adoption.snapshots import write_snapshot
from pxdesk.core.errors import CancelledError, LeaseLostError, PxdeskError, PxError
from pxdesk.core.logs.execution import (
    ADVANCING_STATUSES,
    ExecutionLog,
    RequestLogBuffer,
    RunCounts,
    final_status,
    insert_record_errors,
)
from pxdesk.core.logs.run_files import ErrorSampler, RunFiles, safe_text, value_text
from pxdesk.core.px.client import PxClient, RequestEvent
from pxdesk.core.px.paging import Listing
from pxdesk.core.store.base import database
from pxdesk.core.store.db import bulk_writes, transaction_open
from pxdesk.core.store.enums import JobKind, RunStatus
from pxdesk.core.store.errors import failure_reason
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.store.settings import retry_max_attempts, window_lookback_ms
from pxdesk.core.sync.deferred_indexes import IndexDeferral, restore_indexes
from pxdesk.core.sync.gc_pause import RelaxedGc
from pxdesk.core.sync.listing_reader import ListingReader
from pxdesk.core.sync.pipeline import PageProcessor
from pxdesk.core.sync.plan import JobPlan, run_blockers
from pxdesk.core.sync.quality import QualityTally
from pxdesk.core.sync.results import RunProgress, RunResult
from pxdesk.core.sync.run_lease import Lease
from pxdesk.core.sync.tracking import JobMemory
from pxdesk.core.sync.window import plan_window
from pxdesk.core.sync.writer import PageResult

LEASE_LOST_REASON = ("stopped: another pxdesk took this job's lease (this run could not renew it "
                     "in time and was thought gone); what was written stays and the next run "
                     "starts from the same window")

_log = logging.getLogger("pxdesk.sync")
# A write transaction takes the next page too while that page is already fetched, up to these
# bounds: fewer commits (each one writes every index page it touched) without ever holding the
# write lock while waiting for PX, nor for long.
BATCH_RECORDS = 5000
BATCH_SECONDS = 1.0

ErrorRow = tuple[str | None, str | None, str | None, str, str | None]


@dataclass(frozen=True)
class RunSettings:
    """What a run needs from the engine that started it, and nothing else."""

    runs_dir: Path
    page_size: int
    clock: Callable[[], int]
    multi_instance: bool
    make_client: Callable[[Callable[[RequestEvent], None]], PxClient]
    log: ExecutionLog


@dataclass
class _Batch:
    """What the pages of the open transaction produced, for the files once it commits."""

    successes: list[tuple[str | None, str, str]] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    records: int = 0


@dataclass
class _RetryPage:
    """Records that failed before, fetched again by id (not a page of the listing)."""

    records: list[Any]
    total_hits: int | None


def run_status(counts: RunCounts, retry_failed: int) -> RunStatus:
    """The listing's records decide; failed records fetched again and failing still make
    it Partial Success at worst, never a Failure that would hold the window."""
    retry_ok = counts.retried - retry_failed
    status = final_status(counts.success - retry_ok, counts.failure - retry_failed)
    if status == RunStatus.SUCCESS and retry_failed:
        return RunStatus.PARTIAL_SUCCESS
    return status


class JobRun:
    """Executes one ExecutionRun row that the engine created (Queued)."""

    def __init__(self, settings: RunSettings, job: Job, run: ExecutionRun,
                 date_range: tuple[int, int] | None,
                 progress: Callable[[RunProgress], None] | None,
                 cancel: Callable[[], bool] | None, *, reconcile: bool = False,
                 lease: Lease | None = None) -> None:
        self.settings, self.job, self.run = settings, job, run
        self.lease = lease
        self.reconcile_asked = reconcile
        self.date_range, self.progress, self.cancel = date_range, progress, cancel
        self.counts = RunCounts()
        self.notes: list[str] = []
        self.db = database()
        self._started = time.perf_counter()
        self._records = 0
        self._reader: ListingReader | None = None
        self._by_id = False
        self.memory: JobMemory | None = None
        self._retry_due: set[str] = set()  # failed before, not (yet) seen in this listing
        self._retried: set[str] = set()
        self._retry_gone: list[str] = []
        self._retry_failed = 0
        self._errors = ErrorSampler()
        self._quality = QualityTally()
        self._processor: PageProcessor | None = None

    def execute(self) -> RunResult:
        settings, run = self.settings, self.run
        log = settings.log
        files: RunFiles | None = None
        client: PxClient | None = None
        requests = RequestLogBuffer(run.id)
        try:
            blockers = run_blockers(self.job)
            if blockers:
                log.finish(run, RunStatus.FAILURE, reason="; ".join(blockers))
                return RunResult.from_run(run)
            plan = JobPlan.load(self.db, self.job, multi_instance=settings.multi_instance)
            window = plan_window(self.job.window_end, settings.clock(), self.date_range,
                                 lookback_ms=window_lookback_ms())
            log.start(run, window.start, window.end)
            restore_indexes(self.db, plan.objects)  # left out by a killed run of this job
            files = RunFiles(settings.runs_dir, run.id).open()
            run.error_file, run.success_file = str(files.error_path), str(files.success_path)
            client = settings.make_client(requests)
            processor = PageProcessor(self.db, plan, self.job.name, settings.clock,
                                      window.matcher())
            self._processor = processor
            self.memory = JobMemory(self.db, self.job, run.id, plan.objects, settings.clock,
                                    self.job.name)
            self._retry_due = set(self.memory.due_retries(retry_max_attempts()))
            deferral = IndexDeferral(self.db, plan.objects, plan.read_fields)
            with bulk_writes(self.db), RelaxedGc():
                try:
                    self._reader = ListingReader(client, plan, window, settings.page_size,
                                                 self.cancel, notes=self.notes)
                    self._write_pages(processor, deferral, self._reader.pages(), files,
                                      requests)
                    if self._retry_due:
                        self._write_pages(processor, deferral, self._retry_pages(client, plan),
                                          files, requests)
                finally:
                    deferral.restore()
            self.counts.filtered = processor.filtered
            status = self._status()
            shortfall = self._shortfall()
            self.notes += self._listing_notes() + self._retry_notes()
            missed = self._reconcile(client, plan) if self._reconcile_due() else None
            if plan.kind == JobKind.COMPANY_PERSON:  # adoption history, from the first run on
                write_snapshot(self.db, settings.clock())
            if missed is not None:  # said loudly; the sync itself was exact, its window moves
                self.notes.insert(0, missed)
            if shortfall is not None:  # first, so a shortened tray message still says it
                self.notes.insert(0, shortfall)
            elif status in ADVANCING_STATUSES and window.advances:
                Job.update(window_end=window.end).where(Job.id == self.job.id).execute()
            if (shortfall or missed) and status == RunStatus.SUCCESS:
                status = RunStatus.PARTIAL_SUCCESS
            self._keep_quality()
            log.finish(run, status, self.counts, reason="; ".join(self.notes) or None)
        except CancelledError:
            self._keep_quality()
            log.finish(run, RunStatus.CANCELLED, self.counts, reason="cancelled by the admin")
        except PxdeskError as exc:
            self._keep_quality()
            log.finish(run, RunStatus.FAILURE, self.counts,
                       reason=self._reason_with_progress(exc))
        except Exception as exc:  # a store failure or a bug must still close the row
            _log.exception("run %s of %s failed", run.id, self.job.name)
            log.finish(run, RunStatus.FAILURE, self.counts,
                       reason=failure_reason(exc, self.db.database))
        finally:
            if files is not None:
                files.close()
            if client is not None:
                client.close()
            requests.flush()
        return RunResult.from_run(run, filtered=self.counts.filtered, notes=self.notes)

    def _retry_pages(self, client: PxClient, plan: JobPlan) -> Iterator[_RetryPage]:
        """The records that failed before and the listing did not bring, fetched by id: a
        Company Person whose company arrived since goes through without PX changing it."""
        self._by_id = True  # a fetch by id is never taken inside a write transaction
        batch: list[Any] = []
        listing = self._listing
        total = listing.total_hits if listing is not None else None
        for source_id in sorted(self._retry_due):
            if self.cancel is not None and self.cancel():
                raise CancelledError("Run cancelled")
            record = client.find(plan.listing, source_id)
            if record is None:
                self._retry_gone.append(source_id)
                continue
            self._retried.add(source_id)
            batch.append(record)
            if len(batch) >= self.settings.page_size:
                yield _RetryPage(batch, total)
                batch = []
        if batch:
            yield _RetryPage(batch, total)
        if self._retry_gone and self.memory is not None:
            with self.db.atomic():
                self.memory.forget(self._retry_gone)

    def _keep_quality(self) -> None:
        """The quality report goes on the run row with its closing save."""
        processor = self._processor
        if processor is not None:
            self.run.quality = self._quality.report(
                processor.plan, self._listing, removed_by=processor.removed_by,
                outside_window=processor.outside_window).to_json()

    def _status(self) -> RunStatus:
        return run_status(self.counts, self._retry_failed)

    def _retry_notes(self) -> list[str]:
        notes = []
        if self._retried:
            failed = self._retry_failed
            notes.append(f"fetched again {len(self._retried):,} records that failed before: "
                         f"{len(self._retried) - failed:,} went through, {failed:,} still "
                         "failing")
        if self._retry_gone:
            notes.append(f"{len(self._retry_gone):,} records that failed before are no longer "
                         "in PX: not retried again")
        return notes

    def _reconcile_due(self) -> bool:
        """On demand, or when the job's interval has passed since its last reconcile (the
        first one comes an interval after the first run); never in an Import From Date."""
        if self.date_range is not None or (self.cancel is not None and self.cancel()):
            return False
        if self.reconcile_asked:
            return True
        days, last = self.job.reconcile_days, self.job.reconciled_at
        if last is None:
            Job.update(reconciled_at=self.settings.clock()).where(
                Job.id == self.job.id).execute()
            return False
        return days > 0 and self.settings.clock() - last >= days * 86_400_000

    def _reconcile(self, client: PxClient, plan: JobPlan) -> str | None:
        """List every id PX has (no window, no filter) and mark or delete the rows whose PX
        records are gone. An incomplete listing changes nothing: what it missed is returned."""
        listing = client.list(plan.listing, page_size=self.settings.page_size,
                              cancel=self.cancel)
        try:
            for _page in listing:
                if self.cancel is not None and self.cancel():
                    raise CancelledError("Run cancelled")
        except PxError as exc:  # the sync before it stands; the next run checks again
            return f"could not check for records deleted in PX: {exc}; nothing was marked deleted"
        if not listing.complete or listing.shortfall:
            return (f"could not check for records deleted in PX: it announced "
                    f"{listing.total_hits or 0:,} {listing.kind}, the check received "
                    f"{listing.received:,}; nothing was marked deleted")
        assert self.memory is not None
        gone = self.memory.gone_links(listing.has)
        with self.db.atomic():
            outcome = self.memory.reconcile(gone, self.job.deletion_policy)
            Job.update(reconciled_at=self.settings.clock()).where(
                Job.id == self.job.id).execute()
        self.counts.deleted = outcome.gone
        if outcome.gone:
            done = [f"{outcome.marked:,} marked deleted in PX"] if outcome.marked else []
            if outcome.deleted:
                done.insert(0, f"{outcome.deleted:,} rows deleted")
            if outcome.kept_referenced:
                done.append("kept because other records point to them")
            self.notes.append(f"{outcome.gone:,} {listing.kind} are no longer in PX: "
                              + ", ".join(done or ["their rows were already gone"]))
        return None

    def _shortfall(self) -> str | None:
        """What the listing missed, or None when it was exact."""
        listing = self._listing
        if listing is None or (listing.complete and not listing.shortfall):
            return None
        return (f"PX announced {listing.total_hits:,} {listing.kind}, received "
                f"{listing.received:,}: {listing.shortfall:,} missing, so the window did not "
                "move and the next run reads them again")

    def _listing_notes(self) -> list[str]:
        """What the listing told the admin (its restarts)."""
        return [] if self._listing is None else self._listing.notes

    def _reason_with_progress(self, exc: PxdeskError) -> str:
        """The error, with what the listing had received when it stopped."""
        parts, listing = [str(exc), *self._listing_notes()], self._listing
        if listing is not None and not listing.complete and listing.total_hits is not None \
                and listing.progress not in parts[0]:
            parts.append(listing.progress)
        return "; ".join(parts)

    def _next_ready(self) -> bool:
        return self._reader is not None and not self._by_id and self._reader.ready()

    @property
    def _listing(self) -> Listing | None:
        return self._reader.listing if self._reader is not None else None

    def _write_pages(self, processor: PageProcessor, deferral: IndexDeferral,
                     pages: Iterator[Any], files: RunFiles, requests: RequestLogBuffer) -> None:
        """Write pages in transactions of one or more whole pages, each page in its own
        savepoint: a page is atomic, a killed run keeps whole pages only. A transaction takes
        the next page only when it is already fetched, so it never waits for PX. A cancel or
        a PX error between pages still commits the pages done, then propagates. The first
        page, which tells totalHits, decides whether indexes wait for the end."""
        stop: Exception | None = None
        while stop is None:
            try:
                page = next(pages, None)  # waiting for PX happens outside any transaction
            except Exception as exc:
                stop, page = exc, None
            if page is None:
                break
            batch = _Batch()
            started = time.perf_counter()
            with self.counts.undone_on_error(), self.db.atomic():
                while page is not None:
                    try:
                        deferral.begin(page.total_hits)
                        with self.db.atomic():
                            self._page(processor, page, batch)
                        if self.progress is not None:
                            self.progress(self._snapshot())
                        page = None
                        if (batch.records < BATCH_RECORDS and self._next_ready()
                                and time.perf_counter() - started < BATCH_SECONDS):
                            page = next(pages, None)
                    except Exception as exc:  # the pages before it still commit
                        stop, page = exc, None
                if stop is not None and not transaction_open(self.db):
                    raise stop  # rolled back by SQLite (disk full) or aborted on PostgreSQL
                requests.flush()
                self.settings.log.progress(self.run, self.counts)
            self._write_files(batch, files)  # only what is committed goes to the files
            if stop is None and self.lease is not None and not self.lease.held():
                stop = LeaseLostError(LEASE_LOST_REASON)
        if stop is not None:
            raise stop

    def _page(self, processor: PageProcessor, page: Any, batch: _Batch) -> None:
        """One page, inside its savepoint; counters move only once it went through."""
        retry = isinstance(page, _RetryPage)
        if self._retry_due and not retry:  # seen in the listing: no need to fetch it again
            id_path = processor.plan.id_path
            self._retry_due.difference_update(
                str(r.get(id_path)) for r in page.records if type(r) is dict)
        result = processor.process(page.records, windowed=not retry)
        if self.memory is not None:
            self.memory.page_written(result)
            if retry:
                self._retry_failed += len(result.failures)
                handled = {sid for sid, *_ in result.links} | {
                    str(f.row.source_id) for f in result.failures}
                self.memory.forget(  # filtered out now: no longer a failure to retry
                    str(r.get(processor.plan.id_path)) for r in page.records
                    if type(r) is dict and str(r.get(processor.plan.id_path)) not in handled)
        errors = self._error_rows(result)
        self._quality.add(result.failures)
        insert_record_errors(self.run.id, errors)
        batch.successes += result.successes
        batch.errors += errors
        batch.records += len(page.records)
        self._count(result, page, retry)
        self.counts.filtered = processor.filtered

    @staticmethod
    def _write_files(batch: _Batch, files: RunFiles) -> None:
        add_success, add_error = files.add_success, files.add_error
        for source_id, gsid, action in batch.successes:
            add_success(source_id, gsid, action)
        for source_id, target, value, reason, record in batch.errors:
            add_error(source_id, target, value, reason, record)
        files.flush()

    def _error_rows(self, result: PageResult) -> list[ErrorRow]:
        keep = self._errors.record_for
        return [(value_text(f.row.source_id), f.field, value_text(f.value), safe_text(f.reason),
                 keep(f.field, f.reason, f.row.record)) for f in result.failures]

    def _count(self, result: PageResult, page: Any, retry: bool) -> None:
        c = self.counts
        c.success += len(result.successes)
        c.failure += len(result.failures)
        c.inserted += result.inserted
        c.updated += result.updated
        c.unchanged += result.unchanged
        if retry:
            c.retried += len(page.records)
        else:
            c.pages += 1
            c.total_hits = page.total_hits
        self._records += len(page.records)

    def _snapshot(self) -> RunProgress:
        elapsed = time.perf_counter() - self._started
        c = self.counts
        return RunProgress(self.run.id, self.job.name, c.pages, self._records, c.success,
                           c.failure, c.total_hits, self._records / elapsed if elapsed else 0.0,
                           elapsed)
