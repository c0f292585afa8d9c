"""The jobs table says why a job cannot run, and Import Now on it leads to where it is fixed;
its columns fit their content and its counts are the current run's, with separators."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_service import JobService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.sync.results import RunOutcome, RunProgress
from pxdesk.core.workers import JobRunner
from pxdesk.ui.models.jobs_model import COUNTS_COLUMN, SCHEDULE_COLUMN, STATUS_COLUMN
from pxdesk.ui.queries import JobRow
from pxdesk.ui.views.connectors_view import ConnectorsView
from pxdesk.ui.wizards.job_wizard import JobWizard
from tests.ui.conftest import (
    COMPANY_JOB,
    PERSON_JOB,
    StoredConnection,
    mark_upsert_key,
    setup_jobs,
)


def _view(qtbot: QtBot, context: Any, runner: JobRunner, *, show: bool = True
          ) -> tuple[ConnectorsView, list[JobWizard]]:
    opened: list[JobWizard] = []

    def factory(name: str, parent: QWidget) -> JobWizard:
        wizard = JobWizard(name, user="tester", db=context.db, parent=parent)
        opened.append(wizard)
        return wizard

    view = ConnectorsView(StoredConnection(), runner, context.db, factory)
    runner.subscribe(view)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    if show:
        view.show()
    return view, opened


def _cell(view: ConnectorsView, job: str, column: int) -> str:
    model = view.jobs_model
    return str(model.data(model.index(model.row_of(job), column)))


def _action(view: ConnectorsView, job: str) -> QLabel:
    widget = view.jobs_table.indexWidget(
        view.jobs_model.index(view.jobs_model.row_of(job), STATUS_COLUMN))
    assert isinstance(widget, QLabel), f"{job}'s row offers the fix"
    return widget


def test_a_job_that_cannot_run_says_why_in_its_row_and_import_now_leads_to_the_fix(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    ConnectionService(context.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url)  # the demo's default jobs: no upsert key
    view, opened = _view(qtbot, context, runner)
    assert _cell(view, COMPANY_JOB, STATUS_COLUMN) == "Needs an upsert key — Set it…"
    assert "Set it" in _action(view, COMPANY_JOB).text()
    assert "upsert key" in _action(view, COMPANY_JOB).toolTip()
    assert _cell(view, PERSON_JOB, STATUS_COLUMN) == \
        f"Waits for {COMPANY_JOB} — Set it…"
    assert "needs an upsert key" in _action(view, PERSON_JOB).toolTip()
    view.select_job(COMPANY_JOB)
    view.import_now_button.click()
    assert ExecutionRun.select().count() == 0, "no failed run is logged"
    assert len(opened) == 1 and opened[0].isVisible()
    assert opened[0].currentPage() is opened[0].mapping_page
    opened[0].reject()
    link = _action(view, PERSON_JOB)  # the dependency's fix, from the dependent's row
    link.linkActivated.emit(re.search(r'href="([^"]+)"', link.text()).group(1))  # type: ignore[union-attr]
    assert len(opened) == 2 and opened[1].job.name == COMPANY_JOB
    assert opened[1].currentPage() is opened[1].mapping_page
    opened[1].reject()


def test_a_runnable_job_has_no_fix_in_its_row(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    view, _ = _view(qtbot, context, runner)
    assert _cell(view, COMPANY_JOB, STATUS_COLUMN) == "Never run"
    assert _cell(view, PERSON_JOB, STATUS_COLUMN) == "Never run"
    assert view.jobs_table.indexWidget(view.jobs_model.index(0, STATUS_COLUMN)) is None


def test_every_column_fits_its_text_also_in_a_narrow_window(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    schedule = JobService(user="tester").config(COMPANY_JOB).schedule
    JobService(user="tester").save(Job.get(Job.name == COMPANY_JOB), dataclasses.replace(
        JobService(user="tester").config(COMPANY_JOB),
        schedule=dataclasses.replace(schedule, enabled=True)))
    view, _ = _view(qtbot, context, runner)
    view.resize(1000, 600)  # narrower than the columns: scroll, never "…"
    qtbot.waitUntil(lambda: view.jobs_table.viewport().width() < 1000)
    table, model = view.jobs_table, view.jobs_model
    for column in range(model.columnCount()):
        text = str(model.data(model.index(0, column)))
        needed = table.fontMetrics().horizontalAdvance(text)
        assert table.columnWidth(column) >= needed, (model.titles[column], text)
    assert "…" not in _cell(view, COMPANY_JOB, SCHEDULE_COLUMN)


def test_a_running_job_shows_its_live_counts_not_the_last_runs(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    view, _ = _view(qtbot, context, runner)
    model = view.jobs_model
    row = model.row_at(model.row_of(COMPANY_JOB))
    assert isinstance(row, JobRow)
    model.update_rows([_with_counts(row, 12_345, 6)])
    assert _cell(view, COMPANY_JOB, COUNTS_COLUMN) == "12,345 / 6"
    model.set_running(COMPANY_JOB, "In Progress")
    assert _cell(view, COMPANY_JOB, COUNTS_COLUMN) == "", "the last run's counts are gone"
    view.on_run_progress(RunProgress(run_id=1, job_name=COMPANY_JOB, pages=3, records=3_500,
                                     success=2_000, failure=1_500, total_hits=None,
                                     rate_per_s=10.0, elapsed_s=1.0))
    assert _cell(view, COMPANY_JOB, COUNTS_COLUMN) == "2,000 / 1,500"


def _with_counts(row: JobRow, success: int, failure: int) -> JobRow:
    return dataclasses.replace(row, success=success, failure=failure)



def test_import_now_trusts_the_store_not_a_row_shown_before_the_job_was_fixed(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    ConnectionService(context.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url)
    view, opened = _view(qtbot, context, runner)
    assert "Needs an upsert key" in _cell(view, COMPANY_JOB, STATUS_COLUMN)
    mark_upsert_key()  # fixed elsewhere (another window, the CLI): this row is now stale
    view.select_job(COMPANY_JOB)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as blocker:
        view.import_now_button.click()
    assert opened == [] and str(blocker.args[1].status) == "Success"
    assert "Needs an upsert key" not in _cell(view, COMPANY_JOB, STATUS_COLUMN)
    qtbot.waitUntil(lambda: view.jobs_table.indexWidget(view.jobs_model.index(
        view.jobs_model.row_of(COMPANY_JOB), STATUS_COLUMN)) is None, timeout=2000)


def test_a_dependency_ending_mid_run_fits_its_row_on_one_line(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    view, _opened = _view(qtbot, context, runner)
    model, when = view.jobs_model, 4
    assert model.headerData(when, Qt.Orientation.Horizontal) == "Last Run On"
    seen: list[tuple[int, int]] = []

    def on_ended(outcome: RunOutcome) -> None:  # after the view's own slot
        if outcome.job_name == COMPANY_JOB:
            text = str(model.data(model.index(model.row_of(COMPANY_JOB), when)))
            seen.append((view.jobs_table.columnWidth(when),
                         view.jobs_table.fontMetrics().horizontalAdvance(text)))

    runner.run_ended.connect(on_ended)
    view.select_job(PERSON_JOB)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        view.import_now_button.click()
    assert not view.jobs_table.wordWrap()
    [(width, needed)] = seen
    assert width >= needed, "the dependency's date shows whole while its job still runs"
