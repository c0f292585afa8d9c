"""Runs the stale-data check off the GUI thread once a minute and after each run tree.

The check (StaleNotifier.check: the rule, its episodes, the mails) reads the store and may
wait on SMTP, so it runs in a BackgroundCall with its own database connection; `checked`
brings its StaleCheck back on the GUI thread for the tray and the jobs table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from peewee import Database
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.background import BackgroundCalls
from pxdesk.core.notify.stale_notifier import StaleCheck
from pxdesk.core.sync.results import RunOutcome
from pxdesk.core.workers import RunListener

log = logging.getLogger(__name__)

CHECK_MS = 60_000  # the dispatcher's tick: an hour-scale alert needs no finer grain


class StaleWatch(QObject, RunListener):
    """Calls `check` in a worker every `interval_ms` and when a run tree finishes; at most one
    check at a time (a request meanwhile runs once the current one ends)."""

    checked = Signal(object)  # StaleCheck

    def __init__(self, check: Callable[[], StaleCheck], db: Database | None,
                 parent: QObject | None = None, *, interval_ms: int = CHECK_MS) -> None:
        super().__init__(parent)
        self._check = check
        self._calls = BackgroundCalls(self, db)
        self._again = False
        self.last = StaleCheck()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check_now)

    def start(self) -> None:
        self._timer.start()
        self.check_now()

    def stop(self) -> None:
        self._timer.stop()

    def is_checking(self) -> bool:
        return self._calls.is_running()

    @Slot()
    def check_now(self) -> None:
        if self._calls.is_running():
            self._again = True
            return
        self._calls.start(self._check, self._on_check_finished, self._on_check_failed)

    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        self.check_now()  # a success clears its job's alert at once, not a minute later

    def _on_check_finished(self, value: object) -> None:
        if isinstance(value, StaleCheck):
            self.last = value
            self.checked.emit(value)
        self._check_again()

    def _on_check_failed(self, message: str) -> None:
        log.warning("Stale-data check failed: %s", message)
        self._check_again()

    def _check_again(self) -> None:
        if self._again:
            self._again = False
            QTimer.singleShot(0, self.check_now)  # after this call has left the running list
