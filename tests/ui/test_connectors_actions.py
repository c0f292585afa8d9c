"""The connection card's Edit / Test / Delete, driven through its real buttons and dialogs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Connection, ConnectionLog, Job
from pxdesk.core.workers import JobRunner
from pxdesk.ui.views.connectors_view import ConnectorsView
from pxdesk.ui.wizards.connection_wizard import ConnectionWizard
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, USERS

BAD_KEY = "wrong-key-123456"
Button = QMessageBox.StandardButton
Connected = Callable[..., ConnectorsView]


@pytest.fixture
def service(context: Any) -> ConnectionService:
    return ConnectionService(context.secrets, user="tester")


@pytest.fixture
def connected(qtbot: QtBot, service: ConnectionService, runner: JobRunner, context: Any,
              sim: PxSimulator) -> Connected:
    """Creates the connection (the simulator's key unless told) and shows the view on it."""

    def make(api_key: str | None = None, job_runner: JobRunner = runner) -> ConnectorsView:
        service.create("PX", api_key or sim.api_key, base_url=sim.base_url)
        view = ConnectorsView(service, job_runner, context.db)
        job_runner.subscribe(view)
        qtbot.addWidget(view)
        view.show()
        return view

    return make


def _card_text(view: ConnectorsView, label: str) -> str:
    return view.card.value_labels[label].text()


def answer_next_box(button: Button, attempts: int = 200) -> list[str]:
    """Click `button` of the next modal QMessageBox (polled from the dialog's own event loop);
    returns a list that receives the box's text."""
    seen: list[str] = []

    def answer(left: int = attempts) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        elif left > 0:
            QTimer.singleShot(10, lambda: answer(left - 1))

    QTimer.singleShot(0, answer)
    return seen


def _click_test(qtbot: QtBot, view: ConnectorsView) -> None:
    view.card.test_button.click()
    assert not view.card.test_button.isEnabled(), "one test at a time"
    assert _card_text(view, "Last test") == "Testing…"
    qtbot.waitUntil(lambda: view.card.test_button.isEnabled(), timeout=10_000)


def test_test_connection_succeeds_and_the_card_shows_it(qtbot: QtBot, connected: Connected) -> None:
    view = connected()
    assert _card_text(view, "Last test") == "Not tested yet"
    _click_test(qtbot, view)
    shown = _card_text(view, "Last test")
    assert shown.startswith("OK on ") and f"{USERS:,} users visible" in shown
    assert Connection.get().last_test_ok, "the verdict is stored with the connection"


def test_the_card_counts_todays_px_requests_and_a_test_is_one_of_them(
        qtbot: QtBot, connected: Connected) -> None:
    view = connected()
    assert _card_text(view, "PX requests today (UTC)") == "0 of 1,000,000"
    _click_test(qtbot, view)
    assert _card_text(view, "PX requests today (UTC)") == "1 of 1,000,000"


def test_a_bad_key_shows_the_px_reason_on_the_card(qtbot: QtBot, connected: Connected) -> None:
    view = connected(BAD_KEY)
    _click_test(qtbot, view)
    shown = _card_text(view, "Last test")
    assert shown.startswith("Failed") and ("401" in shown or "key" in shown.lower())
    assert Connection.get().last_test_message in shown, "the PX reason, word for word"
    assert BAD_KEY not in "".join(label.text() for label in view.card.value_labels.values())


def test_edit_reuses_the_wizard_and_the_card_shows_the_change(
    qtbot: QtBot, connected: Connected
) -> None:
    view = connected()
    view.card.edit_button.click()
    wizard = view.findChild(ConnectionWizard)
    assert wizard is not None and wizard.isVisible()
    assert wizard.page.name_edit.text() == "PX", "the wizard opens on the saved connection"
    wizard.page.name_edit.setText("Prod")
    save = wizard.button(QWizard.WizardButton.FinishButton)
    assert save.text() == "Save" and not save.isEnabled(), "Save needs a test first"
    with qtbot.waitSignal(wizard.page.test_finished, timeout=10_000):
        wizard.page.test_button.click()
    with qtbot.waitSignal(view.connection_changed, timeout=1000):
        save.click()
    assert _card_text(view, "Name") == "Prod"
    names = [view.jobs_model.row_at(r).name for r in range(view.jobs_model.rowCount())]
    assert sorted(names) == ["Company Person Sync_Prod", "Company Sync_Prod"]


def test_delete_asks_and_on_yes_removes_the_connection_and_its_jobs(
    qtbot: QtBot, connected: Connected
) -> None:
    view = connected()
    view.select_job(COMPANY_JOB)
    asked = answer_next_box(Button.Yes)
    with qtbot.waitSignal(view.connection_changed, timeout=5000):
        view.card.delete_button.click()
    assert len(asked) == 1 and COMPANY_JOB in asked[0] and PERSON_JOB in asked[0]
    assert Connection.select().count() == 0 and Job.select().count() == 0
    assert ConnectionLog.select().where(ConnectionLog.action == "Delete").count() == 1
    assert view.stack.currentWidget() is view.first_run
    assert view.first_run.connect_button.isVisible() and view.first_run.demo_button.isVisible()
    assert view.jobs_model.rowCount() == 0, "no stale rows of deleted jobs"
    assert view.selected_job() is None
    assert not view.import_now_button.isEnabled()


def test_delete_answered_no_changes_nothing(qtbot: QtBot, connected: Connected) -> None:
    view = connected()
    changed: list[bool] = []
    view.connection_changed.connect(lambda: changed.append(True))
    asked = answer_next_box(Button.No)
    view.card.delete_button.click()
    assert len(asked) == 1, "the question was asked"
    assert not changed
    assert Connection.select().count() == 1 and Job.select().count() == 2
    assert view.stack.currentIndex() == 1
    assert view.jobs_model.rowCount() == 2


class GatedEngine:
    """Holds its run until the gate opens, so a test can act while a run is in progress."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    def run_job(self, job_name: str, **_kwargs: Any) -> SimpleNamespace:
        self.gate.wait(5)
        return SimpleNamespace(job_name=job_name, status="Success", run_id=1, dependencies=[])


def test_edit_and_delete_wait_for_running_imports(
    qtbot: QtBot, connected: Connected
) -> None:
    engine = GatedEngine()
    runner = JobRunner(lambda: engine)
    view = connected(job_runner=runner)
    assert runner.start(COMPANY_JOB)
    try:
        for button in (view.card.delete_button, view.card.edit_button):
            told = answer_next_box(Button.Ok)
            button.click()
            assert told and "Cancel the running imports" in told[0]
        assert view.findChild(ConnectionWizard) is None, "no rename under a running job"
        assert Connection.select().count() == 1 and Job.select().count() == 2
    finally:
        with qtbot.waitSignal(runner.run_finished, timeout=5000):
            engine.gate.set()
