"""The system tray: state icon, each job's last result and next run, run/pause/quit actions.

The tray only shows and asks: it emits signals (run_requested, pause_requested, ...) that the app
connects to the runner and the scheduler. The menu is built whether or not the platform has a
tray, so it can be tested (and reused) where none exists, e.g. the offscreen platform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from pxdesk.assets import APP_ICON_PNG, asset_bytes
from pxdesk.core.store.enums import RunStatus
from pxdesk.ui.icons import Icon, icon, status_icon
from pxdesk.ui.theme import status_colour
from pxdesk.ui.when import date_time_text, relative_time

ICON_SIZES = (16, 22, 32, 64)
REFRESH_MS = 60_000  # relative times ("5 min ago") age; refresh them once a minute
MESSAGE_MS = 10_000
FAILED_STATUSES = frozenset({RunStatus.FAILURE})


def tray_available() -> bool:
    """Whether the desktop offers a system tray (offscreen and some Wayland shells do not)."""
    return bool(QSystemTrayIcon.isSystemTrayAvailable())


class TrayState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    FAILED = "failed"


@dataclass(frozen=True)
class TrayJobInfo:
    """What the tray shows of one job; datetimes are aware (shown in their own zone)."""

    name: str
    last_status: str | None
    last_run_at: datetime | None
    next_run_at: datetime | None
    running: bool = False
    alert: str | None = None  # the last run crossed the failure alert, e.g. "12.5% failed"


@dataclass(frozen=True)
class TrayMessage:
    title: str
    message: str
    persistent: bool
    run_id: int | None


def tray_state(jobs: Sequence[TrayJobInfo]) -> TrayState:
    """Running wins over failed: the admin sees activity first, the failure after it ends."""
    if any(job.running for job in jobs):
        return TrayState.RUNNING
    if any(job.last_status in FAILED_STATUSES or job.alert for job in jobs):
        return TrayState.FAILED
    return TrayState.IDLE


def job_summary(job: TrayJobInfo, now: datetime) -> str:
    """One line per job: last result with relative time, then the next run with its date."""
    if job.running:
        last = "running..."
    elif job.last_status is None or job.last_run_at is None:
        last = "never run"
    else:
        alert = f" — {job.alert}" if job.alert else ""
        last = f"{job.last_status}{alert}, {relative_time(job.last_run_at, now)}"
    upcoming = (f"next {date_time_text(job.next_run_at)}" if job.next_run_at is not None
                else "not scheduled")
    return f"{job.name}: {last}; {upcoming}"


def _badge(painter: QPainter, size: int, state: TrayState) -> None:
    radius = size * 0.24
    center = QPointF(size - radius - 1, size - radius - 1)
    color = QColor("#16a34a") if state is TrayState.RUNNING else QColor("#dc2626")
    painter.setPen(QPen(QColor("white"), max(1.0, size / 32)))
    painter.setBrush(QBrush(color))
    painter.drawEllipse(center, radius, radius)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor("white")))
    r = radius * 0.5
    if state is TrayState.RUNNING:  # a "play" triangle
        painter.drawPolygon(QPolygonF([
            QPointF(center.x() - r * 0.6, center.y() - r), QPointF(center.x() + r, center.y()),
            QPointF(center.x() - r * 0.6, center.y() + r)]))
    else:  # an exclamation mark
        w = max(1.0, radius * 0.28)
        painter.drawRect(QRectF(center.x() - w / 2, center.y() - r, w, r * 1.25))
        painter.drawEllipse(QPointF(center.x(), center.y() + r * 0.8), w / 1.6, w / 1.6)


def state_pixmap(base: QPixmap, state: TrayState, size: int) -> QPixmap:
    """The app icon at `size`, with a badge for running / failed (painted, no image files)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    if base.isNull():  # no asset: a plain rounded square keeps the tray usable
        painter.setBrush(QBrush(QColor("#2563eb")))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.2, size * 0.2)
    else:
        painter.drawPixmap(QRectF(0, 0, size, size), base, QRectF(base.rect()))
    if state is not TrayState.IDLE:
        _badge(painter, size, state)
    painter.end()
    return pixmap


def load_base_pixmap() -> QPixmap:
    pixmap = QPixmap()
    pixmap.loadFromData(asset_bytes(APP_ICON_PNG), "PNG")
    return pixmap


def state_icons(base: QPixmap) -> dict[TrayState, QIcon]:
    icons: dict[TrayState, QIcon] = {}
    for state in TrayState:
        icon = QIcon()
        for size in ICON_SIZES:
            icon.addPixmap(state_pixmap(base, state, size))
        icons[state] = icon
    return icons


def _local_now() -> datetime:
    return datetime.now().astimezone()


class TrayController(QObject):
    """Owns the tray icon and its menu; asks the app for everything through signals."""

    open_requested = Signal()
    run_requested = Signal(str)  # job name
    pause_requested = Signal(object)  # datetime until which to pause, or None = until resumed
    resume_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal(object)  # run id (int) of the clicked message, or None

    def __init__(
        self, base_icon: QPixmap | None = None, parent: QObject | None = None, *,
        clock: Callable[[], datetime] = _local_now,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._jobs: list[TrayJobInfo] = []
        self._job_actions: list[QAction] = []
        self._paused, self._paused_until = False, None
        self.last_message: TrayMessage | None = None
        self._disposed = False
        self.icons = state_icons(base_icon if base_icon is not None else load_base_pixmap())
        self.state = TrayState.IDLE
        self.menu = QMenu()  # a QObject cannot parent a widget: released in dispose()
        self._build_menu()
        self.tray = QSystemTrayIcon(self.icons[TrayState.IDLE], self)
        self.tray.setContextMenu(self.menu)
        self.tray.setToolTip("pxdesk")
        self.tray.activated.connect(self._on_tray_activated)
        self.tray.messageClicked.connect(self._on_tray_message_clicked)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)

    def _action(self, which: Icon | None, text: str, slot: Callable[[], None],
                menu: QMenu | None = None) -> QAction:
        target = menu if menu is not None else self.menu
        action = QAction(text, target) if which is None else QAction(icon(which), text, target)
        action.triggered.connect(slot)
        target.addAction(action)
        return action

    def _build_menu(self) -> None:
        self.open_action = self._action(Icon.OPEN_WINDOW, "Open pxdesk", self.open_requested.emit)
        self.menu.addSeparator()
        self._jobs_anchor = self.menu.addSeparator()  # job lines are inserted before this
        self.paused_info_action = QAction("", self.menu)
        self.paused_info_action.setEnabled(False)
        self.menu.addAction(self.paused_info_action)
        self.pause_menu = self.menu.addMenu(icon(Icon.PAUSE), "Pause All Schedules")
        self.pause_hour_action = self._action(
            None, "For 1 Hour", self._on_pause_hour, self.pause_menu)
        self.pause_tomorrow_action = self._action(
            None, "Until Tomorrow (00:00)", self._on_pause_tomorrow, self.pause_menu)
        self.pause_forever_action = self._action(
            None, "Until Resumed", self._on_pause_forever, self.pause_menu)
        self.resume_action = self._action(
            Icon.RESUME, "Resume Schedules", self.resume_requested.emit)
        self.menu.addSeparator()
        self.quit_action = self._action(Icon.QUIT, "Quit pxdesk", self.quit_requested.emit)
        self._apply_paused()

    # ------------------------------------------------------------ public API

    def show(self) -> None:
        """Show the icon if the desktop has a tray; the refresh timer runs either way."""
        self._refresh_timer.start()
        if tray_available():
            self.tray.show()

    def dispose(self) -> None:
        """Hide the icon and release the menu; safe to call twice."""
        self._refresh_timer.stop()
        if self._disposed:
            return
        self._disposed = True
        self.tray.hide()
        self.menu.deleteLater()

    def update_jobs(self, jobs: Sequence[TrayJobInfo]) -> None:
        self._jobs = list(jobs)
        self.refresh()

    def set_paused(self, paused: bool, until: datetime | None = None) -> None:
        """Reflect the scheduler's pause state (the scheduler decides; the tray shows)."""
        self._paused, self._paused_until = paused, until if paused else None
        self._apply_paused()

    def refresh(self) -> None:
        """Rebuild job lines, tooltip and icon from the last job infos and the clock."""
        now = self._clock()
        for action in self._job_actions:
            self.menu.removeAction(action)
            action.deleteLater()
        self._job_actions = []
        for job in self._jobs:
            info = QAction(job_summary(job, now), self.menu)
            info.setEnabled(False)
            colour = status_colour(job.last_status) if job.last_status else None
            result = None if colour is None else status_icon(job.last_status or "", colour)
            if result is not None:
                info.setIcon(result)
            run = QAction(icon(Icon.IMPORT_NOW), f"Run {job.name} Now", self.menu)
            run.setData(job.name)
            run.setEnabled(not job.running)
            run.triggered.connect(self._on_run_action_triggered)
            for action in (info, run):
                self.menu.insertAction(self._jobs_anchor, action)
                self._job_actions.append(action)
        self.tray.setToolTip("\n".join(["pxdesk", *(job_summary(j, now) for j in self._jobs)]))
        self.state = tray_state(self._jobs)
        self.tray.setIcon(self.icons[self.state])

    def notify(self, title: str, message: str, persistent: bool = False,
               run_id: int | None = None) -> None:
        """A tray message; persistent ones (failures) stay until clicked where the desktop can."""
        self.last_message = TrayMessage(title, message, persistent, run_id)
        if not self.tray.isVisible():
            return
        icon = (QSystemTrayIcon.MessageIcon.Critical if persistent
                else QSystemTrayIcon.MessageIcon.Information)
        # 0 = no expiry on freedesktop notification servers; Windows/macOS decide themselves.
        self.tray.showMessage(title, message, icon, 0 if persistent else MESSAGE_MS)

    # ------------------------------------------------------------ slots

    def _apply_paused(self) -> None:
        if self._paused and self._paused_until is not None:
            text = f"Schedules paused until {date_time_text(self._paused_until)}"
        else:
            text = "Schedules paused until resumed" if self._paused else ""
        self.paused_info_action.setText(text)
        self.paused_info_action.setVisible(self._paused)
        self.resume_action.setEnabled(self._paused)

    def _on_run_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.run_requested.emit(str(action.data()))

    def _on_pause_hour(self) -> None:
        self.pause_requested.emit(self._clock() + timedelta(hours=1))

    def _on_pause_tomorrow(self) -> None:
        now = self._clock()
        tomorrow = (now + timedelta(days=1)).date()
        self.pause_requested.emit(datetime.combine(tomorrow, time(0), tzinfo=now.tzinfo))

    def _on_pause_forever(self) -> None:
        self.pause_requested.emit(None)

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    def _on_tray_message_clicked(self) -> None:
        self.message_clicked.emit(self.last_message.run_id if self.last_message else None)
