"""The invalid-row alert in the desktop: the jobs table's last status and the run details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.workers import JobRunner
from pxdesk.ui.models.jobs_model import STATUS_COLUMN
from pxdesk.ui.theme import Tone, colour, status_colour
from pxdesk.ui.views.connectors_view import ConnectorsView
from pxdesk.ui.views.logs_view import LogsView
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, StoredConnection, setup_jobs

T0 = 1_700_000_000_000


def _run(job_name: str, status: str, success: int, failure: int, at: int = T0) -> ExecutionRun:
    return ExecutionRun.create(job=Job.get(Job.name == job_name), job_name=job_name,
                               trigger="manual", status=status, queued_at=at, started_at=at,
                               ended_at=at + 2000, success_count=success,
                               failure_count=failure)


def test_the_jobs_table_marks_a_last_run_above_the_alert(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    _run(COMPANY_JOB, RunStatus.PARTIAL_SUCCESS, 980, 20)  # 2 %: below the default 5 %
    _run(PERSON_JOB, RunStatus.PARTIAL_SUCCESS, 875, 125)
    view = ConnectorsView(StoredConnection(), runner, None)
    qtbot.addWidget(view)
    view.refresh()
    model = view.jobs_model

    def status(job: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.data(model.index(model.row_of(job), STATUS_COLUMN), role)

    assert status(COMPANY_JOB) == "Partial Success"
    assert status(PERSON_JOB) == "Partial Success — 12.5% failed"
    assert status(COMPANY_JOB, Qt.ItemDataRole.ForegroundRole) == status_colour(
        RunStatus.PARTIAL_SUCCESS), "as in the execution log"
    assert status(PERSON_JOB, Qt.ItemDataRole.ForegroundRole) == status_colour(
        RunStatus.FAILURE), "an alert reads as a failure"
    assert status(PERSON_JOB, Qt.ItemDataRole.DecorationRole) is not None
    model.set_running(PERSON_JOB, "In Progress")
    assert status(PERSON_JOB) == "In Progress"
    assert status(PERSON_JOB, Qt.ItemDataRole.ForegroundRole) is None
    model.set_running(PERSON_JOB, None)
    Job.update(alert_failure_percent=20.0).where(Job.name == PERSON_JOB).execute()
    view.refresh()
    assert status(PERSON_JOB) == "Partial Success", "the job's threshold decides"


def test_the_run_details_say_whether_the_run_crossed_the_alert(
    qtbot: QtBot, context: Any, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    quiet = _run(COMPANY_JOB, RunStatus.PARTIAL_SUCCESS, 980, 20)
    alerted = _run(COMPANY_JOB, RunStatus.PARTIAL_SUCCESS, 875, 125, at=T0 + 10)
    empty = _run(COMPANY_JOB, RunStatus.FAILURE, 0, 0, at=T0 + 20)
    view = LogsView(Path(context.paths.runs_dir), ask_save_path=lambda *_args: None)
    qtbot.addWidget(view)
    label = view.details.value_labels["Alert"]
    view.details.show_run(alerted.id)
    assert label.text() == "12.5% of records failed (alert above 5%)"
    assert colour(Tone.ERROR).name() in label.styleSheet() and label.font().bold()
    view.details.show_run(quiet.id)
    assert label.text() == "None: 2% of records failed (alert above 5%)"
    assert label.styleSheet() == ""
    view.details.show_run(empty.id)
    assert label.text() == "", "no record processed: nothing to measure"
