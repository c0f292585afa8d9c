"""Shows what other pxdesk processes do on the same store: polls a cheap stamp every few
seconds and says which runs to re-read, so the jobs table and the execution log stay live
for runs started by the headless scheduler, the CLI or another machine."""

from __future__ import annotations

import logging

from peewee import PeeweeException
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.errors import PxdeskError
from pxdesk.core.logs.execution import OPEN_STATUSES
from pxdesk.ui import queries

log = logging.getLogger("pxdesk.ui")

POLL_MS = 5_000


class StoreWatch(QObject):
    """Polls `queries.store_stamp()` (two index lookups) on the GUI thread; when it moved,
    emits `run_seen` for each run that is new or was or is open, then `changed`."""

    changed = Signal()  # a run or a lease changed somewhere: refresh the jobs table
    run_seen = Signal(object)  # RunStart of a run to re-read in the execution log

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self._stamp: tuple[int, int, int] | None = None
        self._open: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Note where the store is now (nothing to show yet), then poll."""
        self._stamp = queries.store_stamp()
        self._open = queries.open_run_ids()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def poll(self) -> None:
        try:
            stamp = queries.store_stamp()
            if stamp == self._stamp:
                return
            after = self._stamp[0] if self._stamp is not None else stamp[0]
            runs = queries.runs_to_show(after, self._open)
        except (PeeweeException, PxdeskError) as exc:  # busy or gone: look again next time
            log.debug("store watch skipped a poll: %s", exc)
            return
        self._stamp = stamp
        self._open = {s.run_id for s in runs if s.status in OPEN_STATUSES}
        for start in runs:
            self.run_seen.emit(start)
        self.changed.emit()
