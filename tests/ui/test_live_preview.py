"""Live Preview beside the job wizard: follows unsaved edits off the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.px.client import PxClient
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Company, ExecutionRun, Job
from pxdesk.core.sync.dry_run import WOULD_FAIL, WOULD_INSERT
from pxdesk.ui.wizards.job_wizard import JobWizard
from tests.ui.conftest import ACCOUNTS, COMPANY_JOB, setup_jobs


def _outcomes(wizard: JobWizard) -> set[str]:
    dialog = wizard.preview_dialog
    assert dialog is not None
    return {row.outcome for row in dialog.model.rows()}


def test_live_preview_follows_unsaved_edits_and_writes_nothing(
        qtbot: QtBot, context: Any, sim: PxSimulator) -> None:
    setup_jobs(context, sim)

    def client() -> PxClient:
        return PxClient(sim.base_url, sim.api_key)

    wizard = JobWizard(COMPANY_JOB, user="tester", db=context.db, client_factory=client)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: not wizard.mapping_page.is_loading(), timeout=5000)
    wizard.button(QWizard.WizardButton.CustomButton1).click()
    dialog = wizard.preview_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == ACCOUNTS, timeout=10_000)
    assert _outcomes(wizard) == {WOULD_INSERT}
    first = dialog.model.rows()[0]
    assert ("company", "Name", sim.get_account(first.source_id or "")["name"]) in first.values
    wizard.config_page.update_radio.setChecked(True)  # unsaved: Update mode never inserts
    qtbot.waitUntil(lambda: _outcomes(wizard) == {WOULD_FAIL}, timeout=10_000)
    assert "Update mode never inserts" in (dialog.model.rows()[0].reason or "")
    assert Job.get(Job.name == COMPANY_JOB).modification_type == "upsert"
    assert Company.select().count() == 0 and ExecutionRun.select().count() == 0
    wizard.done(0)  # the wizard closing closes its preview
    assert not dialog.isVisible()
