"""The Adoption tab's companies table: one row per company, sorted by value, not by text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt

from pxdesk.core.adoption.figures import CompanyRow
from pxdesk.ui.models.table_model import AnyIndex, Column, ListTableModel


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def trend_text(row: CompanyRow) -> str:
    """30-day active users against the previous 30 days, in words ("(est.)": estimated
    without a snapshot; the tooltip says how)."""
    if row.previous_active_30 == 0 and row.figures.active_30 > 0:
        text = "New"
    elif row.trend == 0:
        text = "No change"
    else:
        text = f"{'▲' if row.trend > 0 else '▼'} {abs(row.trend):,} vs previous 30 days"
    return text if row.trend_from_snapshot else f"{text} (est.)"


def trend_tooltip(row: CompanyRow) -> str:
    """What the trend compares, and where the previous figure comes from."""
    now = f"Users active in the last 30 days: {row.figures.active_30:,}.\n"
    if row.trend_from_snapshot:
        return (f"{now}In the 30 days before: {row.previous_active_30:,}, from the daily "
                "snapshot taken then.")
    return (f"{now}In the 30 days before: about {row.previous_active_30:,}, estimated from "
            "each user's last and first visit (no daily snapshot from then yet: snapshots "
            "start with the first Company Person Sync).")


# (title, display text, sort value)
_COLUMNS: list[tuple[str, Any, Any]] = [
    ("Company", lambda r: r.name or r.company_gsid, lambda r: (r.name or "").casefold()),
    ("Users", lambda r: f"{r.figures.users:,}", lambda r: r.figures.users),
    ("Active 1 d", lambda r: f"{r.figures.active_1:,}", lambda r: r.figures.active_1),
    ("Active 7 d", lambda r: f"{r.figures.active_7:,}", lambda r: r.figures.active_7),
    ("Active 30 d", lambda r: f"{r.figures.active_30:,}", lambda r: r.figures.active_30),
    ("Trend", trend_text, lambda r: r.trend),
    ("DAU/MAU", lambda r: _share(r.figures.stickiness), lambda r: r.figures.stickiness or 0.0),
    ("Visits", lambda r: f"{r.figures.visits:,}", lambda r: r.figures.visits),
    ("Never seen", lambda r: _share(r.figures.never_seen_share),
     lambda r: r.figures.never_seen_share or 0.0),
]
NUMERIC_FROM = 1
TREND_COLUMN = next(i for i, (title, *_) in enumerate(_COLUMNS) if title == "Trend")


class CompaniesModel(ListTableModel[CompanyRow]):
    """CompanyRow per line, kept in the order last asked for. It sorts its own list, one key
    a row: a proxy would compare rows through data(), a second on the GUI thread for 10,000
    companies."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([Column(title, text) for title, text, _ in _COLUMNS], parent)
        self._order: tuple[int, Qt.SortOrder] | None = None

    def _sorted(self, rows: Sequence[CompanyRow]) -> list[CompanyRow]:
        if self._order is None:
            return list(rows)
        column, order = self._order
        return sorted(rows, key=_COLUMNS[column][2],
                      reverse=order == Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: Sequence[CompanyRow]) -> None:
        super().set_rows(self._sorted(rows))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(_COLUMNS):
            return
        self._order = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        moved = [self._rows[i.row()] for i in before]
        self._rows = self._sorted(self._rows)
        position = {id(row): n for n, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            before, [self.index(position[id(row)], i.column()) for row, i in zip(
                moved, before, strict=True)])
        self.layoutChanged.emit()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return (trend_tooltip(self._rows[index.row()]) if index.column() == TREND_COLUMN
                    else None)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= NUMERIC_FROM:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)

    def csv_rows(self, rows: list[CompanyRow]) -> list[list[Any]]:
        """The raw values of `rows` (numbers, not display text) for a CSV export."""
        return [[r.name or "", r.company_gsid, r.figures.users, r.figures.active_1,
                 r.figures.active_7, r.figures.active_30, r.previous_active_30, r.trend,
                 "" if r.figures.stickiness is None else round(r.figures.stickiness, 4),
                 r.figures.visits, r.figures.never_seen] for r in rows]


CSV_HEADER = ["Company", "Company GSID", "Users", "Active 1 d", "Active 7 d", "Active 30 d",
              "Previous active 30 d", "Trend", "DAU/MAU", "Visits", "Never seen"]


class CompaniesProxy(QSortFilterProxyModel):
    """Filters on the company name (case-insensitive, anywhere in it); a sort the view asks
    for is the source model's (by value, see CompaniesModel), the proxy keeps its order."""

    def __init__(self, source: CompaniesModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self.setSourceModel(source)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._source.sort(column, order)

    def shown_rows(self) -> list[CompanyRow]:
        """The rows as shown: filtered and in the view's order."""
        rows = []
        for row in range(self.rowCount()):
            found = self._source.row_at(self.mapToSource(self.index(row, 0)).row())
            if found is not None:
                rows.append(found)
        return rows
