"""The Adoption charts follow the app palette (issue #13): background, title, axis labels, grid
and legend readable on light and dark, series in a theme-aware set, re-tinted when the palette
switches, as the other widgets are; a PNG export looks like the screen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarSeries, QHorizontalBarSeries, QLineSeries
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pxdesk.ui.theme import contrast, dark_palette, series_colours
from pxdesk.ui.views.adoption_charts import ChartPanel

DAYS = [date(2026, 3, 1) + timedelta(days=i) for i in range(5)]


@pytest.fixture
def light(qtbot: QtBot) -> Iterator[QPalette]:
    """The test starts on a light palette and leaves the app's palette as it found it."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    before = QPalette(qapp.palette())
    light = QPalette()  # Qt's default: light
    qapp.setPalette(light)
    yield light
    qapp.setPalette(before)


def _charts(qtbot: QtBot) -> tuple[ChartPanel, ChartPanel]:
    bars, lines = ChartPanel("Bars"), ChartPanel("Lines")
    for chart in (bars, lines):
        qtbot.addWidget(chart)
        chart.resize(500, 320)
    bars.set_bars(["Acme", "Globex"], [("Users", [3, 5]), ("Active 30 days", [1, 2])])
    lines.set_lines(DAYS, [("Active 30 days", [1, 2, 3, 4, 5]), ("Active 7 days", [0] * 5),
                           ("Active 1 day", [1, 0, 1, 0, 1])])
    return bars, lines


def _series_colours(chart: ChartPanel) -> list[QColor]:
    found = []
    for series in chart.chart().series():
        if isinstance(series, QBarSeries | QHorizontalBarSeries):
            found += [bar_set.color() for bar_set in series.barSets()]
        elif isinstance(series, QLineSeries):
            found.append(series.color())
    return found


def _assert_readable(chart: ChartPanel, *, dark: bool) -> None:
    qchart = chart.chart()
    background = qchart.backgroundBrush().color()
    assert (background.lightness() < 100) is dark, background.name()
    assert contrast(qchart.titleBrush().color(), background) >= 4.5, "title"
    assert qchart.legend().labelColor().name() == qchart.titleBrush().color().name(), "legend"
    for axis in qchart.axes():
        assert contrast(axis.labelsBrush().color(), background) >= 4.5, "axis labels"
        grid = axis.gridLineColor()
        assert 1.1 < contrast(grid, background) < contrast(axis.labelsBrush().color(),
                                                           background), "a quiet grid"
        assert contrast(axis.linePen().color(), background) >= 3.0, "axis line"
    colours = _series_colours(chart)
    assert colours and len({c.name() for c in colours}) == len(colours), "distinct series"
    assert [c.name() for c in colours] == [c.name() for c in series_colours()[:len(colours)]]
    for colour in colours:
        assert contrast(colour, background) >= 3.0, colour.name()


def test_charts_re_tint_when_the_palette_turns_dark_and_back(
        qtbot: QtBot, light: QPalette) -> None:
    charts = _charts(qtbot)
    for chart in charts:
        _assert_readable(chart, dark=False)
    QApplication.setPalette(dark_palette())
    for chart in charts:
        _assert_readable(chart, dark=True)
    QApplication.setPalette(light)
    for chart in charts:
        _assert_readable(chart, dark=False)


def test_a_chart_made_on_a_dark_palette_is_dark_and_exports_so(
        qtbot: QtBot, light: QPalette, tmp_path: Path) -> None:
    QApplication.setPalette(dark_palette())
    bars, lines = _charts(qtbot)
    for chart in (bars, lines):
        _assert_readable(chart, dark=True)
    path = tmp_path / "bars.png"
    assert bars.export_png(str(path))
    image = QImage(str(path))
    corner = image.pixelColor(image.width() // 2, 4)
    assert corner.lightness() < 100, "the PNG is the dark chart the admin sees"


def test_the_series_set_is_readable_on_both_palettes(qtbot: QtBot) -> None:
    for palette in (QPalette(), dark_palette()):
        base = palette.color(QPalette.ColorRole.Base)
        colours = series_colours(palette)
        assert len(colours) >= 4
        assert all(contrast(colour, base) >= 3.0 for colour in colours), [
            c.name() for c in colours]
