"""The installed Qt binding keeps reference counts right: a long tray session depends on it.

PySide6 6.12.0 drops a reference to None on every call that returns nothing; before Python 3.12
None is not immortal, so after enough calls the process aborts with "none_dealloc".
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_calls_do_not_leak_references_to_none(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("x")
    assert sys.getrefcount(None) - before > -100
