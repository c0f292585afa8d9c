"""The dry run's records as a table, read a window at a time, filtered by outcome.

A dry run of a million users keeps most of its records in a temporary file (core/sync/
dry_records.py): the model never loads them all. It holds the rows scrolled to so far and
fetches the next window (a keyset read: milliseconds wherever it is) when the view asks.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from pxdesk.core.sync.dry_records import DryRecord, DryRecords
from pxdesk.ui.models.table_model import AnyIndex, Column, ListTableModel

ALL_OUTCOMES = "All outcomes"
FETCH_ROWS = 500  # rows per window: a few screens, read in a few milliseconds
COLUMNS: list[Column[DryRecord]] = [
    Column("PX id", lambda r: r.source_id),
    Column("Outcome", lambda r: r.outcome),
    Column("Field", lambda r: r.field),
    Column("Value", lambda r: r.value),
    Column("Details", lambda r: r.detail),
]


class DryRunModel(ListTableModel[DryRecord]):
    """A dry run's records, one window after another; `show_outcome` narrows them."""

    def __init__(self, parent: QObject | None = None, fetch_rows: int = FETCH_ROWS) -> None:
        super().__init__(COLUMNS, parent)
        self._source: DryRecords | None = None
        self._outcome: str | None = None
        self._after = -1  # position of the last record read
        self._fetch_rows = fetch_rows

    def set_records(self, records: DryRecords) -> None:
        self._source = records
        self._restart()

    def show_outcome(self, outcome: str) -> None:
        """One outcome (Would insert, ...) or ALL_OUTCOMES."""
        self._outcome = None if outcome == ALL_OUTCOMES else outcome
        self._restart()

    @property
    def outcome(self) -> str | None:
        return self._outcome

    def total(self) -> int:
        """Records of the outcome shown (those not fetched yet included)."""
        return 0 if self._source is None else self._source.count(self._outcome)

    def _restart(self) -> None:
        self.beginResetModel()
        self._rows, self._after = [], -1
        self._rows = self._next_window()
        self.endResetModel()

    def _next_window(self) -> list[DryRecord]:
        if self._source is None:
            return []
        window = self._source.window(self._after, self._fetch_rows, self._outcome)
        if window:
            self._after = window[-1][0]
        return [record for _, record in window]

    # ---- Qt model -----------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self.total()

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        rows = self._next_window()
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(parent, first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()
