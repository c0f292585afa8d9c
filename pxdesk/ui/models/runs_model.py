"""Table model of execution runs for the (placeholder) Logs tab, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from pxdesk.ui.controllers import RunRow

COLUMNS = ("Run", "Job", "Trigger", "Status", "Started", "Ended", "# Success", "# Failure",
           "Reason")
_Index = QModelIndex | QPersistentModelIndex


def _when(ms: int | None) -> str:
    return "" if ms is None else datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


class RunsTableModel(QAbstractTableModel):
    """Rows are replaced on refresh; a live run's counters change in place."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[RunRow] = []

    def set_rows(self, rows: list[RunRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> RunRow:
        return self._rows[row]

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
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        r = self._rows[index.row()]
        values = (r.run_id, r.job_name, r.trigger, r.status, _when(r.started_at),
                  _when(r.ended_at), r.success, r.failure, r.reason)
        return values[index.column()]
