"""The main window comes back where the admin left it, and on a screen that is still there."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication

from pxdesk.ui.main_window import MainWindow


def _window(qtbot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    return window


def test_size_and_position_come_back(qtbot) -> None:
    first = _window(qtbot)
    first.resize(700, 500)
    first.move(40, 30)
    saved = first.saved_geometry()
    second = _window(qtbot)
    second.restore_saved_geometry(saved)
    assert second.size() == first.size() and second.pos() == first.pos()


def test_a_place_on_a_screen_that_is_gone_falls_back_onto_the_primary_screen(qtbot) -> None:
    first = _window(qtbot)
    first.resize(600, 400)
    first.move(QPoint(50_000, 50_000))  # as if saved on a second monitor since unplugged
    second = _window(qtbot)
    second.restore_saved_geometry(first.saved_geometry())
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.intersects(second.frameGeometry())
    assert second.width() <= screen.width() and second.height() <= screen.height()


def test_no_saved_place_fits_the_primary_screen(qtbot) -> None:
    window = _window(qtbot)
    window.restore_saved_geometry(None)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.contains(window.geometry())
