"""The tray session: tray menu and icon, hide-to-tray, run messages, and opening a run's log.

It connects the TrayController (when the desktop has a tray) to the runner and the schedule
dispatcher, and says so in the window when there is no tray (scheduling then lives only while
the window is open). It decides nothing about schedules: the dispatcher does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.logs.execution import last_results
from pxdesk.core.logs.queries import EXECUTION
from pxdesk.core.notify.alert import FailureRate, failure_rate_of, last_run_rates
from pxdesk.core.notify.stale_notifier import StaleCheck
from pxdesk.core.schedule.dispatch import ScheduleDispatcher
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.store.settings import TRAY_HINT_SETTING, get_setting, set_setting
from pxdesk.core.sync.results import RunCrash, RunOutcome, RunResult, RunStart
from pxdesk.core.workers import JobRunner, RunListener
from pxdesk.ui.main_window import MainWindow
from pxdesk.ui.tray import REFRESH_MS, TrayController, TrayJobInfo, tray_available
from pxdesk.ui.views.logs_view import LogsView

log = logging.getLogger(__name__)

NO_TRAY_BANNER = ("No system tray on this desktop: scheduled jobs run only while this window "
                  "is open.")
HIDDEN_TITLE = "pxdesk is still running"
HIDDEN_MESSAGE = ("pxdesk keeps running in the tray and scheduled jobs continue. "
                  "Quit it from the tray menu.")
PERSISTENT_STATUSES = frozenset({RunStatus.FAILURE})
SILENT_STATUSES = frozenset({RunStatus.CANCELLED})  # the admin did it (or quit): no message
REASON_CHARS = 200


def run_message(job_name: str, outcome: RunOutcome,
                rate: FailureRate | None = None) -> tuple[str, str, bool]:
    """(title, text, persistent) of the tray message after a run; a run above its job's
    failure alert threshold (`rate`) stays on screen like a failure and says so."""
    title = f"{job_name}: {outcome.status}"
    parts = []
    match outcome:
        case RunResult(counts=counts, reason=reason):
            parts.append(f"{counts.success:,} succeeded, {counts.failure:,} failed")
        case RunCrash(message=reason):
            pass
    alerted = rate is not None and rate.alerted
    if rate is not None and alerted:
        parts.append(rate.summary())
    if reason:
        parts.append(reason if len(reason) <= REASON_CHARS else reason[:REASON_CHARS] + "…")
    persistent = outcome.status in PERSISTENT_STATUSES or alerted
    if persistent:
        parts.append("Click to open the run.")
    return title, ". ".join(parts) or str(outcome.status), persistent


class TraySession(QObject, RunListener):
    """Wires tray <-> window, runner and dispatcher; `quit_requested` asks the app to quit."""

    quit_requested = Signal()

    def __init__(
        self, window: MainWindow, runner: JobRunner, dispatcher: ScheduleDispatcher,
        logs_view: LogsView, tray: TrayController | None, parent: QObject | None = None, *,
        refresh_ms: int = REFRESH_MS, tray_available: Callable[[], bool] = tray_available,
    ) -> None:
        super().__init__(parent)
        self.window, self.tray = window, tray
        self._tray_available = tray_available
        self._runner, self._dispatcher, self._logs_view = runner, dispatcher, logs_view
        dispatcher.schedules_changed.connect(self.update_jobs)
        dispatcher.pause_changed.connect(self._on_dispatcher_pause_changed)
        dispatcher.run_logged.connect(self._on_dispatcher_run_logged)
        self._timer = QTimer(self)  # next runs move on as slots pass
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.update_jobs)
        if tray is None:
            window.show_banner(NO_TRAY_BANNER)
            return
        window.set_hide_on_close(self._tray_available)  # gone mid-session: closing quits
        window.hidden_to_tray.connect(self._on_window_hidden_to_tray)
        tray.open_requested.connect(self.open_window)
        tray.run_requested.connect(self._on_tray_run_requested)
        tray.pause_requested.connect(self._on_tray_pause_requested)
        tray.resume_requested.connect(self._on_tray_resume_requested)
        tray.quit_requested.connect(self._on_tray_quit_requested)
        tray.message_clicked.connect(self._on_tray_message_clicked)

    @property
    def has_tray(self) -> bool:
        return self.tray is not None

    def start(self, *, minimized: bool = False) -> None:
        """Show the tray, then the window unless `minimized` and a tray can hold the app."""
        if self.tray is not None:
            self.tray.show()
            self._on_dispatcher_pause_changed()
            self._timer.start()
        if not (minimized and self.tray is not None):
            self.window.show()

    def dispose(self) -> None:
        self._timer.stop()
        if self.tray is not None:
            self.tray.dispose()

    # ---- what the tray shows ------------------------------------------------------------

    def job_infos(self) -> list[TrayJobInfo]:
        results, rates = last_results(), last_run_rates()
        infos = []
        for (name,) in Job.select(Job.name).order_by(Job.kind, Job.name).tuples():
            status, at = results.get(name, (None, None))
            running = self._runner.is_running(name)
            rate = rates.get(name)
            alert = rate.short() if rate is not None and rate.alerted else None
            infos.append(TrayJobInfo(name, status, at, self._dispatcher.next_run(name),
                                     running, alert))
        return infos

    @Slot()
    def update_jobs(self) -> None:
        if self.tray is not None:
            self.tray.update_jobs(self.job_infos())

    # ---- window -------------------------------------------------------------------------

    @Slot()
    def open_window(self) -> None:
        self.window.bring_to_front()

    def show_run(self, run_id: int | None) -> None:
        """Open the window on the Logs tab with the run selected."""
        self.open_window()
        self.window.tabs.setCurrentWidget(self._logs_view)
        run = ExecutionRun.get_or_none(ExecutionRun.id == run_id) if run_id else None
        if run is not None:
            self._logs_view.show_run(run.id, run.job_name)

    @Slot()
    def _on_window_hidden_to_tray(self) -> None:
        if self.tray is None or get_setting(TRAY_HINT_SETTING, False):
            return
        self.tray.notify(HIDDEN_TITLE, HIDDEN_MESSAGE)
        set_setting(TRAY_HINT_SETTING, True)

    # ---- runs ---------------------------------------------------------------------------

    @Slot(object)
    def on_run_started(self, _start: RunStart) -> None:
        self.update_jobs()

    @Slot(object)
    def on_run_ended(self, _outcome: RunOutcome) -> None:
        self.update_jobs()

    @Slot(str, object)
    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        if self.tray is not None and outcome.status not in SILENT_STATUSES:
            run_id = outcome.run_id if isinstance(outcome, RunResult) else None
            rate = failure_rate_of(run_id) if run_id is not None else None
            title, text, persistent = run_message(job_name, outcome, rate)
            self.tray.notify(title, text, persistent, run_id)

    @Slot(object)
    def on_stale_checked(self, check: StaleCheck) -> None:
        """A notice per stale-data episode that began (the check says which): it stays on
        screen like a failure; a long run's notice opens that run when clicked."""
        if self.tray is None:
            return
        for alert in check.new:
            self.tray.notify(f"{alert.job_name}: stale data", alert.summary().capitalize()
                             + ". Click to open pxdesk.", True, alert.run_id)

    @Slot(str, int)
    def _on_dispatcher_run_logged(self, _job_name: str, run_id: int) -> None:
        """A Skipped fire: a closed row the runner never announced."""
        self._logs_view.models[EXECUTION].refresh_row(run_id)
        self.update_jobs()

    # ---- tray actions -------------------------------------------------------------------

    @Slot(str)
    def _on_tray_run_requested(self, job_name: str) -> None:
        if not self._runner.start(job_name, trigger="manual") and self.tray is not None:
            self.tray.notify(f"{job_name} is already running", "Its run is still going.")

    @Slot(object)
    def _on_tray_pause_requested(self, until: datetime | None) -> None:
        self._dispatcher.pause(until)

    @Slot()
    def _on_tray_resume_requested(self) -> None:
        self._dispatcher.resume()

    @Slot()
    def _on_dispatcher_pause_changed(self) -> None:
        if self.tray is not None:
            paused, until = self._dispatcher.pause_state()
            self.tray.set_paused(paused, until.astimezone() if until is not None else None)
        self.update_jobs()

    @Slot()
    def _on_tray_quit_requested(self) -> None:
        self.quit_requested.emit()

    @Slot(object)
    def _on_tray_message_clicked(self, run_id: object) -> None:
        if isinstance(run_id, int):
            self.show_run(run_id)
        else:
            self.open_window()

