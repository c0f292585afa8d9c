"""The jobs table says when a job last ran as the tray does ("3 min ago"), with the exact
time in the cell's tooltip."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import Qt

from pxdesk.ui.models.jobs_model import JobsTableModel
from pxdesk.ui.queries import JobRow


def test_last_run_on_reads_relative_with_the_exact_time_in_the_tooltip(qtbot) -> None:
    ran_at = int(time.time() * 1000) - 3 * 60_000 - 5_000
    model = JobsTableModel()
    model.set_rows([JobRow("Company Sync", "company", "PX -> Local", "Upsert", "Success",
                           ran_at, 10, 0, "Daily", None)])
    when = model.index(0, 4)
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Last Run On"
    assert model.data(when) == "3 min ago"
    exact = datetime.fromtimestamp(ran_at / 1000).strftime("%Y-%m-%d %H:%M:%S")
    assert exact in model.data(when, Qt.ItemDataRole.ToolTipRole)


def test_last_run_on_ages_while_the_window_stays_open(qtbot) -> None:
    model = JobsTableModel()
    model.set_rows([JobRow("Company Sync", "company", "PX -> Local", "Upsert", "Success",
                           int(time.time() * 1000), 10, 0, "Daily", None)])
    with qtbot.waitSignal(model.dataChanged, timeout=1000) as blocker:
        model._ageing.timeout.emit()
    assert blocker.args[0].column() == 4 == blocker.args[1].column()
