"""The desktop entry point: a store it cannot open ends with one clear message, no crash
report; the log file it writes is private."""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from pxdesk.__main__ import main


@pytest.fixture
def restored_globals(monkeypatch: pytest.MonkeyPatch):
    """main() installs an excepthook and log handlers: take them back after the test."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root = logging.getLogger()
    before = list(root.handlers)
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


def test_damaged_database_is_one_message(qapp, home: Path, monkeypatch, restored_globals,
                                         capsys) -> None:
    data = home / "data"
    data.mkdir(parents=True)
    (data / "pxdesk.sqlite3").write_bytes(b"not sqlite at all " * 200)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda _parent, title, text, *_: shown.append((title, text)))
    assert main(["--home", str(home)]) == 1
    message = (f"the database {data / 'pxdesk.sqlite3'} is not a pxdesk database or is "
               "damaged (file is not a database)")
    assert len(shown) == 1 and shown[0][1].startswith(message) and "\n" not in shown[0][1]
    assert capsys.readouterr().err.startswith(f"pxdesk: {message}")
    assert stat.S_IMODE((home / "logs" / "pxdesk.log").stat().st_mode) == 0o600
