"""Readable log tables and run feedback: columns sized from the rows that arrive, counts with
thousands separators, filters that apply at once, the UI's words in the audit and connection
logs, and run progress in the status bar on every tab."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar

from pxdesk.core.config.changes import config_changes
from pxdesk.core.config.job_config import JobConfig, ScheduleConfig
from pxdesk.core.logs import queries
from pxdesk.core.store.custom_fields import ensure_custom_field
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import AuditLog, ConnectionLog, ExecutionRun, RecordError
from pxdesk.core.sync.filters import FilterSpec
from pxdesk.core.sync.results import RunProgress, RunResult, RunStart
from pxdesk.ui.main_window import MainWindow
from pxdesk.ui.views.logs_view import LogsView
from pxdesk.ui.views.run_details import RunDetailsPanel

T0 = 1_700_000_000_000


@pytest.fixture
def make_view(context: Any, qtbot: Any):  # type: ignore[no-untyped-def]
    def make() -> LogsView:
        view = LogsView(Path(context.paths.runs_dir), ask_save_path=lambda *_a: None)
        qtbot.addWidget(view)
        view.resize(1366, 700)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def _run(job: str, **extra: Any) -> ExecutionRun:
    values: dict[str, Any] = {"trigger": "manual", "status": "Success", "queued_at": T0,
                              "started_at": T0, "ended_at": T0 + 2000, "calltype":
                              "APPLICATION_DATA"}
    values.update(extra)
    return ExecutionRun.create(job_name=job, **values)


def _text_width(view: LogsView, kind: str, row: int, name: str) -> int:
    table = view.tables[kind]
    model = view.models[kind]
    text = model.data(model.index(row, model.header.index(name)))
    return table.fontMetrics().horizontalAdvance(text)


def test_log_columns_fit_the_rows_that_arrive_after_an_empty_start(make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view()  # the first hour: the log is empty when the tab is built
    _run("Company Sync_PX Simulator", reason="already running")
    view.refresh()
    table = view.tables["execution"]
    model = view.models["execution"]
    for name in ("Date", "Job", "Calltype", "Status", "Start", "End"):
        column = model.header.index(name)
        assert table.columnWidth(column) >= _text_width(view, "execution", 0, name), name


def test_a_live_run_widens_its_columns_but_the_admins_width_wins(make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view()
    table, model = view.tables["execution"], view.models["execution"]
    job = model.header.index("Job")
    table.horizontalHeader().resizeSection(job, 40)  # the admin narrows Job on purpose
    run = _run("Company Person Sync_PX Simulator", status="In Progress", ended_at=None)
    view.on_run_started(RunStart(run.id, run.job_name, RunStatus.IN_PROGRESS))
    assert table.columnWidth(job) == 40
    success = model.header.index("# Success")
    view.on_run_progress(RunProgress(run.id, run.job_name, 3, 1_234_567, 1_234_567, 0,
                                     5_000_000, 1000.0, 3.0))
    assert model.data(model.index(0, success)) == "1,234,567"
    assert table.columnWidth(success) >= _text_width(view, "execution", 0, "# Success")


def test_reason_gets_the_room_left_and_its_full_text_as_tooltip(make_view) -> None:  # type: ignore[no-untyped-def]
    reason = "skipped: depends on Company Sync, which failed; " * 4
    view = make_view()
    _run("J", status="Skipped", reason=reason)
    view.refresh()
    model = view.models["execution"]
    col = model.header.index("Reason")
    tip = model.data(model.index(0, col), Qt.ItemDataRole.ToolTipRole)
    assert reason.strip() in tip.replace("&#x27;", "'")
    assert view.tables["execution"].columnWidth(col) >= 300


def test_counts_have_thousands_separators_on_screen_not_in_the_export(make_view, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _run("J", success_count=1_234_567, failure_count=0, total_hits=1_234_567, pages=1235)
    view = make_view()
    model = view.models["execution"]
    assert model.data(model.index(0, model.header.index("# Success"))) == "1,234,567"
    assert model.data(model.index(0, model.header.index("Pages"))) == "1,235"
    view.export_current(tmp_path / "x.csv")
    assert "1234567" in (tmp_path / "x.csv").read_text("utf-8")


def test_filters_apply_as_soon_as_they_change(make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    _run("Job A", status="Failure", reason="bad key")
    _run("Job B")
    view = make_view()
    model = view.models["execution"]
    view.status_combo.setCurrentIndex(view.status_combo.findData("Failure"))
    assert model.rowCount() == 1  # no REFRESH needed
    view.status_combo.setCurrentIndex(0)
    assert model.rowCount() == 2
    qtbot.keyClicks(view.search_edit, "bad")
    assert model.rowCount() == 2, "typing is debounced: not one query per key"
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2000)


@pytest.fixture
def px_account_id(context: Any) -> None:
    """The custom field every connection creates (as ConnectionService.create does)."""
    ensure_custom_field("company", "PX Account ID", "String", "tester")


@pytest.mark.usefixtures("px_account_id")
def test_audit_and_connection_logs_read_in_the_uis_words(make_view) -> None:  # type: ignore[no-untyped-def]
    # Rows written by earlier versions hold raw values: they must read well too.
    AuditLog.create(at=T0, user="me", job_name="J", attribute="Schedule", sub_attribute="Type",
                    action="Edit", old_value="daily_once", new_value="daily_repeat")
    AuditLog.create(at=T0, user="me", job_name="J", attribute="Schedule", sub_attribute="Days",
                    action="Edit", old_value="everyday", new_value="0, 2")
    AuditLog.create(at=T0 + 1, user="me", job_name="J", attribute="Record",
                    sub_attribute="Company: PX_Account_ID__gc", action="Edit",
                    old_value="a", new_value="b")
    ConnectionLog.create(at=T0, connection_name="PX", user="me", action="Edit",
                         attribute="Multi Instance", old_value="False", new_value="True")
    view = make_view()
    audit = view.models["audit"]
    cells = {audit.data(audit.index(r, c)) for r in range(3) for c in range(9)}
    assert {"Daily Once", "Daily Repeat", "Company: PX Account ID", "Every day",
            "Mon, Wed"} <= cells
    assert "daily_repeat" not in cells
    conn = view.models["connection"]
    assert {conn.data(conn.index(0, c)) for c in range(7)} >= {"No", "Yes"}


def test_a_schedule_change_is_audited_with_its_label() -> None:
    old = JobConfig("J", "company", "upsert", [], [], [], [], [], FilterSpec(), ScheduleConfig())
    new = dataclasses.replace(old, schedule=ScheduleConfig(
        kind="daily_repeat", start_time="08:00", end_time="18:00", every_hours=2, days=[0, 2]))
    by_label = {c.sub_attribute: c for c in config_changes(old, new)}
    assert (by_label["Type"].old, by_label["Type"].new) == ("Hourly", "Daily Repeat")
    assert (by_label["Days"].old, by_label["Days"].new) == ("Every day", "Mon, Wed")


@pytest.mark.usefixtures("px_account_id")
def test_run_details_say_true_things_with_separators_and_labels(context, qtbot) -> None:  # type: ignore[no-untyped-def]
    skipped = _run("J", status="Skipped", reason="already running", pages=0, total_hits=None)
    big = _run("J", status="Partial Success", success_count=1_234_567, inserted_count=1_234_567,
               failure_count=2000, pages=1237, total_hits=1_236_567)
    RecordError.create(run=big.id, source_id="a1", reason="the upsert key "
                       "PX_Account_ID__gc is empty", at=T0)
    panel = RunDetailsPanel(Path(context.paths.runs_dir), lambda *_a: None)
    qtbot.addWidget(panel)
    panel.show_run(skipped.id)
    fetched = panel.value_labels["Fetched"].text()
    assert "?" not in fetched and "0 page" not in fetched
    panel.show_run(big.id)
    assert "1,234,567 succeeded" in panel.value_labels["Records"].text()
    assert "2,000 failed" in panel.value_labels["Records"].text()
    assert panel.value_labels["Fetched"].text() == "1,237 page(s), 1,236,567 hit(s)"
    assert queries.error_summary(big.id) == [("the upsert key PX Account ID is empty", 1)]


def test_run_progress_shows_in_the_status_bar_on_every_tab(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow()
    qtbot.addWidget(window)
    window.add_tab(QLabel("a"), "Connectors")
    window.add_tab(QLabel("b"), "Logs")
    window.show()
    status = window.run_status
    status.on_run_started(RunStart(7, "Company Sync", RunStatus.IN_PROGRESS))
    status.on_run_progress(RunProgress(7, "Company Sync", 12, 12_345, 12_000, 345, 50_000,
                                       2400.0, 5.1))
    for tab in range(2):
        window.tabs.setCurrentIndex(tab)
        assert status.isVisible()
        assert "Company Sync" in status.label.text()
        assert "12,345 of 50,000" in status.label.text()
    bar = status.findChild(QProgressBar)
    assert (bar.maximum(), bar.value()) == (50_000, 12_345)
    status.on_run_ended(RunResult(7, "Company Sync", RunStatus.SUCCESS))
    assert not status.isVisible()


def test_the_app_feeds_the_status_bar_from_the_runner(context, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from pxdesk.app import PxdeskApp

    app = PxdeskApp(context, QApplication.instance())  # type: ignore[arg-type]
    qtbot.addWidget(app.window)
    app.window.show()
    app.runner.run_started.emit(RunStart(3, "Company Sync", RunStatus.IN_PROGRESS))
    assert app.window.run_status.isVisible()
    app.quit_now()


def test_mapping_table_shows_source_fields_whole_and_a_narrow_upsert_column(
        context: Any, qtbot: Any, sim: Any) -> None:
    from pxdesk.core.config.connection import ConnectionService
    from pxdesk.core.config.job_config import MappingConfig
    from pxdesk.core.store.models import Job
    from pxdesk.ui.models.mappings_model import UPSERT_COLUMN
    from pxdesk.ui.wizards.job_wizard import JobWizard

    ConnectionService(context.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url, multi_instance=False)
    name = Job.select().order_by(Job.kind).first().name
    wizard = JobWizard(name, user="tester", db=context.db, client_factory=None)
    qtbot.addWidget(wizard)
    wizard.resize(1040, 720)
    wizard.show()
    wizard.next()
    page = wizard.mapping_page
    table = page.table
    header = table.horizontalHeader()

    def upsert_in_view() -> bool:  # the tick is reachable without scrolling sideways
        return header.sectionViewportPosition(UPSERT_COLUMN) + header.sectionSize(
            UPSERT_COLUMN) <= table.viewport().width()

    path = "customAttributes.account_health_score"
    row = page.model.add_row(MappingConfig(path, "NUMBER", "company", "Name", "String"))
    width = table.fontMetrics().horizontalAdvance(path)
    qtbot.waitUntil(lambda: table.columnWidth(0) >= width and upsert_in_view(), timeout=1000)
    assert table.columnWidth(UPSERT_COLUMN) <= 120
    # A path too long for the page: the upsert tick stays in view, the path is elided in
    # the middle (both ends readable) and whole in its tooltip.
    longer = path + "_last_quarter_weighted_by_active_users"
    page.model.replace_row(row, MappingConfig(longer, "NUMBER", "company", "Name", "String"))
    qtbot.waitUntil(upsert_in_view, timeout=1000)
    assert table.columnWidth(0) >= width
    assert table.textElideMode() == Qt.TextElideMode.ElideMiddle
    assert page.model.data(page.model.index(row, 0), Qt.ItemDataRole.ToolTipRole) == longer


def test_columns_are_sized_from_a_sample_not_every_loaded_row(make_view) -> None:  # type: ignore[no-untyped-def]
    rows = [{"job_name": "J", "trigger": "manual", "status": "Success", "queued_at": T0 + i,
             "started_at": T0 + i} for i in range(1000)]
    rows[899]["job_name"] = "A job name far longer than any other one in this log"
    ExecutionRun.insert_many(rows).execute()  # newest first: the long name is loaded row 100
    view = make_view()
    model, table = view.models["execution"], view.tables["execution"]
    assert model.rowCount() == 500
    job = model.header.index("Job")
    assert model.data(model.index(100, job)) == rows[899]["job_name"]
    long_width = table.fontMetrics().horizontalAdvance(rows[899]["job_name"])
    assert table.columnWidth(job) < long_width  # loaded, but beyond the measured sample
    assert table.columnWidth(model.header.index("Date")) >= _text_width(
        view, "execution", 0, "Date")
