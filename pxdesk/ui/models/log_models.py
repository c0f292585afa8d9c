"""Lazy table models of the Logs tab: rows arrive in keyset pages as the view scrolls."""

from __future__ import annotations

import html
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QIcon

from pxdesk.core.logs import queries
from pxdesk.core.logs.queries import LogFilter
from pxdesk.core.logs.readable import Labels, field_labels
from pxdesk.core.store.enums import RunStatus
from pxdesk.ui.icons import status_icon
from pxdesk.ui.models.table_model import STATUS_ROLE, AnyIndex, ListTableModel
from pxdesk.ui.theme import status_colour

ROW_ID_ROLE = Qt.ItemDataRole.UserRole  # the log row's database id
EXPORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the cell as the CSV export writes it
DEFAULT_CHUNK = 500
TOOLTIP_WRAP = 80  # characters: a longer cell's tooltip is wrapped

def cell_text(value: Any) -> str:
    """A cell as the table shows it: counts with thousands separators (the export keeps
    plain numbers for spreadsheets)."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def tooltip_text(text: str) -> str | None:
    """The whole cell; a long one as rich text, which Qt wraps instead of one endless line."""
    if not text:
        return None
    return f"<p>{html.escape(text, quote=False)}</p>" if len(text) > TOOLTIP_WRAP else text


class LogTableModel(ListTableModel[dict[str, Any]]):
    """One log (execution, audit or connection) under a LogFilter, fetched `chunk` rows at a
    time through queries.fetch_page, so 100,000 rows never load at once."""

    def __init__(self, kind: str, parent: QObject | None = None, *,
                 chunk: int = DEFAULT_CHUNK, tz: tzinfo | None = None) -> None:
        self.header = queries.HEADERS[kind]
        super().__init__(self.header, parent)
        self.kind = kind
        self.filter = LogFilter()
        self.fetch_count = 0  # page queries issued since the last reset (tests, diagnostics)
        self.total = 0  # rows the filter selects in the store; counted once per reset
        self._chunk = chunk
        self._tz = tz
        self._cells: list[tuple[Any, ...]] = []
        self._more = True
        self._labels: Labels | None = None  # field labels for audit values, read per reset
        self._status_col = self.header.index("Status") if "Status" in self.header else -1

    # ---------------------------------------------------------------- loading

    def set_filter(self, f: LogFilter) -> None:
        """Apply a filter: drop every row and fetch the first page again."""
        self.beginResetModel()
        self.filter = f
        self._rows, self._cells = [], []
        self._more = True
        self.fetch_count = 0
        self.total = queries.count_rows(self.kind, f)
        self._labels = field_labels() if self.kind == queries.AUDIT else None
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def reload(self) -> None:
        self.set_filter(self.filter)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more:
            return
        after = self._rows[-1]["id"] if self._rows else None
        page = queries.fetch_page(self.kind, self.filter, after, self._chunk)
        self.fetch_count += 1
        self._more = len(page) == self._chunk
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self._cells.extend(self._format(r) for r in page)
        self.endInsertRows()

    def _format(self, row: dict[str, Any], *, export: bool = False) -> tuple[Any, ...]:
        return queries.format_row(self.kind, row, export=export, tz=self._tz,
                                  labels=self._labels)

    # ---------------------------------------------------------------- live updates

    def row_of(self, row_id: int) -> int:
        """Position of a loaded row, or -1; new runs sit near the top, so scan from there."""
        for pos, row in enumerate(self._rows):
            if row["id"] == row_id:
                return pos
        return -1

    def refresh_row(self, row_id: int, overlay: dict[str, Any] | None = None) -> None:
        """Re-read one row: update it in place, insert it (newest first) if it now matches
        the filter, remove it if it no longer does. `overlay` holds fresher values."""
        fresh = queries.fetch_row(self.kind, self.filter, row_id)
        if fresh is not None and overlay:
            fresh.update({k: v for k, v in overlay.items() if v is not None})
        pos = self.row_of(row_id)
        if pos >= 0 and fresh is not None:
            self._rows[pos] = fresh
            self._cells[pos] = self._format(fresh)
            self.emit_row_changed(pos)
        elif pos >= 0:
            self.total -= 1
            self.beginRemoveRows(QModelIndex(), pos, pos)
            del self._rows[pos], self._cells[pos]
            self.endRemoveRows()
        elif fresh is not None:
            self.total += 1
            self._insert_sorted(fresh)

    def update_loaded_row(self, row_id: int, values: dict[str, Any]) -> bool:
        """Change a loaded row in memory (no query): live counters during a run. False when
        the row is not loaded (filtered out, or not fetched yet)."""
        pos = self.row_of(row_id)
        if pos < 0:
            return False
        row = {**self._rows[pos], **{k: v for k, v in values.items() if v is not None}}
        self._rows[pos] = row
        self._cells[pos] = self._format(row)
        self.emit_row_changed(pos)
        return True

    def _insert_sorted(self, row: dict[str, Any]) -> None:
        pos = next((i for i, r in enumerate(self._rows) if r["id"] < row["id"]), len(self._rows))
        if pos == len(self._rows) and self._more:
            return  # older than what is loaded: fetchMore brings it in order
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, row)
        self._cells.insert(pos, self._format(row))
        self.endInsertRows()

    # ---------------------------------------------------------------- Qt model

    def raw_row(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def row_id(self, row: int) -> int:
        return int(self._rows[row]["id"])

    def _icon(self, status: str) -> QIcon | None:
        """The status's glyph in its colour (the pill delegate draws its own)."""
        colour = status_colour(status)
        return None if colour is None else status_icon(status, colour)

    def display_text(self, row: int, column: int) -> str:
        return str(cell_text(self._cells[row][column]) or "")

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(self._cells[row][col])
        if role == ROW_ID_ROLE:
            return self._rows[row]["id"]
        if role == EXPORT_ROLE:
            return self._format(self._rows[row], export=True)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(cell_text(self._cells[row][col]))
        if col == self._status_col:
            status = self._rows[row]["status"]
            if role == STATUS_ROLE:
                return status
            if role == Qt.ItemDataRole.DecorationRole:
                return self._icon(status)
            if role == Qt.ItemDataRole.ForegroundRole:
                return status_colour(status)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(self._cells[row][col], int):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RequestsModel(ListTableModel[tuple[Any, ...]]):
    """The PX requests of one run (a few per page of the run: loaded at once)."""

    def __init__(self, rows: list[tuple[Any, ...]], parent: QObject | None = None) -> None:
        super().__init__(queries.REQUEST_HEADER, parent)
        self._rows = rows

    def cell(self, row: tuple[Any, ...], column: int) -> str:
        return "" if row[column] is None else str(row[column])

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.ForegroundRole:
            status = self._rows[index.row()][3]
            if status is None or status >= 400:
                return status_colour(RunStatus.FAILURE)
            return None
        return super().data(index, role)
