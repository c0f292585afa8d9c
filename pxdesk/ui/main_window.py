"""The main window: a tab per area (Connectors, Data, Logs); views are plugged in by the app."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabWidget,
    QWidget,
)

from pxdesk import __version__
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.sync.results import RunCrash, RunOutcome, RunProgress, RunResult, RunStart
from pxdesk.core.workers import RunListener
from pxdesk.ui.icons import Icon, icon, tab_icon


class RunStatusIndicator(QWidget, RunListener):
    """The running import in the status bar, whatever tab is open: job, records so far of
    the total PX reported, rate. Hidden when nothing runs; the app subscribes it to the
    runner."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run_status")
        self._runs: dict[int, tuple[str, RunProgress | None]] = {}  # run id -> job, progress
        self.label = QLabel("", self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.setVisible(False)

    def on_run_started(self, start: RunStart) -> None:
        if start.status == RunStatus.IN_PROGRESS:
            self._runs[start.run_id] = (start.job_name, None)
            self._show()

    def on_run_progress(self, progress: RunProgress) -> None:
        self._runs[progress.run_id] = (progress.job_name, progress)
        self._show()

    def on_run_ended(self, outcome: RunOutcome) -> None:
        match outcome:
            case RunResult(run_id=run_id):
                self._runs.pop(run_id, None)
            case RunCrash(job_name=job_name):  # no run id: drop that job's runs
                self._runs = {k: v for k, v in self._runs.items() if v[0] != job_name}
        self._show()

    def _show(self) -> None:
        """The newest run in words and as a bar (busy while PX has not said the total)."""
        if not self._runs:
            self.setVisible(False)
            return
        job, progress = self._runs[max(self._runs)]
        others = len(self._runs) - 1
        more = f"  (+{others} more running)" if others else ""
        if progress is None:
            self.label.setText(f"{job}: starting…{more}")
            self.bar.setRange(0, 0)
        elif progress.total_hits:
            self.label.setText(f"{job}: {progress.records:,} of {progress.total_hits:,} "
                               f"records · {progress.rate_per_s:,.0f}/s{more}")
            self.bar.setRange(0, progress.total_hits)
            self.bar.setValue(min(progress.records, progress.total_hits))
        else:
            self.label.setText(f"{job}: {progress.records:,} records · "
                               f"{progress.rate_per_s:,.0f}/s{more}")
            self.bar.setRange(0, 0)
        self.setVisible(True)


def _never() -> bool:
    return False


class MainWindow(QMainWindow):
    """Top-level window. It owns no business logic: tabs are views given to it by the app."""

    close_requested = Signal()  # the window closes for good: the app quits
    hidden_to_tray = Signal()  # closed while a tray icon keeps the app running

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("pxdesk")
        self.resize(1200, 760)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("main_tabs")
        self.tabs.setAccessibleName("pxdesk areas")
        self.setCentralWidget(self.tabs)
        self._close_guard: Callable[[], bool] | None = None
        self._hide_on_close: Callable[[], bool] = _never
        self._quitting = False
        self.banner_label = QLabel("", self)
        self.banner_label.setObjectName("banner_label")
        self.banner_label.setVisible(False)
        self._build_menu()
        self.run_status = RunStatusIndicator(self)
        self.statusBar().addPermanentWidget(self.run_status)
        self.statusBar().addPermanentWidget(self.banner_label)
        self.statusBar().showMessage("Ready")

    def saved_geometry(self) -> str:
        """Size and position as text for a private setting, restored at the next launch."""
        return bytes(self.saveGeometry().toBase64().data()).decode("ascii")

    def restore_saved_geometry(self, saved: str | None) -> None:
        """Back where the admin left it; on a screen that is gone (or no saved place), centred
        on the primary screen and no larger than it."""
        if (saved and self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii")))
                and any(screen.availableGeometry().intersects(self.frameGeometry())
                        for screen in QGuiApplication.screens())):
            return
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(self.width(), screen.width()), min(self.height(), screen.height()))
        self.move(screen.center() - self.rect().center())

    def add_tab(self, widget: QWidget, title: str) -> int:
        return self.tabs.addTab(widget, tab_icon(title), title)

    def add_placeholder_tab(self, title: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setMargin(24)
        self.tabs.addTab(label, tab_icon(title), title)
        return label

    def set_close_guard(self, guard: Callable[[], bool]) -> None:
        """`guard()` runs before the window closes; False keeps it open (e.g. runs going on)."""
        self._close_guard = guard

    def set_hide_on_close(self, hide: Callable[[], bool]) -> None:
        """While `hide()` says a tray icon holds the app, closing the window only hides it
        (asked at each close: a tray can go away mid-session); quit() still closes it."""
        self._hide_on_close = hide

    def quit(self) -> bool:
        """Close for good (the guard still asks); True when the window closed."""
        self._quitting = True
        closed = self.close()
        self._quitting = False
        return closed

    def show_banner(self, text: str) -> None:
        """A sentence that stays in the status bar (status messages do not replace it)."""
        self.banner_label.setText(text)
        self.banner_label.setVisible(bool(text))

    def bring_to_front(self) -> None:
        """Show, un-minimise, raise and focus: from the tray or a second launch."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def _build_menu(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.settings_action = QAction(icon(Icon.SETTINGS), "&Settings…", self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        self.quit_action = QAction(icon(Icon.QUIT), "&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.support_bundle_action = QAction(icon(Icon.SUPPORT_BUNDLE), "Create &Support Bundle…",
                                             self)
        self.support_bundle_action.setStatusTip("A zip of versions, settings, jobs, recent runs "
                                                "and logs for support; no key, password or "
                                                "personal data")
        help_menu.addAction(self.support_bundle_action)
        about = QAction(icon(Icon.ABOUT), "&About pxdesk", self)
        about.triggered.connect(self._on_about_triggered)
        help_menu.addAction(about)

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            "About pxdesk",
            f"pxdesk {__version__}\nSyncs Gainsight PX accounts and users into a local store.",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self._hide_on_close():
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        if self._close_guard is not None and not self._close_guard():
            event.ignore()
            return
        self.close_requested.emit()
        super().closeEvent(event)
