"""Widget pieces the views and wizards share: error and warning text, button rows, OK/Cancel,
tables."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

from pxdesk.ui.flow_layout import FlowLayout
from pxdesk.ui.theme import Tone, set_tone


def error_label(parent: QWidget, *, wrap: bool = True) -> QLabel:
    """An empty label for what the admin must fix, in the house red."""
    label = QLabel("", parent)
    set_tone(label, Tone.ERROR)
    label.setWordWrap(wrap)
    return label


def warning_label(parent: QWidget) -> QLabel:
    """A hidden label for what the admin should know but may go ahead with, in amber."""
    label = QLabel("", parent)
    set_tone(label, Tone.WARNING)
    label.setWordWrap(True)
    label.hide()
    return label


def button_row(*buttons: QWidget) -> FlowLayout:
    """The buttons left to right, wrapping onto a second line in a narrow window; the free
    space of a line stays on their right."""
    row = FlowLayout()
    for button in buttons:
        row.addWidget(button)
    return row


def ok_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel, wired to the dialog's accept and reject."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def select_whole_rows(table: QTableView, resize: QHeaderView.ResizeMode) -> None:
    """One row selected at a time, as a whole; columns sized by `resize`, the last stretched."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(resize)
    header.setStretchLastSection(True)
