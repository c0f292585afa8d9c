"""Every control of the main window (data in every tab), both wizards (each page) and every
dialog has a name a screen reader can announce: an accessible name or a buddy label."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from pxdesk.app import PxdeskApp
from pxdesk.core.autostart import Autostart
from pxdesk.core.config.chain_service import ChainService
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.px.client import PxClient
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.enums import ScheduleKind
from pxdesk.core.store.models import ExecutionRun
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.workers import JobRunner
from pxdesk.ui.crash_dialog import crash_box
from pxdesk.ui.views.chain_dialog import ChainDialog
from pxdesk.ui.views.import_dialog import ImportFromDateDialog
from pxdesk.ui.views.run_details import RequestsDialog
from pxdesk.ui.views.settings_dialog import SettingsDialog
from pxdesk.ui.wizards.connection_wizard import ConnectionWizard
from pxdesk.ui.wizards.job_wizard import JobWizard
from pxdesk.ui.wizards.mapping_dialogs import CustomFieldDialog, MappingDialog, target_fields
from tests.ui.accessibility import name_problems
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, setup_jobs


def assert_all_named(missing: dict[str, list[str]]) -> None:
    """One line per unnamed control, under the tab or page that shows it."""
    lines = [f"{where}: {name}" for where, names in missing.items() for name in names]
    assert not lines, "controls a screen reader cannot name apart:\n" + "\n".join(lines)


def _shown(qtbot: QtBot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def synced(context: Any, sim: PxSimulator, engine: SyncEngine) -> None:
    """A connection whose two jobs ran once: records, runs and logs in every tab."""
    setup_jobs(context, sim)
    engine.run_job(PERSON_JOB)  # Company Sync runs first, as its dependency


@pytest.fixture
def app(qtbot: QtBot, context: Any, synced: None) -> Iterator[PxdeskApp]:
    pxdesk = PxdeskApp(context, QApplication.instance())  # type: ignore[arg-type]
    qtbot.addWidget(pxdesk.window)
    pxdesk.window.show()
    qtbot.waitExposed(pxdesk.window)
    yield pxdesk
    pxdesk.quit_now()


def test_every_tab_of_the_main_window_names_its_controls(qtbot: QtBot, app: PxdeskApp) -> None:
    window = app.window
    app.data_view.refresh()
    app.adoption_view.refresh()
    qtbot.waitUntil(lambda: not app.adoption_view.is_busy(), timeout=10_000)
    app.logs_view.refresh()
    app.logs_view.tables["execution"].selectRow(0)
    assert app.logs_view.details.run_id is not None
    missing: dict[str, list[str]] = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        missing[window.tabs.tabText(index)] = name_problems(window)
    for index in range(app.logs_view.tabs.count()):
        window.tabs.setCurrentWidget(app.logs_view)
        app.logs_view.tabs.setCurrentIndex(index)
        missing[f"Logs/{app.logs_view.tabs.tabText(index)}"] = name_problems(window)
    assert_all_named(missing)


def test_the_connection_wizard_names_its_controls(qtbot: QtBot, context: Any) -> None:
    wizard = ConnectionWizard(ConnectionService(context.secrets, user="tester"), context.db)
    _shown(qtbot, wizard)
    assert name_problems(wizard) == []


@pytest.mark.parametrize("job", [COMPANY_JOB, PERSON_JOB])
def test_every_page_of_the_job_wizard_names_its_controls(
    qtbot: QtBot, context: Any, sim: PxSimulator, job: str
) -> None:
    setup_jobs(context, sim)
    wizard = JobWizard(job, user="tester", db=context.db,
                       client_factory=lambda: PxClient(sim.base_url, sim.api_key))
    _shown(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.mapping_page.is_loading(), timeout=5000)
    missing: dict[str, list[str]] = {}
    for page in wizard.stages:
        wizard.show_stage(page.STAGE)
        assert wizard.currentPage() is page
        if page is wizard.derived_page:  # an editor with two match pairs
            page.add_button.click()
            page.add_pair_button.click()
            page.add_pair_button.click()
        if page is wizard.filters_page:  # a condition row of cell widgets
            row = page.add_condition()
        missing[page.title()] = name_problems(wizard)
        if page is wizard.derived_page:  # incomplete: it would keep the wizard here
            page.remove_button.click()
        if page is wizard.filters_page:
            page.table.setCurrentCell(row, 0)
            page.remove_button.click()
    schedule = wizard.schedule_page
    for kind in ScheduleKind:  # each kind shows its own fields
        schedule.kind_combo.setCurrentIndex(schedule.kind_combo.findData(kind.value))
        missing[f"Schedule/{kind.value}"] = name_problems(wizard)
    assert_all_named(missing)


def test_the_mapping_dialogs_name_their_controls(qtbot: QtBot, context: Any) -> None:
    from pxdesk.core.px.fields import standard_fields

    mapping = MappingDialog(standard_fields("account"), target_fields(["company"]),
                            upsert_editable=True)
    custom = CustomFieldDialog(["company"])
    assert name_problems(_shown(qtbot, mapping)) == []
    assert name_problems(_shown(qtbot, custom)) == []


def test_the_settings_dialog_names_its_controls(
    qtbot: QtBot, context: Any, tmp_path: Path
) -> None:
    dialog = SettingsDialog(context.secrets, autostart=Autostart(
        platform="linux", config_home=tmp_path / "cfg"), login_argv=["pxdesk"])
    assert name_problems(_shown(qtbot, dialog)) == []


def test_the_chain_and_import_dialogs_name_their_controls(
    qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner
) -> None:
    setup_jobs(context, sim)
    chain = ChainDialog(ChainService(user="tester"), runner)
    assert name_problems(_shown(qtbot, chain)) == []
    assert name_problems(_shown(qtbot, ImportFromDateDialog(COMPANY_JOB))) == []


def test_the_run_requests_dialog_names_its_table(qtbot: QtBot, synced: None) -> None:
    run = ExecutionRun.select().order_by(ExecutionRun.id).first()
    assert name_problems(_shown(qtbot, RequestsDialog(run.id, None))) == []


def test_the_crash_report_names_its_details(qtbot: QtBot) -> None:
    box = crash_box(RuntimeError("boom"), "Traceback (most recent call last): ...")
    _shown(qtbot, box)
    details = next(b for b in box.findChildren(QPushButton) if "Details" in b.text())
    details.click()
    assert name_problems(box) == []
    assert box.standardButtons() == QMessageBox.StandardButton.Ok
    box.done(0)  # a message box is application modal while shown
