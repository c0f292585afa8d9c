"""The Adoption tab's charts (QtCharts: painted with QPainter, so they render offscreen too):
one ChartPanel per chart, hover tooltips, PNG export by grabbing the view, colours taken from
the app palette (and taken again when it changes) rather than a QtCharts theme."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QPointF, QRectF, Qt, QTime
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QToolTip, QWidget

from pxdesk.ui.theme import follow_palette, series_colours

# QtCharts gives a category label its share of the plot width less its padding and the text
# item's margins (about 16 px), and elides what does not fit ("09-...").
LABEL_MARGIN = 16.0
GRID_SHARE = 0.16  # of the text colour in the grid lines' (the rest is the background's)
AXIS_SHARE = 0.55  # in the axis lines'
COUNT_TICKS = 5  # on an axis of counts or of days


def _ms(day: date) -> float:
    """The day's local midnight: the date axis labels its points in local time."""
    return float(QDateTime(QDate(day.year, day.month, day.day), QTime(0, 0)).toMSecsSinceEpoch())


def count_axis(top: float) -> QValueAxis:
    """An axis of counts whose labels are whole and distinct ("0 1 2", never "0 0 0 1")."""
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    _fit_counts(axis, top)
    return axis


def _blend(ink: QColor, paper: QColor, share: float) -> QColor:
    """`share` of `ink` over `paper`: a quiet line that stays quiet on light and dark."""
    return QColor.fromRgbF(*(share * a + (1 - share) * b for a, b in (
        (ink.redF(), paper.redF()), (ink.greenF(), paper.greenF()),
        (ink.blueF(), paper.blueF()))))


def tint(view: QWidget) -> None:
    """A chart in the app palette's colours: Base behind, Text for the title, labels and
    legend, quiet grid lines, series from theme.series_colours."""
    if not isinstance(view, QChartView):
        return
    palette = QGuiApplication.palette()
    paper = palette.color(QPalette.ColorRole.Base)
    ink = palette.color(QPalette.ColorRole.Text)
    chart = view.chart()
    view.setBackgroundBrush(QBrush(paper))
    chart.setBackgroundBrush(QBrush(paper))
    chart.setBackgroundPen(QPen(palette.color(QPalette.ColorRole.Mid)))
    chart.setTitleBrush(QBrush(ink))
    chart.legend().setLabelColor(ink)
    for axis in chart.axes():
        axis.setLabelsBrush(QBrush(ink))
        axis.setTitleBrush(QBrush(ink))
        axis.setGridLineColor(_blend(ink, paper, GRID_SHARE))
        axis.setLinePenColor(_blend(ink, paper, AXIS_SHARE))
        axis.setMinorGridLineColor(_blend(ink, paper, GRID_SHARE / 2))
    colours = iter(series_colours(palette) * 4)  # never runs out: a chart has a few series
    for series in chart.series():
        if isinstance(series, QBarSeries | QHorizontalBarSeries):
            for bar_set in series.barSets():
                colour = next(colours)
                bar_set.setColor(colour)
                bar_set.setBorderColor(colour)
        elif isinstance(series, QLineSeries):
            pen = QPen(next(colours))
            pen.setWidthF(2.0)
            series.setPen(pen)


def _fit_counts(axis: QValueAxis, top: float) -> None:
    high = max(1, math.ceil(top))
    axis.setRange(0, high)
    if high <= 5:
        axis.setTickCount(high + 1)  # one tick per whole number
    else:
        axis.setTickCount(COUNT_TICKS)  # from a smaller top's few ticks: "0 5000" alone
        axis.applyNiceNumbers()  # steps of 1, 2 or 5 times a power of ten


def _fit_days(axis: QDateTimeAxis, first: date, last: date) -> None:
    """Ticks on whole days, each labelled once ("Dec 5 Dec 5 Dec 6" otherwise): one day is
    shown with the days around it, up to four days each day, more in steps of whole days."""
    span = (last - first).days
    if span == 0:
        first, span = first - timedelta(days=1), 2
    step = max(1, math.ceil(span / (COUNT_TICKS - 1)))
    ticks = min(span, COUNT_TICKS - 1) + 1
    end = first + timedelta(days=step * (ticks - 1))
    axis.setTickCount(ticks)
    axis.setRange(QDateTime.fromMSecsSinceEpoch(int(_ms(first))),
                  QDateTime.fromMSecsSinceEpoch(int(_ms(end))))


class ChartPanel(QChartView):
    """One chart; `set_bars` / `set_lines` replace what it shows. Hovering a bar or a point
    shows its value. Vertical bars turn their labels upright when flat ones would not fit."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(QChart(), parent)
        self.title = title
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.chart().setTitle(title)
        self.chart().legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        follow_palette(self, tint)
        self._labels: list[str] = []
        self._bottom_categories: QBarCategoryAxis | None = None
        self.chart().plotAreaChanged.connect(self._on_chart_plot_area_changed)

    def _clear(self) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self._bottom_categories = None

    def set_bars(self, labels: Sequence[str], sets: Sequence[tuple[str, Sequence[float]]],
                 *, horizontal: bool = False) -> None:
        """One bar per label for each (name, values) set."""
        self._clear()
        self._labels = list(labels)
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        for name, values in sets:
            bar_set = QBarSet(name)
            bar_set.append([float(v) for v in values])
            bar_set.hovered.connect(self._on_bar_set_hovered)
            series.append(bar_set)
        chart = self.chart()
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(self._labels)
        top = max((max(v, default=0) for _n, v in sets), default=0)
        values_axis = count_axis(float(top))
        cat_side, value_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom)
                                if horizontal else
                                (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
        chart.addAxis(categories, cat_side)
        chart.addAxis(values_axis, value_side)
        series.attachAxis(categories)
        series.attachAxis(values_axis)
        chart.legend().setVisible(len(sets) > 1)
        tint(self)
        if not horizontal:
            self._bottom_categories = categories
            self._fit_labels(chart.plotArea().width())

    def set_lines(self, days: Sequence[date], lines: Sequence[tuple[str, Sequence[int]]],
                  ) -> None:
        """One line per (name, values) over the days."""
        self._clear()
        chart = self.chart()
        x_axis = QDateTimeAxis()
        x_axis.setFormat("MMM d")
        y_axis = count_axis(0)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        top = 1
        for name, values in lines:
            series = QLineSeries()
            series.setName(name)
            series.setPointsVisible(True)
            for day, value in zip(days, values, strict=True):
                series.append(_ms(day), float(value))
                top = max(top, value)
            series.hovered.connect(self._on_line_hovered)
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        if days:
            _fit_days(x_axis, days[0], days[-1])
        _fit_counts(y_axis, float(top))
        chart.legend().setVisible(True)
        tint(self)

    def _on_chart_plot_area_changed(self, area: QRectF) -> None:
        self._fit_labels(area.width())

    def _fit_labels(self, width: float) -> None:
        """Flat category labels when the widest fits its share of the width, else upright."""
        axis = self._bottom_categories
        if axis is None or not self._labels:
            return
        metrics = QFontMetricsF(axis.labelsFont())
        widest = max(metrics.horizontalAdvance(label) for label in self._labels)
        angle = 0 if widest + LABEL_MARGIN <= width / (len(self._labels) + 1) else -90
        if axis.labelsAngle() != angle:
            axis.setLabelsAngle(angle)

    def series_values(self) -> dict[str, list[float]]:
        """name -> values of every bar set or line (what tests compare with the core)."""
        found: dict[str, list[float]] = {}
        for series in self.chart().series():
            if isinstance(series, QBarSeries | QHorizontalBarSeries):
                for bar_set in series.barSets():
                    found[bar_set.label()] = [bar_set.at(i) for i in range(bar_set.count())]
            elif isinstance(series, QLineSeries):
                found[series.name()] = [p.y() for p in series.points()]
        return found

    def categories(self) -> list[str]:
        return list(self._labels)

    def export_png(self, path: str) -> bool:
        return self.grab().save(path, "PNG")

    def _on_bar_set_hovered(self, status: bool, index: int) -> None:
        bar_set = self.sender()
        if not status or not isinstance(bar_set, QBarSet):
            QToolTip.hideText()
            return
        label = self._labels[index] if 0 <= index < len(self._labels) else ""
        QToolTip.showText(QCursor.pos(), f"{label}\n{bar_set.label()}: {bar_set.at(index):,.0f}",
                          self)

    def _on_line_hovered(self, point: QPointF, state: bool) -> None:
        series = self.sender()
        if not state or not isinstance(series, QLineSeries):
            QToolTip.hideText()
            return
        day = QDateTime.fromMSecsSinceEpoch(round(point.x())).toString("yyyy-MM-dd")
        QToolTip.showText(QCursor.pos(), f"{day}\n{series.name()}: {point.y():,.0f}", self)
