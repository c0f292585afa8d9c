"""The shared table model base and the models built on it: headers, cells, live overlays."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from pxdesk.core.config.job_config import MappingConfig as Mapping
from pxdesk.ui.models.jobs_model import STATUS_COLUMN, JobsTableModel
from pxdesk.ui.models.log_models import RequestsModel
from pxdesk.ui.models.mappings_model import UPSERT_COLUMN, MappingsTableModel
from pxdesk.ui.models.table_model import Column, ListTableModel
from pxdesk.ui.queries import JobRow

DISPLAY = Qt.ItemDataRole.DisplayRole
HORIZONTAL = Qt.Orientation.Horizontal


def _texts(model: Any, row: int) -> list[Any]:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def _job(name: str, status: str = "Success") -> JobRow:
    return JobRow(name=name, kind="company", source_target="PX Account → Company",
                  modification_type="Upsert", last_status=status, last_run_at=None,
                  success=3, failure=1, schedule="Every hour", next_run=None)


def test_list_model_reads_cells_through_its_column_spec(qtbot: QtBot) -> None:
    model: ListTableModel[tuple[str, int]] = ListTableModel(
        [Column("Name", lambda r: r[0]), Column("Twice", lambda r: r[1] * 2), "Blank"])
    model.set_rows([("a", 1), ("b", 2)])
    assert model.rowCount() == 2 and model.columnCount() == 3
    assert [model.headerData(c, HORIZONTAL, DISPLAY) for c in range(3)] == model.titles
    assert model.titles == ["Name", "Twice", "Blank"]
    assert _texts(model, 1) == ["b", 4, None]
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) == "a"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is None
    assert model.rowCount(model.index(0, 0)) == 0, "a table: no children"
    assert model.row_at(5) is None and model.row_at(0) == ("a", 1)
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.column(), b.column())))
    model.emit_row_changed(1)
    assert changed == [(0, 2)]
    model.set_columns(["Only"], [("x", 0)])
    assert model.columnCount() == 1 and model.rowCount() == 1


def test_jobs_model_overlays_the_live_status_until_cleared(qtbot: QtBot) -> None:
    model = JobsTableModel()
    model.set_rows([_job("Company Sync_PX"), _job("Company Person Sync_PX", "Failure")])
    assert _texts(model, 0)[:3] == ["Company Sync_PX", "PX Account → Company", "Upsert"]
    assert _texts(model, 0)[5:] == ["3 / 1", "Every hour"]
    model.set_running("Company Person Sync_PX", "In Progress")
    model.set_rows([_job("Company Sync_PX"), _job("Company Person Sync_PX", "Failure")])
    assert model.data(model.index(1, STATUS_COLUMN)) == "In Progress", "survives a reload"
    assert model.live_jobs() == ["Company Person Sync_PX"]
    model.set_running("Company Person Sync_PX", None)
    assert model.data(model.index(1, STATUS_COLUMN)) == "Failure"
    assert model.live_jobs() == []
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.update_rows([_job("Company Person Sync_PX", "Success"), _job("Gone_PX")])
    assert model.data(model.index(1, STATUS_COLUMN)) == "Success"
    assert model.rowCount() == 2 and not resets, "updated in place, unknown jobs ignored"


def test_mappings_model_shows_labels_and_ticks_the_upsert_key(qtbot: QtBot) -> None:
    model = MappingsTableModel()
    model.set_rows([Mapping("id", "String", "company", "PX_Account_ID__gc", "String")])
    model.set_labels({("company", "PX_Account_ID__gc"): "PX Account ID"})
    assert _texts(model, 0)[:5] == ["id", "String", "Company", "PX Account ID", "String"]
    tick = model.index(0, UPSERT_COLUMN)
    assert model.data(tick) is None
    assert model.setData(tick, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.rows()[0].upsert_key
    assert model.data(tick, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    model.upsert_locked = True
    assert not model.flags(tick) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.setData(tick, Qt.CheckState.Unchecked.value,
                             Qt.ItemDataRole.CheckStateRole)
    row = model.add_row(Mapping("email", "Email", "person", "Email", "Email"))
    assert row == 1 and model.rowCount() == 2
    model.remove_row(0)
    assert model.row_at(0).source_path == "email"


def test_requests_model_shows_empty_cells_and_colours_failed_calls(qtbot: QtBot) -> None:
    rows = [("10:00", "GET", "/v1/users", 200, 12, 1, None),
            ("10:01", "GET", "/v1/users", 503, 40, 2, "server error")]
    model = RequestsModel(rows)
    assert model.headerData(3, HORIZONTAL, DISPLAY) == "Status"
    assert _texts(model, 0)[3:] == ["200", "12", "1", ""]
    foreground = Qt.ItemDataRole.ForegroundRole
    assert model.data(model.index(0, 0), foreground) is None
    assert model.data(model.index(1, 0), foreground) is not None
    assert model.data(QModelIndex()) is None
