"""The first launch asks once for the admin's email, beside a usable window: an answer fills
both recipient lists of the jobs, Skip leaves everything as it was, and no later launch asks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pxdesk.app import AppOptions, PxdeskApp
from pxdesk.core.config.chain_service import ChainConfig, ChainService
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.store import settings as st
from pxdesk.core.store.models import Job
from pxdesk.ui.views.admin_email_dialog import AdminEmailDialog
from tests.ui.accessibility import name_problems

ADMIN = "ada@example.com"


@pytest.fixture
def launch(qtbot: QtBot, context: Any) -> Iterator[Callable[..., PxdeskApp]]:
    """Start the app as the desktop entry does (asking on a first launch), as often as asked."""
    apps: list[PxdeskApp] = []

    def start(*, ask: bool = True) -> PxdeskApp:
        app = PxdeskApp(context, QApplication.instance(),  # type: ignore[arg-type]
                        AppOptions(tray_available=lambda: False, network_online=lambda: True,
                                   ask_admin_email=ask))
        qtbot.addWidget(app.window)
        apps.append(app)
        app.show()
        qtbot.waitExposed(app.window)
        return app

    yield start
    for app in apps:
        app.quit(ask=False)


def _prompt(qtbot: QtBot, app: PxdeskApp) -> AdminEmailDialog:
    dialog = app.admin_email_dialog
    assert dialog is not None, "the first launch asks"
    qtbot.waitExposed(dialog)
    return dialog


def _recipients() -> dict[str, tuple[list[str], list[str]]]:
    return {job.name: (load_job_config(job).success_recipients,
                       load_job_config(job).failure_recipients)
            for job in Job.select().order_by(Job.kind)}


def test_an_answer_fills_both_lists_of_every_job_and_is_not_asked_again(
    qtbot: QtBot, context: Any, launch: Callable[..., PxdeskApp]
) -> None:
    ConnectionService(context.secrets, user="tester").create(
        "PX", "k" * 32, base_url="http://127.0.0.1:1/v1")  # seeded before any Admin email
    assert all(lists == ([], []) for lists in _recipients().values())
    app = launch()
    dialog = _prompt(qtbot, app)
    assert not dialog.isModal()
    assert dialog.windowModality() == Qt.WindowModality.NonModal, "the window stays usable"
    assert name_problems(dialog) == []
    dialog.email_edit.setFocus()
    QTest.keyClicks(dialog.email_edit, "ada@")
    assert not dialog.save_button.isEnabled(), "not an address yet"
    QTest.keyClicks(dialog.email_edit, "example.com")
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        QTest.keyClick(dialog.email_edit, Qt.Key.Key_Return)
    assert st.get_setting(st.ADMIN_EMAIL) == ADMIN
    assert _recipients() == {"Company Sync_PX": ([ADMIN], [ADMIN]),
                             "Company Person Sync_PX": ([ADMIN], [ADMIN])}
    assert ADMIN in app.window.statusBar().currentMessage()
    app.quit(ask=False)
    assert launch().admin_email_dialog is None, "the second launch does not ask"


def test_skip_leaves_the_app_usable_and_is_not_asked_again(
    qtbot: QtBot, launch: Callable[..., PxdeskApp]
) -> None:
    app = launch()
    dialog = _prompt(qtbot, app)
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert st.get_setting(st.ADMIN_EMAIL) == ""
    assert app.window.isVisible() and app.window.isEnabled()
    app.window.tabs.setCurrentIndex(app.window.tabs.count() - 1)  # the window still answers
    assert app.window.tabs.currentWidget() is app.logs_view
    app.quit(ask=False)
    assert launch().admin_email_dialog is None, "Skip is an answer too"


def test_the_window_stays_usable_while_the_question_is_open(
    qtbot: QtBot, launch: Callable[..., PxdeskApp]
) -> None:
    app = launch()
    _prompt(qtbot, app)
    app.window.activateWindow()
    qtbot.mouseClick(app.window.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=app.window.tabs.tabBar().tabRect(1).center())
    assert app.window.tabs.currentIndex() == 1


def test_an_invalid_address_is_refused_and_nothing_is_saved(
    qtbot: QtBot, launch: Callable[..., PxdeskApp]
) -> None:
    dialog = _prompt(qtbot, launch())
    dialog.email_edit.setText("ada@example")
    assert not dialog.save_button.isEnabled()
    dialog.accept()  # even when reached another way, the core checks the address
    assert dialog.isVisible() and "Admin email" in dialog.error_label.text()
    assert st.get_setting(st.ADMIN_EMAIL) == ""


def test_an_app_built_without_the_desktop_start_never_asks(
    launch: Callable[..., PxdeskApp]
) -> None:
    assert launch(ask=False).admin_email_dialog is None
    assert st.get_setting(st.ADMIN_EMAIL_ASKED, False) is False


def test_an_answer_fills_the_job_chain_s_empty_lists_too(
    qtbot: QtBot, context: Any, launch: Callable[..., PxdeskApp]
) -> None:
    ConnectionService(context.secrets, user="tester").create(
        "PX", "k" * 32, base_url="http://127.0.0.1:1/v1")
    ChainService(user="tester").save(ChainConfig(
        name="Nightly", members=["Company Sync_PX", "Company Person Sync_PX"],
        failure_recipients=["ops@example.com"]))
    dialog = _prompt(qtbot, launch())
    dialog.email_edit.setText(ADMIN)
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    chain = ChainService(user="tester").config()
    assert chain is not None
    assert (chain.success_recipients, chain.failure_recipients) == ([ADMIN], ["ops@example.com"])
