"""Help > Create Support Bundle…: the save dialog, the bundle written off the GUI thread, one
line in the status bar."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import qVersion
from pytestqt.qtbot import QtBot

from pxdesk.ui.main_window import MainWindow
from pxdesk.ui.support_bundle import SupportBundleCommand


def _window(qtbot: QtBot, context: Any, answer: Path | None) -> tuple[MainWindow,
                                                                      SupportBundleCommand]:
    window = MainWindow()
    qtbot.addWidget(window)
    command = SupportBundleCommand(context, window, ask_path=lambda *_args: answer)
    window.support_bundle_action.triggered.connect(command.start)
    command.reported.connect(window.statusBar().showMessage)
    return window, command


def test_help_menu_writes_the_bundle_and_says_where(qtbot: QtBot, context: Any,
                                                    tmp_path: Path) -> None:
    target = tmp_path / "support.zip"
    window, command = _window(qtbot, context, target)
    help_menu = window.menuBar().actions()[-1].menu()
    assert window.support_bundle_action in help_menu.actions()
    with qtbot.waitSignal(command.reported, timeout=10_000,
                          check_params_cb=lambda line: line.startswith("Support bundle saved")):
        window.support_bundle_action.trigger()
    assert window.statusBar().currentMessage().startswith(f"Support bundle saved to {target}")
    with zipfile.ZipFile(target) as archive:
        versions = json.loads(archive.read("versions.json"))
    assert versions["qt"] == qVersion()
    qtbot.waitUntil(lambda: not command.is_running(), timeout=5_000)


def test_a_cancelled_dialog_writes_nothing(qtbot: QtBot, context: Any, tmp_path: Path) -> None:
    window, command = _window(qtbot, context, None)
    window.support_bundle_action.trigger()
    assert not command.is_running() and list(tmp_path.iterdir()) == [tmp_path / "pxdesk-home"]


def test_a_failure_is_one_line(qtbot: QtBot, context: Any, tmp_path: Path) -> None:
    window, command = _window(qtbot, context, tmp_path)  # a folder: cannot be replaced by a zip
    with qtbot.waitSignal(command.reported, timeout=10_000,
                          check_params_cb=lambda line: "could not be written" in line):
        window.support_bundle_action.trigger()
    assert "\n" not in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not command.is_running(), timeout=5_000)
