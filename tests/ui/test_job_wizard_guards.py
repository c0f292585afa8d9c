"""The job wizard guards what the admin typed: it refuses to save a job that cannot run, keeps
Enter inside a Sync Filters cell, asks before Cancel throws edits away, says why a typed time
is refused, and keeps a year typed into Import From Date."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.config.job_service import JobService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import FieldMapping, Job
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
