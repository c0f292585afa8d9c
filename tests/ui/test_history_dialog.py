"""The History dialog, opened from the Connectors tab and driven through its real widgets."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.history import Version
from pxdesk.core.config.job_service import JobService
from pxdesk.core.errors import ConfigError
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.workers import JobRunner
from pxdesk.ui.views import history_dialog
from pxdesk.ui.views.connectors_view import ConnectorsView
from pxdesk.ui.views.history_dialog import HistoryDialog
from tests.ui.conftest import COMPANY_JOB, setup_jobs


@pytest.fixture
def view(qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner) -> ConnectorsView:
    setup_jobs(context, sim)
    shown = ConnectorsView(ConnectionService(context.secrets, user="tester"), runner,
                           context.db)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def _select(dialog: HistoryDialog, *rows: int) -> None:
    dialog.versions_table.clearSelection()
    model = dialog.versions_table.model()
    for row in rows:
        dialog.versions_table.selectionModel().select(
            model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
            | QItemSelectionModel.SelectionFlag.Rows)


def _answer(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(_parent: Any, title: str, _text: str) -> bool:
        asked.append(title)
        return answer == QMessageBox.StandardButton.Yes

    monkeypatch.setattr(history_dialog, "ask_yes_no", question)  # widgets.ask_yes_no
    return asked


def test_job_history_shows_changes_and_restores_after_confirmation(
        view: ConnectorsView, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = JobService(user="tester")
    edited = jobs.parse_json(jobs.export_json(COMPANY_JOB))
    edited.alert_failure_percent = 12
    jobs.save(jobs.get(COMPANY_JOB), edited)
    assert view.selected_job() == COMPANY_JOB
    view.job_history_button.click()
    (dialog,) = view.findChildren(HistoryDialog)

    table = dialog.versions_table
    assert table.rowCount() == 2
    assert [table.item(r, 0).text() for r in range(2)] == ["2", "1"]
    assert table.item(0, 4).text() == "1 change: Job Configuration"
    assert '+  "alert_failure_percent": 12.0,' in dialog.diff_view.toPlainText()
    assert not dialog.restore_button.isEnabled()  # the newest is the current one

    _select(dialog, 0, 1)
    text = dialog.diff_view.toPlainText()
    assert text.startswith("--- version 1\n+++ version 2")
    assert not dialog.restore_button.isEnabled()

    _select(dialog, 1)
    assert dialog.restore_button.isEnabled()
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    dialog.restore_button.click()
    assert asked == ["Restore version 1?"] and table.rowCount() == 2
    _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.restore_button.click()
    assert table.rowCount() == 3 and table.item(0, 3).text() == "Restore"
    first = jobs.history(COMPANY_JOB)[-1]
    assert first.number == 1 and jobs.export_json(COMPANY_JOB) == first.config


class _Refusing:
    """A source whose restore the core refuses (e.g. a version the rules no longer allow)."""

    def history(self) -> list[Version]:
        return [Version(2, 0, "me", "Edit", "1 change: Schedule", "{}\n"),
                Version(1, 0, "me", "Create", "created", "{}\n")]

    def diff(self, old: int, new: int) -> list[str]:
        return []

    def restore(self, number: int) -> Version | None:
        raise ConfigError("Cannot save the job:\nCompany Sync cannot be scheduled without an "
                          "upsert key")


def test_a_restore_the_core_refuses_says_why(qtbot: QtBot,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = HistoryDialog("History", _Refusing())
    qtbot.addWidget(dialog)
    assert dialog.diff_view.toPlainText() == "Versions 1 and 2 are the same."
    _select(dialog, 1)
    assert dialog.diff_view.toPlainText() == "{}\n"  # the first version: all of it
    _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog.restore_button.click()
    assert "without an upsert key" in dialog.message_label.text()
    assert dialog.versions_table.rowCount() == 2


def test_connection_history_from_the_card(view: ConnectorsView) -> None:
    view._service.edit(multi_instance=True)
    view.card.history_button.click()
    (dialog,) = view.findChildren(HistoryDialog)
    assert dialog.windowTitle() == "History of the PX connection"
    assert dialog.versions_table.rowCount() == 2
    assert '+  "multi_instance": true' in dialog.diff_view.toPlainText()
