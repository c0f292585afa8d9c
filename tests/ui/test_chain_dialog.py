"""The Job Chain dialog, opened from the Connectors tab and driven through its real widgets."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import ExecutionRun, JobChain, JobChainMember
from pxdesk.core.sync.results import run_tree
from pxdesk.core.workers import JobRunner
from pxdesk.ui.views.chain_dialog import ChainDialog
from pxdesk.ui.views.connectors_view import ConnectorsView
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, setup_jobs


@pytest.fixture
def opened(qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner
           ) -> tuple[ConnectorsView, ChainDialog]:
    """The Connectors view and the dialog its Jobs box's "Job Chain…" button opened."""
    setup_jobs(context, sim)
    view = ConnectorsView(ConnectionService(context.secrets, user="tester"), runner, context.db)
    runner.subscribe(view)
    qtbot.addWidget(view)
    view.show()
    view.chain_button.click()
    (found,) = view.findChildren(ChainDialog)
    return view, found


def _schedule_texts(view: ConnectorsView) -> list[str]:
    model = view.jobs_model
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) == "Schedule")
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_no_chain_until_saved_then_scheduled_by_it_and_run_now(
    qtbot: QtBot, opened: tuple[ConnectorsView, ChainDialog], runner: JobRunner
) -> None:
    view, dialog = opened
    assert JobChain.select().count() == 0
    assert not dialog.run_button.isEnabled() and not dialog.delete_button.isEnabled()
    assert dialog.members_label.text() == f"{COMPANY_JOB} \u2192 {PERSON_JOB}"
    dialog.name_edit.setText("Nightly")
    dialog.failure_edit.setText("ops@example.com, lead@example.com")
    page = dialog.schedule_page
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("daily_once"))
    page.timezone_combo.setCurrentText("Europe/Berlin")
    assert page.preview_list.count() == 5  # the wizard's preview of the next runs
    with qtbot.waitSignal(dialog.chain_changed):
        dialog.save_button.click()
    chain = JobChain.get()
    assert (chain.name, chain.kind, chain.timezone, chain.enabled) == (
        "Nightly", "daily_once", "Europe/Berlin", True)
    assert chain.failure_recipients == '["ops@example.com", "lead@example.com"]'
    assert [m.job.name for m in JobChainMember.select().order_by(JobChainMember.position)] == [
        COMPANY_JOB, PERSON_JOB]
    assert all(text.startswith("Scheduled by chain Nightly") for text in _schedule_texts(view))
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as finished:
        dialog.run_button.click()
    assert finished.args[0] == PERSON_JOB
    assert [r.job_name for r in run_tree(finished.args[1])] == [COMPANY_JOB, PERSON_JOB]
    rows = list(ExecutionRun.select().order_by(ExecutionRun.id))
    assert [(r.job_name, r.trigger, r.chain_name) for r in rows] == [
        (COMPANY_JOB, "manual", "Nightly"), (PERSON_JOB, "manual", "Nightly")]


def test_invalid_chain_says_why_and_delete_restores_job_schedules(
    qtbot: QtBot, opened: tuple[ConnectorsView, ChainDialog]
) -> None:
    view, dialog = opened
    dialog.success_edit.setText("not-an-email")
    dialog.save_button.click()
    assert "not a valid email" in dialog.error.text()
    assert JobChain.select().count() == 0
    dialog.success_edit.setText("")
    dialog.save_button.click()
    assert JobChain.select().count() == 1 and dialog.delete_button.isEnabled()
    with qtbot.waitSignal(dialog.chain_changed):
        dialog.delete_button.click()
    assert JobChain.select().count() == 0
    assert not any(t.startswith("Scheduled by chain") for t in _schedule_texts(view))
