"""Table model of the connection's jobs: last run, counts, schedule and next run."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor

from pxdesk.core.notify.stale_notifier import StaleCheck
from pxdesk.core.store.enums import ARROW, RunStatus
from pxdesk.ui.icons import Icon, icon, status_icon
from pxdesk.ui.models.table_model import STATUS_ROLE, AnyIndex, Column, ListTableModel
from pxdesk.ui.queries import JobRow
from pxdesk.ui.theme import status_colour
from pxdesk.ui.when import exact_time_text, relative_time

NAME_COLUMN = 0
STATUS_COLUMN = 3
COUNTS_COLUMN = 5
SCHEDULE_COLUMN = 6
LAST_RUN_COLUMN = 4
AGEING_MS = 60_000
TRANSPARENT = QColor(0, 0, 0, 0)


def _ran_at(row: JobRow) -> datetime | None:
    return None if row.last_run_at is None else datetime.fromtimestamp(row.last_run_at / 1000)


def _when(row: JobRow) -> str:
    ran_at = _ran_at(row)
    return "" if ran_at is None else relative_time(ran_at, datetime.now())


def _status(row: JobRow) -> str:
    """The last run's status; with the failure alert, e.g. "Partial Success — 12.5% failed"."""
    if row.failure_rate is not None and row.failure_rate.alerted:
        return f"{row.last_status} — {row.failure_rate.short()}"
    return row.last_status


def _colour(row: JobRow) -> QColor | None:
    """A run above its job's failure alert threshold is mailed as a failure: it reads as one."""
    return status_colour(RunStatus.FAILURE if row.alerted else row.last_status)


def counts_text(success: int | None, failure: int | None) -> str:
    return "" if success is None else f"{success:,} / {failure or 0:,}"


def _schedule(row: JobRow) -> str:
    nxt = f" — next {row.next_run:%Y-%m-%d %H:%M %Z}" if row.next_run else ""
    return f"{row.schedule}{nxt}"


COLUMNS: tuple[Column[JobRow], ...] = (
    Column("Job Name", attrgetter("name")),
    Column(f"Source {ARROW} Target", lambda row: row.source_target),
    Column("Data Modification Type", attrgetter("modification_type")),
    Column("Last Run Status"),  # the live status overlays the last run's: see cell()
    Column("Last Run On", _when),
    Column("# Success / # Failure"),  # a running job's live counts: see cell()
    Column("Schedule", _schedule),
)


class JobsTableModel(ListTableModel[JobRow]):
    """Read-only rows given by the controller; `set_rows` replaces them all. A running job
    shows its live status and counts, never the previous run's."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._running: dict[str, str] = {}  # job name -> live status text
        self._live_counts: dict[str, tuple[int, int]] = {}  # job name -> success, failure
        self._stale: dict[str, str] = {}  # job name -> its stale-data alerts, one a line
        self._ageing = QTimer(self)  # "3 min ago" must not stay 3 min: re-read once a minute
        self._ageing.setInterval(AGEING_MS)
        self._ageing.timeout.connect(self._on_minute)
        self._ageing.start()

    def _on_minute(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, LAST_RUN_COLUMN),
                                  self.index(len(self._rows) - 1, LAST_RUN_COLUMN))

    def set_running(self, job_name: str, text: str | None) -> None:
        """Show a live status ("In Progress", "Cancelling…") instead of the last run's."""
        if text is None:
            self._running.pop(job_name, None)
            self._live_counts.pop(job_name, None)
        else:
            self._running[job_name] = text
        self._emit_live_cells(job_name)

    def set_live_counts(self, job_name: str, success: int, failure: int) -> None:
        """A running job's counts so far (ignored once its live status is gone)."""
        if job_name in self._running:
            self._live_counts[job_name] = (success, failure)
            self._emit_live_cells(job_name)

    def _emit_live_cells(self, job_name: str) -> None:
        row = self.row_of(job_name)
        if row >= 0:
            self.dataChanged.emit(self.index(row, STATUS_COLUMN), self.index(row, COUNTS_COLUMN))

    def update_rows(self, rows: list[JobRow]) -> None:
        """Replace the rows of these jobs in place (no reset: selection and sizes stay)."""
        for fresh in rows:
            row = self.row_of(fresh.name)
            if row >= 0:
                self._rows[row] = fresh
                self.emit_row_changed(row)

    def set_stale_check(self, check: StaleCheck) -> None:
        """Mark the jobs the stale-data rule alerts (a warning icon by the name, the alerts as
        its tooltip); a job no longer alerted loses its mark."""
        stale = {name: "\n".join(a.summary() for a in alerts)
                 for name, alerts in check.by_job().items()}
        changed = set(stale) ^ set(self._stale) | {
            n for n in stale if stale[n] != self._stale.get(n)}
        self._stale = stale
        for name in changed:
            row = self.row_of(name)
            if row >= 0:
                self.dataChanged.emit(self.index(row, NAME_COLUMN), self.index(row, NAME_COLUMN))

    def stale_text(self, job_name: str) -> str | None:
        return self._stale.get(job_name)

    def _stale_data(self, row: JobRow, role: int) -> Any:
        text = self._stale.get(row.name)
        if text is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Stale-data alert: {text}"
        return icon(Icon.STALE_ALERT)

    def live_jobs(self) -> list[str]:
        """Jobs showing a live status now."""
        return list(self._running)

    def row_of(self, job_name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.name == job_name), -1)

    def cell(self, row: JobRow, column: int) -> Any:
        if column == STATUS_COLUMN:
            if row.name in self._running:
                return self._running[row.name]
            if row.running is not None:  # another process (or machine) runs it now
                return row.running
            return row.blocker.text(row.name) if row.blocker else _status(row)
        if column == COUNTS_COLUMN:
            if row.name in self._running:
                return counts_text(*self._live_counts.get(row.name, (None, None)))
            return counts_text(row.success, row.failure)
        return super().cell(row, column)

    def _status_role(self, row: JobRow) -> str | None:
        """The status the pill stands for: a live run is In Progress, an alert a Failure; a
        job that cannot run has its "Set it…" link instead."""
        if row.name in self._running or row.running is not None:
            return RunStatus.IN_PROGRESS
        if row.blocker is not None or not row.last_status:
            return None
        return RunStatus.FAILURE if row.alerted else row.last_status

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The last run's status is coloured as in the execution log (the alert as a failure);
        a live status is not: its run has no outcome yet."""
        styled = (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole)
        if (index.isValid() and index.column() == NAME_COLUMN
                and role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole)):
            return self._stale_data(self._rows[index.row()], role)
        if (index.isValid() and index.column() == LAST_RUN_COLUMN
                and role == Qt.ItemDataRole.ToolTipRole):
            ran_at = _ran_at(self._rows[index.row()])
            return None if ran_at is None else exact_time_text(ran_at)
        if index.isValid() and index.column() == STATUS_COLUMN and role == STATUS_ROLE:
            return self._status_role(self._rows[index.row()])
        if (index.isValid() and index.column() == STATUS_COLUMN
                and role == Qt.ItemDataRole.ToolTipRole):
            row = self._rows[index.row()]
            if row.running is not None and row.name not in self._running:
                return row.running
            if row.blocker is not None and row.name not in self._running:
                return row.blocker.tooltip(row.name)
        if index.isValid() and index.column() == STATUS_COLUMN and role in styled:
            row = self._rows[index.row()]
            if row.blocker is not None and row.name not in self._running:
                # the view's "Set it…" link shows this text: the cell must not draw it twice
                return TRANSPARENT if role == Qt.ItemDataRole.ForegroundRole else None
            live = row.name in self._running or row.running is not None
            colour = None if live else _colour(row)
            if colour is None:
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return colour
            return status_icon(self._status_role(row) or "", colour)
        return super().data(index, role)
