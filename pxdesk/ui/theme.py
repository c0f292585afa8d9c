"""Theme-aware status colours: one light and one dark shade per tone, the one that reads
best on the current palette picked at paint time, so text stays readable on a dark scheme and
follows the system when it switches between light and dark."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget

from pxdesk.core.store.enums import RunStatus


class Tone(Enum):
    """What a coloured text means; each value is (shade for light backgrounds, for dark)."""

    ERROR = ("#b00020", "#ff8a80")
    WARNING = ("#8a5300", "#ffcc80")
    OK = ("#1b5e20", "#81c784")
    INFO = ("#0d47a1", "#90caf9")
    MUTED = ("#616161", "#bdbdbd")
    CANCELLED = ("#5d4037", "#d7ccc8")


STATUS_TONES = {
    RunStatus.SUCCESS: Tone.OK,
    RunStatus.PARTIAL_SUCCESS: Tone.WARNING,
    RunStatus.FAILURE: Tone.ERROR,
    RunStatus.IN_PROGRESS: Tone.INFO,
    RunStatus.QUEUED: Tone.MUTED,
    RunStatus.SKIPPED: Tone.MUTED,
    RunStatus.CANCELLED: Tone.CANCELLED,
}

_TONE_PROPERTY = "pxdeskTone"


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21; 4.5 is the floor for body text)."""

    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def colour(tone: Tone, palette: QPalette | None = None,
           role: QPalette.ColorRole = QPalette.ColorRole.Window) -> QColor:
    """The shade of `tone` that contrasts most with `role` of `palette` (the app's by default)."""
    background = (palette or QGuiApplication.palette()).color(role)
    shades = [QColor(shade) for shade in tone.value]
    return max(shades, key=lambda shade: contrast(shade, background))


def status_colour(status: str, palette: QPalette | None = None) -> QColor | None:
    """A run status's text colour on table cells (the palette's Base), None for no status."""
    tone = STATUS_TONES.get(status)  # type: ignore[call-overload]
    return None if tone is None else colour(tone, palette, QPalette.ColorRole.Base)


class _ToneKeeper(QObject):
    """Re-applies its widget's tone when the application palette or the system's colour scheme
    changes (a widget with a style sheet is not sent palette events of its own)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self._widget = widget
        app = QGuiApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._reapply)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is QGuiApplication.instance() and event.type() in (
                QEvent.Type.ApplicationPaletteChange, QEvent.Type.ThemeChange):
            self._reapply()
        return False

    def _reapply(self) -> None:
        _apply(self._widget)


def _apply(widget: QWidget) -> None:
    tone = widget.property(_TONE_PROPERTY)
    style = "" if not tone else f"color: {colour(Tone[tone]).name()}"
    if widget.styleSheet() != style:  # a style sheet change is itself a palette change
        widget.setStyleSheet(style)


def set_tone(widget: QWidget, tone: Tone | None, *, bold: bool = False) -> None:
    """Colours `widget`'s text for `tone` (None: the palette's own text colour), and keeps it
    readable when the palette changes."""
    widget.setProperty(_TONE_PROPERTY, "" if tone is None else tone.name)
    if widget.findChild(_ToneKeeper) is None:
        _ToneKeeper(widget)
    font = widget.font()
    if font.bold() != bold:
        font.setBold(bold)
        widget.setFont(font)
    _apply(widget)
