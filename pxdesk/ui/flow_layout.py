"""A layout that places widgets left to right and wraps onto the next line when the width runs
out: button rows and filter bars keep every control reachable in a half-screen window."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items in reading order; a line is as tall as its tallest item. Its minimum width is its
    widest item's, so it never holds a window wider than that."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._height_for: tuple[int, int] | None = None  # (width, height) measured last
        self._placed_in: QRect | None = None  # the rect the items were last placed in
        self.setContentsMargins(0, 0, 0, 0)

    def invalidate(self) -> None:
        """An item changed (text, visibility, added): measure again."""
        self._height_for = None
        self._placed_in = None
        super().invalidate()

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        self.invalidate()
        return self._items.pop(index)

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """Cached per width: layouts ask several times a pass, and each status text change
        during a run is a pass."""
        if self._height_for is None or self._height_for[0] != width:
            self._height_for = (width, self._place(QRect(0, 0, width, 0), move=False))
        return self._height_for[1]

    def setGeometry(self, rect: QRect) -> None:
        """Placed again only in a new rect or after a change: each status text change of a
        run re-lays the window out, and Qt sets the same rect here again and again."""
        super().setGeometry(rect)
        if self._placed_in != rect:
            self._place(rect, move=True)
            self._placed_in = QRect(rect)

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        width = sum(item.sizeHint().width() for item in self._visible())
        width += self._spacing() * max(len(self._visible()) - 1, 0)
        height = max((item.sizeHint().height() for item in self._visible()), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _spacing(self) -> int:
        spacing = self.spacing()
        if spacing >= 0:
            return spacing
        style = self.parentWidget().style() if self.parentWidget() else None
        if style is None:
            return 6
        return style.layoutSpacing(QSizePolicy.ControlType.PushButton,
                                   QSizePolicy.ControlType.PushButton, Qt.Orientation.Horizontal)

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in `rect` (only measure unless `move`); the height they take."""
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        x, y, line_height = area.x(), area.y(), 0
        gap = self._spacing()
        for item in self._visible():
            hint = item.sizeHint().boundedTo(QSize(area.width(), 1 << 20)).expandedTo(
                item.minimumSize())
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line_height = area.x(), y + line_height + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


def flow_group(parent: QWidget, *widgets: QWidget) -> QWidget:
    """Widgets that stay on one line together (a label with its field): one item of a flow."""
    group = QWidget(parent)
    row = QHBoxLayout(group)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    return group
