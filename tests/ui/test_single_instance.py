"""Single instance with real processes: the second launch activates the first and exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from pxdesk.ui.single_instance import SingleInstance, instance_name

FIRST = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
from pxdesk.ui.single_instance import SingleInstance
app = QCoreApplication([])
instance = SingleInstance(sys.argv[1])
print("claimed" if instance.claim() else "second", flush=True)
def on_activation():
    print("activated", flush=True)
    app.quit()
instance.activation_requested.connect(on_activation)
QTimer.singleShot(20000, app.quit)  # bounded even if the test breaks
app.exec()
"""

SECOND = """
import sys
from PySide6.QtCore import QCoreApplication
from pxdesk.ui.single_instance import SingleInstance
app = QCoreApplication([])
first = SingleInstance(sys.argv[1]).claim()
print("first" if first else "second", flush=True)
sys.exit(3 if first else 0)
"""


@pytest.fixture
def name() -> Iterator[str]:
    unique = f"pxdesk-test-{uuid.uuid4().hex[:12]}"
    yield unique
    QLocalServer.removeServer(unique)  # socket files left by killed test processes


@pytest.fixture
def first_process(name: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen([sys.executable, "-c", FIRST, name], stdout=subprocess.PIPE,
                               text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "claimed"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def run_second(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SECOND, name], capture_output=True, text=True,
                          timeout=30)


def test_second_launch_activates_the_first_and_exits_zero(
    name: str, first_process: subprocess.Popen[str]
) -> None:
    second = run_second(name)
    assert (second.returncode, second.stdout.strip()) == (0, "second")
    assert first_process.stdout is not None
    assert first_process.stdout.readline().strip() == "activated"
    assert first_process.wait(timeout=10) == 0


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_stale_socket_of_a_crashed_process_is_taken_over(
    qtbot: QtBot, name: str, first_process: subprocess.Popen[str]
) -> None:
    os.kill(first_process.pid, signal.SIGKILL)  # no cleanup: the socket file stays behind
    first_process.wait(timeout=10)
    if sys.platform.startswith("linux"):
        assert (Path(QDir.tempPath()) / name).exists()
    instance = SingleInstance(name)
    try:
        assert instance.claim() is True
        with qtbot.waitSignal(instance.activation_requested, timeout=10_000):
            second = run_second(name)
        assert (second.returncode, second.stdout.strip()) == (0, "second")
    finally:
        instance.release()
    assert run_second(name).stdout.strip() == "first"  # released: the next launch is first


def test_name_depends_on_user_and_home(tmp_path: Path) -> None:
    a, b = instance_name(tmp_path / "a"), instance_name(tmp_path / "b")
    assert a != b and a == instance_name(tmp_path / "a")
    assert a.startswith("pxdesk-") and len(a) < 40  # short enough for a Unix socket path
