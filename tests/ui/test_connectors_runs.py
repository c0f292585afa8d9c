"""Import Now / Cancel from the Connectors tab, against the simulator, through real threads."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.pxsim import Fault, PxSimulator
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import Company, ExecutionRun, RequestLog
from pxdesk.core.sync.results import RunCrash, RunOutcome, RunProgress, RunResult, RunStart
from pxdesk.core.workers import JobRunner
from pxdesk.ui.views.connectors_view import ConnectorsView
from tests.ui.conftest import (
    ACCOUNTS,
    COMPANY_JOB,
    PERSON_JOB,
    USERS,
    StoredConnection,
    mark_upsert_key,
    setup_jobs,
)


def _view(qtbot: QtBot, runner: JobRunner) -> ConnectorsView:
    view = ConnectorsView(StoredConnection(), runner, None)
    runner.subscribe(view)
    qtbot.addWidget(view)
    view.show()
    return view


@pytest.fixture
def jobs_view(qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
              ) -> ConnectorsView:
    """The view on the simulator's connection and its two jobs."""
    setup_jobs(context, sim)
    return _view(qtbot, runner)


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
    qtbot: QtBot, runner: JobRunner, jobs_view: ConnectorsView
) -> None:
    view = jobs_view
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
    sent = RequestLog.select().count()
    assert sent > 0
    assert view.card.value_labels["PX requests today (UTC)"].text() == f"{sent:,} of 1,000,000"


def test_cancel_ends_the_run_as_cancelled(
    qtbot: QtBot, runner: JobRunner, sim: PxSimulator, engine: Any, jobs_view: ConnectorsView
) -> None:
    engine.page_size = 2  # several pages, each slowed down by the fault below
    sim.inject(Fault("latency", delay=0.3, times=50, path="/v1/accounts"))
    view = jobs_view
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


def test_import_now_with_a_dependency_refreshes_every_row_of_the_run_tree(
    qtbot: QtBot, runner: JobRunner, jobs_view: ConnectorsView
) -> None:
    view = jobs_view
    view.select_job(PERSON_JOB)
    started: list[str] = []
    rows_when_ended: list[tuple[str, str, str]] = []

    def on_ended(outcome: RunOutcome) -> None:  # runs after the view's own slot
        rows_when_ended.append((outcome.job_name, _cell(view, COMPANY_JOB, 3),
                                _cell(view, PERSON_JOB, 3)))

    runner.run_started.connect(lambda start: started.append(start.job_name))
    runner.run_ended.connect(on_ended)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as blocker:
        view.import_now_button.click()
    assert blocker.args[0] == PERSON_JOB
    assert started == [PERSON_JOB, COMPANY_JOB], "the job's run, then its dependency's"
    assert rows_when_ended[0] == (COMPANY_JOB, "Success", "In Progress"), \
        "the dependency's end shows at once, while its job still runs"
    assert _cell(view, COMPANY_JOB, 3) == "Success", "the dependency's row is not left live"
    assert _cell(view, COMPANY_JOB, 5) == f"{ACCOUNTS} / 0"
    result = blocker.args[1]
    assert _cell(view, PERSON_JOB, 3) == str(result.status) != "In Progress"
    assert _cell(view, PERSON_JOB, 5) == f"{result.counts.success} / {result.counts.failure}"
    assert result.counts.success + result.counts.failure + result.counts.filtered == USERS
    assert not view.progress_panel.has(COMPANY_JOB)
    assert not view.progress_panel.has(PERSON_JOB)


class DependencyOnlyEngine:
    """Company Sync runs as the dependency and reads a page; then the job itself ends, or the
    engine crashes with the job's run still open. Nothing is written to the store."""

    def __init__(self, crash: bool) -> None:
        self.crash = crash

    def run_job(self, job_name: str, *, progress: Any, on_start: Any, on_end: Any,
                **_kwargs: Any) -> RunResult:
        on_start(RunStart(4, job_name, RunStatus.QUEUED))
        on_start(RunStart(3, COMPANY_JOB, RunStatus.QUEUED))
        progress(RunProgress(3, COMPANY_JOB, pages=1, records=1, success=1, failure=0,
                             total_hits=1, rate_per_s=1.0, elapsed_s=0.1))
        dep = RunResult(3, COMPANY_JOB, RunStatus.SUCCESS)
        on_end(dep)
        if self.crash:
            raise RuntimeError("engine bug")
        result = RunResult(4, job_name, RunStatus.SUCCESS, dependencies=[dep])
        on_end(result)
        return result


@pytest.mark.parametrize("crash", [False, True], ids=["result-tree", "crash"])
def test_every_live_row_of_the_tree_ends_with_its_run_or_a_crash(
    qtbot: QtBot, context: Any, crash: bool
) -> None:
    ConnectionService(context.secrets, user="tester").create(
        "PX", "key-123456", base_url="http://127.0.0.1:9/v1")
    mark_upsert_key()  # runnable jobs: the rows show the store's status
    runner = JobRunner(lambda: DependencyOnlyEngine(crash))
    view = _view(qtbot, runner)
    view.select_job(PERSON_JOB)
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        view.import_now_button.click()
    assert isinstance(blocker.args[1], RunCrash) == crash
    assert view.jobs_model.live_jobs() == []
    assert _cell(view, COMPANY_JOB, 3) == "Never run", "the store's status, not a live one"
    assert not view.progress_panel.has(COMPANY_JOB)


def test_check_for_deleted_marks_the_companies_of_accounts_gone_from_px(
    qtbot: QtBot, runner: JobRunner, jobs_view: ConnectorsView, sim: PxSimulator
) -> None:
    view = jobs_view
    view.select_job(COMPANY_JOB)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        view.import_now_button.click()
    sim.delete_account("acct-000002")
    sim.delete_account("acct-000008")
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as blocker:
        view.check_deleted_button.click()
        assert not view.check_deleted_button.isEnabled(), "one run of a job at a time"
    assert blocker.args[1].counts.deleted == 2
    assert Company.select().where(Company.deleted_in_px_at.is_null(False)).count() == 2
    assert view.check_deleted_button.isEnabled()
