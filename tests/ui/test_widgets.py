"""Shared widget pieces: red error text, button rows, OK/Cancel and row-selecting tables."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pxdesk.ui.theme import Tone, colour
from pxdesk.ui.widgets import (
    button_row,
    error_label,
    ok_cancel_buttons,
    select_whole_rows,
)


def test_error_label_starts_empty_in_red_and_wraps_unless_told(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    wrapped, single = error_label(parent), error_label(parent, wrap=False)
    assert wrapped.text() == "" and wrapped.styleSheet() == f"color: {colour(Tone.ERROR).name()}"
    assert wrapped.wordWrap() and not single.wordWrap()
    assert wrapped.parent() is parent


def test_button_row_keeps_the_order_and_the_free_space_on_the_right(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    first, second = QPushButton("First", parent), QPushButton("Second", parent)
    row = button_row(first, second)
    assert [row.itemAt(i).widget() for i in range(2)] == [first, second]
    parent.setLayout(row)
    parent.resize(600, 200)
    parent.show()
    qtbot.waitUntil(lambda: second.x() > first.x())
    assert first.x() == 0 and second.y() == first.y(), "one line, from the left"
    assert second.geometry().right() < 300, "the free space stays on the right"


def test_button_row_wraps_in_a_narrow_window(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    first, second = QPushButton("First action", parent), QPushButton("Second action", parent)
    row = button_row(first, second)
    parent.setLayout(row)
    assert row.minimumSize().width() < first.sizeHint().width() + second.sizeHint().width()
    parent.resize(max(first.sizeHint().width(), second.sizeHint().width()) + 4, 200)
    parent.show()
    qtbot.waitUntil(lambda: second.y() > first.y())
    assert second.x() == first.x() == 0, "the second button starts the next line"
    assert row.heightForWidth(parent.width()) >= first.height() + second.height()


def test_ok_cancel_buttons_accept_and_reject_the_dialog(qtbot: QtBot) -> None:
    for button, code in ((QDialogButtonBox.StandardButton.Ok, QDialog.DialogCode.Accepted),
                         (QDialogButtonBox.StandardButton.Cancel, QDialog.DialogCode.Rejected)):
        dialog = QDialog()
        qtbot.addWidget(dialog)
        buttons = ok_cancel_buttons(dialog)
        dialog.setResult(-1)
        qtbot.mouseClick(buttons.button(button), Qt.MouseButton.LeftButton)
        assert dialog.result() == code


def test_a_click_selects_one_whole_row(qtbot: QtBot) -> None:
    model = QStandardItemModel(3, 3)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    select_whole_rows(table, QHeaderView.ResizeMode.Interactive)
    table.show()
    for row in (0, 2):
        rect = table.visualRect(model.index(row, 1))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        rows = table.selectionModel().selectedRows()
        assert [index.row() for index in rows] == [row], "one row, all of its columns"
    header = table.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    assert header.stretchLastSection()


def _counted_button_row(qtbot: QtBot, monkeypatch: Any
                        ) -> tuple[QWidget, Any, QPushButton, QPushButton, list[bool]]:
    """A two-button row (with the widget that holds it) whose placing passes are recorded
    (True: items moved)."""
    from pxdesk.ui.flow_layout import FlowLayout

    parent = QWidget()
    qtbot.addWidget(parent)
    first, second = QPushButton("Import Now", parent), QPushButton("Cancel Run", parent)
    row = button_row(first, second)
    parent.setLayout(row)
    placed: list[bool] = []
    real = FlowLayout._place

    def counting(self: FlowLayout, rect: Any, *, move: bool) -> int:
        placed.append(move)
        return real(self, rect, move=move)

    monkeypatch.setattr(FlowLayout, "_place", counting)
    return parent, row, first, second, placed


def test_a_button_row_measures_a_width_once_until_a_button_changes(
        qtbot: QtBot, monkeypatch: Any) -> None:
    """Layouts ask heightForWidth many times a pass (status text changes during a run):
    one measure per width, again only when the row changes (as QBoxLayout caches)."""
    _parent, row, first, second, placed = _counted_button_row(qtbot, monkeypatch)
    narrow = row.heightForWidth(first.sizeHint().width() + 10)
    assert row.heightForWidth(first.sizeHint().width() + 10) == narrow
    assert placed == [False], "measured once for that width"
    wide = row.heightForWidth(2000)
    assert wide < narrow and placed == [False, False]
    second.setText("Cancel the Run That Is Going On Now, Please")  # its size hint grows
    assert row.heightForWidth(2000) == wide and len(placed) == 3, "measured again"


def test_a_button_row_places_its_buttons_again_only_when_its_rect_or_a_button_changes(
        qtbot: QtBot, monkeypatch: Any) -> None:
    """Every status text change during a run re-lays the window out, and Qt then sets each
    row's geometry again, most often to the same rect: placing is skipped then."""
    from PySide6.QtCore import QRect

    _parent, row, first, second, placed = _counted_button_row(qtbot, monkeypatch)
    rect = QRect(0, 0, 600, 40)
    row.setGeometry(rect)
    row.setGeometry(rect)
    assert placed == [True], "the same rect: the buttons are where they were"
    row.setGeometry(QRect(0, 0, 500, 40))
    assert placed == [True, True]
    second.setText("Cancel the Run That Is Going On Now, Please")  # invalidates the row
    row.setGeometry(QRect(0, 0, 500, 40))
    assert placed == [True, True, True] and second.x() > first.x(), "placed again"
