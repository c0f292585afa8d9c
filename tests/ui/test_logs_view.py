"""LOGS tab: filters applied at once, live rows, drill-down files and requests, CSV export,
lazy model."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt

from pxdesk.core.logs import queries
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import AuditLog, ExecutionRun, RecordError, RequestLog
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.results import RunCrash, RunProgress, RunResult, RunStart
from pxdesk.ui.models.log_models import EXPORT_ROLE, LogTableModel
from pxdesk.ui.theme import status_colour
from pxdesk.ui.views.logs_view import LogsView
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, setup_jobs

T0 = 1_700_000_000_000


class SavePaths:
    """Stands in for the file dialog: hands out paths under tmp_path and records the asks."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.asked: list[str] = []

    def __call__(self, _parent: Any, title: str, suggested: str) -> Path:
        self.asked.append(title)
        return self.folder / suggested


@pytest.fixture
def save_paths(tmp_path: Path) -> SavePaths:
    return SavePaths(tmp_path / "saved")


@pytest.fixture
def make_view(context: Any, qtbot: Any, save_paths: SavePaths):  # type: ignore[no-untyped-def]
    def make(**kwargs: Any) -> LogsView:
        view = LogsView(Path(context.paths.runs_dir), ask_save_path=save_paths, **kwargs)
        qtbot.addWidget(view)
        return view

    return make


def _run(job: str, status: str = "Success", at: int = T0, **extra: Any) -> ExecutionRun:
    return ExecutionRun.create(job_name=job, trigger="manual", status=status, queued_at=at,
                               started_at=at, ended_at=at + 2000, **extra)


def _column(model: LogTableModel, name: str) -> list[str]:
    col = model.header.index(name)
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_filter_by_job_then_refresh(make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    for i in range(6):
        _run("Job A" if i % 2 else "Job B", at=T0 + i)
    view = make_view()
    model = view.models["execution"]
    assert sorted(set(_column(model, "Job"))) == ["Job A", "Job B"]
    view.show_combo.setCurrentIndex(view.show_combo.findData("Job A"))
    assert _column(model, "Job") == ["Job A"] * 3, "the selector applies at once"
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    assert _column(model, "Job") == ["Job A"] * 3
    view.status_combo.setCurrentIndex(view.status_combo.findData("Failure"))
    _run("Job A", status="Failure", at=T0 + 10, reason="bad key")
    view.search_edit.setText("BAD KEY")
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Return)  # Enter refreshes too
    assert _column(model, "Reason") == ["bad key"]
    assert "1 of 1" in view.count_label.text()


def test_show_run_clears_the_filters_that_hide_it(make_view) -> None:  # type: ignore[no-untyped-def]
    failed = _run("Job A", status="Failure", at=T0, reason="bad key")
    _run("Job B", at=T0 + 1)
    view = make_view()
    view.tabs.setCurrentIndex(1)  # the admin was reading the audit log
    view.select_job("Job B")
    view.status_combo.setCurrentIndex(view.status_combo.findData("Success"))
    view.search_edit.setText("nothing like it")
    view.refresh()
    model = view.models["execution"]
    assert model.row_of(failed.id) < 0  # hidden by every filter
    assert view.show_run(failed.id, "Job A")
    assert view.current_kind() == "execution"
    (selected,) = view.tables["execution"].selectionModel().selectedRows()
    assert model.row_id(selected.row()) == failed.id
    assert view.show_run(10_000, "Job A") is False  # gone (retention): nothing selected


def test_date_range_filter_uses_local_days(make_view) -> None:  # type: ignore[no-untyped-def]
    now = int(time.time() * 1000)
    recent, old = _run("J", at=now), _run("J", at=now - 10 * 86_400_000)
    view = make_view()
    view.from_check.setChecked(True)
    view.from_edit.setDate(QDate.currentDate().addDays(-1))
    view.to_check.setChecked(True)
    view.to_edit.setDate(QDate.currentDate())  # the whole of today is included
    view.refresh()
    model = view.models["execution"]
    assert [model.row_id(r) for r in range(model.rowCount())] == [recent.id]
    view.to_edit.setDate(QDate.currentDate().addDays(-5))
    view.from_check.setChecked(False)
    view.refresh()
    assert [model.row_id(r) for r in range(model.rowCount())] == [old.id]


def test_execution_row_updates_live_during_a_run(make_view) -> None:  # type: ignore[no-untyped-def]
    _run("Job A", at=T0)
    view = make_view()
    model = view.models["execution"]
    run = ExecutionRun.create(job_name="Job B", trigger="manual", status="In Progress",
                              queued_at=T0 + 5, started_at=T0 + 5)
    view.on_run_started(RunStart(run.id, "Job B", RunStatus.IN_PROGRESS))
    assert model.rowCount() == 2 and model.row_id(0) == run.id  # new run on top
    assert "2 of 2" in view.count_label.text()
    assert _column(model, "Status")[0] == "In Progress"
    run.success_count, run.pages = 100, 1  # what the engine writes after a page
    run.save()
    view.on_run_progress(RunProgress(run_id=run.id, job_name="Job B", pages=2, records=250,
                                     success=240, failure=10, total_hits=500, rate_per_s=1.0,
                                     elapsed_s=1.0))
    assert _column(model, "# Success")[0] == "240" and _column(model, "Pages")[0] == "2"
    run.status, run.success_count, run.failure_count, run.ended_at = (
        "Partial Success", 490, 10, T0 + 9000)
    run.save()
    view.on_run_ended(RunResult(run.id, "Job B", RunStatus(run.status)))
    status = model.index(0, model.header.index("Status"))
    assert model.data(status) == "Partial Success" and model.rowCount() == 2
    assert model.data(status, Qt.ItemDataRole.ForegroundRole) == status_colour(
        RunStatus.PARTIAL_SUCCESS)
    assert not model.data(status, Qt.ItemDataRole.DecorationRole).isNull()


def test_live_rows_respect_the_filter(make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view()
    view.status_combo.setCurrentIndex(view.status_combo.findData("Success"))
    view.refresh()
    model = view.models["execution"]
    run = ExecutionRun.create(job_name="J", trigger="manual", status="In Progress")
    view.on_run_started(RunStart(run.id, "J", RunStatus.IN_PROGRESS))
    assert model.rowCount() == 0  # In Progress is not Success
    run.status = "Success"
    run.save()
    view.on_run_ended(RunResult(run.id, "J", RunStatus.SUCCESS))
    assert model.rowCount() == 1


def test_export_of_a_filtered_view_equals_the_rows_shown(make_view, save_paths, qtbot
                                                         ) -> None:  # type: ignore[no-untyped-def]
    for i in range(30):
        _run("Job A" if i % 3 else "Job B", at=T0 + i * 60_000,
             status="Failure" if i % 5 == 0 else "Success")
    view = make_view(chunk=4)
    view.select_job("Job A")
    view.status_combo.setCurrentIndex(view.status_combo.findData("Success"))
    view.refresh()
    model = view.models["execution"]
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    shown = [[model.data(model.index(r, c), EXPORT_ROLE) for c in range(model.columnCount())]
             for r in range(model.rowCount())]
    view.bom_check.setChecked(True)
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    path = save_paths.folder / "execution-log.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _read_csv(path)
    assert rows[0] == list(queries.EXECUTION_HEADER)
    expected = [["" if v is None else str(v) for v in row] for row in shown]
    assert rows[1:] == expected and len(expected) == 16  # 20 of Job A, minus 4 failures
    assert all(r[0][-6] in "+-" for r in rows[1:])  # ISO with a UTC offset


def test_formula_in_a_log_value_is_neutralised_on_export(make_view, save_paths, qtbot
                                                        ) -> None:  # type: ignore[no-untyped-def]
    AuditLog.create(at=T0, user="eve", job_name="J", attribute="Mapping", action="Edit",
                    old_value='=HYPERLINK("http://evil.example","click")', new_value="@SUM(A1)")
    view = make_view()
    view.tabs.setCurrentIndex(1)
    assert view.current_kind() == "audit"
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    rows = _read_csv(save_paths.folder / "audit-log.csv")
    old, new = rows[1][queries.AUDIT_HEADER.index("Old Value")], rows[1][-2]
    assert old == '\'=HYPERLINK("http://evil.example","click")' and new == "'@SUM(A1)"


def test_drill_down_shows_details_summary_and_requests(make_view, qtbot
                                                      ) -> None:  # type: ignore[no-untyped-def]
    run = _run("Job A", status="Partial Success", window_from=0, window_to=T0)
    for reason in ("no company", "no company", "bad email"):
        RecordError.create(run=run, source_id="u", reason=reason)
    RequestLog.create(run=run, method="GET", status=200, at=T0, elapsed_ms=40,
                      url="https://px.test/v1/users?pageSize=500&api_key=LEAK")
    view = make_view()
    view.tables["execution"].selectRow(0)
    details = view.details
    assert details.run_id == run.id
    assert details.value_labels["Status"].text() == "Partial Success"
    assert details.value_labels["Duration"].text() == "2.0 s"
    table = details.summary_table
    qtbot.waitUntil(lambda: table.rowCount() == 2)  # counted in a worker
    assert [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(2)] == [
        ("no company", "2"), ("bad email", "1")]
    qtbot.mouseClick(details.requests_button, Qt.MouseButton.LeftButton)
    dialog = details.requests_dialog
    assert dialog is not None and dialog.model.rowCount() == 1
    url = dialog.model.data(dialog.model.index(0, 2))
    assert "pageSize=500" in url and "LEAK" not in url


def test_partial_success_files_hold_exactly_failed_and_succeeded_records(
    context: Any, make_view, save_paths: SavePaths, qtbot, sim: PxSimulator,
    engine: SyncEngine,
) -> None:  # type: ignore[no-untyped-def]
    setup_jobs(context, sim)
    result = engine.run_job(PERSON_JOB)
    assert result.status == "Partial Success" and result.counts.success and result.counts.failure
    view = make_view()
    view.select_job(PERSON_JOB)
    view.refresh()
    view.tables["execution"].selectRow(0)
    assert view.details.run_id == result.run_id
    details = view.details
    qtbot.waitUntil(details.save_errors_button.isEnabled)
    qtbot.mouseClick(details.save_errors_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: details.message_label.text().startswith("Saved to"))  # a worker
    qtbot.mouseClick(details.save_success_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "success" in details.message_label.text()
                    and details.message_label.text().startswith("Saved to"))
    errors = _read_csv(save_paths.folder / f"run-{result.run_id}-error.csv")[1:]
    successes = _read_csv(save_paths.folder / f"run-{result.run_id}-success.csv")[1:]
    failed_ids = {r[0] for r in errors}
    ok_ids = {r[0] for r in successes}
    stored = {e.source_id for e in RecordError.select().where(RecordError.run == result.run_id)}
    assert failed_ids == stored and len(failed_ids) == result.counts.failure
    assert len(ok_ids) == len(successes) == result.counts.success
    assert not failed_ids & ok_ids and (failed_ids | ok_ids) <= set(sim.user_ids())
    assert all(r[3] for r in errors)  # every failed record says why


def test_runner_signals_update_the_view_live(context: Any, make_view, qtbot, sim, runner
                                            ) -> None:  # type: ignore[no-untyped-def]
    setup_jobs(context, sim)
    view = make_view()
    seen: list[int] = []
    model = view.models["execution"]
    model.rowsInserted.connect(lambda *_: seen.append(model.rowCount()))
    runner.subscribe(view)
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        assert runner.start(COMPANY_JOB, "manual")
    assert seen and model.rowCount() == 1  # inserted live, no refresh
    assert _column(model, "Status") == ["Success"]


def test_model_loads_100k_rows_lazily(context: Any, qtbot) -> None:  # type: ignore[no-untyped-def]
    db = context.db
    rows = [("Job A" if i % 2 else "Job B", "manual", "Success", T0 + i, T0 + i, T0 + i + 5, i)
            for i in range(100_000)]
    with db.atomic():
        db.connection().executemany(
            "INSERT INTO execution_run (job_name, trigger, status, queued_at, started_at, "
            "ended_at, success_count, connection_name, calltype, failure_count, "
            "inserted_count, updated_count, pages) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '', 'APPLICATION_DATA', 0, 0, 0, 0)", rows)
    started = time.perf_counter()
    model = LogTableModel("execution")
    model.set_filter(queries.LogFilter())
    assert time.perf_counter() - started < 1.0
    assert model.rowCount() == 500 and model.canFetchMore(QModelIndex())
    assert model.fetch_count == 1
    assert model.total == 100_000
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 1000 and model.fetch_count == 2
    assert model.row_id(0) > model.row_id(999)  # newest first, no gaps or repeats
    assert len({model.row_id(r) for r in range(1000)}) == 1000


def test_a_dependency_row_shows_its_end_as_soon_as_it_ends(
    make_view,  # type: ignore[no-untyped-def]
) -> None:
    view = make_view()
    model = view.models["execution"]
    top = ExecutionRun.create(job_name=PERSON_JOB, trigger="manual", status="Queued")
    dep = ExecutionRun.create(job_name=COMPANY_JOB, trigger="dependency", status="In Progress")
    view.on_run_started(RunStart(top.id, PERSON_JOB, RunStatus.QUEUED))
    view.on_run_started(RunStart(dep.id, COMPANY_JOB, RunStatus.IN_PROGRESS))
    dep.status, dep.success_count = "Success", 12  # the engine ends the dependency run
    dep.save()
    view.on_run_ended(RunResult(dep.id, COMPANY_JOB, RunStatus.SUCCESS))
    statuses = dict(zip(_column(model, "Job"), _column(model, "Status"), strict=True))
    assert statuses == {PERSON_JOB: "Queued", COMPANY_JOB: "Success"}


def test_a_crash_reads_the_runs_again(make_view) -> None:  # type: ignore[no-untyped-def]
    view = make_view()
    model = view.models["execution"]
    run = ExecutionRun.create(job_name="J", trigger="manual", status="In Progress")
    view.on_run_started(RunStart(run.id, "J", RunStatus.IN_PROGRESS))
    run.status = "Failure"  # closed by someone else: no result tells the view
    run.save()
    view.on_run_ended(RunCrash("J", "the store is busy"))
    assert _column(model, "Status") == ["Failure"]


def test_details_count_the_unchanged_records(make_view) -> None:  # type: ignore[no-untyped-def]
    _run("Job A", success_count=5, inserted_count=1, updated_count=1, unchanged_count=3)
    view = make_view()
    view.tables["execution"].selectRow(0)
    assert view.details.value_labels["Records"].text() == (
        "5 succeeded (1 inserted, 1 updated, 3 unchanged), 0 failed")


def test_a_long_reason_is_never_clipped_in_the_details(make_view, qtbot) -> None:  # type: ignore[no-untyped-def]
    reason = ("PX announced 200 accounts, received 193: 7 missing, so the window did not move "
              "and the next run reads them again; " * 3)
    _run("Job A", status="Partial Success", reason=reason)
    view = make_view()
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    view.tables["execution"].selectRow(0)
    label = view.details.value_labels["Reason"]
    assert label.text() == reason
    # every line gets its room once the layout has run (the panel scrolls instead)
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()), timeout=2000)


def test_details_say_what_was_retried_and_what_is_gone_from_px(make_view) -> None:  # type: ignore[no-untyped-def]
    _run("Job A", success_count=5, failure_count=1, retried_count=3, deleted_count=2)
    view = make_view()
    view.tables["execution"].selectRow(0)
    assert view.details.value_labels["Records"].text() == (
        "5 succeeded (0 inserted, 0 updated, 0 unchanged), 1 failed; 3 fetched again after "
        "failing before; 2 gone from PX")


def test_copy_as_curl_puts_the_request_on_the_clipboard(make_view, qtbot
                                                        ) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QGuiApplication

    run = _run("Job A")
    for page in (1, 2):
        RequestLog.create(run=run, method="GET", status=200, at=T0 + page, elapsed_ms=40,
                          url=f"https://px.test/v1/users?pageSize=500&page={page}")
    view = make_view()
    view.tables["execution"].selectRow(0)
    qtbot.mouseClick(view.details.requests_button, Qt.MouseButton.LeftButton)
    dialog = view.details.requests_dialog
    assert dialog is not None
    dialog.table.selectRow(1)
    assert dialog.copy_curl_action in dialog.table.actions()  # the row's context menu
    qtbot.mouseClick(dialog.copy_curl_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert text.startswith("curl -X GET ")
    assert '"X-APTRINSIC-API-KEY: $PX_API_KEY"' in text
    assert text.endswith("'https://px.test/v1/users?pageSize=500&page=2'")


def test_run_details_show_the_quality_report_and_failures_by_kind(
    context: Any, make_view, qtbot, sim: PxSimulator, engine: SyncEngine,
) -> None:  # type: ignore[no-untyped-def]
    setup_jobs(context, sim)
    result = engine.run_job(PERSON_JOB)
    assert result.quality is not None
    (group,) = result.quality.failures  # users whose account is not a company
    view = make_view()
    view.select_job(PERSON_JOB)
    view.refresh()
    view.tables["execution"].selectRow(0)
    details = view.details
    assert details.run_id == result.run_id
    quality = details.value_labels["Quality"].text()
    assert "Records received 120 of 120" in quality
    assert f"Derived Company_ID (company where accountId = PX_Account_ID__gc): " \
           f"{group.count:,} no match, 0 several matches" in quality
    assert "Filter A (email is not null) removed" in quality
    table = details.summary_table
    assert table.horizontalHeaderItem(0).text() == "Failure kind [field]"
    assert [(table.item(r, 0).text(), table.item(r, 1).text())
            for r in range(table.rowCount())] == [(f"{group.kind} [Company_ID]",
                                                   f"{group.count:,}")]
