"""The companies table's trend column: words a reader understands, and a tooltip that says
what is compared with what."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from pxdesk.core.adoption.figures import CompanyRow, Figures
from pxdesk.ui.models.adoption_model import CompaniesModel

TREND = 5  # the "Trend" column


def _row(active_30: int, previous: int, from_snapshot: bool = True) -> CompanyRow:
    figures = Figures(users=50, active_1=1, active_7=2, active_30=active_30, visits=9,
                      never_seen=0, without_company=0)
    return CompanyRow("gsid-1", "Acme", figures, previous, from_snapshot)


@pytest.mark.parametrize(("active", "previous", "text"), [
    (40, 28, "▲ 12 vs previous 30 days"),
    (1_500, 1, "▲ 1,499 vs previous 30 days"),
    (3, 5, "▼ 2 vs previous 30 days"),
    (7, 7, "No change"),
    (0, 0, "No change"),
    (4, 0, "New"),
])
def test_the_trend_says_it_in_words(qtbot: Any, active: int, previous: int, text: str) -> None:
    model = CompaniesModel()
    model.set_rows([_row(active, previous)])
    assert model.headerData(TREND, Qt.Orientation.Horizontal) == "Trend"
    assert model.data(model.index(0, TREND)) == text


def test_the_tooltip_explains_the_comparison(qtbot: Any) -> None:
    model = CompaniesModel()
    model.set_rows([_row(40, 28), _row(40, 28, from_snapshot=False)])
    snapshot = model.data(model.index(0, TREND), Qt.ItemDataRole.ToolTipRole)
    assert snapshot == ("Users active in the last 30 days: 40.\n"
                        "In the 30 days before: 28, from the daily snapshot taken then.")
    estimate = model.data(model.index(1, TREND), Qt.ItemDataRole.ToolTipRole)
    assert estimate.startswith("Users active in the last 30 days: 40.\n"
                               "In the 30 days before: about 28, estimated")
    # an estimate is marked in the text too, and the other columns have no tooltip
    assert model.data(model.index(1, TREND)) == "▲ 12 vs previous 30 days (est.)"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) is None


def test_sorting_keeps_the_order_for_new_rows_and_follows_a_selection(qtbot: Any) -> None:
    model = CompaniesModel()
    rows = [CompanyRow(f"g{i}", name, _row(active, 0).figures, 0, True)
            for i, (name, active) in enumerate([("Bolt", 5), ("acme", 9), ("Cobra", 1)])]
    model.set_rows(rows)
    picked = QPersistentModelIndex(model.index(1, 0))  # acme
    model.sort(4, Qt.SortOrder.DescendingOrder)  # Active 30 d, most first
    assert [r.name for r in model.rows()] == ["acme", "Bolt", "Cobra"]
    assert picked.row() == 0
    model.sort(0, Qt.SortOrder.AscendingOrder)  # by name, whatever the case
    assert [r.name for r in model.rows()] == ["acme", "Bolt", "Cobra"]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.set_rows(rows)  # a new read keeps the order asked for
    assert [r.name for r in model.rows()] == ["Cobra", "Bolt", "acme"]
