"""Theme-aware colours: one light and one dark shade per tone, the one that reads best on the
current palette picked at paint time, so text stays readable on a dark scheme and follows the
system when it switches between light and dark; the same for status pills' fills, the
primary button's accent and the charts' series."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import shiboken6
from PySide6.QtCore import QObject, Qt
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

# The fill of a status pill per tone: (on a light palette, on a dark one). The tone's own shade
# is the pill's text: a pale fill under the dark shade, a deep fill under the light one.
PILL_FILLS = {
    Tone.ERROR: ("#fde7e9", "#4a1c21"),
    Tone.WARNING: ("#fff3e0", "#3d2c0f"),
    Tone.OK: ("#e6f4ea", "#1e3a24"),
    Tone.INFO: ("#e3f2fd", "#0f2a44"),
    Tone.MUTED: ("#eeeeee", "#333333"),
    Tone.CANCELLED: ("#efebe9", "#3a2f2b"),
}

# Chart series, in order: (on a light palette, on a dark one). Each keeps 3:1 against the
# palette's Base (WCAG's floor for graphics) and differs from its neighbours in hue.
SERIES = (
    ("#1f6fb5", "#64b5f6"),  # blue
    ("#c05600", "#ffb74d"),  # orange
    ("#2e7d32", "#81c784"),  # green
    ("#7b1fa2", "#ce93d8"),  # purple
    ("#00796b", "#4db6ac"),  # teal
    ("#c62828", "#ef9a9a"),  # red
)

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


def pill_colours(tone: Tone, palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(fill, text) of a status pill on `palette` (the app's by default): pale on a light
    palette, deep on a dark one, so the pill stands out from the cell and its text reads."""
    dark = int(is_dark(palette))
    return QColor(PILL_FILLS[tone][dark]), QColor(tone.value[dark])


def is_dark(palette: QPalette | None = None) -> bool:
    """True when `palette` (the app's by default) draws content on a dark Base."""
    return (palette or QGuiApplication.palette()).color(QPalette.ColorRole.Base).lightness() < 128


def series_colours(palette: QPalette | None = None) -> list[QColor]:
    """The chart series' colours, in order, for `palette` (the app's by default)."""
    dark = int(is_dark(palette))
    return [QColor(pair[dark]) for pair in SERIES]


class _PaletteFollower(QObject):
    """Re-applies what `apply` sets on its widget when the application palette or the system's
    colour scheme changes (a widget with a style sheet or a palette of its own is not sent
    the application's palette events). A child of its widget: it goes with it."""

    def __init__(self, widget: QWidget, apply: Callable[[QWidget], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self.apply = apply
        _PaletteWatch.of_app().add(self)

    def reapply(self) -> None:
        self.apply(self._widget)


class _PaletteWatch(QObject):
    """Tells every follower of a palette change, through the application's signals only: an
    application event filter is a Python call on every event of every object, and while a
    sync thread is busy each such call waits for the GIL (measured: a stalled window).
    `paletteChanged` is marked deprecated in Qt 6 in favour of that very event filter; it is
    still emitted for every application palette change, which is what followers need."""

    def __init__(self, app: QGuiApplication) -> None:
        super().__init__(app)
        self.setObjectName("pxdesk_palette_watch")
        self._followers: list[_PaletteFollower] = []
        app.paletteChanged.connect(self._reapply_all)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._reapply_all)

    @staticmethod
    def of_app() -> _PaletteWatch:
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication), "a palette follower needs the application"
        watch = app.findChild(_PaletteWatch, "pxdesk_palette_watch",
                              Qt.FindChildOption.FindDirectChildrenOnly)
        return watch if isinstance(watch, _PaletteWatch) else _PaletteWatch(app)

    def add(self, follower: _PaletteFollower) -> None:
        self._followers.append(follower)

    def _reapply_all(self, *_args: object) -> None:
        self._followers = [f for f in self._followers if shiboken6.isValid(f)]
        for follower in list(self._followers):
            follower.reapply()




def follow_palette(widget: QWidget, apply: Callable[[QWidget], None]) -> None:
    """`apply(widget)` now and again at each palette change (once per widget and function):
    for what Qt does not re-tint by itself (style sheets, own palettes, charts)."""
    followers = widget.findChildren(_PaletteFollower,
                                    options=Qt.FindChildOption.FindDirectChildrenOnly)
    if not any(follower.apply is apply for follower in followers):
        _PaletteFollower(widget, apply)
    apply(widget)


def _apply(widget: QWidget) -> None:
    tone = widget.property(_TONE_PROPERTY)
    style = "" if not tone else f"color: {colour(Tone[tone]).name()}"
    if widget.styleSheet() != style:  # a style sheet change is itself a palette change
        widget.setStyleSheet(style)


def set_tone(widget: QWidget, tone: Tone | None, *, bold: bool = False) -> None:
    """Colours `widget`'s text for `tone` (None: the palette's own text colour), and keeps it
    readable when the palette changes."""
    widget.setProperty(_TONE_PROPERTY, "" if tone is None else tone.name)
    font = widget.font()
    if font.bold() != bold:
        font.setBold(bold)
        widget.setFont(font)
    follow_palette(widget, _apply)


def _apply_accent(widget: QWidget) -> None:
    app = QGuiApplication.palette()
    palette = widget.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, QPalette.ColorRole.Button,
                         app.color(group, QPalette.ColorRole.Highlight))
        palette.setColor(group, QPalette.ColorRole.ButtonText,
                         app.color(group, QPalette.ColorRole.HighlightedText))
    for role in (QPalette.ColorRole.Button, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role,
                         app.color(QPalette.ColorGroup.Disabled, role))
    widget.setPalette(palette)


def set_accent(button: QWidget) -> None:
    """The page's primary action: filled in the palette's highlight colour, as it changes."""
    follow_palette(button, _apply_accent)


def dark_palette() -> QPalette:
    """A dark palette for Fusion (screenshots and tests of the dark look; the app itself
    follows the palette the desktop gives it)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, shade in ((roles.Window, "#2b2b2b"), (roles.WindowText, "#e6e6e6"),
                        (roles.Base, "#1f1f1f"), (roles.AlternateBase, "#292929"),
                        (roles.ToolTipBase, "#3a3a3a"), (roles.ToolTipText, "#e6e6e6"),
                        (roles.PlaceholderText, "#9a9a9a"), (roles.Text, "#e6e6e6"),
                        (roles.Button, "#363636"), (roles.ButtonText, "#e6e6e6"),
                        (roles.BrightText, "#ff6e6e"), (roles.Light, "#4a4a4a"),
                        (roles.Midlight, "#404040"), (roles.Mid, "#303030"),
                        (roles.Dark, "#1a1a1a"), (roles.Shadow, "#000000"),
                        (roles.Highlight, "#2f6fb3"), (roles.HighlightedText, "#ffffff"),
                        (roles.Link, "#8ab4f8"), (roles.LinkVisited, "#c58af9")):
        palette.setColor(role, QColor(shade))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(disabled, role, QColor("#7a7a7a"))
    return palette
