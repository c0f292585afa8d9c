"""Wires the context, the main window and (later) the runner, scheduler and tray; no rules here."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from pxdesk.core.context import AppContext
from pxdesk.ui.main_window import MainWindow


class PxdeskApp(QObject):
    """Owns the long-lived objects of one desktop session and connects their signals."""

    def __init__(self, context: AppContext, qapp: QApplication) -> None:
        super().__init__()
        self.context = context
        self.qapp = qapp
        self.window = MainWindow()
        self.window.add_placeholder_tab("Connectors", "No connection yet.")
        self.window.add_placeholder_tab("Data", "Synced Companies and People will appear here.")
        self.window.add_placeholder_tab("Logs", "Execution, audit and connection logs.")
        self.window.quit_action.triggered.connect(self.quit)

    def show(self) -> None:
        self.window.show()

    def quit(self) -> None:
        """Close the window and leave the event loop; the store is closed by main()."""
        self.window.close()
        self.qapp.quit()
