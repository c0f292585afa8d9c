"""The desktop's scheduling without widgets, for `pxdesk-cli scheduler`: the same dispatcher
(missed runs, pause, dependencies, chains) starting runs on a JobRunner in a QCoreApplication.

It needs a Qt event loop (QCoreApplication, no GUI) because the dispatcher and the runner are
QObjects; it logs every run to the app log and sends no mail itself: `send_run_mails` is where
run notification mails are wired in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from peewee import Database
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.schedule.dispatch import ScheduleDispatcher
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.results import RunCrash, RunOutcome, RunStart
from pxdesk.core.workers import JobRunner, RunListener

log = logging.getLogger("pxdesk.scheduler")

RunMailHook = Callable[[RunOutcome], None]


class HeadlessScheduler(QObject, RunListener):
    """Owns the engine's runner and the dispatcher of one headless scheduler process.

    `once`: start what is due now (the runs missed since each job's last run, by the missed-
    run rule and its setting), then emit `idle` when they are done. `send_run_mails` (hook,
    None: no mail) hears each finished run tree on this thread, as the desktop's RunMailer
    does; it must not block."""

    idle = Signal()  # once: nothing runs any more

    def __init__(
        self, engine: SyncEngine, db: Database, parent: QObject | None = None, *,
        once: bool = False, send_run_mails: RunMailHook | None = None,
        now: Callable[[], datetime] | None = None, backend: BaseScheduler | None = None,
        timezone: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.once = once
        self.send_run_mails = send_run_mails
        self.runner = JobRunner(self._engine_for_worker, db, self)
        self.dispatcher = ScheduleDispatcher(
            self.runner, self, is_locked=engine.is_running,
            running_where=engine.running_where, now=now, backend=backend, timezone=timezone)
        self.dispatcher.run_logged.connect(self._on_dispatcher_run_logged)
        self.runner.subscribe(self.dispatcher)
        self.runner.subscribe(self)

    def _engine_for_worker(self) -> SyncEngine:
        return self.engine

    def start(self) -> None:
        """Load the schedules and start firing; catch up on missed runs now."""
        self.dispatcher.start()
        paused, until = self.dispatcher.pause_state()
        log.info("Scheduler started%s", (f"; paused until {until:%Y-%m-%d %H:%M %Z}"
                                         if until else "; paused until resumed")
                 if paused else "")
        QTimer.singleShot(0, self._check_idle)  # from the event loop, which may quit then

    def stop(self) -> None:
        """Stop firing; runs going on are cancelled at their next page and end Cancelled."""
        self.dispatcher.shutdown()
        if self.runner.running_jobs():
            log.info("Cancelling %s", ", ".join(self.runner.running_jobs()))
        self.runner.cancel_all_and_wait()
        log.info("Scheduler stopped")

    def on_run_started(self, start: RunStart) -> None:
        log.info("Run %d of %s started (%s)", start.run_id, start.job_name, start.status)

    def on_run_ended(self, outcome: RunOutcome) -> None:
        if isinstance(outcome, RunCrash):
            log.error("Run of %s failed: %s", outcome.job_name, outcome.message)
            return
        log.info("Run %d of %s ended: %s%s", outcome.run_id, outcome.job_name, outcome.status,
                 f" ({outcome.reason})" if outcome.reason else "")

    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        if self.send_run_mails is not None:  # hook: run notification mails
            self.send_run_mails(outcome)
        self._check_idle()

    @Slot(str, int)
    def _on_dispatcher_run_logged(self, job_name: str, run_id: int) -> None:
        log.info("Run %d of %s logged as Skipped", run_id, job_name)

    @Slot()
    def _check_idle(self) -> None:
        if self.once and not self.runner.running_jobs():
            self.idle.emit()
