"""Issue 12 finding 3: error summaries, error-file copies and big record queries run in a
worker while the panel shows that it is busy; the GUI thread only shows the result."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pxdesk.core.logs import queries
from pxdesk.core.store.models import ExecutionRun, Person, RecordError
from pxdesk.core.store.records import RecordQuery
from pxdesk.ui.views.data_view import DataView
from pxdesk.ui.views.run_details import RunDetailsPanel

T0 = 1_700_000_000_000


def _failed_run() -> ExecutionRun:
    run = ExecutionRun.create(job_name="J", trigger="manual", status="Failure", queued_at=T0,
                              started_at=T0, ended_at=T0 + 2000, failure_count=3)
    for reason in ("no company", "no company", "bad email"):
        RecordError.create(run=run, source_id="u", reason=reason)
    return run


def _threads_of(monkeypatch: Any, owner: Any, name: str) -> list[threading.Thread]:
    """Wrap owner.name to record the thread each call runs in."""
    seen: list[threading.Thread] = []
    real = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return seen


def test_error_summary_is_computed_in_a_worker_while_the_table_says_so(
    qtbot: QtBot, context: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    run = _failed_run()
    seen = _threads_of(monkeypatch, queries, "error_summary")
    panel = RunDetailsPanel(tmp_path, lambda *_: None)
    qtbot.addWidget(panel)
    panel.show_run(run.id)
    table = panel.summary_table
    assert table.rowCount() == 1 and "Counting" in table.item(0, 0).text(), "busy shown"
    qtbot.waitUntil(lambda: table.rowCount() == 2 and table.item(0, 0).text() == "no company")
    assert table.item(0, 1).text() == "2"
    assert seen and threading.main_thread() not in seen


def test_saving_an_error_file_copies_in_a_worker_and_returns_at_once(
    qtbot: QtBot, context: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    run = _failed_run()
    seen = _threads_of(monkeypatch, queries, "save_run_file")
    panel = RunDetailsPanel(tmp_path, lambda *_: tmp_path / "out" / "errors.csv")
    qtbot.addWidget(panel)
    panel.show_run(run.id)
    qtbot.waitUntil(lambda: panel.summary_table.rowCount() == 2)
    qtbot.mouseClick(panel.save_errors_button, Qt.MouseButton.LeftButton)
    assert panel.message_label.text().startswith("Saving"), "busy shown while it copies"
    assert not panel.save_errors_button.isEnabled(), "one save at a time"
    qtbot.waitUntil(lambda: panel.message_label.text().startswith("Saved to"))
    assert (tmp_path / "out" / "errors.csv").exists()
    assert panel.save_errors_button.isEnabled()
    assert seen and threading.main_thread() not in seen


def test_data_tab_queries_run_in_a_worker_with_a_busy_indicator(
    qtbot: QtBot, context: Any, monkeypatch: Any
) -> None:
    Person.insert_many([{"email": f"p{i}@example.com"} for i in range(30)]).execute()
    seen = _threads_of(monkeypatch, RecordQuery, "fetch")
    view = DataView()
    qtbot.addWidget(view)
    view.object_combo.setCurrentIndex(view.object_combo.findData("person"))
    assert view.busy_bar.isVisibleTo(view), "busy shown while the query runs"
    qtbot.waitUntil(lambda: view.model.total == 30 and not view.busy_bar.isVisibleTo(view))
    assert view.count_label.text() == "30 records"
    assert seen and threading.main_thread() not in seen
