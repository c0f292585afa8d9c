"""Dry Run from the jobs table and the job wizard: off the GUI thread, filter, export,
Cancel; the store is not written."""

from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Company, ExecutionRun
from pxdesk.core.sync.dry_records import DryRecords
from pxdesk.core.sync.dry_run import WOULD_FAIL, WOULD_INSERT, DryRecord, DryRunResult
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.results import RunProgress
from pxdesk.core.workers import JobRunner
from pxdesk.ui.models.dry_run_model import FETCH_ROWS
from pxdesk.ui.views.connectors_view import ConnectorsView
from pxdesk.ui.views.dry_run_dialog import DryRunDialog
from pxdesk.ui.wizards.job_wizard import JobWizard
from tests.ui.conftest import ACCOUNTS, COMPANY_JOB, StoredConnection, setup_jobs


def _view(qtbot: QtBot, context: Any, runner: JobRunner, engine: SyncEngine) -> ConnectorsView:
    view = ConnectorsView(StoredConnection(), runner, context.db, dry_runner=engine.dry_run)
    qtbot.addWidget(view)
    view.show()
    return view


def _finished(qtbot: QtBot, dialog: DryRunDialog) -> DryRunResult:
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.is_running(),
                    timeout=20_000)
    assert dialog.result is not None
    return dialog.result


def test_dry_run_button_shows_every_record_filters_and_exports(
        qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner, engine: SyncEngine,
        tmp_path: Path) -> None:
    setup_jobs(context, sim)
    view = _view(qtbot, context, runner, engine)
    view.select_job(COMPANY_JOB)
    assert view.dry_run_button.isEnabled()
    view.dry_run_button.click()
    (dialog,) = view.findChildren(DryRunDialog)
    result = _finished(qtbot, dialog)
    assert result.totals()[WOULD_INSERT] == ACCOUNTS
    assert dialog.model.rowCount() == ACCOUNTS
    assert "would end Success" in dialog.status_label.text()
    dialog.outcome_combo.setCurrentText(WOULD_FAIL)
    assert dialog.model.rowCount() == 0
    dialog.outcome_combo.setCurrentText(WOULD_INSERT)
    assert dialog.model.rowCount() == ACCOUNTS
    assert dialog.export_to(tmp_path / "dry.csv") == ACCOUNTS
    with (tmp_path / "dry.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["PX id", "Outcome"] and len(rows) == ACCOUNTS + 1
    assert Company.select().count() == 0 and ExecutionRun.select().count() == 0
    dialog.close()


def test_dry_run_shows_progress_and_cancels(qtbot: QtBot, context: Any) -> None:
    reported = threading.Event()

    def slow_dry_run(job_name: str, *, progress: Any, cancel: Any) -> DryRunResult:
        progress(RunProgress(0, job_name, 1, 5, 4, 1, 50, 1.0, 1.0))
        reported.set()
        while not cancel():  # bounded by the test's Cancel click below
            threading.Event().wait(0.01)
        return DryRunResult(job_name, cancelled=True)

    dialog = DryRunDialog(COMPANY_JOB, slow_dry_run, context.db)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "Read 5 records of 50" in dialog.status_label.text(),
                    timeout=5000)
    assert dialog.is_running() and dialog.progress_bar.maximum() == 50
    dialog.cancel_button.click()
    result = _finished(qtbot, dialog)
    assert result.cancelled and "Cancelled" in dialog.status_label.text()


def test_wizard_last_page_dry_run_says_unsaved_changes_are_not_in_it(
        qtbot: QtBot, context: Any, sim: PxSimulator, engine: SyncEngine) -> None:
    setup_jobs(context, sim)
    wizard = JobWizard(COMPANY_JOB, user="tester", db=context.db, dry_runner=engine.dry_run)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.show_stage(wizard.schedule_page.STAGE)
    assert wizard.dry_run_button.isVisible()
    wizard.schedule_page.enabled_check.toggle()  # an unsaved change
    wizard.dry_run_button.click()
    dialog = wizard.dry_run_dialog
    assert dialog is not None
    assert "not in it" in dialog.note_label.text() and dialog.note_label.isVisibleTo(dialog)
    assert _finished(qtbot, dialog).totals()[WOULD_INSERT] == ACCOUNTS
    dialog.close()


def _many(tmp_path: Path, count: int, keep: int) -> DryRunResult:
    """A finished dry run of `count` records, most of them in its temporary file."""
    records = DryRecords(keep=keep, directory=tmp_path)
    for n in range(count):
        outcome = WOULD_FAIL if n % 10 == 0 else WOULD_INSERT
        records.append(DryRecord(f"id-{n:05d}", outcome,
                                 reason="no @" if outcome == WOULD_FAIL else None))
    records.finish()
    return DryRunResult(COMPANY_JOB, records)


def test_large_dry_run_is_read_a_window_at_a_time_and_its_file_goes_on_close(
        qtbot: QtBot, context: Any, tmp_path: Path) -> None:
    (tmp_path / "spill").mkdir()
    result = _many(tmp_path / "spill", 3_000, keep=100)
    assert result.records.path is not None

    def done_dry_run(job_name: str, *, progress: Any, cancel: Any) -> DryRunResult:
        return result

    dialog = DryRunDialog(COMPANY_JOB, done_dry_run, context.db)
    qtbot.addWidget(dialog)
    dialog.show()
    _finished(qtbot, dialog)
    model = dialog.model
    assert model.rowCount() == FETCH_ROWS and model.canFetchMore(QModelIndex())
    assert f"{FETCH_ROWS:,} of 3,000 shown" in dialog.shown_label.text()
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 2 * FETCH_ROWS
    assert model.data(model.index(FETCH_ROWS, 0)) == f"id-{FETCH_ROWS:05d}"
    dialog.outcome_combo.setCurrentText(WOULD_FAIL)
    assert model.rowCount() == 300 and not model.canFetchMore(QModelIndex())
    assert "300 of 300 shown" in dialog.shown_label.text()
    out = tmp_path / "fails.csv"
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as exported:
        dialog.start_export(out)
    assert exported.args == [300]
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 301 and {r[1] for r in rows[1:]} == {WOULD_FAIL}
    assert "300 records exported" in dialog.status_label.text()
    spill = result.records.path
    dialog.close()
    assert not spill.exists()
