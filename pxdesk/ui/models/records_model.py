"""Lazy table model over a RecordQuery: pages of rows fetched as the view scrolls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from pxdesk.ui.data_controller import RecordQuery

PAGE_SIZE = 200
_Index = QModelIndex | QPersistentModelIndex
_TIME_COLUMNS = frozenset({"created_at", "modified_at"})


def _show(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key in _TIME_COLUMNS and isinstance(value, int):
        return datetime.fromtimestamp(value / 1000).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


class RecordsTableModel(QAbstractTableModel):
    """Rows of one object; `fetchMore` loads the next page (SQL LIMIT/OFFSET)."""

    def __init__(self, parent: Any = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._page_size = page_size
        self._query: RecordQuery | None = None
        self._rows: list[dict[str, Any]] = []
        self._total = 0

    def set_query(self, query: RecordQuery) -> None:
        self.beginResetModel()
        self._query = query
        self._total = query.count()
        self._rows = query.fetch(0, self._page_size)
        self.endResetModel()

    @property
    def query(self) -> RecordQuery | None:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def gsid_at(self, row: int) -> str:
        return str(self._rows[row]["gsid"])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._query is None:
            return 0
        return len(self._query.columns)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if self._query is None or parent.isValid():
            return
        page = self._query.fetch(len(self._rows), self._page_size)
        if not page:
            self._total = len(self._rows)  # rows were deleted meanwhile
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self._query is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._query.columns[section].label
        return section + 1

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._query is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        key = self._query.columns[index.column()].key
        return _show(key, self._rows[index.row()].get(key))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is done by SQL so it covers every row, not just the loaded pages."""
        if self._query is None or not 0 <= column < len(self._query.columns):
            return
        self.set_query(RecordQuery(self._query.obj, self._query.search,
                                   self._query.columns[column].key,
                                   order == Qt.SortOrder.DescendingOrder))
