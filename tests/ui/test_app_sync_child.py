"""The desktop runs its syncs in a child process, so the GUI thread never shares a GIL with
the PX client's parsing or the writer's SQL (issue 12: stalls over 50 ms at 1M users)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pxdesk.app import AppOptions, PxdeskApp
from pxdesk.core.logs.execution import ADVANCING_STATUSES
from pxdesk.core.notify.notifier import NotifyOutcome
from pxdesk.core.store.models import ExecutionRun
from pxdesk.core.sync.job_run import JobRun
from pxdesk.core.sync.results import RunResult
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, USERS, setup_jobs

pytestmark = pytest.mark.timeout(120)


def _no_run_here(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("the desktop must not run a sync in its own process")


def test_a_desktop_run_goes_through_a_child_process_and_shows_live(
        qtbot: QtBot, context: Any, sim: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    setup_jobs(context, sim)
    monkeypatch.setattr(JobRun, "execute", _no_run_here)
    options = AppOptions(tray_available=lambda: False, network_online=lambda: True,
                         notify_run=lambda _run_id: NotifyOutcome(False, None, None))
    app = PxdeskApp(context, QApplication.instance(), options)  # type: ignore[arg-type]
    qtbot.addWidget(app.window)
    started: list[str] = []
    app.runner.run_started.connect(lambda start: started.append(start.job_name))
    progress: list[int] = []
    app.runner.run_progress.connect(lambda report: progress.append(report.records))
    try:
        with qtbot.waitSignal(app.runner.run_finished, timeout=60_000) as finished:
            assert app.runner.start(PERSON_JOB)
        result = finished.args[1]
        assert isinstance(result, RunResult), result
        assert result.status in ADVANCING_STATUSES
        assert started == [PERSON_JOB, COMPANY_JOB]
        assert progress and progress[-1] == USERS
        run = ExecutionRun.get_by_id(result.run_id)
        assert run.success_count == result.counts.success > 0
    finally:
        app.quit_now()
