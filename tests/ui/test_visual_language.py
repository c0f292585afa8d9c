"""One visual language (issue #12): icons on every tab and action that re-tint with the
palette, status pills that read on light and dark palettes, Title Case buttons and menu items,
a primary action per page, and a main window that fits half of a 1920 screen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QObject, QSize
from PySide6.QtGui import QAction, QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QPushButton,
    QTabWidget,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pxdesk.app import PxdeskApp
from pxdesk.core.config.chain_service import ChainService
from pxdesk.core.config.job_service import JobService
from pxdesk.core.logs.queries import EXECUTION
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun
from pxdesk.ui.models.jobs_model import STATUS_COLUMN
from pxdesk.ui.status_pill import StatusPillDelegate
from pxdesk.ui.theme import STATUS_TONES, contrast, dark_palette, pill_colours
from pxdesk.ui.tray import TrayController, TrayJobInfo
from pxdesk.ui.views.admin_email_dialog import AdminEmailDialog
from pxdesk.ui.views.chain_dialog import ChainDialog
from pxdesk.ui.views.data_view import RecordDialog
from pxdesk.ui.views.history_dialog import HistoryDialog, JobVersions
from pxdesk.ui.views.import_dialog import ImportFromDateDialog
from pxdesk.ui.views.run_details import RequestsDialog
from pxdesk.ui.views.settings_dialog import SettingsDialog
from pxdesk.ui.wizards.mapping_dialogs import CustomFieldDialog
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, setup_jobs

# Title Case as Gainsight's UI writes it: every word capitalised but these connecting words
# (lowercase unless first); words that start with no letter ("(00:00)", "#") and the product's
# own lowercase name and a command's ("curl") are left as they are.
SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or",
                         "the", "to", "via", "vs"})
AS_WRITTEN = frozenset({"pxdesk", "curl"})
HALF_SCREEN = 960


def casing_problems(text: str) -> list[str]:
    """The words of a button or menu text that break the Title Case rule."""
    words = text.replace("&&", " ").replace("&", "").replace("…", " ").split()
    wrong = []
    for position, word in enumerate(words):
        core = word.strip("()[]<>.,:;'\"")
        if not core or not core[0].isalpha() or core in AS_WRITTEN:
            continue
        if position > 0 and core.lower() in SMALL_WORDS:
            if core != core.lower():
                wrong.append(word)
        elif not core[0].isupper():
            wrong.append(word)
    return wrong


def test_the_casing_rule_itself() -> None:
    assert casing_problems("Import From Date…") == []
    assert casing_problems("&Quit pxdesk") == []
    assert casing_problems("Check for Deleted") == []
    assert casing_problems("Until Tomorrow (00:00)") == []
    assert casing_problems("Cancel run") == ["run"]
    assert casing_problems("Check For Deleted") == ["For"]
    assert casing_problems("REFRESH") == []  # all capitals: no lowercase word to flag


@pytest.fixture
def app(qtbot: QtBot, context: Any, sim: PxSimulator) -> Iterator[PxdeskApp]:
    """The desktop app on a connection whose two jobs have run once (real rows everywhere)."""
    setup_jobs(context, sim)
    qapp = QApplication.instance()
    desktop = PxdeskApp(context, qapp)  # type: ignore[arg-type]
    qtbot.addWidget(desktop.window)
    desktop.show()
    for job in (COMPANY_JOB, PERSON_JOB):
        desktop.connectors.select_job(job)
        assert desktop.connectors.start_run(job, "manual")
        qtbot.waitUntil(lambda: not desktop.runner.running_jobs(), timeout=60_000)
    desktop.connectors.refresh()
    desktop.logs_view.refresh()
    desktop.data_view.refresh()
    yield desktop
    desktop.quit_now()


@pytest.fixture
def dark(qtbot: QtBot) -> Iterator[None]:
    """The dark palette for the test; the light one again after it."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    light = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    yield
    qapp.setPalette(light)


def _tray() -> TrayController:
    now = datetime.now().astimezone()
    tray = TrayController(clock=lambda: now)
    tray.update_jobs([TrayJobInfo(COMPANY_JOB, RunStatus.SUCCESS, now - timedelta(minutes=5),
                                  now + timedelta(hours=1))])
    return tray


def _action_buttons(app: PxdeskApp) -> list[QAbstractButton]:
    view = app.connectors
    return [view.card.edit_button, view.card.test_button, view.card.delete_button,
            view.edit_job_button, view.import_now_button, view.import_from_date_button,
            view.check_deleted_button, view.cancel_button, view.chain_button,
            view.first_run.connect_button, view.first_run.demo_button,
            app.logs_view.refresh_button, app.logs_view.export_button,
            app.data_view.export_button, app.adoption_view.refresh_button,
            app.adoption_view.export_companies_button, app.adoption_view.export_at_risk_button,
            app.adoption_view.export_chart_button]


def _ink(icon: QIcon) -> QColor:
    """The average colour of an icon's opaque pixels."""
    image = icon.pixmap(32, 32).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    pixels = [image.pixelColor(x, y) for x in range(32) for y in range(32)]
    ink = [p for p in pixels if p.alpha() > 200]
    assert ink, "the icon paints nothing"
    return QColor(sum(p.red() for p in ink) // len(ink), sum(p.green() for p in ink) // len(ink),
                  sum(p.blue() for p in ink) // len(ink))


def test_every_tab_and_action_has_an_icon(qtbot: QtBot, app: PxdeskApp) -> None:
    tabs = app.window.tabs
    assert [tabs.tabText(i) for i in range(4)] == ["Connectors", "Data", "Adoption", "Logs"]
    assert all(not tabs.tabIcon(i).isNull() for i in range(tabs.count()))
    chain = ChainDialog(ChainService(user="tester"), app.runner, app.window)
    settings = SettingsDialog(app.context.secrets, app.window)
    chain_actions = [chain.save_button, chain.delete_button, chain.run_button,
                     settings.test_email_button]
    for button in [*_action_buttons(app), *chain_actions]:
        assert not button.icon().isNull(), button.text()
    assert chain.close_button.icon().isNull(), "a dialog's answer is words only"
    chain.close()
    settings.close()
    for action in (app.window.settings_action, app.window.quit_action):
        assert not action.icon().isNull(), action.text()
    tray = _tray()
    try:
        commands = [a for a in tray.menu.actions() if a.text() and a.isEnabled()]
        assert {a.text() for a in commands} >= {"Open pxdesk", f"Run {COMPANY_JOB} Now",
                                                "Pause All Schedules", "Quit pxdesk"}
        assert all(not a.icon().isNull() for a in commands), [a.text() for a in commands]
    finally:
        tray.dispose()


def test_icons_take_the_palette_text_colour_and_re_tint_on_a_dark_palette(
        qtbot: QtBot, app: PxdeskApp) -> None:
    tab_icon = app.window.tabs.tabIcon(0)
    button_icon = app.connectors.chain_button.icon()
    assert _ink(tab_icon).lightness() < 100 and _ink(button_icon).lightness() < 100
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    light = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    try:
        text = dark_palette().color(QPalette.ColorRole.WindowText)
        for icon in (tab_icon, button_icon):  # the same icons, not new ones
            assert contrast(_ink(icon), text) < 1.2, "drawn in the dark palette's text colour"
        primary = app.connectors.import_now_button
        assert primary.palette().color(QPalette.ColorRole.Button) == dark_palette().color(
            QPalette.ColorRole.Highlight), "the primary button follows the palette too"
        assert contrast(_ink(primary.icon()), dark_palette().color(
            QPalette.ColorRole.HighlightedText)) < 1.2
    finally:
        qapp.setPalette(light)
    assert _ink(tab_icon).lightness() < 100, "dark again on the light palette"


@pytest.mark.parametrize("palette", [QPalette, dark_palette], ids=["light", "dark"])
def test_status_pill_text_reads_on_its_fill(palette: Any, qtbot: QtBot) -> None:
    chosen = palette()
    for status, tone in STATUS_TONES.items():
        fill, ink = pill_colours(tone, chosen)
        assert contrast(ink, fill) >= 4.5, (status, fill.name(), ink.name())


def _pill_fill_in(widget: QWidget, rect: Any, fill: QColor) -> bool:
    image = widget.grab(rect).toImage()
    return any(image.pixelColor(x, y).name() == fill.name()
               for x in range(image.width()) for y in range(image.height()))


@pytest.mark.usefixtures("dark")
def test_status_columns_are_painted_as_pills(qtbot: QtBot, app: PxdeskApp) -> None:
    jobs = app.connectors.jobs_table
    assert isinstance(jobs.itemDelegateForColumn(STATUS_COLUMN), StatusPillDelegate)
    log = app.logs_view.tables[EXECUTION]
    status_column = app.logs_view.models[EXECUTION].header.index("Status")
    assert isinstance(log.itemDelegateForColumn(status_column), StatusPillDelegate)
    app.window.tabs.setCurrentIndex(0)
    jobs.clearSelection()
    row = app.connectors.jobs_model.row_of(COMPANY_JOB)
    cell = jobs.visualRect(jobs.model().index(row, STATUS_COLUMN))
    fill, _ink = pill_colours(STATUS_TONES[RunStatus.SUCCESS])
    assert _pill_fill_in(jobs.viewport(), cell, fill), "the dark palette's Success pill"
    card = app.connectors.card
    card.show_test("Failed: 401 Unauthorized", RunStatus.FAILURE)
    assert card.test_pill.isVisibleTo(card) and card.test_pill.text == "Failed"
    assert card.value_labels["Last test"].text() == "Failed: 401 Unauthorized"
    fill, _ink = pill_colours(STATUS_TONES[RunStatus.FAILURE])
    assert _pill_fill_in(card.test_pill, card.test_pill.rect(), fill)


def test_each_page_has_one_primary_action(qtbot: QtBot, app: PxdeskApp) -> None:
    highlight = QApplication.palette().color(QPalette.ColorRole.Highlight)
    pages = {"connectors": app.connectors.stack.widget(1), "first run": app.connectors.first_run,
             "data": app.data_view, "logs": app.logs_view}
    for name, page in pages.items():
        primary = [b for b in page.findChildren(QPushButton)
                   if b.palette().color(QPalette.ColorRole.Button) == highlight]
        assert len(primary) == 1, (name, [b.text() for b in primary])


def _texts(root: QObject, skip: QWidget | None = None) -> dict[str, QObject]:
    """Button, menu item and tab texts under `root` (none under `skip`)."""
    found: dict[str, QObject] = {}
    for tabs in root.findChildren(QTabWidget):
        if skip is None or not skip.isAncestorOf(tabs):
            found.update({tabs.tabText(i): tabs for i in range(tabs.count())})
    for kind in (QPushButton, QToolButton, QAction):
        for item in root.findChildren(kind):
            widget = item if isinstance(item, QWidget) else None
            if skip is not None and widget is not None and skip.isAncestorOf(widget):
                continue
            if item.text():
                found[item.text()] = item
    return found


def test_buttons_menu_items_and_tabs_are_in_title_case(qtbot: QtBot, app: PxdeskApp,
                                                  context: Any) -> None:
    parent = app.window
    texts = _texts(parent)
    dialogs: list[QWidget] = [
        SettingsDialog(context.secrets, parent),
        ImportFromDateDialog(COMPANY_JOB, parent),
        ChainDialog(ChainService(user="tester"), app.runner, parent),
        RecordDialog("Company", [("Name", "Acme")], parent),
        AdminEmailDialog("tester", parent),
        HistoryDialog(f"History of {COMPANY_JOB}", JobVersions(JobService(user="tester"),
                                                               COMPANY_JOB), parent),
        RequestsDialog(ExecutionRun.select().first().id, None, parent),
        CustomFieldDialog(["Company"], parent),
        app.connectors.open_connection_wizard(),
        app._make_job_wizard(COMPANY_JOB, parent),
    ]
    for dialog in dialogs:
        texts.update(_texts(dialog))
    tray = _tray()
    try:
        texts.update({a.text(): a for a in tray.menu.actions() if a.isEnabled() and a.text()})
        texts.update({a.text(): a for a in tray.pause_menu.actions()})
    finally:
        tray.dispose()
    for dialog in dialogs:
        dialog.close()
    assert {"Import Now", "Export CSV…", "Refresh", "&Settings…", "Test Connection", "Logs",
            "Execution Logs", "Export Chart PNG…", "Copy as curl",
            f"Run {COMPANY_JOB} Now", "Send Test Email"} <= set(texts)
    wrong = {text: casing_problems(text) for text in texts if casing_problems(text)}
    assert wrong == {}


@pytest.mark.parametrize("size", [(HALF_SCREEN, 1000), (1366, 768)])
def test_the_window_fits_half_a_screen_on_every_tab(
        qtbot: QtBot, app: PxdeskApp, size: tuple[int, int]) -> None:
    window = app.window
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        assert window.minimumSizeHint().width() <= HALF_SCREEN, window.tabs.tabText(index)
    assert window.minimumSizeHint().height() <= 768
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0])
    pages = {0: [app.connectors.edit_job_button, app.connectors.chain_button],
             3: [app.logs_view.refresh_button, app.logs_view.export_button]}
    for index, buttons in pages.items():
        window.tabs.setCurrentIndex(index)
        for button in buttons:  # the rows wrap: every action stays on screen
            qtbot.waitUntil(button.isVisible)
            right = button.mapTo(window, button.rect().topRight()).x()
            assert right < window.width(), button.text()


def test_an_icon_is_drawn_once_per_size_and_colour(qtbot: QtBot, monkeypatch: Any) -> None:
    """Buttons repaint at every enable/disable during a run: the glyph is rendered once per
    size, colour and mode, not on every paint (it cost the GUI thread on each repaint)."""
    from pxdesk.ui import icons

    drawn: list[str] = []
    real = icons._glyph

    def counting(name: str, colour: QColor) -> QIcon:
        drawn.append(name)
        return real(name, colour)

    monkeypatch.setattr(icons, "_glyph", counting)
    button_icon = icons.icon(icons.Icon.JOB_CHAIN)
    first = button_icon.pixmap(QSize(17, 17))
    again = button_icon.pixmap(QSize(17, 17))
    assert drawn == [icons.Icon.JOB_CHAIN.value]
    assert first.toImage() == again.toImage()
    button_icon.pixmap(QSize(17, 17), QIcon.Mode.Disabled)
    assert len(drawn) == 2, "another mode is another colour"
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    light = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    try:
        dark = button_icon.pixmap(QSize(17, 17))
    finally:
        qapp.setPalette(light)
    assert len(drawn) == 3 and dark.toImage() != first.toImage(), "re-tinted, not cached"


def test_palette_followers_cost_no_python_call_per_event(qtbot: QtBot) -> None:
    """Palette followers hear of a palette change without any Python call on the other
    events of the app: an application event filter ran one per event of every object, and
    under a busy sync thread each of those waited for the GIL (a stalled window)."""
    import sys

    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QLabel

    from pxdesk.ui import theme

    labels = [QLabel("x") for _ in range(5)]
    for label in labels:
        qtbot.addWidget(label)
        theme.set_tone(label, theme.Tone.ERROR)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    bystander = QObject()
    calls: list[str] = []

    def count(frame, event, _arg):  # type: ignore[no-untyped-def]
        if event == "call":
            calls.append(frame.f_code.co_qualname)

    sys.setprofile(count)
    try:
        for _ in range(20):
            QCoreApplication.sendEvent(bystander, QEvent(QEvent.Type.User))
            QCoreApplication.sendEvent(labels[0], QEvent(QEvent.Type.User))
    finally:
        sys.setprofile(None)
    assert [c for c in calls if "Palette" in c] == []
    light = QPalette(qapp.palette())
    qapp.setPalette(dark_palette())
    try:  # every follower still re-tints: its colour is the dark palette's failure tone
        dark_failure = theme.colour(theme.Tone.ERROR)
        assert all(dark_failure.name() in label.styleSheet() for label in labels)
    finally:
        qapp.setPalette(light)
    assert all(theme.colour(theme.Tone.ERROR).name() in label.styleSheet() for label in labels)


def test_a_status_glyph_is_drawn_from_the_font_once_then_from_its_pixmap(
        qtbot: QtBot) -> None:
    """Pills and status cells repaint with every progress report of a run: QtAwesome drew
    the glyph from the font each time (Python painting, each call waiting for the sync's
    GIL: a 39 ms paint was seen); it is drawn once per size and colour."""
    import sys

    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPainter, QPixmap

    from pxdesk.ui.icons import status_icon

    colour = QColor("#2e7d32")
    target = QPixmap(64, 64)
    drawn: list[str] = []

    def count(frame: Any, event: str, _arg: Any) -> None:
        code = frame.f_code
        if event == "call" and code.co_filename.endswith("iconic_font.py") \
                and code.co_name == "paint":
            drawn.append(frame.f_code.co_qualname)

    sys.setprofile(count)
    try:
        for _ in range(5):
            painter = QPainter(target)
            glyph = status_icon(RunStatus.SUCCESS, colour)
            assert glyph is not None
            glyph.paint(painter, QRect(0, 0, 17, 17))
            painter.end()
    finally:
        sys.setprofile(None)
    assert 0 < len([d for d in drawn if d == "CharIconPainter.paint"]) <= 1
    assert status_icon(RunStatus.SUCCESS, colour) is not None
    assert not status_icon(RunStatus.SUCCESS, colour).pixmap(QSize(17, 17)).isNull()
