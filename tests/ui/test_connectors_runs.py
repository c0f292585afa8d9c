"""Import Now / Cancel from the Connectors tab, against the simulator, through real threads."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from pxdesk.core.jobs import JobRunner
from pxdesk.core.pxsim import Fault, PxSimulator
from pxdesk.core.store.models import Company, ExecutionRun
from pxdesk.ui.views.connectors_view import ConnectorsView
from tests.ui.conftest import ACCOUNTS, COMPANY_JOB, StoredConnection, setup_jobs


def _view(qtbot: QtBot, runner: JobRunner) -> ConnectorsView:
    view = ConnectorsView(StoredConnection(), runner, None)
    qtbot.addWidget(view)
    view.show()
    return view


def _cell(view: ConnectorsView, job: str, column: int) -> str:
    model = view.jobs_model
    return str(model.data(model.index(model.row_of(job), column)))


def test_first_run_panel_until_a_connection_exists(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    view = _view(qtbot, runner)
    assert view.stack.currentWidget() is view.first_run
    with qtbot.waitSignal(view.demo_requested, timeout=1000):
        view.first_run.demo_button.click()
    setup_jobs(context, sim)
    view.refresh()
    assert view.stack.currentIndex() == 1
    assert view.card.value_labels["API key"].text() == "****-key"
    assert sim.api_key not in "".join(lbl.text() for lbl in view.card.value_labels.values())
    assert view.jobs_model.rowCount() == 2


def test_import_now_ends_with_the_counts_in_the_jobs_table(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    view = _view(qtbot, runner)
    view.select_job(COMPANY_JOB)
    assert _cell(view, COMPANY_JOB, 3) == "Never run"
    progress: list[Any] = []
    runner.run_progress.connect(progress.append)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        view.import_now_button.click()
        assert _cell(view, COMPANY_JOB, 3) == "In Progress"
        assert not view.import_now_button.isEnabled()
    assert _cell(view, COMPANY_JOB, 3) == "Success"
    assert _cell(view, COMPANY_JOB, 5) == f"{ACCOUNTS} / 0"
    assert Company.select().count() == ACCOUNTS
    assert progress and progress[-1].records == ACCOUNTS
    assert not view.progress_panel.has(COMPANY_JOB), "the bar goes away when the run ends"
    assert view.import_now_button.isEnabled()


def test_cancel_ends_the_run_as_cancelled(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator, engine: Any
) -> None:
    setup_jobs(context, sim)
    engine.page_size = 2  # several pages, each slowed down by the fault below
    sim.inject(Fault("latency", delay=0.3, times=50, path="/v1/accounts"))
    view = _view(qtbot, runner)
    view.select_job(COMPANY_JOB)
    view.import_now_button.click()
    qtbot.waitUntil(lambda: view.progress_panel.detail(COMPANY_JOB).endswith("/s")
                    or "ETA" in view.progress_panel.detail(COMPANY_JOB), timeout=10_000)
    assert view.cancel_button.isEnabled()
    with qtbot.waitSignal(runner.run_finished, timeout=10_000) as blocker:
        view.cancel_button.click()
        assert _cell(view, COMPANY_JOB, 3) == "Cancelling…"
    assert str(blocker.args[1].status) == "Cancelled"
    assert _cell(view, COMPANY_JOB, 3) == "Cancelled"
    run = ExecutionRun.get(ExecutionRun.job_name == COMPANY_JOB)
    assert run.status == "Cancelled"
    assert Company.select().count() < ACCOUNTS
