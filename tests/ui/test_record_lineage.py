"""The record dialog's Lineage tab: the run that last wrote the row, its PX record, its
changed fields, read off the GUI thread."""

from __future__ import annotations

import json
from typing import Any

from pytestqt.qtbot import QtBot

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.base import now_ms
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.ui.views.data_view import DataView
from pxdesk.ui.views.lineage_panel import LineagePanel
from tests.ui.conftest import COMPANY_JOB, setup_jobs


def _lineage_of_the_renamed_company(qtbot: QtBot) -> tuple[DataView, LineagePanel]:
    view = DataView()
    qtbot.addWidget(view)
    view.object_combo.setCurrentIndex(view.object_combo.findData("company"))
    view.search_edit.setText("Renamed in PX")
    qtbot.waitUntil(lambda: view.model.query is not None
                    and view.model.query.search == "Renamed in PX" and not view.model.is_busy())
    assert view.model.total == 1
    dialog = view.open_record(0)
    qtbot.addWidget(dialog)
    panel = dialog.tabs.widget(1)
    assert isinstance(panel, LineagePanel) and dialog.tabs.tabText(1) == "Lineage"
    qtbot.waitUntil(lambda: not panel.is_reading())
    return view, panel


def test_the_lineage_tab_names_the_last_run_its_px_record_and_changes(
        qtbot: QtBot, context: Any, sim: PxSimulator, engine: SyncEngine) -> None:
    setup_jobs(context, sim)
    engine.run_job(COMPANY_JOB)
    sim.update_account("acct-000007", name="Renamed in PX", lastModifiedDate=now_ms() - 1)
    second = engine.run_job(COMPANY_JOB)
    _view, panel = _lineage_of_the_renamed_company(qtbot)
    assert panel.summary_label.text().startswith(f"Last written by run {second.run_id} ")
    assert panel.source_combo.currentText().startswith(
        f"acct-000007 — {COMPANY_JOB}, run {second.run_id} (Success")
    assert json.loads(panel.record_view.toPlainText()) == sim.get_account("acct-000007")
    table = panel.changes_table
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (0, 2, 4)] == [str(second.run_id), "Name",
                                                           "Renamed in PX"]
