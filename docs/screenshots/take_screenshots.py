"""Capture the README screenshots from the real app: run under a display, e.g.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/take_screenshots.py

It uses a throwaway pxdesk home and the built-in PX simulator (the demo path of the first run).
Each shot is taken twice: in the light palette into this folder, in a dark one into dark/
(PXDESK_SCREENSHOTS_DIR writes both sets elsewhere, e.g. to look at them before committing).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget, QWizard

from pxdesk.ui.theme import dark_palette

if TYPE_CHECKING:
    from pxdesk.app import PxdeskApp

OUT = Path(os.environ.get("PXDESK_SCREENSHOTS_DIR") or Path(__file__).resolve().parent)
DARK_OUT = OUT / "dark"


def wait_until(predicate: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        QCoreApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def grab(widget: QWidget, name: str) -> None:
    """The light shot, then the same in the dark palette; the app goes on in the light one."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    light = QPalette(qapp.palette())
    settle()
    widget.grab().save(str(OUT / f"{name}.png"))
    qapp.setPalette(dark_palette())
    settle()
    DARK_OUT.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(DARK_OUT / f"{name}.png"))
    qapp.setPalette(light)
    settle(0.1)
    print("saved", name)


def main() -> int:
    from pxdesk.app import PxdeskApp
    from pxdesk.core.context import open_context
    from pxdesk.core.pxsim.faults import Fault

    home = Path(tempfile.mkdtemp(prefix="pxdesk-shots-"))
    context = open_context(home)
    qapp = QApplication.instance() or QApplication(sys.argv)
    app = PxdeskApp(context, qapp)
    app.window.resize(1366, 768)
    app.show()
    grab(app.window, "01_first_run")

    sim = app._start_simulator()
    wizard = app.connectors.open_connection_wizard(
        {"name": "PX Simulator", "api_key": sim.api_key, "base_url": sim.base_url})
    grab(wizard, "02_connection_wizard")
    wizard.page.test_button.click()
    wait_until(lambda: not wizard.page.is_testing())
    grab(wizard, "03_connection_tested")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    wait_until(lambda: app.connectors.jobs_model.rowCount() == 2)

    company_job = app.connectors.jobs_model.row_at(0).name
    job_wizard = app._make_job_wizard(company_job, app.window)
    job_wizard.show()
    wait_until(lambda: not job_wizard.mapping_page.is_loading())
    grab(job_wizard, "04_job_configuration")
    job_wizard.next()
    model = job_wizard.mapping_page.model
    for row, mapping in enumerate(model.rows()):
        if mapping.target_field.startswith("PX_Account_ID"):
            model.setData(model.index(row, 5), Qt.CheckState.Checked.value,
                          Qt.ItemDataRole.CheckStateRole)
    grab(job_wizard, "05_field_mappings")
    dialog = job_wizard.mapping_page.open_mapping_dialog()
    dialog.show()
    dialog.search_edit.setText("plan")
    grab(dialog, "06_source_picker")
    dialog.close()
    for index, name in ((2, "07_derived_mappings"), (3, "08_sync_filters"),
                        (4, "09_schedule")):
        job_wizard.next()
        if job_wizard.currentId() != index:
            print("stopped at", job_wizard.currentId(), job_wizard.currentPage().issue_texts())
            break
        grab(job_wizard, name)
    job_wizard.button(QWizard.WizardButton.FinishButton).click()
    settle()

    person_job = app.connectors.jobs_model.row_at(1).name
    app.connectors.select_job(person_job)
    sim.inject(Fault("latency", delay=0.4, times=3, path="/v1/users"))  # a run to watch
    app.connectors.import_now_button.click()
    wait_until(lambda: " of " in app.connectors.progress_panel.detail(person_job)
               or not app.runner.is_running(person_job))  # counts, not "Starting…"
    grab(app.window, "10_run_in_progress")
    sim.clear_faults()
    wait_until(lambda: not app.runner.running_jobs(), 300)
    app.connectors.select_job(person_job)
    grab(app.window, "11_main_window_after_sync")
    app.window.tabs.setCurrentIndex(1)
    app.data_view.refresh()
    grab(app.window, "12_data_tab")
    app.window.tabs.setCurrentIndex(3)
    grab(app.window, "13_logs_tab")
    app.window.tabs.setCurrentIndex(2)
    settle(2.0)  # the figures are read in a worker
    grab(app.window, "15_adoption_tab")
    beyond_peers(app, company_job, person_job)
    from pxdesk.ui.views.settings_dialog import SettingsDialog

    settings = SettingsDialog(context.secrets, app.window)
    settings.show()
    grab(settings, "14_settings")
    settings.close()
    app.quit_now()
    context.close()
    return 0


def beyond_peers(app: PxdeskApp, company_job: str, person_job: str) -> None:
    """Dry run, live preview, the run's quality report, lineage and config history."""
    from pxdesk.core.store.models import ExecutionRun
    from pxdesk.core.sync.dry_records import WOULD_FAIL
    from pxdesk.ui.views.history_dialog import HistoryDialog

    app.window.tabs.setCurrentIndex(0)
    app.connectors.select_job(person_job)
    dry = app.connectors.open_dry_run(person_job)
    assert dry is not None
    wait_until(lambda: not dry.is_running(), 300)
    dry.outcome_combo.setCurrentText(WOULD_FAIL)  # the rows that say something
    grab(dry, "16_dry_run")
    dry.close()

    wizard = app._make_job_wizard(person_job, app.window)
    wizard.show()
    wait_until(lambda: not wizard.mapping_page.is_loading())
    wizard.next()
    wizard.button(QWizard.WizardButton.CustomButton1).click()
    preview = wizard.preview_dialog
    assert preview is not None
    settle(0.5)
    wait_until(lambda: not preview.is_busy())
    preview.resize(1100, 560)
    grab(preview, "17_live_preview")
    preview.close()
    wizard.reject()

    app.window.tabs.setCurrentIndex(3)
    last = (ExecutionRun.select().where(ExecutionRun.job_name == person_job)
            .order_by(ExecutionRun.id.desc()).get())
    app.logs_view.show_run(last.id, None)
    settle(1.0)  # the summary is read in a worker
    grab(app.window, "18_run_quality")

    app.window.tabs.setCurrentIndex(1)
    combo = app.data_view.object_combo
    combo.setCurrentIndex(combo.findData("person"))
    app.data_view.refresh()
    settle(0.5)
    record = app.data_view.open_record(0)
    record.resize(900, 600)
    record.tabs.setCurrentIndex(1)
    panel = record.tabs.widget(1)
    wait_until(lambda: not panel.is_reading())
    grab(record, "19_lineage")
    record.close()

    app.window.tabs.setCurrentIndex(0)
    app.connectors.select_job(company_job)
    app.connectors.job_history_button.click()
    history = app.connectors.findChild(HistoryDialog)
    assert history is not None
    history.resize(900, 560)
    history.versions_table.selectAll()
    grab(history, "20_config_history")
    history.close()


if __name__ == "__main__":
    sys.exit(main())
