"""Lazy table model over a RecordQuery: the count and pages of rows read by workers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from peewee import Database
from PySide6.QtCore import QModelIndex, QObject, Qt, Signal

from pxdesk.core.background import BackgroundCalls
from pxdesk.core.store.base import database_proxy
from pxdesk.core.store.records import Column as RecordColumn
from pxdesk.core.store.records import RecordQuery, display_value
from pxdesk.ui.models.table_model import AnyIndex, Column, ListTableModel

PAGE_SIZE = 200


@dataclass(frozen=True)
class _Page:
    """What a worker read for one request: `total` is None for a next page."""

    generation: int
    rows: list[dict[str, Any]]
    total: int | None


def _first_page(query: RecordQuery, limit: int, generation: int) -> _Page:
    return _Page(generation, query.fetch(0, limit), query.count())


def _next_page(query: RecordQuery, offset: int, limit: int, generation: int) -> _Page:
    return _Page(generation, query.fetch(offset, limit), None)


def _column(column: RecordColumn) -> Column[dict[str, Any]]:
    key = column.key
    return Column(column.label, lambda row: display_value(key, row.get(key)))


class RecordsTableModel(ListTableModel[dict[str, Any]]):
    """Rows of one object. Counting, searching and sorting a million rows takes seconds, so
    `set_query`, `sort` and `fetchMore` only start a worker; `loaded` comes when the first
    page is shown, `busy_changed` when reading starts and stops, `read_failed` with why."""

    loaded = Signal()
    busy_changed = Signal(bool)
    read_failed = Signal(str)

    def __init__(self, parent: QObject | None = None, page_size: int = PAGE_SIZE,
                 db: Database | None = database_proxy) -> None:
        super().__init__((), parent)
        self._page_size = page_size
        self._query: RecordQuery | None = None
        self._total = 0
        self._generation = 0  # a result of an older query is dropped
        self._fetching = False
        self._pending = 0
        self._calls = BackgroundCalls(self, db)

    def set_query(self, query: RecordQuery) -> None:
        """Show `query`: its columns now, its count and first page when the worker is done."""
        self._query = query
        self._generation += 1
        self._fetching = False
        self.set_columns([_column(c) for c in query.columns])
        self._total = 0
        self._start(partial(_first_page, query, self._page_size, self._generation))

    @property
    def query(self) -> RecordQuery | None:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    def is_busy(self) -> bool:
        return self._pending > 0

    def gsid_at(self, row: int) -> str:
        return str(self._rows[row]["gsid"])

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self._query is None or parent.isValid() or self._fetching:
            return
        self._fetching = True
        self._start(partial(_next_page, self._query, len(self._rows), self._page_size,
                            self._generation))

    def _start(self, read: partial[_Page]) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._calls.start(read, self._on_read_finished, self._on_read_failed)

    def _read_ended(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)

    def _on_read_finished(self, page: object) -> None:
        self._read_ended()
        if not isinstance(page, _Page) or page.generation != self._generation:
            return
        if page.total is not None:
            self._total = page.total
            self.set_rows(page.rows)
            self.loaded.emit()
            return
        self._fetching = False
        if not page.rows:
            self._total = len(self._rows)  # rows were deleted meanwhile
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self.endInsertRows()

    def _on_read_failed(self, message: str) -> None:
        self._read_ended()
        self._fetching = False
        self.read_failed.emit(message)

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
