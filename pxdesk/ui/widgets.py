"""Widget pieces the views and wizards share: error and warning text, button rows, dialog
buttons (OK/Cancel…, in words only), tables."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
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


class DialogButtons(QDialogButtonBox):
    """A dialog's answers (OK, Cancel, Close, Save, Skip…) in words only: some styles (Fusion
    on a bare X server, KDE's Breeze) put their own icons on the standard buttons, which then
    sit beside the app's QtAwesome action icons in another drawing style; Windows, macOS and
    GNOME show none. Qt sets those icons whenever it makes a standard button, so they are
    taken off here and again when the box is shown (Qt re-makes the buttons on
    setStandardButtons)."""

    def __init__(self, standard: QDialogButtonBox.StandardButton, parent: QWidget) -> None:
        super().__init__(standard, parent)
        self._plain()

    def showEvent(self, event: QShowEvent) -> None:
        self._plain()
        super().showEvent(event)

    def _plain(self) -> None:
        plain_buttons(b for b in self.buttons()
               if self.standardButton(b) != QDialogButtonBox.StandardButton.NoButton)


def plain_buttons(buttons: Iterable[QAbstractButton]) -> None:
    """Standard answers in words only (see DialogButtons)."""
    for button in buttons:
        button.setIcon(QIcon())


def dialog_buttons(dialog: QDialog, standard: QDialogButtonBox.StandardButton = (
        QDialogButtonBox.StandardButton.NoButton)) -> QDialogButtonBox:
    """The dialog's button box (every dialog's comes from here): the `standard` buttons, and
    any added later, with no icon in any style; wired to the dialog's accept and reject."""
    box = DialogButtons(standard, dialog)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def ok_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """OK and Cancel, wired to the dialog's accept and reject."""
    return dialog_buttons(
        dialog, QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)


def select_whole_rows(table: QTableView, resize: QHeaderView.ResizeMode) -> None:
    """One row selected at a time, as a whole; columns sized by `resize`, the last stretched."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(resize)
    header.setStretchLastSection(True)


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    """A Yes/No question (No the default), its answers in words only like dialog_buttons':
    QMessageBox.question gets the style's icons on them."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    plain_buttons(box.buttons())
    return box.exec() == QMessageBox.StandardButton.Yes
