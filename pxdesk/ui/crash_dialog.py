"""Last-resort handler for uncaught exceptions: log them and show a copyable report."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QTextEdit

from pxdesk.core.applog import redact

log = logging.getLogger("pxdesk.crash")


def install_excepthook() -> None:
    """Route uncaught exceptions to the log and a dialog instead of a silent exit."""
    sys.excepthook = _on_uncaught_exception


def _on_uncaught_exception(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    text = redact("".join(traceback.format_exception(exc_type, exc, tb)))
    log.error("Uncaught exception:\n%s", text)
    if QApplication.instance() is None:
        sys.__excepthook__(exc_type, exc, tb)
        return
    crash_box(exc, text).exec()


def crash_box(exc: BaseException, details: str) -> QMessageBox:
    """The report: what happened in one line, the redacted traceback under Show Details."""
    box = QMessageBox(QMessageBox.Icon.Critical, "pxdesk hit an unexpected error", str(exc))
    box.setInformativeText("The details were written to the log. Copy them into a bug report.")
    box.setDetailedText(details)
    for text in box.findChildren(QTextEdit):  # the details box has no label of its own
        text.setAccessibleName("Error details")
    return box
