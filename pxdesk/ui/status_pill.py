"""Run statuses drawn as rounded pills in their tone's colours (ui/theme.py), one look
wherever a status shows: the jobs table, the execution log, the connection card's last test."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QIcon, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from pxdesk.ui.icons import status_icon
from pxdesk.ui.models.table_model import STATUS_ROLE
from pxdesk.ui.theme import STATUS_TONES, Tone, pill_colours

MARGIN = 2  # between the cell's edge and the pill
PADDING = 6  # inside the pill, left and right
GAP = 4  # between the glyph and the text

AnyIndex = QModelIndex | QPersistentModelIndex


def pill_tone(index: AnyIndex) -> Tone | None:
    """The tone of the status a cell shows, None when it shows none (drawn as plain text)."""
    status = index.data(STATUS_ROLE)
    return STATUS_TONES.get(status) if status else None


def pill_width(metrics: QFontMetrics, text: str) -> int:
    """The width a pill with `text` needs, margins included."""
    text_width = metrics.horizontalAdvance(text) + 2  # + 2: rounding must not elide it
    return 2 * (MARGIN + PADDING) + _glyph_size(metrics) + GAP + text_width


def _glyph_size(metrics: QFontMetrics) -> int:
    return max(metrics.height() - 1, 8)


def paint_pill(painter: QPainter, cell: QRect, text: str, status: str, tone: Tone,
               palette: QPalette, metrics: QFontMetrics) -> QRect:
    """A pill at the left of `cell`, as wide as its text (elided when the cell is narrower);
    the rectangle it took."""
    fill, ink = pill_colours(tone, palette)
    height = min(metrics.height() + 4, cell.height() - 2)
    width = min(pill_width(metrics, text), cell.width()) - 2 * MARGIN
    pill = QRect(cell.left() + MARGIN, cell.top() + (cell.height() - height) // 2,
                 max(width, height), height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(QRectF(pill), height / 2, height / 2)
    glyph = _glyph_size(metrics)
    icon = status_icon(status, ink)
    x = pill.left() + PADDING
    if icon is not None:
        icon.paint(painter, QRect(x, pill.top() + (height - glyph) // 2, glyph, glyph))
        x += glyph + GAP
    room = pill.right() - PADDING - x + 1
    painter.setPen(ink)
    painter.drawText(QRect(x, pill.top(), max(room, 0), height),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                     metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(room, 0)))
    painter.restore()
    return pill


class StatusPillDelegate(QStyledItemDelegate):
    """Paints a status cell (a model's STATUS_ROLE) as a pill over the usual selection
    background; a cell without a status is painted as Qt would."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        tone = pill_tone(index)
        if tone is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        opt.icon = QIcon()  # the pill has its own glyph
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        paint_pill(painter, opt.rect, text, str(index.data(STATUS_ROLE)), tone, opt.palette,
                   opt.fontMetrics)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        if pill_tone(index) is None:
            return size
        metrics = option.fontMetrics
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        return QSize(pill_width(metrics, text), max(size.height(), metrics.height() + 6))


class StatusPill(QWidget):
    """One status as a pill outside a table (the connection card's last test); hidden while
    there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.status: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.hide()

    def set_status(self, text: str, status: str | None) -> None:
        self.text, self.status = text, status
        self.setVisible(status is not None and status in STATUS_TONES)
        self.setToolTip(text)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(pill_width(metrics, self.text), metrics.height() + 6)

    def paintEvent(self, _event: QPaintEvent) -> None:
        tone = STATUS_TONES.get(self.status) if self.status else None  # type: ignore[call-overload]
        if tone is None:
            return
        painter = QPainter(self)
        paint_pill(painter, self.rect(), self.text, self.status or "", tone, self.palette(),
                   self.fontMetrics())
        painter.end()
