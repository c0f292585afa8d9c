"""Stale-data alerts in the desktop: checked off the GUI thread, a tray notice once per
episode, a warning marker with a tooltip in the jobs table."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pxdesk.app import PxdeskApp
from pxdesk.core.notify.stale_notifier import StaleCheck
from pxdesk.core.schedule.stale_watch import StaleWatch
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.ui.models.jobs_model import NAME_COLUMN
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB
from tests.ui.test_app_scheduling import T0, connection, make_app, tray_of  # noqa: F401

HOUR_MS = 3_600_000
T0_MS = int(T0.timestamp() * 1000)


def test_the_check_runs_off_the_gui_thread(qtbot: QtBot, context: Any) -> None:
    threads: list[bool] = []

    def check() -> StaleCheck:
        threads.append(threading.current_thread() is threading.main_thread())
        return StaleCheck()

    watch = StaleWatch(check, context.db, interval_ms=60_000)
    with qtbot.waitSignal(watch.checked, timeout=5_000):
        watch.start()
    watch.stop()
    qtbot.waitUntil(lambda: not watch.is_checking(), timeout=5_000)
    assert threads == [False]


def test_tray_notice_once_and_a_marker_in_the_jobs_table(
    qtbot: QtBot, context: Any, make_app: Callable[..., PxdeskApp]  # noqa: F811
) -> None:
    connection(context)
    Job.update(created_at=T0_MS - 10 * HOUR_MS).execute()
    Job.update(stale_after_hours=2).where(Job.name == COMPANY_JOB).execute()
    app = make_app()
    with qtbot.waitSignal(app.stale_watch.checked, timeout=10_000):
        app.show()
    message = tray_of(app).last_message
    assert message is not None and message.title == f"{COMPANY_JOB}: stale data"
    assert message.persistent and "No successful run yet, in 10 hours" in message.message
    model = app.connectors.jobs_model

    def marker(job: str, role: Qt.ItemDataRole) -> Any:
        return model.data(model.index(model.row_of(job), NAME_COLUMN), role)

    assert marker(COMPANY_JOB, Qt.ItemDataRole.DecorationRole) is not None
    assert "warn after 2 hours" in marker(COMPANY_JOB, Qt.ItemDataRole.ToolTipRole)
    assert marker(PERSON_JOB, Qt.ItemDataRole.DecorationRole) is None
    tray_of(app).last_message = None
    with qtbot.waitSignal(app.stale_watch.checked, timeout=10_000):
        app.stale_watch.check_now()
    assert tray_of(app).last_message is None, "once per episode"
    ExecutionRun.create(job=Job.get(Job.name == COMPANY_JOB), job_name=COMPANY_JOB,
                        trigger="manual", status=RunStatus.SUCCESS, queued_at=T0_MS,
                        started_at=T0_MS, ended_at=T0_MS)
    with qtbot.waitSignal(app.stale_watch.checked, timeout=10_000):
        app.stale_watch.check_now()
    assert marker(COMPANY_JOB, Qt.ItemDataRole.DecorationRole) is None, "a success clears it"
