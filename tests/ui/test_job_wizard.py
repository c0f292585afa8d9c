"""Job wizard: every stage rejects bad input with its message; Finish saves what the UI shows
(the same JSON as JobService.export_json); Cancel writes nothing."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.config.stages import Stage
from pxdesk.core.config.validation import ConfigIssue
from pxdesk.core.px.client import PxClient
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Job
from pxdesk.ui.wizards.job_wizard import JobWizard


@pytest.fixture
def jobs(context: Any, sim: PxSimulator) -> list[str]:
    from pxdesk.core.config.connection import ConnectionService

    ConnectionService(context.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url, multi_instance=False)
    return [job.name for job in Job.select().order_by(Job.kind)]


def _wizard(qtbot: QtBot, context: Any, sim: PxSimulator, name: str) -> JobWizard:
    def client() -> PxClient:
        return PxClient(sim.base_url, sim.api_key)

    wizard = JobWizard(name, user="tester", db=context.db, client_factory=client)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: not wizard.mapping_page.is_loading(), timeout=5000)
    return wizard


def _blocked(wizard: JobWizard, page_id: int) -> list[str]:
    """Press Next; the wizard must stay on the page and show why."""
    wizard.next()
    assert wizard.currentId() == page_id
    texts = wizard.page(page_id).issue_texts()  # type: ignore[attr-defined]
    assert texts, "a rejected page says why"
    return texts


def _upsert(wizard: JobWizard, target_field: str, checked: bool) -> None:
    model = wizard.mapping_page.model
    row = next(i for i, m in enumerate(model.rows()) if m.target_field == target_field)
    state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
    model.setData(model.index(row, 5), state.value, Qt.ItemDataRole.CheckStateRole)


def test_each_stage_rejects_bad_input_with_its_message(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    company_job = jobs[0]
    wizard = _wizard(qtbot, context, sim, company_job)
    assert "PX fields available" in wizard.mapping_page.sources_label.text()
    wizard.config_page.name_edit.setText("")
    _blocked(wizard, 0)
    wizard.config_page.name_edit.setText(company_job)
    wizard.config_page.success_edit.setText("not-an-email")
    assert any("not-an-email" in t for t in _blocked(wizard, 0))
    wizard.config_page.success_edit.setText("admin@example.com")
    wizard.next()
    assert wizard.currentId() == 1
    # Company Sync has no upsert key by default: saving a schedule needs one (connector.md)
    _upsert(wizard, "PX_Account_ID__gc", True)
    wizard.next()
    assert wizard.currentId() == 2
    wizard.next()
    assert wizard.currentId() == 3
    wizard.filters_page.add_condition()
    wizard.filters_page.expression_edit.setText("A AND (")
    assert wizard.filters_page.expression_status.text(), "validated as you type"
    _blocked(wizard, 3)
    wizard.filters_page.expression_edit.setText("")
    wizard.filters_page.table.selectRow(0)
    wizard.filters_page._on_remove_button_clicked()
    wizard.next()
    assert wizard.currentId() == 4
    page = wizard.schedule_page
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("weekly"))  # no day ticked
    wizard.accept()
    assert wizard.result() != QWizard.DialogCode.Accepted
    assert page.issue_texts()


def test_each_stage_has_one_page_in_order_titled_with_its_label(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    wizard = _wizard(qtbot, context, sim, jobs[0])
    assert [page.STAGE for page in wizard.stages] == list(Stage)
    assert [wizard.page(i).title() for i in wizard.pageIds()] == [s.label for s in Stage]
    items = [wizard.stage_list.item(i).text() for i in range(wizard.stage_list.count())]
    assert items == [s.label for s in Stage]


@pytest.mark.parametrize("stage", list(Stage))
def test_a_validator_issue_is_shown_on_the_page_of_its_stage(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str], stage: Stage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wizard = _wizard(qtbot, context, sim, jobs[0])
    issue = ConfigIssue(stage, "nowhere", f"fix {stage.label}")
    monkeypatch.setattr(wizard.service, "validate", lambda job, config: [issue])
    wizard.accept()
    assert wizard.result() != QWizard.DialogCode.Accepted
    page = wizard.currentPage()
    assert page.STAGE is stage  # type: ignore[attr-defined]
    assert page.issue_texts() == [f"fix {stage.label}"]  # type: ignore[attr-defined]
    others = [p for p in wizard.stages if p is not page]
    assert all(not p.issue_texts() for p in others), "other pages show nothing"


def test_a_configuration_error_while_validating_is_shown_on_the_page(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pxdesk.core.errors import ConfigError

    wizard = _wizard(qtbot, context, sim, jobs[0])

    def refuse(job: Any, config: Any) -> list[ConfigIssue]:
        raise ConfigError("The configuration cannot be read", field="name")

    monkeypatch.setattr(wizard.service, "validate", refuse)
    assert _blocked(wizard, 0) == ["The configuration cannot be read"]


def test_full_configuration_through_the_ui_saves_the_exported_json(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    from pxdesk.core.config.job_service import JobService

    company_job = jobs[0]
    wizard = _wizard(qtbot, context, sim, company_job)
    wizard.config_page.update_radio.setChecked(True)
    wizard.config_page.failure_edit.setText("ops@example.com, admin@example.com")
    wizard.next()
    _upsert(wizard, "PX_Account_ID__gc", True)
    dialog = wizard.mapping_page.open_mapping_dialog()
    dialog.search_edit.setText("industry")
    dialog.select_source("industry")
    dialog.select_target("company", "Industry")
    wizard.mapping_page.apply_mapping_dialog(dialog)
    wizard.next()
    wizard.next()
    row = wizard.filters_page.add_condition()
    field_combo = wizard.filters_page.table.cellWidget(row, 1)
    field_combo.setCurrentIndex(wizard.filters_page._field_index(field_combo, "name"))
    operator = wizard.filters_page.table.cellWidget(row, 2)
    operator.setCurrentIndex(operator.findData("starts_with"))
    wizard.filters_page.table.cellWidget(row, 3).setText("A")
    wizard.next()
    page = wizard.schedule_page
    page.enabled_check.setChecked(True)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("daily_once"))
    page.timezone_combo.setCurrentText("Europe/Berlin")
    assert page.preview_list.count() == 5
    expected = wizard.collect()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted, wizard.currentPage().issue_texts()
    exported = json.loads(JobService(user="tester").export_json(company_job))
    saved = exported.get("config", exported) if isinstance(exported, dict) else exported
    want = expected.to_dict()
    for key in ("modification_type", "failure_recipients", "mappings", "filters", "schedule"):
        assert saved[key] == want[key], key


def test_cancel_writes_nothing(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    from pxdesk.core.config.job_service import JobService

    before = JobService(user="tester").export_json(jobs[0])
    wizard = _wizard(qtbot, context, sim, jobs[0])
    wizard.config_page.name_edit.setText("Renamed")
    wizard.next()
    _upsert(wizard, "PX_Account_ID__gc", True)
    wizard.reject()
    assert JobService(user="tester").export_json(jobs[0]) == before


def test_the_job_policies_load_edit_and_save_through_the_page(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    from pxdesk.core.store.models import AuditLog

    wizard = _wizard(qtbot, context, sim, jobs[1])
    page = wizard.config_page
    assert page.deletion_combo.currentText() == "Keep and mark as deleted in PX"
    assert [page.deletion_combo.itemText(i) for i in range(page.deletion_combo.count())] == [
        "Keep and mark as deleted in PX", "Delete"]
    assert (page.reconcile_spin.value(), page.alert_spin.value()) == (7, 5.0)
    page.deletion_combo.setCurrentIndex(page.deletion_combo.findData("delete"))
    page.reconcile_spin.setValue(1)
    assert page.reconcile_spin.text() == "1 day"
    page.reconcile_spin.setValue(0)
    assert page.reconcile_spin.text() == "Only when asked"
    page.alert_spin.setValue(12.5)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.result() == QWizard.DialogCode.Accepted, wizard.currentPage().issue_texts()
    saved = Job.get(Job.name == jobs[1])
    assert (saved.deletion_policy, saved.reconcile_days, saved.alert_failure_percent) == (
        "delete", 0, 12.5)
    audited = {a.sub_attribute for a in AuditLog.select().where(AuditLog.action == "Edit")}
    assert audited == {"Deletion Policy", "Reconcile Every N Days", "Failure Alert Threshold"}


def test_the_policy_boxes_hold_only_valid_values(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    wizard = _wizard(qtbot, context, sim, jobs[1])
    page = wizard.config_page
    page.reconcile_spin.setValue(400)
    page.alert_spin.setValue(150.0)
    assert (page.reconcile_spin.value(), page.alert_spin.value()) == (365, 100.0)
    page.alert_spin.setValue(-3.0)
    assert page.alert_spin.value() == 0.0


def test_a_policy_issue_is_shown_next_to_its_box(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    """The validator's field names reach the labels beside the boxes."""
    wizard = _wizard(qtbot, context, sim, jobs[1])
    wizard.config_page.show_issues(wizard.service.validate(
        wizard.job, dataclasses.replace(wizard.collect(), alert_failure_percent=250.0)))
    label = wizard.config_page._label_for("alert_failure_percent")
    assert label is not None and label.isVisibleTo(wizard.config_page)
    assert "percentage from 0 to 100, not 250" in label.text()


def test_opening_the_wizard_does_not_round_a_precise_threshold(
    qtbot: QtBot, context: Any, sim: PxSimulator, jobs: list[str]
) -> None:
    Job.update(alert_failure_percent=2.345).where(Job.name == jobs[1]).execute()
    wizard = _wizard(qtbot, context, sim, jobs[1])
    assert wizard.collect().alert_failure_percent == 2.345
    wizard.config_page.alert_spin.setValue(3.0)
    assert wizard.collect().alert_failure_percent == 3.0
