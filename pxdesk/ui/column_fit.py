"""Table columns sized from the rows that arrive, cheaply, until the admin sizes them by hand.

Qt's ResizeToContents measures every row on each change (unusable at 100k rows), and a single
resizeColumnsToContents() at start-up measures an empty log. ColumnFitter measures a bounded
sample when a table fills from empty, then only the rows that arrive or change, and never
touches a column the admin resized.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

SAMPLE_ROWS = 40  # rows measured when a table fills from empty (the first screenful or two)
MAX_WIDTH = 320  # a column wider than this shows the rest in its tooltip
FILL_CAP = 300  # the fill column gets its content's width up to this, even with no room left
_CELL_PADDING = 14  # the delegate's margins and focus frame around the text
_ICON_GAP = 8

AnyIndex = QModelIndex | QPersistentModelIndex
_HEADER_EXTRA = 28  # a header section's margins and sort arrow around its title


def cell_width(metrics: QFontMetrics, texts: Iterable[str], *, longest: int = 3) -> int:
    """The width a cell needs for the widest of `texts`. Only the few longest (in characters)
    are measured: each measure is a call into Qt, and while a sync runs every such call waits
    for the GIL."""
    candidates = sorted(texts, key=len, reverse=True)[:longest]
    return max((metrics.horizontalAdvance(t) for t in candidates), default=0) + _CELL_PADDING


def header_width(metrics: QFontMetrics, title: str) -> int:
    """The width a header section needs for `title` and its sort arrow."""
    return metrics.horizontalAdvance(title) + _HEADER_EXTRA


class ColumnFitter(QObject):
    """Sizes `table`'s columns (Interactive mode) from their content; `fill_column`, if any,
    takes the width the others leave free, and its content's width up to `fill_cap` (the
    table then scrolls sideways)."""

    def __init__(self, table: QTableView, *, fill_column: int | None = None,
                 fill_cap: int = FILL_CAP, max_width: int = MAX_WIDTH,
                 sample: int = SAMPLE_ROWS) -> None:
        super().__init__(table)
        self.table = table
        self.fill_column = fill_column
        self.user_sized: set[int] = set()  # columns the admin resized: left alone from now on
        self._max = max_width
        self._fill_cap = fill_cap
        self._sample = sample
        self._applying = False
        self._chars: dict[int, int] = {}  # column -> longest text (characters) measured
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(sample)  # sizeHintForColumn measures no more rows
        if fill_column is not None:
            header.setStretchLastSection(False)
        header.sectionResized.connect(self._on_header_section_resized)
        model = table.model()
        model.rowsInserted.connect(self._on_model_rows_inserted)
        model.dataChanged.connect(self._on_model_data_changed)
        model.modelReset.connect(self._on_model_reset)
        table.viewport().installEventFilter(self)  # the room left changes with its width
        # ... and with the view's margins, which move the viewport without a resize event.
        table.horizontalScrollBar().rangeChanged.connect(self._on_scroll_range_changed)
        self.fit()

    def _icon_width(self) -> int:
        size = self.table.iconSize()
        return (size.width() if size.isValid() else self.table.style().pixelMetric(
            QStyle.PixelMetric.PM_SmallIconSize)) + _ICON_GAP

    def fit(self) -> None:
        """Size every column the admin has not resized from the header and the top rows."""
        header = self.table.horizontalHeader()
        widths = {col: min(self._max, max(header.sectionSizeHint(col),
                                          self.table.sizeHintForColumn(col)))
                  for col in range(header.count()) if col not in self.user_sized}
        self._chars = self._longest_texts()
        self._apply(widths)

    def _longest_texts(self) -> dict[int, int]:
        """Column -> characters of its longest text among the rows `fit` measured (known
        only when the model reads its texts in Python)."""
        model = self.table.model()
        read = getattr(model, "display_text", None)
        rows = range(min(model.rowCount(), self._sample))
        if read is None or not rows:
            return {}
        return {col: max(len(read(row, col)) for row in rows)
                for col in range(model.columnCount())}

    def _grow(self, first: int, last: int) -> None:
        """Widen columns for rows first..last (a live row, a new run): cheap, no shrinking.
        A text no longer (in characters) than the longest this column was measured for is
        not measured: a live row changes several times a second, and each measure is calls
        into Qt that wait for the GIL the sync holds."""
        metrics = self.table.fontMetrics()
        model = self.table.model()
        read = getattr(model, "display_text", None)
        widths: dict[int, int] = {}
        for row in range(first, min(last, first + self._sample - 1) + 1):
            for col in range(model.columnCount()):
                if col in self.user_sized:
                    continue
                text = read(row, col) if read else str(model.data(model.index(row, col)) or "")
                if len(text) <= self._chars.get(col, -1):
                    continue
                self._chars[col] = len(text)
                width = metrics.horizontalAdvance(text) + _CELL_PADDING
                if model.data(model.index(row, col), Qt.ItemDataRole.DecorationRole) is not None:
                    width += self._icon_width()
                width = min(self._max, width)
                if width > max(widths.get(col, 0), self.table.columnWidth(col)):
                    widths[col] = width
        if widths:
            self._apply(widths)

    def _apply(self, widths: dict[int, int]) -> None:
        self._applying = True
        try:
            header = self.table.horizontalHeader()
            for col, width in widths.items():
                header.resizeSection(col, width)
            self._fill()
        finally:
            self._applying = False

    def _fill(self) -> None:
        col = self.fill_column
        if col is None or col in self.user_sized:
            return
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count())
                     if c != col and not header.isSectionHidden(c))
        room = self.table.viewport().width() - others
        wanted = max(self.table.sizeHintForColumn(col), header.sectionSizeHint(col))
        header.resizeSection(col, max(room, min(wanted, self._fill_cap)))

    # ---- signals ------------------------------------------------------------------------

    def _on_model_reset(self) -> None:
        if self.table.model().rowCount() > 0:
            self.fit()

    def _on_model_rows_inserted(self, _parent: AnyIndex, first: int, last: int) -> None:
        if first == 0 and self.table.model().rowCount() == last - first + 1:
            self.fit()  # filled from empty: the first page of a log, the first mapping
        elif first < self._sample:
            self._grow(first, last)  # a row near the top (a new run); pages below scroll in

    def _on_model_data_changed(self, top_left: AnyIndex, bottom_right: AnyIndex,
                               _roles: list[int] | None = None) -> None:
        self._grow(top_left.row(), bottom_right.row())

    def _on_header_section_resized(self, col: int, _old: int, _new: int) -> None:
        header = self.table.horizontalHeader()
        stretched = header.stretchLastSection() and header.visualIndex(col) == header.count() - 1
        if not self._applying and not stretched:
            self.user_sized.add(col)

    def _on_scroll_range_changed(self, _low: int, _high: int) -> None:
        if not self._applying:
            self._apply({})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and not self._applying:
            self._apply({})
        return False
