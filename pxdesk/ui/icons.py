"""Every icon the app shows, chosen in one place: Material Design Icons glyphs (Apache 2.0)
drawn by QtAwesome. Action and tab icons take the palette's text colour when painted, so they
re-tint by themselves when the palette turns dark or light; status icons take their tone."""

from __future__ import annotations

import os
from enum import Enum
from types import ModuleType

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap

from pxdesk.core.store.enums import RunStatus


class Icon(Enum):
    """What an icon stands for -> its glyph; views name these, never a glyph."""

    CONNECTORS = "mdi6.connection"
    DATA = "mdi6.database-outline"
    ADOPTION = "mdi6.chart-line"
    LOGS = "mdi6.text-box-search-outline"
    CONNECT = "mdi6.lan-connect"
    DEMO = "mdi6.test-tube"
    EDIT = "mdi6.pencil-outline"
    TEST_CONNECTION = "mdi6.lan-pending"
    DELETE = "mdi6.trash-can-outline"
    IMPORT_NOW = "mdi6.play"
    IMPORT_FROM_DATE = "mdi6.calendar-arrow-right"
    CHECK_DELETED = "mdi6.delete-sweep-outline"
    CANCEL_RUN = "mdi6.stop"
    JOB_CHAIN = "mdi6.link-variant"
    REFRESH = "mdi6.refresh"
    EXPORT = "mdi6.file-export-outline"
    SETTINGS = "mdi6.cog-outline"
    QUIT = "mdi6.power"
    ABOUT = "mdi6.information-outline"
    OPEN_WINDOW = "mdi6.open-in-app"
    PAUSE = "mdi6.pause"
    RESUME = "mdi6.play-pause"
    STALE_ALERT = "mdi6.alert-outline"
    DRY_RUN = "mdi6.eye-outline"
    HISTORY = "mdi6.history"
    LIVE_PREVIEW = "mdi6.table-eye"
    SUPPORT_BUNDLE = "mdi6.lifebuoy"
    SAVE = "mdi6.content-save-outline"
    SEND_TEST_EMAIL = "mdi6.email-fast-outline"
    ADD = "mdi6.plus"
    REMOVE = "mdi6.minus"
    ADD_CUSTOM_FIELD = "mdi6.text-box-plus-outline"
    ADD_PAIR = "mdi6.plus-box-multiple-outline"
    REMOVE_PAIR = "mdi6.minus-box-multiple-outline"
    ADD_CONDITION = "mdi6.filter-plus-outline"
    REMOVE_CONDITION = "mdi6.filter-minus-outline"


TAB_ICONS = {"Connectors": Icon.CONNECTORS, "Data": Icon.DATA, "Adoption": Icon.ADOPTION,
             "Logs": Icon.LOGS}

STATUS_GLYPHS = {
    RunStatus.SUCCESS: "mdi6.check-circle",
    RunStatus.PARTIAL_SUCCESS: "mdi6.alert-circle",
    RunStatus.FAILURE: "mdi6.close-circle",
    RunStatus.IN_PROGRESS: "mdi6.progress-clock",
    RunStatus.QUEUED: "mdi6.clock-outline",
    RunStatus.SKIPPED: "mdi6.skip-next-circle-outline",
    RunStatus.CANCELLED: "mdi6.cancel",
}


def _qtawesome() -> ModuleType:
    """QtAwesome, loaded on first use (it reads its fonts then; a QApplication must exist)."""
    os.environ["QT_API"] = "pyside6"  # qtpy would take PyQt5 first where both are installed
    import qtawesome

    return qtawesome


def _glyph(name: str, colour: QColor) -> QIcon:
    """The glyph in one colour (QtAwesome caches it per name and colour)."""
    icon: QIcon = _qtawesome().icon(name, color=colour.name(), color_disabled=colour.name())
    return icon


def _palette_colour(mode: QIcon.Mode, on_accent: bool) -> QColor:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected or on_accent:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.WindowText)


PIXMAP_CACHE_SIZE = 512  # glyph pixmaps (a few KB each): every icon in a few sizes and tones
_PIXMAPS: dict[tuple[str, int, int, int, int], QPixmap] = {}


class _GlyphEngine(QIconEngine):
    """Paints a glyph from cached pixmaps, in `colour` or else in the application palette's
    text colour of the moment (widgets repaint on a palette change, so no icon has to be set
    again)."""

    def __init__(self, name: str, on_accent: bool, colour: QColor | None = None) -> None:
        super().__init__()
        self._name = name
        self._on_accent = on_accent
        self._colour = colour

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        """The cached pixmap at the device's pixel ratio (tabs and delegates paint here)."""
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        pixmap = self.pixmap(rect.size() * ratio, mode, state)
        pixmap.setDevicePixelRatio(ratio)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """Drawn once per glyph, size and colour of the moment: buttons repaint at every
        enable/disable of a run, and drawing a glyph from the font each time cost the GUI
        thread. A palette change gives other colours, hence other entries."""
        if size.isEmpty():
            return QPixmap()
        colour = self._colour or _palette_colour(mode, self._on_accent)
        key = (self._name, colour.rgba(), size.width(), size.height(), state.value)
        cached = _PIXMAPS.get(key)
        if cached is None:
            cached = QPixmap(size)
            cached.fill(Qt.GlobalColor.transparent)
            painter = QPainter(cached)
            _glyph(self._name, colour).paint(painter, QRect(QPoint(0, 0), size),
                                             Qt.AlignmentFlag.AlignCenter, QIcon.Mode.Normal,
                                             state)
            painter.end()
            if len(_PIXMAPS) >= PIXMAP_CACHE_SIZE:
                _PIXMAPS.pop(next(iter(_PIXMAPS)))  # the oldest: a bounded cache
            _PIXMAPS[key] = cached
        return QPixmap(cached)  # implicitly shared: a copy costs nothing

    def clone(self) -> QIconEngine:
        return _GlyphEngine(self._name, self._on_accent, self._colour)


def icon(which: Icon, *, on_accent: bool = False) -> QIcon:
    """An action's or tab's icon, in the palette's text colour whenever it is painted (its
    highlighted text colour `on_accent`: a primary button, see theme.set_accent)."""
    return QIcon(_GlyphEngine(which.value, on_accent))


def tab_icon(title: str) -> QIcon:
    """The icon of a main window tab by its title (an empty icon for an unknown tab)."""
    which = TAB_ICONS.get(title)
    return QIcon() if which is None else icon(which)


_STATUS_ICONS: dict[tuple[str, int], QIcon] = {}


def status_icon(status: str, colour: QColor) -> QIcon | None:
    """A run status's glyph in `colour` (its tone on the background it is drawn on). Pills
    and status cells repaint with each progress report of a run: the glyph is drawn from
    the font once per size and colour, then painted from its pixmap (QtAwesome's own engine
    drew it from the font at every paint, Python calls that wait for the sync's GIL)."""
    name = STATUS_GLYPHS.get(status)  # type: ignore[call-overload]
    if name is None:
        return None
    key = (name, colour.rgba())
    found = _STATUS_ICONS.get(key)
    if found is None:
        found = _STATUS_ICONS[key] = QIcon(_GlyphEngine(name, False, QColor(colour)))
    return found
