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
    assert titles[:4] == ["Connectors", "Data", "Adoption", "Logs"]
    with qtbot.waitSignal(app.window.close_requested, timeout=2000):
        app.window.quit_action.trigger()
    assert not app.window.isVisible()


def _wait_for_log(proc: subprocess.Popen[bytes], log_file: Path, text: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if log_file.exists() and text in log_file.read_text("utf-8"):
            return
        time.sleep(0.05)  # polling another process; there is no signal to wait on


def test_desktop_entry_point_starts_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The real `python -m pxdesk` process: starts, creates its store, exits 0 on SIGTERM;
    a second launch on the same home only brings the first one forward and exits 0."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    home = tmp_path / "home"
    # --minimized: offscreen has no tray, so the window opens anyway
    proc = subprocess.Popen([sys.executable, "-m", "pxdesk", "--home", str(home), "--minimized"],
                            env=env)
    log_file = home / "logs" / "pxdesk.log"
    try:
        _wait_for_log(proc, log_file, "started; store at")
        assert proc.poll() is None, "pxdesk exited before its window came up"
        assert (home / "data" / "pxdesk.sqlite3").exists()
        second = subprocess.run([sys.executable, "-m", "pxdesk", "--home", str(home)],
                                env=env, timeout=30, check=False)
        assert second.returncode == 0
        _wait_for_log(proc, log_file, "a second launch asked to show the window")
        text = log_file.read_text("utf-8")
        assert "a second launch asked to show the window" in text
        assert text.count("started; store at") == 1  # no second scheduler
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert "pxdesk stopped" in log_file.read_text("utf-8")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
