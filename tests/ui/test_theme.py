"""Status and error text stays readable (WCAG 4.5:1) on light and dark palettes, and follows a
palette switch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from pxdesk.core.store.enums import RunStatus
from pxdesk.ui.widgets import error_label, warning_label


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def _contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _palette(window: str, base: str, text: str) -> QPalette:
    palette = QPalette(QColor(window))
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    palette.setColor(QPalette.ColorRole.Text, QColor(text))
    return palette


DARK = _palette("#2b2b2b", "#1e1e1e", "#ffffff")
LIGHT = _palette("#efefef", "#ffffff", "#000000")


@pytest.fixture
def restore_palette(qapp: QApplication) -> Iterator[None]:
    original = QApplication.palette()
    yield
    QApplication.setPalette(original)


def _text_colour(widget: QWidget) -> QColor:
    widget.ensurePolished()
    return widget.palette().color(widget.foregroundRole())


@pytest.mark.parametrize("palette", [DARK, LIGHT], ids=["dark", "light"])
def test_error_and_warning_text_readable(qtbot, restore_palette, palette: QPalette) -> None:
    QApplication.setPalette(palette)
    parent = QWidget()
    qtbot.addWidget(parent)
    window = palette.color(QPalette.ColorRole.Window)
    for label in (error_label(parent), warning_label(parent)):
        assert _contrast(_text_colour(label), window) >= 4.5


def test_error_text_follows_a_palette_switch(qtbot, restore_palette) -> None:
    QApplication.setPalette(LIGHT)
    parent = QWidget()
    qtbot.addWidget(parent)
    label = error_label(parent)
    assert _contrast(_text_colour(label), LIGHT.color(QPalette.ColorRole.Window)) >= 4.5
    QApplication.setPalette(DARK)
    assert _contrast(_text_colour(label), DARK.color(QPalette.ColorRole.Window)) >= 4.5


@pytest.mark.parametrize("palette", [DARK, LIGHT], ids=["dark", "light"])
def test_log_status_colours_readable(qtbot, restore_palette, palette: QPalette) -> None:
    from pxdesk.ui.theme import status_colour

    QApplication.setPalette(palette)
    base = palette.color(QPalette.ColorRole.Base)
    for status in (RunStatus.SUCCESS, RunStatus.FAILURE, RunStatus.PARTIAL_SUCCESS,
                   RunStatus.CANCELLED, RunStatus.SKIPPED):
        assert _contrast(status_colour(status), base) >= 4.5
