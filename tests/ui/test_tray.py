"""Tray menu and signals, driven through the QMenu actions (offscreen has no real tray)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QAction, QColor, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from pxdesk.core.store.enums import RunStatus
from pxdesk.ui.tray import (
    TrayController,
    TrayJobInfo,
    TrayState,
    load_base_pixmap,
    relative_time,
    state_pixmap,
    tray_available,
)

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 6, 3, 14, 30, tzinfo=ZONE)  # a Monday


def company(**changes: object) -> TrayJobInfo:
    values: dict[str, object] = {
        "name": "Company Sync_X", "last_status": RunStatus.SUCCESS,
        "last_run_at": NOW - timedelta(minutes=5), "next_run_at": NOW + timedelta(minutes=30),
    }
    values.update(changes)
    return TrayJobInfo(**values)  # type: ignore[arg-type]


PERSON = TrayJobInfo("Company Person Sync_X", None, None, None)


@pytest.fixture
def tray(qtbot: QtBot) -> Iterator[TrayController]:
    controller = TrayController(clock=lambda: NOW)
    yield controller
    controller.dispose()


def texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator() and a.isVisible()]


def action(menu: QMenu, text: str) -> QAction:
    return next(a for a in menu.actions() if a.text() == text)


def test_menu_lists_jobs_with_last_result_and_next_run(tray: TrayController) -> None:
    tray.update_jobs([company(), PERSON])
    assert texts(tray.menu) == [
        "Open pxdesk",
        "Company Sync_X: Success, 5 min ago; next Mon 2024-06-03 15:00",
        "Run Company Sync_X Now",
        "Company Person Sync_X: never run; not scheduled",
        "Run Company Person Sync_X Now",
        "Pause All Schedules", "Resume Schedules", "Quit pxdesk",
    ]
    assert tray.tray.toolTip().splitlines()[1].startswith("Company Sync_X: Success, 5 min ago")
    tray.update_jobs([PERSON])  # rebuilt, not appended
    assert sum("Run " in t for t in texts(tray.menu)) == 1


def test_run_now_emits_the_job_name_and_is_disabled_while_running(
    qtbot: QtBot, tray: TrayController
) -> None:
    tray.update_jobs([company(), PERSON])
    with qtbot.waitSignal(tray.run_requested) as blocker:
        action(tray.menu, "Run Company Person Sync_X Now").trigger()
    assert blocker.args == ["Company Person Sync_X"]
    tray.update_jobs([company(running=True)])
    assert not action(tray.menu, "Run Company Sync_X Now").isEnabled()
    assert "Company Sync_X: running...; next Mon 2024-06-03 15:00" in texts(tray.menu)


def test_pause_choices_emit_the_end_of_the_pause(qtbot: QtBot, tray: TrayController) -> None:
    expected = {
        "For 1 Hour": NOW + timedelta(hours=1),
        "Until Tomorrow (00:00)": datetime(2024, 6, 4, 0, 0, tzinfo=ZONE),
        "Until Resumed": None,
    }
    assert texts(tray.pause_menu) == list(expected)
    for text, until in expected.items():
        with qtbot.waitSignal(tray.pause_requested) as blocker:
            action(tray.pause_menu, text).trigger()
        assert blocker.args == [until], text


def test_resume_is_enabled_only_while_paused(qtbot: QtBot, tray: TrayController) -> None:
    assert not tray.resume_action.isEnabled()
    tray.set_paused(True, datetime(2024, 6, 3, 15, 30, tzinfo=ZONE))
    assert "Schedules paused until Mon 2024-06-03 15:30" in texts(tray.menu)
    with qtbot.waitSignal(tray.resume_requested):
        tray.resume_action.trigger()
    tray.set_paused(True)
    assert "Schedules paused until resumed" in texts(tray.menu)
    tray.set_paused(False)
    assert not tray.resume_action.isEnabled()
    assert not any(t.startswith("Schedules paused") for t in texts(tray.menu))


def test_open_and_quit_and_tray_click(qtbot: QtBot, tray: TrayController) -> None:
    with qtbot.waitSignal(tray.open_requested):
        tray.open_action.trigger()
    with qtbot.waitSignal(tray.open_requested):
        tray.tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    with qtbot.waitSignal(tray.quit_requested):
        tray.quit_action.trigger()


def test_icon_state_follows_jobs(tray: TrayController) -> None:
    tray.update_jobs([company()])
    assert tray.state is TrayState.IDLE
    tray.update_jobs([company(last_status=RunStatus.FAILURE)])
    assert tray.state is TrayState.FAILED
    tray.update_jobs([company(last_status=RunStatus.FAILURE), company(running=True)])
    assert tray.state is TrayState.RUNNING
    assert tray.tray.icon().cacheKey() == tray.icons[TrayState.RUNNING].cacheKey()


def test_a_last_run_above_the_failure_alert_shows_in_the_menu_and_the_icon(
    tray: TrayController,
) -> None:
    alerted = company(last_status=RunStatus.PARTIAL_SUCCESS, alert="12.5% failed")
    tray.update_jobs([alerted])
    assert tray.state is TrayState.FAILED
    assert texts(tray.menu)[1] == ("Company Sync_X: Partial Success — 12.5% failed, 5 min ago; "
                                   "next Mon 2024-06-03 15:00")
    tray.update_jobs([company(last_status=RunStatus.PARTIAL_SUCCESS)])
    assert tray.state is TrayState.IDLE


def test_state_icons_differ_by_badge_color(qtbot: QtBot) -> None:
    base = load_base_pixmap()
    assert not base.isNull() and base.width() == 256
    corner = {state: QColor(state_pixmap(base, state, 64).toImage().pixel(52, 52))
              for state in TrayState}
    assert corner[TrayState.FAILED].red() > 180 > corner[TrayState.FAILED].green()
    assert corner[TrayState.RUNNING].green() > corner[TrayState.RUNNING].red()
    assert corner[TrayState.IDLE].blue() > corner[TrayState.IDLE].red()
    assert not state_pixmap(QPixmap(), TrayState.IDLE, 16).isNull()


def test_message_click_carries_the_run_id(qtbot: QtBot, tray: TrayController) -> None:
    tray.notify("Company Sync_X failed", "Bad API key", persistent=True, run_id=42)
    assert tray.last_message is not None and tray.last_message.persistent
    with qtbot.waitSignal(tray.message_clicked) as blocker:
        tray.tray.messageClicked.emit()
    assert blocker.args == [42]


def test_relative_time_and_availability() -> None:
    now = datetime(2024, 1, 10, tzinfo=UTC)
    cases = {timedelta(seconds=5): "just now", timedelta(minutes=59): "59 min ago",
             timedelta(hours=3): "3 h ago", timedelta(days=1): "yesterday",
             timedelta(days=4): "4 days ago"}
    for ago, text in cases.items():
        assert relative_time(now - ago, now) == text
    assert isinstance(tray_available(), bool)
