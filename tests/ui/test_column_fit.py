"""ColumnFitter during a run: a live row changes several times a second, and each Qt call the
fitter makes then waits for the GIL the sync holds. It measures only what grew."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from pxdesk.ui.column_fit import ColumnFitter
from pxdesk.ui.models.table_model import Column, ListTableModel


def _fitted(qtbot: QtBot, rows: list[list[str]]) -> tuple[QTableView, ListTableModel[Any]]:
    model: ListTableModel[list[str]] = ListTableModel(
        [Column("Status", lambda r: r[0]), Column("Counts", lambda r: r[1])])
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    ColumnFitter(table)
    model.set_rows(rows)
    return table, model


def _qt_calls_during(action: Any) -> list[str]:
    """Python calls Qt makes into the model (each a GIL turn under a busy sync)."""
    calls: list[str] = []

    def count(frame: Any, event: str, _arg: Any) -> None:
        if event in ("call", "c_call"):
            name = frame.f_code.co_name if event == "call" else getattr(_arg, "__name__", "")
            if name in ("data", "index", "horizontalAdvance"):
                calls.append(name)

    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


def test_a_live_row_is_measured_again_only_when_a_text_grew_longer(qtbot: QtBot) -> None:
    table, model = _fitted(qtbot, [["In Progress", "1,000 of 90,000"]])
    rows = model.rows()
    rows[0][1] = "2,000 of 90,000"  # as long as before: nothing to measure
    first, last = model.index(0, 0), model.index(0, 1)
    assert _qt_calls_during(lambda: model.dataChanged.emit(first, last)) == []
    before = table.columnWidth(1)
    rows[0][1] = "10,000 of 90,000 (120 failed)"
    model.emit_row_changed(0)
    assert table.columnWidth(1) > before, "a longer text still widens its column"
    assert table.columnWidth(1) >= table.fontMetrics().horizontalAdvance(rows[0][1])
