"""Help > Create Support Bundle…: asks where, writes it off the GUI thread, says one line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, qVersion
from PySide6.QtWidgets import QFileDialog, QWidget

from pxdesk.core.background import BackgroundCalls
from pxdesk.core.context import AppContext
from pxdesk.core.support.bundle import BundleResult, write_support_bundle

# (parent, dialog title, suggested file name) -> chosen path, or None when cancelled.
AskBundlePath = Callable[[QWidget, str, str], Path | None]
TITLE = "Save support bundle"


def ask_bundle_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The real save dialog; tests inject their own callable instead."""
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, "Zip archives (*.zip)")
    return Path(name) if name else None


class SupportBundleCommand(QObject):
    """What the Help menu's action runs; `reported(line)` says how it ended (the window shows
    it in the status bar). Personal data is always removed here; the CLI can keep it."""

    reported = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget, *,
                 ask_path: AskBundlePath = ask_bundle_path) -> None:
        super().__init__(parent)
        self._context = context
        self._parent = parent
        self._ask = ask_path
        self._calls = BackgroundCalls(self, context.db)

    def is_running(self) -> bool:
        return self._calls.is_running()

    def start(self) -> None:
        if self.is_running():
            return
        target = self._ask(self._parent, TITLE, f"pxdesk-support-{date.today():%Y%m%d}.zip")
        if target is None:
            return
        self.reported.emit(f"Writing the support bundle to {target}…")
        self._calls.start(partial(write_support_bundle, target, self._context.paths,
                                  self._context.secrets, qt_version=qVersion()),
                          self._on_bundle_finished, self._on_bundle_failed)

    def _on_bundle_finished(self, result: object) -> None:
        if isinstance(result, BundleResult):
            self.reported.emit(result.summary())

    def _on_bundle_failed(self, message: str) -> None:
        self.reported.emit(f"The support bundle could not be written: {message}")
