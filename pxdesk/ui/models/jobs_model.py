"""Table model of the connection's jobs: last run, counts, schedule and next run."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QObject

from pxdesk.ui.models.table_model import Column, ListTableModel
from pxdesk.ui.queries import JobRow

STATUS_COLUMN = 3


def _when(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def _counts(row: JobRow) -> str:
    return "" if row.success is None else f"{row.success} / {row.failure}"


def _schedule(row: JobRow) -> str:
    nxt = f" — next {row.next_run:%Y-%m-%d %H:%M %Z}" if row.next_run else ""
    return f"{row.schedule}{nxt}"


COLUMNS: tuple[Column[JobRow], ...] = (
    Column("Job Name", attrgetter("name")),
    Column("Source -> Target", attrgetter("source_target")),
    Column("Data Modification Type", attrgetter("modification_type")),
    Column("Last Run Status"),  # the live status overlays the last run's: see cell()
    Column("Last Run On", lambda row: _when(row.last_run_at)),
    Column("# Success / # Failure", _counts),
    Column("Schedule", _schedule),
)


class JobsTableModel(ListTableModel[JobRow]):
    """Read-only rows given by the controller; `set_rows` replaces them all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._running: dict[str, str] = {}  # job name -> live status text

    def set_running(self, job_name: str, text: str | None) -> None:
        """Show a live status ("In Progress", "Cancelling…") instead of the last run's."""
        if text is None:
            self._running.pop(job_name, None)
        else:
            self._running[job_name] = text
        row = self.row_of(job_name)
        if row >= 0:
            cell = self.index(row, STATUS_COLUMN)
            self.dataChanged.emit(cell, cell)

    def update_rows(self, rows: list[JobRow]) -> None:
        """Replace the rows of these jobs in place (no reset: selection and sizes stay)."""
        for fresh in rows:
            row = self.row_of(fresh.name)
            if row >= 0:
                self._rows[row] = fresh
                self.emit_row_changed(row)

    def live_jobs(self) -> list[str]:
        """Jobs showing a live status now."""
        return list(self._running)

    def row_of(self, job_name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.name == job_name), -1)

    def cell(self, row: JobRow, column: int) -> Any:
        if column == STATUS_COLUMN:
            return self._running.get(row.name, row.last_status)
        return super().cell(row, column)
