"""Keyboard only: both wizards are completed with Tab, arrows, Space, Return and Alt+mnemonics
on the focused widget, and Tab visits every page and dialog in reading order, missing none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget, QWizard
from pytestqt.qtbot import QtBot

from pxdesk.app import PxdeskApp
from pxdesk.core.autostart import Autostart
from pxdesk.core.config.chain_service import ChainService
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.px.client import PxClient
from pxdesk.core.px.fields import standard_fields
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Connection, Job
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.workers import JobRunner
from pxdesk.ui.models.mappings_model import UPSERT_COLUMN
from pxdesk.ui.views.admin_email_dialog import AdminEmailDialog
from pxdesk.ui.views.chain_dialog import ChainDialog
from pxdesk.ui.views.import_dialog import ImportFromDateDialog
from pxdesk.ui.views.settings_dialog import SettingsDialog
from pxdesk.ui.wizards.connection_wizard import ConnectionWizard
from pxdesk.ui.wizards.job_wizard import JobWizard
from pxdesk.ui.wizards.mapping_dialogs import CustomFieldDialog, MappingDialog, target_fields
from tests.ui.accessibility import out_of_reading_order, tab_stops, unreached_controls
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, setup_jobs

ADDRESS = "ops@example.com"


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
           ) -> None:
    QTest.keyClick(_focused(), key, modifier)


def _type(text: str) -> None:
    QTest.keyClicks(_focused(), text)


def _tab_to(target: QWidget, *, back: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a keyboard user would."""
    modifier = Qt.KeyboardModifier.ShiftModifier if back else Qt.KeyboardModifier.NoModifier
    for _ in range(60):
        if _focused() is target:
            return
        _press(Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab, modifier)
    raise AssertionError(f"Tab never reached {target!r}")


def _opened(qtbot: QtBot, window: QWidget) -> QWidget:
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def _in_reading_order(root: QWidget, first: QWidget) -> None:
    stops = tab_stops(first)
    assert out_of_reading_order(stops, root) == []
    assert unreached_controls(root, stops) == []


# ---- keyboard paths -------------------------------------------------------------------


def test_the_connection_wizard_is_completed_with_the_keyboard_only(
    qtbot: QtBot, context: Any, sim: PxSimulator
) -> None:
    wizard = ConnectionWizard(ConnectionService(context.secrets, user="tester"), context.db)
    _opened(qtbot, wizard)
    page = wizard.page
    assert _focused() is page.name_edit, "the first field has the focus"
    _type("PX")
    _press(Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # "API secret &key"
    assert _focused() is page.api_key_edit
    _type(sim.api_key)
    _press(Qt.Key.Key_Tab)  # Show
    _press(Qt.Key.Key_Tab)  # the region group: its checked button
    assert _focused() is page.region_buttons["us"]
    for _ in range(3):  # US -> EU -> US2 -> Custom base URL
        _press(Qt.Key.Key_Right)
    assert page.region_buttons["custom"].isChecked()
    _press(Qt.Key.Key_Tab)
    assert _focused() is page.base_url_edit
    _type(sim.base_url)
    _press(Qt.Key.Key_Tab)
    assert _focused() is page.multi_instance_check
    _press(Qt.Key.Key_Space)
    assert page.multi_instance_check.isChecked()
    with qtbot.waitSignal(page.test_finished, timeout=10_000) as tested:
        _press(Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # "&Test Connection"
    assert tested.args[0], tested.args[1]
    create = wizard.button(QWizard.WizardButton.FinishButton)
    assert create.isEnabled()
    _tab_to(create)
    with qtbot.waitSignal(wizard.accepted, timeout=5000):
        _press(Qt.Key.Key_Return)
    conn = Connection.get()
    assert (conn.name, conn.base_url, conn.multi_instance) == ("PX", sim.base_url, True)


def test_enter_in_the_api_key_tests_then_enter_creates(
    qtbot: QtBot, context: Any, sim: PxSimulator
) -> None:
    wizard = ConnectionWizard(ConnectionService(context.secrets, user="tester"), context.db)
    _opened(qtbot, wizard)
    wizard.prefill(name="PX", api_key="", base_url=sim.base_url)
    wizard.page.api_key_edit.setFocus()
    _type(sim.api_key)
    with qtbot.waitSignal(wizard.page.test_finished, timeout=10_000):
        _press(Qt.Key.Key_Return)  # not tested yet: Enter tests
    with qtbot.waitSignal(wizard.accepted, timeout=5000):
        _press(Qt.Key.Key_Return)  # tested: Enter is Create, the default button
    assert Connection.select().count() == 1


def test_a_job_is_edited_and_saved_with_the_keyboard_only(
    qtbot: QtBot, context: Any, sim: PxSimulator
) -> None:
    ConnectionService(context.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url)
    wizard = JobWizard(COMPANY_JOB, user="tester", db=context.db,
                       client_factory=lambda: PxClient(sim.base_url, sim.api_key))
    _opened(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.mapping_page.is_loading(), timeout=5000)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    config = wizard.config_page
    # Stage 1: a new name and both recipient lists.
    _press(Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)  # "Job Na&me"
    assert _focused() is config.name_edit
    _press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    _type("Company Sync_Keyboard")
    assert config.upsert_radio.isChecked(), "the default"
    _tab_to(config.update_radio)  # Tab enters the group at its first button
    _press(Qt.Key.Key_Space)
    assert config.update_radio.isChecked()
    _press(Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)  # "Notify on &success"
    assert _focused() is config.success_edit
    _type(ADDRESS)
    _press(Qt.Key.Key_Tab)
    assert _focused() is config.failure_edit
    _type(ADDRESS)
    _press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)  # Shift+Tab goes back
    assert _focused() is config.success_edit
    _tab_to(next_button)
    _press(Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.mapping_page
    # Stage 2: tick id -> PX Account ID as the upsert key, in the table.
    table = wizard.mapping_page.table
    _tab_to(wizard.mapping_page.add_button, back=True)  # Shift+Tab from the buttons
    _tab_to(table)
    rows = wizard.mapping_page.model.rows()
    key_row = next(i for i, m in enumerate(rows) if m.target_field == "PX_Account_ID__gc")
    _press(Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(key_row):
        _press(Qt.Key.Key_Down)
    for _ in range(UPSERT_COLUMN):
        _press(Qt.Key.Key_Right)
    assert (table.currentIndex().row(), table.currentIndex().column()) == (key_row,
                                                                          UPSERT_COLUMN)
    _press(Qt.Key.Key_Space)
    assert wizard.mapping_page.model.rows()[key_row].upsert_key
    _tab_to(next_button)
    _press(Qt.Key.Key_Space)
    assert wizard.currentPage() is wizard.derived_page
    _tab_to(next_button)
    _press(Qt.Key.Key_Return)
    # Stage 4: a condition typed in its row; Enter in the value does not leave the page.
    filters = wizard.filters_page
    assert wizard.currentPage() is filters
    _tab_to(filters.add_button)
    _press(Qt.Key.Key_Space)
    value_edit = filters.table.cellWidget(filters.table.rowCount() - 1, 3)
    _tab_to(value_edit)
    _type("Acme")
    _press(Qt.Key.Key_Return)
    assert wizard.currentPage() is filters, "Enter in a condition is not Next"
    _tab_to(next_button)
    _press(Qt.Key.Key_Return)
    # Stage 5: enable the schedule, then Save.
    schedule = wizard.schedule_page
    assert wizard.currentPage() is schedule
    _tab_to(schedule.enabled_check)
    _press(Qt.Key.Key_Space)
    _tab_to(wizard.button(QWizard.WizardButton.FinishButton))
    with qtbot.waitSignal(wizard.accepted, timeout=5000):
        _press(Qt.Key.Key_Return)
    saved = load_job_config(Job.get(Job.kind == "company"))
    assert saved.name == "Company Sync_Keyboard" and saved.modification_type == "update"
    assert saved.success_recipients == [ADDRESS] == saved.failure_recipients
    assert [m.target_field for m in saved.mappings if m.upsert_key] == ["PX_Account_ID__gc"]
    assert [c.value for c in saved.filters.conditions] == ["Acme"]
    assert saved.schedule.enabled


# ---- Tab order ------------------------------------------------------------------------


def test_the_connection_wizard_tabs_in_reading_order(qtbot: QtBot, context: Any) -> None:
    wizard = ConnectionWizard(ConnectionService(context.secrets, user="tester"), context.db)
    _opened(qtbot, wizard)
    wizard.page.region_buttons["custom"].setChecked(True)  # the base URL field takes input
    wizard.page.api_key_edit.setText("k" * 32)  # Test is enabled
    _in_reading_order(wizard, wizard.page.name_edit)


@pytest.mark.parametrize("job", [COMPANY_JOB, PERSON_JOB])
def test_every_job_wizard_page_tabs_in_reading_order(
    qtbot: QtBot, context: Any, sim: PxSimulator, job: str
) -> None:
    setup_jobs(context, sim)
    wizard = JobWizard(job, user="tester", db=context.db, client_factory=None)
    _opened(qtbot, wizard)
    for page in wizard.stages:
        wizard.show_stage(page.STAGE)
        assert wizard.currentPage() is page
        if page is wizard.derived_page:  # a mapping with two pairs in the editor
            page.add_button.click()
            page.add_pair_button.click()
            page.add_pair_button.click()
        if page is wizard.filters_page:  # two rows of cell widgets
            page.add_condition()
            page.add_condition()
        _in_reading_order(wizard, wizard.stage_list)
        if page is wizard.derived_page:  # incomplete: it would keep the wizard here
            page.remove_button.click()
        if page is wizard.filters_page:
            for _ in range(2):
                page.table.setCurrentCell(page.table.rowCount() - 1, 0)
                page.remove_button.click()


def test_the_dialogs_tab_in_reading_order(
    qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner, tmp_path: Path
) -> None:
    setup_jobs(context, sim)
    settings = SettingsDialog(context.secrets, autostart=Autostart(
        platform="linux", config_home=tmp_path / "cfg"), login_argv=["pxdesk"])
    chain = ChainDialog(ChainService(user="tester"), runner)
    dates = ImportFromDateDialog(COMPANY_JOB)
    mapping = MappingDialog(standard_fields("account"), target_fields(["company"]),
                            upsert_editable=True)
    custom = CustomFieldDialog(["company"])
    admin = AdminEmailDialog("tester")
    admin.email_edit.setText(ADDRESS)  # Save is enabled
    for dialog, first in ((settings, settings.resolution_list), (chain, chain.name_edit),
                          (dates, dates.from_date_edit), (mapping, mapping.search_edit),
                          (custom, custom.object_combo), (admin, admin.email_edit)):
        _opened(qtbot, dialog)
        _in_reading_order(dialog, first)
        dialog.hide()


def test_every_tab_of_the_main_window_tabs_in_reading_order(
    qtbot: QtBot, context: Any, sim: PxSimulator, engine: SyncEngine
) -> None:
    setup_jobs(context, sim)
    engine.run_job(PERSON_JOB)  # records, runs and logs in every tab
    app = PxdeskApp(context, QApplication.instance())  # type: ignore[arg-type]
    window = _opened(qtbot, app.window)
    app.logs_view.refresh()
    app.logs_view.tables["execution"].selectRow(0)  # the run details take input
    try:
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            _in_reading_order(window, window.tabs.tabBar())
    finally:
        app.quit_now()
