"""Import From Date dialog: a range starting before PX's data retention warns, live, and may
still run."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from pxdesk.ui.views.import_dialog import ImportFromDateDialog


def _dialog(qtbot: QtBot) -> ImportFromDateDialog:
    dialog = ImportFromDateDialog("Company Sync_PX")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_start_before_px_retention_shows_a_warning_as_it_is_chosen(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.retention_label.isHidden(), "last week is well inside PX's 36 months"

    dialog.from_date_edit.setDate(QDate.currentDate().addYears(-4))
    assert dialog.retention_label.isVisible()
    assert "before PX's data retention" in dialog.retention_label.text()
    assert ok.isEnabled(), "only a warning: the import may still run"

    dialog.from_date_edit.setDate(QDate.currentDate().addMonths(-35))
    assert dialog.retention_label.isHidden()


def test_a_reversed_range_is_still_refused(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.from_date_edit.setDate(QDate.currentDate().addDays(1))
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert dialog.error_label.text() == "'From' must not be after 'To'."
