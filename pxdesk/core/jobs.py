"""Background work off the GUI thread: SyncWorker + JobRunner, and one-shot BackgroundCalls.

This is the only module that creates QThreads (style rule 4). A worker QObject is moved to its
own QThread; its signals reach bound methods of the GUI-thread owner (queued connections), which
re-emits them, then quits and waits the thread. Lambdas are never connected to worker signals:
in PySide6 a lambda slot would run in the worker thread.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from peewee import Database
from PySide6.QtCore import QObject, QThread, Signal, Slot

from pxdesk.core.errors import PxdeskError

log = logging.getLogger("pxdesk.jobs")

DateRange = tuple[int, int]  # epoch ms, from-to (Import From Date)
THREAD_WAIT_MS = 30_000
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
        progress: Callable[[Any], None] | None = ..., cancel: Callable[[], bool] | None = ...,
    ) -> Any: ...


@dataclass(frozen=True)
class RunCrash:
    """Stands in for a RunResult when run_job itself raised (a bug, not a PX error)."""

    job_name: str
    message: str
    status: str = "Failure"


def run_tree(result: object) -> Iterator[object]:
    """Every result of a finished run in run order: its dependencies (depth first), then it."""
    for dep in getattr(result, "dependencies", None) or []:
        yield from run_tree(dep)
    yield result


def tree_job_names(job_name: str, result: object) -> set[str]:
    """The job of a finished run and every job that ran inside it as a dependency."""
    return {job_name, *(str(getattr(r, "job_name", job_name)) for r in run_tree(result))}


def tree_run_ids(result: object) -> list[int]:
    """Run ids of a finished run tree in run order (a crash has none)."""
    ids = (getattr(r, "run_id", None) for r in run_tree(result))
    return [int(run_id) for run_id in ids if run_id is not None]


def _freeze_long_lived_objects() -> None:
    """Move what is alive now (widgets, modules, the store: the app's long-lived objects) out
    of the cyclic collector's reach. During a big sync a full collection comes every second or
    so; rescanning those objects held the GIL for 30-80 ms each time, stalling the GUI thread.
    Collecting first means no garbage is frozen; frozen objects are still freed when their
    last reference goes. Cheap when repeated: only objects new since the last freeze move."""
    gc.collect()
    gc.freeze()


class SyncWorker(QObject):
    """Runs one job in its thread; cancel() may be called from any thread.

    Progress is throttled to one signal per `progress_interval_s` per run; the first and the
    last report of every run (dependencies included) always go out, so listeners see each run
    start and its final counts.
    """

    progressed = Signal(object)  # RunProgress
    finished = Signal(str, object)  # job name, RunResult or RunCrash

    def __init__(
        self, job_name: str, trigger: str, date_range: DateRange | None,
        engine_factory: Callable[[], RunsJobs], db: Database | None,
        progress_interval_s: float = PROGRESS_INTERVAL_S,
    ) -> None:
        super().__init__()
        self.job_name = job_name
        self._interval = progress_interval_s
        self._last_run: object = None  # run id of the last report sent
        self._last_sent = 0.0
        self._pending: object | None = None  # latest report held back by the throttle
        self._trigger = trigger
        self._date_range = date_range
        self._engine_factory = engine_factory
        self._db = db
        self._cancel = threading.Event()
        self.result: object | None = None  # set before `finished` is emitted

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        result: object
        try:
            if self._db is not None:
                # peewee opens one connection per thread; close ours when the run ends.
                with self._db.connection_context():
                    result = self._run()
            else:
                result = self._run()
        except PxdeskError as exc:  # already one line that says what to do (a busy store)
            log.warning("Run of %s could not start: %s", self.job_name, exc)
            result = RunCrash(self.job_name, str(exc))
        except Exception as exc:  # a crash must still end the run in the UI
            log.exception("Run of %s crashed", self.job_name)
            result = RunCrash(self.job_name, f"{type(exc).__name__}: {exc}")
        self._flush_progress()
        self.result = result
        self.finished.emit(self.job_name, result)

    def _run(self) -> object:
        engine = self._engine_factory()
        return engine.run_job(
            self.job_name, trigger=self._trigger, date_range=self._date_range,
            progress=self._on_engine_progress, cancel=self._cancel.is_set,
        )

    def _on_engine_progress(self, progress: object) -> None:
        """Called by the engine after each page, in this worker's thread."""
        run_id = getattr(progress, "run_id", None)
        now = time.monotonic()
        if run_id != self._last_run:
            self._flush_progress()  # the previous run (a dependency) ended: its last counts
        elif now - self._last_sent < self._interval:
            self._pending = progress
            return
        self._pending = None
        self._last_run, self._last_sent = run_id, now
        self.progressed.emit(progress)

    def _flush_progress(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.progressed.emit(pending)


class JobRunner(QObject):
    """Owns the running SyncWorkers (one per job at a time) and re-emits their results."""

    # job name, run id: from the first progress report of each run (dependencies included)
    run_started = Signal(str, int)
    run_progress = Signal(object)  # RunProgress
    run_finished = Signal(str, object)  # job name, RunResult (or RunCrash)

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
        self._announced: set[int] = set()  # run ids already reported by run_started

    def start(
        self, job_name: str, trigger: str = "manual", date_range: DateRange | None = None
    ) -> bool:
        """Start a run in a new thread; False when that job is already running here."""
        if job_name in self._workers:
            return False
        worker = SyncWorker(job_name, trigger, date_range, self._engine_factory, self._db,
                            self._progress_interval)
        thread = QThread()
        thread.setObjectName(f"sync-{job_name}")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_worker_progressed)
        worker.finished.connect(self._on_worker_finished)
        if not self._workers:
            _freeze_long_lived_objects()
            self._idle_switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(RUN_SWITCH_INTERVAL_S)
        self._workers[job_name] = (worker, thread)
        thread.start()
        return True

    def cancel(self, job_name: str) -> bool:
        """Ask the run to stop at its next page boundary; False when it is not running."""
        entry = self._workers.get(job_name)
        if entry is None:
            return False
        entry[0].cancel()
        return True

    def is_running(self, job_name: str) -> bool:
        return job_name in self._workers

    def running_jobs(self) -> list[str]:
        return list(self._workers)

    def cancel_all_and_wait(self, timeout_ms: int = THREAD_WAIT_MS) -> None:
        """Cancel every run and wait for their threads (quit): runs end as Cancelled."""
        for worker, _thread in self._workers.values():
            worker.cancel()
        for _worker, thread in list(self._workers.values()):
            thread.quit()  # the event loop starts only after run() returns
            if not thread.wait(timeout_ms):
                log.warning("Thread %s did not stop in %d ms", thread.objectName(), timeout_ms)
        # Deliver the queued finished signals so listeners see the final results.
        for name in list(self._workers):
            self._finish(name, None)

    @Slot(object)
    def _on_worker_progressed(self, progress: object) -> None:
        name = str(getattr(progress, "job_name", ""))
        run_id = getattr(progress, "run_id", None)
        if name and run_id is not None and int(run_id) not in self._announced:
            self._announced.add(int(run_id))
            self.run_started.emit(name, int(run_id))
        self.run_progress.emit(progress)

    @Slot(str, object)
    def _on_worker_finished(self, job_name: str, result: object) -> None:
        self._finish(job_name, result)

    def _finish(self, job_name: str, result: object | None) -> None:
        entry = self._workers.pop(job_name, None)
        if entry is None:
            return
        if not self._workers:
            self._announced.clear()
            if sys.getswitchinterval() == RUN_SWITCH_INTERVAL_S:  # still ours to give back
                sys.setswitchinterval(self._idle_switch_interval)
        worker, thread = entry
        thread.quit()
        thread.wait(THREAD_WAIT_MS)
        worker.deleteLater()
        thread.deleteLater()
        if result is None:
            result = worker.result or RunCrash(job_name, "stopped when pxdesk quit", "Cancelled")
        self.run_finished.emit(job_name, result)


class _CallWorker(QObject):
    """Calls one function in its thread and reports the value or the exception."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[], object], db: Database | None) -> None:
        super().__init__()
        self._fn = fn
        self._db = db

    @Slot()
    def run(self) -> None:
        try:
            if self._db is not None:
                with self._db.connection_context():
                    value = self._fn()
            else:
                value = self._fn()
        except Exception as exc:
            self.failed.emit(exc)
            return
        self.succeeded.emit(value)


class BackgroundCall(QObject):
    """Runs a function once in a QThread: the GUI stays responsive during a slow PX call.

    `finished(value)` or `failed(message)` is emitted in the thread that owns this object.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(
        self, fn: Callable[[], object], db: Database | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._worker = _CallWorker(fn, db)
        self._thread: QThread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a BackgroundCall runs once")
        self._thread = QThread()
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.succeeded.connect(self._on_worker_succeeded)
        self._worker.failed.connect(self._on_worker_failed)
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self, timeout_ms: int = THREAD_WAIT_MS) -> bool:
        """Block until the thread ends (used at quit); True when it did."""
        return self._thread is None or self._thread.wait(timeout_ms)

    @Slot(object)
    def _on_worker_succeeded(self, value: object) -> None:
        self._stop_thread()
        self.finished.emit(value)

    @Slot(object)
    def _on_worker_failed(self, exc: object) -> None:
        self._stop_thread()
        self.failed.emit(str(exc) or type(exc).__name__)

    def _stop_thread(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(THREAD_WAIT_MS)


class ConnectionTestWorker(BackgroundCall):
    """TEST CONNECTION off the GUI thread: `finished(TestResult)` when ConnectionService.test
    returns (it never raises PX errors; anything else arrives as `failed`)."""

    def __init__(
        self, test: Callable[..., object], *, api_key: str | None, region: str | None,
        base_url: str | None, db: Database | None = None, parent: QObject | None = None,
    ) -> None:
        def call() -> object:
            return test(api_key=api_key, region=region, base_url=base_url)

        super().__init__(call, db, parent)
