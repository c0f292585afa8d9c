"""The Schedule page's stale-data alerts: off by default, a suggestion from the schedule when
ticked, saved with the job, audited, a bad value shown next to its box."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import AuditLog, Job
from tests.ui.test_job_wizard import _wizard, jobs  # noqa: F401


def test_alerts_are_off_then_suggested_saved_and_audited(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]  # noqa: F811
) -> None:
    wizard = _wizard(qtbot, context, sim, jobs[1])
    page = wizard.schedule_page
    box = page.stale_box
    assert not box.stale_check.isChecked() and not box.long_run_check.isChecked()
    assert not box.stale_hours_spin.isEnabled() and box.isVisibleTo(page)
    page.enabled_check.setChecked(True)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("hourly"))
    page.every_hours_spin.setValue(6)
    box.stale_check.setChecked(True)
    assert box.stale_hours_spin.value() == 12, "twice the schedule's interval"
    box.long_run_check.setChecked(True)
    box.long_run_spin.setValue(45)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted, wizard.currentPage().issue_texts()
    saved = Job.get(Job.name == jobs[1])
    assert (saved.stale_after_hours, saved.long_run_minutes) == (12, 45)
    rows = {a.sub_attribute: (a.old_value, a.new_value) for a in AuditLog.select()
            .where((AuditLog.attribute == "Schedule") & (AuditLog.action == "Edit"))}
    assert rows["Warn If No Success For"] == ("Off", "12 hours")
    assert rows["Warn If A Run Takes Longer Than"] == ("Off", "45 minutes")


def test_a_saved_limit_loads_as_it_was_and_a_bad_one_shows_beside_the_box(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]  # noqa: F811
) -> None:
    Job.update(stale_after_hours=30).where(Job.name == jobs[1]).execute()
    wizard = _wizard(qtbot, context, sim, jobs[1])
    box = wizard.schedule_page.stale_box
    assert box.stale_check.isChecked() and box.stale_hours_spin.value() == 30
    wizard.schedule_page.show_issues(wizard.service.validate(
        wizard.job, dataclasses.replace(wizard.collect(), long_run_minutes=-1)))
    label = wizard.schedule_page._label_for("long_run_minutes")
    assert label is not None and "0 = off" in label.text()
