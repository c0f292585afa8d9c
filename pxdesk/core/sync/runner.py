"""JobRun: one run of one job — blockers, window, paging with fallbacks, pages, the run row."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pxdesk.core.errors import BadRequestError, CancelledError, PxdeskError
from pxdesk.core.logs.execution import (
    ADVANCING_STATUSES,
    RequestLogBuffer,
    RunCounts,
    final_status,
    insert_record_errors,
)
from pxdesk.core.logs.run_files import RunFiles, record_json, value_text
from pxdesk.core.px.client import PxClient
from pxdesk.core.store.enums import JobKind, RunStatus, TargetObject
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.sync.fetch import PageFetcher
from pxdesk.core.sync.filters import combine_pushdown
from pxdesk.core.sync.pipeline import PageProcessor
from pxdesk.core.sync.plan import JobPlan
from pxdesk.core.sync.window import Window, plan_window
from pxdesk.core.sync.writer import PageResult

if TYPE_CHECKING:
    from pxdesk.core.sync.engine import RunProgress, RunResult, SyncEngine

_log = logging.getLogger("pxdesk.sync")
DATE_FALLBACK_NOTE = ("PX refused the lastModifiedDate filter (HTTP 400): read the full "
                      "listing and kept the window's records locally")
FILTER_FALLBACK_NOTE = "PX refused the pushed-down filter (HTTP 400): filtered locally only"


def run_blockers(plan: JobPlan) -> list[str]:
    """Why the job cannot run as configured (empty when it can)."""
    blockers: list[str] = []
    if plan.kind == JobKind.COMPANY and not plan.key_refs:
        blockers.append("No upsert key: mark one mapping (normally id -> PX Account ID) as "
                        "the upsert key before running this job")
    if plan.kind == JobKind.COMPANY_PERSON:
        mapped = {s.target_field for s in plan.steps if s.obj == TargetObject.PERSON}
        for ref in plan.key_refs:
            if ref.api_name not in mapped:
                blockers.append(f"The Person Resolution Key field {ref.api_name} is not "
                                "mapped: map a PX field to it")
    return blockers


def _config_blockers(job: Job, user: str) -> list[str]:
    """The configuration service's own checks, when that module is available."""
    try:
        from pxdesk.core.config.jobs import JobService
    except ImportError:
        return []
    return list(JobService(user=user).run_blockers(job))


class JobRun:
    """Executes one ExecutionRun row that the engine created (Queued)."""

    def __init__(self, engine: SyncEngine, job: Job, run: ExecutionRun,
                 date_range: tuple[int, int] | None,
                 progress: Callable[[RunProgress], None] | None,
                 cancel: Callable[[], bool] | None) -> None:
        self.engine, self.job, self.run = engine, job, run
        self.date_range, self.progress, self.cancel = date_range, progress, cancel
        self.counts = RunCounts()
        self.notes: list[str] = []
        self.db = engine.database()
        self._started = time.perf_counter()
        self._records = 0

    def execute(self) -> RunResult:
        from pxdesk.core.sync.engine import RunResult

        log, run = self.engine.log, self.run
        files: RunFiles | None = None
        client: PxClient | None = None
        requests = RequestLogBuffer(run.id)
        try:
            plan = JobPlan.load(self.db, self.job, multi_instance=self.engine.multi_instance())
            blockers = list(dict.fromkeys(
                _config_blockers(self.job, self.engine.user) + run_blockers(plan)))
            if blockers:
                log.finish(run, RunStatus.FAILURE, reason="; ".join(blockers))
                return RunResult.from_run(run)
            window = plan_window(self.job.window_end, self.engine.clock(), self.date_range)
            log.start(run, window.start, window.end)
            files = RunFiles(self.engine.runs_dir, run.id).open()
            run.error_file, run.success_file = str(files.error_path), str(files.success_path)
            client = self.engine.make_client(requests)
            processor = PageProcessor(self.db, plan, self.job.name, self.engine.clock,
                                      window.matcher())
            for page in self._pages(client, plan, window):
                self._page(processor, page, files, requests)
            self.counts.filtered = processor.filtered
            status = final_status(self.counts.success, self.counts.failure)
            if status in ADVANCING_STATUSES and window.advances:
                Job.update(window_end=window.end).where(Job.id == self.job.id).execute()
            log.finish(run, status, self.counts, reason="; ".join(self.notes) or None)
        except CancelledError:
            log.finish(run, RunStatus.CANCELLED, self.counts, reason="cancelled by the admin")
        except PxdeskError as exc:
            log.finish(run, RunStatus.FAILURE, self.counts, reason=str(exc))
        except Exception as exc:  # a bug must still close the row, never leave it In Progress
            _log.exception("run %s of %s failed", run.id, self.job.name)
            log.finish(run, RunStatus.FAILURE, self.counts,
                       reason=f"internal error: {type(exc).__name__}: {exc}")
        finally:
            if files is not None:
                files.close()
            if client is not None:
                client.close()
            requests.flush()
        return RunResult.from_run(run, filtered=self.counts.filtered, notes=self.notes)

    def _attempts(self, plan: JobPlan, window: Window) -> list[tuple[list[str], str | None]]:
        """Filter params to try in order, each with the note to log when it is used."""
        ladder = [(combine_pushdown(window.pushdown(), plan.pushdown), None)]
        if not window.full:
            ladder.append((list(plan.pushdown), DATE_FALLBACK_NOTE))
        if plan.pushdown:
            ladder.append(([], FILTER_FALLBACK_NOTE))
        return ladder

    def _pages(self, client: PxClient, plan: JobPlan, window: Window) -> Iterator[Any]:
        """Pages of the listing; a 400 before the first page falls back to less pushdown."""
        ladder = self._attempts(plan, window)
        for i, (filters, note) in enumerate(ladder):
            if note:
                self.notes.append(note)
                _log.warning("%s: %s", self.job.name, note)
            received = False

            def make(stop: Callable[[], bool], filters: list[str] = filters) -> Any:
                return client.list(plan.listing, filters=filters,  # type: ignore[arg-type]
                                   page_size=self.engine.page_size, cancel=stop)

            with PageFetcher(make, self.cancel) as fetcher:
                try:
                    for page in fetcher:
                        received = True
                        if self.cancel is not None and self.cancel():
                            raise CancelledError("Run cancelled")
                        yield page
                    return
                except BadRequestError:
                    if received or i == len(ladder) - 1:
                        raise

    def _page(self, processor: PageProcessor, page: Any, files: RunFiles,
              requests: RequestLogBuffer) -> None:
        with self.db.atomic():
            result = processor.process(page.records)
            self.counts.filtered = processor.filtered
            insert_record_errors(self.run.id, self._error_rows(result))
            self._count(result, page)
            requests.flush()
            self.engine.log.progress(self.run, self.counts)
        for row, gsid, action in result.successes:
            files.add_success(row.source_id, gsid, action)
        for failure in result.failures:
            files.add_error(failure.row.source_id, failure.field, value_text(failure.value),
                            failure.reason, record_json(failure.row.record))
        files.flush()
        if self.progress is not None:
            self.progress(self._snapshot())

    @staticmethod
    def _error_rows(result: PageResult) -> list[tuple[Any, ...]]:
        return [(f.row.source_id, f.field, value_text(f.value), f.reason,
                 record_json(f.row.record)) for f in result.failures]

    def _count(self, result: PageResult, page: Any) -> None:
        c = self.counts
        c.success += len(result.successes)
        c.failure += len(result.failures)
        c.inserted += result.inserted
        c.updated += result.updated
        c.pages += 1
        c.total_hits = page.total_hits
        self._records += len(page.records)

    def _snapshot(self) -> RunProgress:
        from pxdesk.core.sync.engine import RunProgress

        elapsed = time.perf_counter() - self._started
        c = self.counts
        return RunProgress(self.run.id, self.job.name, c.pages, self._records, c.success,
                           c.failure, c.total_hits, self._records / elapsed if elapsed else 0.0,
                           elapsed)
