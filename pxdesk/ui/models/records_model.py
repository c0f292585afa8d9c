"""Lazy table model over a RecordQuery: pages of rows fetched as the view scrolls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt

from pxdesk.core.store.records import TIMESTAMP_COLUMNS, RecordQuery
from pxdesk.core.store.records import Column as RecordColumn
from pxdesk.ui.models.table_model import AnyIndex, Column, ListTableModel

PAGE_SIZE = 200


def _show(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key in TIMESTAMP_COLUMNS and isinstance(value, int):
        return datetime.fromtimestamp(value / 1000).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _column(column: RecordColumn) -> Column[dict[str, Any]]:
    key = column.key
    return Column(column.label, lambda row: _show(key, row.get(key)))


class RecordsTableModel(ListTableModel[dict[str, Any]]):
    """Rows of one object; `fetchMore` loads the next page (SQL LIMIT/OFFSET)."""

    def __init__(self, parent: QObject | None = None, page_size: int = PAGE_SIZE) -> None:
        super().__init__((), parent)
        self._page_size = page_size
        self._query: RecordQuery | None = None
        self._total = 0

    def set_query(self, query: RecordQuery) -> None:
        """The query's columns and its first page, in one reset."""
        self._query = query
        self._total = query.count()
        self.set_columns([_column(c) for c in query.columns], query.fetch(0, self._page_size))

    @property
    def query(self) -> RecordQuery | None:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def gsid_at(self, row: int) -> str:
        return str(self._rows[row]["gsid"])

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
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
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1  # row numbers: where you are in a million rows
        return super().headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is done by SQL so it covers every row, not just the loaded pages."""
        if self._query is None or not 0 <= column < len(self._query.columns):
            return
        self.set_query(RecordQuery(self._query.obj, self._query.search,
                                   self._query.columns[column].key,
                                   order == Qt.SortOrder.DescendingOrder))
