"""The dry run's records as a table, filtered by outcome."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject

from pxdesk.core.sync.dry_run import DryRecord
from pxdesk.ui.models.table_model import Column, ListTableModel

ALL_OUTCOMES = "All outcomes"
COLUMNS: list[Column[DryRecord]] = [
    Column("PX id", lambda r: r.source_id),
    Column("Outcome", lambda r: r.outcome),
    Column("Field", lambda r: r.field),
    Column("Value", lambda r: r.value),
    Column("Details", lambda r: r.detail),
]


class DryRunModel(ListTableModel[DryRecord]):
    """Every record of a dry run; `show_outcome` narrows the rows to one outcome."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._all: list[DryRecord] = []
        self._outcome = ALL_OUTCOMES

    def set_records(self, records: Sequence[DryRecord]) -> None:
        self._all = list(records)
        self._apply()

    def show_outcome(self, outcome: str) -> None:
        """One outcome (Would insert, ...) or ALL_OUTCOMES."""
        self._outcome = outcome
        self._apply()

    def _apply(self) -> None:
        wanted = self._outcome
        self.set_rows(self._all if wanted == ALL_OUTCOMES
                      else [r for r in self._all if r.outcome == wanted])
