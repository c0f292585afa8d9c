"""Runs off the GUI thread: SyncWorker runs one job's tree, JobRunner owns them and tells its
RunListeners; one-shot calls (a slow query, a connection test) are in `core/background.py`.

With it, the only modules that create QThreads (style rule 4). A worker QObject is moved to
its own QThread; its signals reach bound methods of the GUI-thread owner (queued connections),
which re-emits them, then quits and waits the thread. Lambdas are never connected to worker signals:
in PySide6 a lambda slot would run in the worker thread.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from peewee import Database
from PySide6.QtCore import QObject, QThread, Signal, Slot

from pxdesk.core.background import THREAD_WAIT_MS
from pxdesk.core.errors import PxdeskError
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.sync.results import (
    RunCrash,
    RunOutcome,
    RunProgress,
    RunResult,
    RunStart,
    run_tree,
)

log = logging.getLogger("pxdesk.jobs")

DateRange = tuple[int, int]  # epoch ms, from-to (Import From Date)
# At most ~10 progress signals a second per run reach the GUI thread: each one costs the GUI
# a turn at the GIL (and a repaint), which a fast sync would otherwise take away from it.
PROGRESS_INTERVAL_S = 0.1
# While runs go on, a busy worker hands the GIL over after 1 ms instead of 5: every Python
# slot, model call and timer of the GUI thread waits for it, several times per repaint.
RUN_SWITCH_INTERVAL_S = 0.001


class RunsJobs(Protocol):
    """What the runner needs from the sync engine (SyncEngine satisfies it)."""

    def run_job(
        self, job_name: str, *, trigger: str, date_range: DateRange | None = ...,
        progress: Callable[[RunProgress], None] | None = ...,
        cancel: Callable[[], bool] | None = ...,
        on_start: Callable[[RunStart], None] | None = ...,
        on_end: Callable[[RunResult], None] | None = ..., note: str | None = ...,
        reconcile: bool = ...,
    ) -> RunResult: ...

    def run_chain(
        self, chain_name: str, *, trigger: str,
        progress: Callable[[RunProgress], None] | None = ...,
        cancel: Callable[[], bool] | None = ...,
        on_start: Callable[[RunStart], None] | None = ...,
        on_end: Callable[[RunResult], None] | None = ..., note: str | None = ...,
    ) -> RunResult: ...


class RunListener:
    """What a listener hears of runs; it overrides the ones it shows. For each run tree the
    runner calls, on the GUI thread and in this order: `on_run_started` and `on_run_ended` once
    per run (the job's own first, then each dependency as it runs), `on_run_progress` between
    them, and `on_run_finished` once when the whole tree is done."""

    def on_run_started(self, start: RunStart) -> None:
        """A run row exists (status Queued, or Skipped when it ends as it starts)."""

    def on_run_progress(self, progress: RunProgress) -> None:
        """A page of a run went through (throttled: at most a few a second)."""

    def on_run_ended(self, outcome: RunOutcome) -> None:
        """One run of a tree is closed: its row says how it went (a crash has no row)."""

    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        """The tree started for `job_name` is done: `outcome` holds its dependencies' too."""


def _freeze_long_lived_objects() -> None:
    """Move what is alive now (widgets, modules, the store: the app's long-lived objects) out
    of the cyclic collector's reach while runs go on. During a big sync a full collection
    comes every second or so; rescanning those objects held the GIL for 30-80 ms each time,
    stalling the GUI thread. Only the young generations are collected first: a full pass
    here would be that very stall, on the click that starts the run. `gc.freeze` itself only
    moves lists; the last run's end unfreezes, so garbage frozen here is collected then."""
    gc.collect(1)
    gc.freeze()


class SyncWorker(QObject):
    """Runs one job (its whole run tree) in its thread; cancel() may be called from any thread.

    Every run of the tree is announced by `started` and closed by `ended`, once each, in run
    order; `finished` then carries the tree's outcome. Progress is throttled to one signal per
    `progress_interval_s`; a run's last report always goes out before its `ended`.
    """

    started = Signal(object)  # RunStart
    progressed = Signal(object)  # RunProgress
    ended = Signal(object)  # RunOutcome of one run of the tree
    finished = Signal(str, object)  # job name, RunOutcome of the tree

    def __init__(
        self, job_name: str, trigger: str, date_range: DateRange | None,
        engine_factory: Callable[[], RunsJobs], db: Database | None,
        progress_interval_s: float = PROGRESS_INTERVAL_S, note: str | None = None,
        reconcile: bool = False, chain: str | None = None,
    ) -> None:
        super().__init__()
        self.job_name = job_name
        self._chain = chain  # run this job chain (job_name is its last job) instead
        self._reconcile = reconcile
        self._interval = progress_interval_s
        self._last_run: int | None = None  # run id of the last report sent
        self._last_sent = 0.0
        self._pending: RunProgress | None = None  # latest report held back by the throttle
        self._trigger = trigger
        self._date_range = date_range
        self._note = note
        self._engine_factory = engine_factory
        self._db = db
        self._cancel = threading.Event()
        self._open: dict[int, str] = {}  # runs started and not ended: run id -> job name
        self.result: RunOutcome | None = None  # set before `finished` is emitted

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        result: RunOutcome
        try:
            if self._db is not None:
                # peewee opens one connection per thread; close ours when the run ends.
                with self._db.connection_context():
                    result = self._run()
            else:
                result = self._run()
        except PxdeskError as exc:  # already one line that says what to do (a busy store)
            log.warning("Run of %s could not start: %s", self.job_name, exc)
            result = self._crashed(str(exc))
        except Exception as exc:  # a crash must still end the run in the UI
            log.exception("Run of %s crashed", self.job_name)
            result = self._crashed(f"{type(exc).__name__}: {exc}")
        self.result = result
        self.finished.emit(self.job_name, result)

    def _run(self) -> RunResult:
        engine = self._engine_factory()
        if self._chain is not None:
            return engine.run_chain(
                self._chain, trigger=self._trigger, progress=self._on_engine_progress,
                cancel=self._cancel.is_set, on_start=self._on_engine_start,
                on_end=self._on_engine_end, note=self._note)
        return engine.run_job(
            self.job_name, trigger=self._trigger, date_range=self._date_range,
            progress=self._on_engine_progress, cancel=self._cancel.is_set,
            on_start=self._on_engine_start, on_end=self._on_engine_end, note=self._note,
            reconcile=self._reconcile,
        )

    def _crashed(self, message: str) -> RunCrash:
        """End every run still open with the crash, then stand for the tree."""
        self._flush_progress()
        for name in self._open.values():
            self.ended.emit(RunCrash(name, message))
        self._open.clear()
        return RunCrash(self.job_name, message)

    def _on_engine_start(self, start: RunStart) -> None:
        self._flush_progress()
        self._open[start.run_id] = start.job_name
        self.started.emit(start)

    def _on_engine_end(self, result: RunResult) -> None:
        self._flush_progress()
        self._open.pop(result.run_id, None)
        self.ended.emit(result)

    def _on_engine_progress(self, progress: RunProgress) -> None:
        """Called by the engine after each page, in this worker's thread."""
        now = time.monotonic()
        if progress.run_id != self._last_run:
            self._flush_progress()  # the first report of a run always goes out
        elif now - self._last_sent < self._interval:
            self._pending = progress
            return
        self._pending = None
        self._last_run, self._last_sent = progress.run_id, now
        self.progressed.emit(progress)

    def _flush_progress(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.progressed.emit(pending)


class JobRunner(QObject):
    """Owns the running SyncWorkers (one per job at a time) and re-emits what they report.

    The one place that knows which runs are going: `run_started`/`run_ended` come once for
    every run of a tree (dependencies included), `run_finished` once per tree started here."""

    run_started = Signal(object)  # RunStart
    run_progress = Signal(object)  # RunProgress
    run_ended = Signal(object)  # RunOutcome of one run (a dependency or the job itself)
    run_finished = Signal(str, object)  # job name, RunOutcome of the whole tree

    def __init__(
        self, engine_factory: Callable[[], RunsJobs], db: Database | None = None,
        parent: QObject | None = None, *, progress_interval_s: float = PROGRESS_INTERVAL_S,
    ) -> None:
        super().__init__(parent)
        self._engine_factory = engine_factory
        self._db = db
        self._progress_interval = progress_interval_s
        self._idle_switch_interval = sys.getswitchinterval()
        self._workers: dict[str, tuple[SyncWorker, QThread]] = {}
        self._live: dict[int, tuple[str, str]] = {}  # run id -> (job name, top job name)
        self._started_here: set[int] = set()  # every run id this runner announced

    def start(
        self, job_name: str, trigger: str = "manual", date_range: DateRange | None = None,
        *, note: str | None = None, reconcile: bool = False,
    ) -> bool:
        """Start a run in a new thread; False when that job is already running here.
        `note` goes in front of the run's reason (why a scheduled run catches up);
        `reconcile` also checks for records deleted in PX."""
        if self.is_running(job_name):
            return False
        self._launch(SyncWorker(job_name, trigger, date_range, self._engine_factory, self._db,
                                self._progress_interval, note, reconcile))
        return True

    def start_chain(
        self, chain_name: str, members: Sequence[str], trigger: str = "manual", *,
        note: str | None = None,
    ) -> bool:
        """Run a job chain (`members`, its jobs in order) as one tree in one thread; False
        when one of its jobs is already running here. The tree is reported under its last
        job, whose run holds the earlier ones as its dependencies."""
        if not members or any(self.is_running(name) for name in members):
            return False
        self._launch(SyncWorker(members[-1], trigger, None, self._engine_factory, self._db,
                                self._progress_interval, note, chain=chain_name))
        return True

    def _launch(self, worker: SyncWorker) -> None:
        job_name = worker.job_name
        thread = QThread()
        thread.setObjectName(f"sync-{job_name}")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.started.connect(self._on_worker_started)
        worker.progressed.connect(self._on_worker_progressed)
        worker.ended.connect(self._on_worker_ended)
        worker.finished.connect(self._on_worker_finished)
        if not self._workers:
            _freeze_long_lived_objects()
            self._idle_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(RUN_SWITCH_INTERVAL_S)
        self._workers[job_name] = (worker, thread)
        thread.start()

    def subscribe(self, listener: RunListener) -> None:
        """Let `listener` hear every run from now on (see RunListener for the order)."""
        self.run_started.connect(listener.on_run_started)
        self.run_progress.connect(listener.on_run_progress)
        self.run_ended.connect(listener.on_run_ended)
        self.run_finished.connect(listener.on_run_finished)

    def cancel(self, job_name: str) -> bool:
        """Ask the run to stop at its next page boundary; False when it is not running."""
        entry = self._workers.get(job_name)
        if entry is None:
            return False
        entry[0].cancel()
        return True

    def is_running(self, job_name: str) -> bool:
        """True while the job runs here, on its own or as a dependency of another."""
        return job_name in self._workers or any(n == job_name for n, _ in self._live.values())

    def running_jobs(self) -> list[str]:
        """The jobs started here and the dependencies running inside them."""
        return list(dict.fromkeys([*self._workers, *(n for n, _ in self._live.values())]))

    def cancel_all_and_wait(self, timeout_ms: int = THREAD_WAIT_MS) -> None:
        """Cancel every run and wait for their threads (quit): runs end as Cancelled."""
        for worker, _thread in self._workers.values():
            worker.cancel()
        for _worker, thread in list(self._workers.values()):
            thread.quit()  # the event loop starts only after run() returns
            if not thread.wait(timeout_ms):
                log.warning("Thread %s did not stop in %d ms", thread.objectName(), timeout_ms)
        # The workers' queued signals are not delivered now: close what they left open.
        for name in list(self._workers):
            self._finish(name, None)

    def _top_of(self, worker: object) -> str | None:
        """The job a signal's worker was started for; None once it is gone (a late signal)."""
        return next((n for n, (w, _t) in self._workers.items() if w is worker), None)

    @Slot(object)
    def _on_worker_started(self, start: RunStart) -> None:
        top = self._top_of(self.sender())
        if top is not None and start.run_id not in self._live:
            self._live[start.run_id] = (start.job_name, top)
            self._started_here.add(start.run_id)
            self.run_started.emit(start)

    def started_here(self, run_id: int) -> bool:
        """Whether this runner ran `run_id` (its listeners saw it live, start to end)."""
        return run_id in self._started_here

    @Slot(object)
    def _on_worker_progressed(self, progress: RunProgress) -> None:
        if progress.run_id in self._live:
            self.run_progress.emit(progress)

    @Slot(object)
    def _on_worker_ended(self, outcome: RunOutcome) -> None:
        top = self._top_of(self.sender())
        if top is None:
            return
        if isinstance(outcome, RunResult):
            if self._live.pop(outcome.run_id, None) is None:
                return
        else:
            for run_id in [rid for rid, (name, owner) in self._live.items()
                           if owner == top and name == outcome.job_name]:
                del self._live[run_id]
        self.run_ended.emit(outcome)

    @Slot(str, object)
    def _on_worker_finished(self, job_name: str, result: RunOutcome) -> None:
        self._finish(job_name, result)

    def _finish(self, job_name: str, result: RunOutcome | None) -> None:
        entry = self._workers.get(job_name)
        if entry is None:
            return
        worker, thread = entry
        if result is None:  # quitting: the worker's queued signals will not be delivered
            result = worker.result or RunCrash(job_name, "stopped when pxdesk quit",
                                               RunStatus.CANCELLED)
        self._end_left_open(job_name, result)
        del self._workers[job_name]
        if not self._workers:
            gc.unfreeze()  # frozen garbage is collectable again, at idle
            if sys.getswitchinterval() == RUN_SWITCH_INTERVAL_S:
                sys.setswitchinterval(self._idle_switch_interval)  # still ours to give back
        thread.quit()
        thread.wait(THREAD_WAIT_MS)
        worker.deleteLater()
        thread.deleteLater()
        self.run_finished.emit(job_name, result)

    def _end_left_open(self, top: str, result: RunOutcome) -> None:
        """Runs of the tree whose `ended` never came through (at quit): end them with what
        the tree's outcome says of them, or as stopped."""
        outcomes = {r.run_id: r for r in run_tree(result) if isinstance(r, RunResult)}
        for run_id in [rid for rid, (_n, owner) in self._live.items() if owner == top]:
            name, _owner = self._live.pop(run_id)
            self.run_ended.emit(outcomes.get(run_id) or RunCrash(
                name, "stopped when pxdesk quit", RunStatus.CANCELLED))
