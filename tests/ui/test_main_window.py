"""The desktop app opens its main window and quits cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from pxdesk.app import PxdeskApp


def test_main_window_opens_with_tabs_and_quits(qtbot: QtBot, context: object) -> None:
    from PySide6.QtWidgets import QApplication

    qapp = QApplication.instance()
    app = PxdeskApp(context, qapp)  # type: ignore[arg-type]
    qtbot.addWidget(app.window)
    app.show()
    qtbot.waitExposed(app.window)
    titles = [app.window.tabs.tabText(i) for i in range(app.window.tabs.count())]
    assert titles[:3] == ["Connectors", "Data", "Logs"]
    with qtbot.waitSignal(app.window.close_requested, timeout=2000):
        app.window.quit_action.trigger()
    assert not app.window.isVisible()


def test_desktop_entry_point_starts_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The real `python -m pxdesk` process: starts, creates its store, exits 0 on SIGTERM."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-m", "pxdesk", "--home", str(home)], env=env)
    log_file = home / "logs" / "pxdesk.log"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if log_file.exists() and "started; store at" in log_file.read_text("utf-8"):
                break
            time.sleep(0.05)  # polling another process; there is no signal to wait on
        assert proc.poll() is None, "pxdesk exited before its window came up"
        assert (home / "data" / "pxdesk.sqlite3").exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert "pxdesk stopped" in log_file.read_text("utf-8")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
