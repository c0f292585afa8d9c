"""Shows what other pxdesk processes do on the same store: polls a cheap stamp every few
seconds and says which runs to re-read, so the jobs table and the execution log stay live
for runs started by the headless scheduler, the CLI or another machine."""

from __future__ import annotations

import logging
from collections.abc import Callable

from peewee import PeeweeException
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.errors import PxdeskError
from pxdesk.core.logs.execution import OPEN_STATUSES
from pxdesk.ui import queries

log = logging.getLogger("pxdesk.ui")

POLL_MS = 5_000


class StoreWatch(QObject):
    """Polls `queries.store_stamp()` (two index lookups) on the GUI thread; when it moved,
    emits `run_seen` for each run of another process that is new or was or is open, then
    `changed`. Runs `is_own` names (this window's, shown live by the runner's signals) and
    this process's leases are left out: re-reading them cost the GUI thread a jobs query in
    the middle of its own run."""

    changed = Signal()  # a run or a lease changed somewhere: refresh the jobs table
    run_seen = Signal(object)  # RunStart of a run to re-read in the execution log

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = POLL_MS,
                 is_own: Callable[[int], bool] = lambda _run_id: False) -> None:
        super().__init__(parent)
        self._is_own = is_own
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
            runs = [run for run in queries.runs_to_show(after, self._open)
                    if not self._is_own(run.run_id)]
        except (PeeweeException, PxdeskError) as exc:  # busy or gone: look again next time
            log.debug("store watch skipped a poll: %s", exc)
            return
        leases_moved = self._stamp is None or stamp[1:] != self._stamp[1:]
        self._stamp = stamp
        self._open = {s.run_id for s in runs if s.status in OPEN_STATUSES}
        if not runs and not leases_moved:
            return  # only this window's own runs moved on
        for start in runs:
            self.run_seen.emit(start)
        self.changed.emit()
