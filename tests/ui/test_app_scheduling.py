"""The app wired for scheduling: hide to tray, no-tray quit, --minimized, run messages, e-mail."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pxdesk.app import AppOptions, PxdeskApp
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.logs.queries import EXECUTION
from pxdesk.core.notify.notifier import NotifyOutcome
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job, Schedule
from pxdesk.core.store.settings import PAUSE_SETTING, TRAY_HINT_SETTING, get_setting
from pxdesk.core.sync.results import RunResult
from pxdesk.ui.tray import TrayController
from pxdesk.ui.tray_session import HIDDEN_TITLE, NO_TRAY_BANNER
from tests.ui.conftest import COMPANY_JOB

T0 = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)


class HeldBackend(BackgroundScheduler):  # type: ignore[misc]
    """Real APScheduler that never fires by itself."""

    def start(self, *args: Any, **kwargs: Any) -> None:
        super().start(paused=True)


class Mail:
    """Stands in for RunNotifier.notify_run; records the run ids and the calling thread."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[int, bool]] = []
        self.error = error

    def __call__(self, run_id: int) -> NotifyOutcome:
        self.calls.append((run_id, threading.current_thread() is threading.main_thread()))
        if self.error is not None:
            raise self.error
        return NotifyOutcome(False, None, None)


@pytest.fixture
def make_app(qtbot: QtBot, context: Any) -> Iterator[Callable[..., PxdeskApp]]:
    apps: list[PxdeskApp] = []

    def factory(*, tray: bool = True, **kwargs: Any) -> PxdeskApp:
        backend = HeldBackend(jobstores={"default": MemoryJobStore()},
                              executors={"default": ThreadPoolExecutor(1)},
                              timezone=ZoneInfo("UTC"))
        kwargs.setdefault("tray_available", lambda: tray)
        options = AppOptions(network_online=lambda: True, scheduler_backend=backend,
                             now=lambda: T0, **kwargs)
        app = PxdeskApp(context, QApplication.instance(), options)  # type: ignore[arg-type]
        qtbot.addWidget(app.window)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.quit(ask=False)  # a second quit of a closed app is harmless
    QApplication.instance().setQuitOnLastWindowClosed(True)  # type: ignore[union-attr]


def tray_of(app: PxdeskApp) -> TrayController:
    assert app.session.tray is not None
    return app.session.tray


def connection(context: Any, *, scheduled: bool = False) -> None:
    """A connection whose Company Sync fails at once (no upsert key): no PX needed."""
    ConnectionService(context.secrets, user="tester").create(
        "PX", "k" * 32, base_url="http://127.0.0.1:1/v1")
    if scheduled:
        Schedule.update(enabled=True, kind="daily_once", time="18:00", timezone="UTC").where(
            Schedule.job == Job.get(Job.name == COMPANY_JOB)).execute()


def test_closing_with_a_tray_hides_the_window_and_says_so_once(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp]
) -> None:
    app = make_app()
    app.show()
    qtbot.waitExposed(app.window)
    quits: list[bool] = []
    app.window.close_requested.connect(lambda: quits.append(True))
    app.window.close()
    assert not app.window.isVisible()
    assert quits == [] and app.dispatcher.scheduler.running  # still scheduling
    message = tray_of(app).last_message
    assert message is not None and message.title == HIDDEN_TITLE and not message.persistent
    assert get_setting(TRAY_HINT_SETTING, False) is True
    tray_of(app).last_message = None
    tray_of(app).open_action.trigger()  # Open pxdesk
    assert app.window.isVisible()
    app.window.close()
    assert tray_of(app).last_message is None  # told once only
    with qtbot.waitSignal(app.window.close_requested):
        tray_of(app).quit_action.trigger()  # Quit from the tray really quits
    assert not app.dispatcher.scheduler.running


def test_a_tray_gone_mid_session_makes_closing_quit_instead_of_vanishing(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp]
) -> None:
    tray_there = [True]
    app = make_app(tray_available=lambda: tray_there[0])
    app.show()
    qtbot.waitExposed(app.window)
    assert app.session.tray is not None
    tray_there[0] = False  # the panel crashed, or the session lost its tray
    with qtbot.waitSignal(app.window.close_requested):
        app.window.close()
    assert not app.dispatcher.scheduler.running, "quit: nothing left running out of sight"


def test_without_a_tray_closing_quits_and_the_window_says_scheduling_needs_it(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp]
) -> None:
    app = make_app(tray=False)
    app.show()
    qtbot.waitExposed(app.window)
    assert app.session.tray is None
    assert app.window.banner_label.isVisible()
    assert app.window.banner_label.text() == NO_TRAY_BANNER
    with qtbot.waitSignal(app.window.close_requested):
        app.window.close()
    assert not app.dispatcher.scheduler.running


def test_minimized_starts_in_the_tray_and_shows_the_window_without_one(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp]
) -> None:
    app = make_app(minimized=True)
    app.show()
    qtbot.wait(10)
    assert not app.window.isVisible()
    assert app.dispatcher.scheduler.running
    app.activate()  # what a second launch triggers
    assert app.window.isVisible()
    app.quit(ask=False)
    shown = make_app(tray=False, minimized=True)
    shown.show()
    qtbot.waitExposed(shown.window)
    assert shown.window.isVisible()


def test_tray_lists_jobs_with_next_run_and_pauses_the_dispatcher(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp], context: Any
) -> None:
    connection(context, scheduled=True)
    app = make_app()
    app.show()
    tray = tray_of(app)
    lines = [a.text() for a in tray.menu.actions() if not a.isEnabled() and a.text()]
    assert f"{COMPANY_JOB}: never run; next Mon 2024-01-01 18:00" in lines
    next(a for a in tray.pause_menu.actions() if a.text() == "Until Resumed").trigger()
    assert app.dispatcher.pause_state() == (True, None)
    assert get_setting(PAUSE_SETTING, None) == {"until": None}
    assert tray.resume_action.isEnabled()
    assert "Schedules paused until resumed" in [a.text() for a in tray.menu.actions()]
    tray.resume_action.trigger()
    assert app.dispatcher.pause_state() == (False, None)
    assert not tray.resume_action.isEnabled()


def test_failed_run_gives_a_persistent_message_that_opens_the_run_and_an_email(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp], context: Any
) -> None:
    connection(context)
    mail = Mail()
    app = make_app(notify_run=mail)
    app.show()
    tray = tray_of(app)
    run_now = next(a for a in tray.menu.actions() if a.text() == f"Run {COMPANY_JOB} Now")
    with qtbot.waitSignal(app.mailer.mailed, timeout=20_000), \
            qtbot.waitSignal(app.runner.run_finished, timeout=20_000) as finished:
        run_now.trigger()
    result = finished.args[1]
    assert result.status == RunStatus.FAILURE
    message = tray.last_message
    assert message is not None and message.persistent and message.run_id == result.run_id
    assert message.title == f"{COMPANY_JOB}: Failure"
    assert mail.calls == [(result.run_id, False)]  # mailed, and not from the GUI thread
    app.window.hide()
    tray.tray.messageClicked.emit()
    assert app.window.isVisible()
    assert app.window.tabs.currentWidget() is app.logs_view
    table = app.logs_view.tables[EXECUTION]
    (selected,) = table.selectionModel().selectedRows()
    assert app.logs_view.models[EXECUTION].row_id(selected.row()) == result.run_id


def test_a_failure_to_send_mail_is_logged_not_raised(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp], context: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connection(context)
    mail = Mail(error=OSError("SMTP server down"))
    app = make_app(notify_run=mail)
    app.show()
    with caplog.at_level(logging.WARNING), \
            qtbot.waitSignal(app.mailer.mailed, timeout=20_000) as mailed:
        assert app.runner.start(COMPANY_JOB)
    assert mailed.args == [[]]
    assert any("SMTP server down" in r.getMessage() for r in caplog.records)
    assert app.mailer.pending() == 0


def test_a_skipped_fire_shows_in_the_logs_tab_at_once(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp], context: Any
) -> None:
    connection(context, scheduled=True)
    app = make_app(notify_run=Mail())
    app.show()
    with qtbot.waitSignal(app.mailer.mailed, timeout=20_000):
        assert app.runner.start(COMPANY_JOB)
        with qtbot.waitSignal(app.dispatcher.run_logged) as logged:
            app.dispatcher.scheduler.job_due.emit(COMPANY_JOB, "scheduled")
    model = app.logs_view.models[EXECUTION]
    row = model.row_of(logged.args[1])
    assert row >= 0 and model.raw_row(row)["status"] == "Skipped"


def test_a_run_above_the_failure_alert_gives_a_persistent_message_saying_so(
    make_app: Callable[..., PxdeskApp], context: Any
) -> None:
    connection(context)
    app = make_app(notify_run=Mail())
    app.show()
    job = Job.get(Job.name == COMPANY_JOB)
    below = ExecutionRun.create(job=job, job_name=job.name, trigger="manual",
                                status=RunStatus.PARTIAL_SUCCESS, success_count=980,
                                failure_count=20)
    app.session.on_run_finished(COMPANY_JOB, RunResult.from_run(below))
    message = tray_of(app).last_message
    assert message is not None and not message.persistent
    assert message.message == "980 succeeded, 20 failed"
    above = ExecutionRun.create(job=job, job_name=job.name, trigger="manual",
                                status=RunStatus.PARTIAL_SUCCESS, success_count=875,
                                failure_count=125)
    app.session.on_run_finished(COMPANY_JOB, RunResult.from_run(above))
    message = tray_of(app).last_message
    assert message is not None and message.persistent and message.run_id == above.id
    assert message.message == ("875 succeeded, 125 failed. 12.5% of records failed (alert above "
                            "5%). Click to open the run.")
    (line,) = [info for info in app.session.job_infos() if info.name == COMPANY_JOB]
    assert (line.last_status, line.alert) == (RunStatus.PARTIAL_SUCCESS, "12.5% failed")


def test_the_window_comes_back_where_the_admin_left_it(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp]
) -> None:
    first = make_app(tray=False)
    first.show()
    qtbot.waitExposed(first.window)
    first.window.resize(first.window.width(), 500)  # the offscreen screen is 800x600
    assert first.window.height() == 500
    with qtbot.waitSignal(first.window.close_requested):
        first.window.close()
    second = make_app(tray=False)
    assert second.window.height() == 500, "not the default size: the one it was left at"
