"""The job wizard guards what the admin typed: it refuses to save a job that cannot run, keeps
Enter inside a Sync Filters cell, asks before Cancel throws edits away, says why a typed time
is refused, and keeps a year typed into Import From Date."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.config.job_service import JobService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import FieldMapping, Job
from pxdesk.ui.views.import_dialog import ImportFromDateDialog, day_range_ms
from pxdesk.ui.wizards.job_wizard import JobWizard
from tests.ui.conftest import PERSON_JOB, setup_jobs


@pytest.fixture
def person_wizard(qtbot: QtBot, context: Any, sim: PxSimulator) -> JobWizard:
    setup_jobs(context, sim)
    wizard = JobWizard(PERSON_JOB, user="tester", db=context.db)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_save_is_refused_on_the_mapping_page_when_the_resolution_key_is_unmapped(
    person_wizard: JobWizard,
) -> None:
    wizard = person_wizard
    before = JobService(user="tester").export_json(PERSON_JOB)
    wizard.next()
    page = wizard.mapping_page
    row = next(i for i, m in enumerate(page.model.rows()) if m.target_field == "Email")
    page.table.selectRow(row)
    page.remove_button.click()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.isVisible(), "not saved"
    assert wizard.currentPage() is page
    assert any("Person Resolution Key" in text and "Email" in text
               for text in page.issue_texts())
    assert JobService(user="tester").export_json(PERSON_JOB) == before
    job = Job.get(Job.name == PERSON_JOB)
    assert FieldMapping.select().where((FieldMapping.job == job)
                                       & (FieldMapping.target_field == "Email")).exists()


def _filters_page(wizard: JobWizard) -> Any:
    wizard.stage_list.setCurrentRow(3)
    assert wizard.currentPage() is wizard.filters_page
    return wizard.filters_page


def test_enter_in_a_filter_value_stays_in_the_cell_and_keeps_what_is_typed_next(
    qtbot: QtBot, person_wizard: JobWizard
) -> None:
    page = _filters_page(person_wizard)
    row = page.add_condition()
    value_edit = page.table.cellWidget(row, 3)
    value_edit.setFocus()
    qtbot.keyClicks(value_edit, "acme")
    qtbot.keyClick(value_edit, Qt.Key.Key_Return)
    assert person_wizard.currentPage() is page, "Enter is not Next"
    qtbot.keyClicks(value_edit, " inc")
    assert value_edit.text() == "acme inc"
    qtbot.keyClick(page.expression_edit, Qt.Key.Key_Enter)
    assert person_wizard.currentPage() is page


def test_cancel_asks_only_when_something_changed(
    qtbot: QtBot, person_wizard: JobWizard
) -> None:
    wizard = person_wizard
    page = _filters_page(wizard)
    page.add_condition()
    page.table.cellWidget(page.table.rowCount() - 1, 3).setText("acme")
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    box = wizard.discard_box
    assert box is not None and box.isVisible() and "Discard" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()  # "Keep editing"
    assert wizard.isVisible(), "the edits are still there"
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert box.isVisible()
    box.button(QMessageBox.StandardButton.Discard).click()
    assert not wizard.isVisible()


def test_cancel_without_changes_closes_at_once(qtbot: QtBot, person_wizard: JobWizard) -> None:
    _filters_page(person_wizard)
    person_wizard.button(QWizard.WizardButton.CancelButton).click()
    assert not person_wizard.isVisible()


def test_a_typed_time_that_breaks_a_rule_is_kept_and_explained(
    qtbot: QtBot, person_wizard: JobWizard
) -> None:
    wizard = person_wizard
    wizard.stage_list.setCurrentRow(4)
    page = wizard.schedule_page
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("daily_once"))
    page.daily_time_edit.selectAll()
    qtbot.keyClicks(page.daily_time_edit, "25:00")
    assert page.daily_time_edit.text() == "25:00"
    assert "HH:MM" in page.preview_status.text()
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("daily_repeat"))
    page.start_time_edit.selectAll()
    qtbot.keyClicks(page.start_time_edit, "18:00")
    page.end_time_edit.selectAll()
    qtbot.keyClicks(page.end_time_edit, "08:00")
    assert page.end_time_edit.text() == "08:00"
    assert "later than the start" in page.preview_status.text()


def test_a_year_typed_into_import_from_date_is_kept(qtbot: QtBot) -> None:
    dialog = ImportFromDateDialog("Company Sync_PX")
    qtbot.addWidget(dialog)
    dialog.show()
    edit = dialog.from_date_edit
    edit.selectAll()
    qtbot.keyClicks(edit, "2025-03-01")
    assert edit.text() == "2025-03-01"
    assert dialog.range_ms()[0] == day_range_ms(date(2025, 3, 1), date(2025, 3, 1))[0]
    edit.selectAll()
    qtbot.keyClicks(edit, "2025-13-01")
    assert edit.text() == "2025-13-01", "kept, to be fixed"
    assert "YYYY-MM-DD" in dialog.error_label.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_closing_the_wizard_while_the_px_field_list_loads_does_not_wait_for_it(
        qtbot: QtBot, context: Any, sim: PxSimulator) -> None:
    """Cancel at once, even with PX slow to answer: the load finishes on its own and its
    thread is stopped then (closing used to block the GUI until the load and 30 s more)."""
    import threading

    from pxdesk.core.background import wait_detached
    from pxdesk.core.px.client import PxClient

    setup_jobs(context, sim)
    gate = threading.Event()
    events: list[str] = []

    def slow_client() -> PxClient:
        gate.wait(10)
        events.append("PX answered")
        return PxClient(sim.base_url, sim.api_key)

    wizard = JobWizard(PERSON_JOB, user="tester", db=context.db, client_factory=slow_client)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.mapping_page.is_loading()
    wizard.reject()  # nothing changed: closes at once
    assert events == [] and not wizard.isVisible()
    gate.set()
    wait_detached()  # the load ended by itself and its thread stopped
    assert events == ["PX answered"]
