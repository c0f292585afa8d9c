"""Shared base of the table models: rows held in a list, columns described by a spec list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

RowT = TypeVar("RowT")
AnyIndex = QModelIndex | QPersistentModelIndex
TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
# The run status a cell stands for (its tone: ui/status_pill.py), None for a plain cell.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 16


@dataclass(frozen=True)
class Column(Generic[RowT]):
    """One column: its header title, and how a row reads in it (None: the model's `cell`)."""

    title: str
    text: Callable[[RowT], Any] | None = None


class ListTableModel(QAbstractTableModel, Generic[RowT]):
    """Header, row and column counts, row access and display text for rows kept in a list.

    Subclasses add what is theirs (roles, flags, editing, lazy fetching) by overriding `cell`
    or `data` and calling up for the plain text.
    """

    def __init__(self, columns: Sequence[Column[RowT] | str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = self._specs(columns)
        self._rows: list[RowT] = []

    @staticmethod
    def _specs(columns: Sequence[Column[RowT] | str]) -> list[Column[RowT]]:
        return [c if isinstance(c, Column) else Column(c) for c in columns]

    @property
    def titles(self) -> list[str]:
        return [c.title for c in self._columns]

    def set_columns(self, columns: Sequence[Column[RowT] | str],
                    rows: Sequence[RowT] = ()) -> None:
        """Replace the columns (and the rows they describe) in one reset."""
        self.beginResetModel()
        self._columns = self._specs(columns)
        self._rows = list(rows)
        self.endResetModel()

    def set_rows(self, rows: Sequence[RowT]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[RowT]:
        return list(self._rows)

    def row_at(self, row: int) -> RowT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def emit_row_changed(self, row: int) -> None:
        """Every cell of `row` changed (views repaint just that row)."""
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self._columns) - 1))

    # ---- Qt model -----------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._columns)):
            return self._columns[section].title
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in TEXT_ROLES:
            return None
        return self.cell(self._rows[index.row()], index.column())

    def display_text(self, row: int, column: int) -> str:
        """What the cell shows, read in Python (no QModelIndex): the column fitter asks it for
        live rows, where each call into Qt would wait for the GIL a running sync holds."""
        text = self.cell(self._rows[row], column)
        return "" if text is None else str(text)

    def cell(self, row: RowT, column: int) -> Any:
        """The text of one cell; a column without a `text` reader shows nothing."""
        reader = self._columns[column].text
        return None if reader is None else reader(row)
