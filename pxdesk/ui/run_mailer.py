"""Run e-mails off the GUI thread: one BackgroundCall mails every run of a finished run tree."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from peewee import Database
from PySide6.QtCore import QObject, Signal, Slot

from pxdesk.core.background import THREAD_WAIT_MS, BackgroundCall
from pxdesk.core.notify.notifier import NotifyOutcome, notify_run_tree
from pxdesk.core.sync.results import RunOutcome, tree_run_ids
from pxdesk.core.workers import RunListener

log = logging.getLogger(__name__)


class RunMailer(QObject, RunListener):
    """`notify_run(run_id)` (RunNotifier.notify_run: SMTP, blocking) runs in a QThread with its
    own database connection; a failure to send is logged, never raised into the GUI."""

    mailed = Signal(object)  # the outcomes of one run tree (tests and logs)

    def __init__(self, notify_run: Callable[[int], NotifyOutcome], db: Database | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notify_run = notify_run
        self._db = db
        self._calls: list[BackgroundCall] = []

    @Slot(str, object)
    def on_run_finished(self, _job_name: str, outcome: RunOutcome) -> None:
        if not tree_run_ids(outcome):
            return  # a crash without a run row: no thread for nothing to mail
        # In the worker thread, by the core's rule, the same as `pxdesk-cli run`.
        call = BackgroundCall(partial(notify_run_tree, self._notify_run, outcome), self._db, self)
        call.finished.connect(self._on_call_finished)
        call.failed.connect(self._on_call_failed)
        self._calls.append(call)
        call.start()

    def pending(self) -> int:
        return len(self._calls)

    def wait(self, timeout_ms: int = THREAD_WAIT_MS) -> None:
        """At quit: let mails in flight finish (a QThread must not die running), then stop
        their threads: the signal that would have stopped them is not delivered any more."""
        for call in list(self._calls):
            call.quit_and_wait(timeout_ms)

    @Slot(object)
    def _on_call_finished(self, outcomes: list[NotifyOutcome]) -> None:
        self._end_call()  # notify_run_tree logged what was not sent
        self.mailed.emit(outcomes)

    @Slot(str)
    def _on_call_failed(self, message: str) -> None:
        log.warning("Run e-mail failed: %s", message)
        self._end_call()
        self.mailed.emit([])

    def _end_call(self) -> None:
        call = self.sender()
        if isinstance(call, BackgroundCall) and call in self._calls:
            self._calls.remove(call)
            call.deleteLater()
