"""Table model of the connection's jobs: last run, counts, schedule and next run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from pxdesk.ui.controllers import JobRow

COLUMNS = ("Job Name", "Source -> Target", "Data Modification Type", "Last Run Status",
           "Last Run On", "# Success / # Failure", "Schedule")
_Index = QModelIndex | QPersistentModelIndex


def _when(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


class JobsTableModel(QAbstractTableModel):
    """Read-only rows given by the controller; `set_rows` replaces them all."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[JobRow] = []
        self._running: dict[str, str] = {}  # job name -> live status text

    def set_rows(self, rows: list[JobRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_running(self, job_name: str, text: str | None) -> None:
        """Show a live status ("In Progress", "Cancelling…") instead of the last run's."""
        if text is None:
            self._running.pop(job_name, None)
        else:
            self._running[job_name] = text
        for row, item in enumerate(self._rows):
            if item.name == job_name:
                self.dataChanged.emit(self.index(row, 3), self.index(row, 3))

    def row_at(self, row: int) -> JobRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, job_name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.name == job_name), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        return self._text(row, index.column())

    def _text(self, row: JobRow, column: int) -> str:
        if column == 0:
            return row.name
        if column == 1:
            return row.source_target
        if column == 2:
            return row.modification_type
        if column == 3:
            return self._running.get(row.name, row.last_status)
        if column == 4:
            return _when(row.last_run_at)
        if column == 5:
            return "" if row.success is None else f"{row.success} / {row.failure}"
        nxt = f" — next {row.next_run:%Y-%m-%d %H:%M %Z}" if row.next_run else ""
        return f"{row.schedule}{nxt}"
