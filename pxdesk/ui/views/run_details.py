"""Drill-down of one run: details, error summary by reason, its files and its PX requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.background import BackgroundCalls
from pxdesk.core.errors import PxError
from pxdesk.core.logs import queries
from pxdesk.core.logs.curl import curl_command
from pxdesk.core.logs.readable import with_field_labels
from pxdesk.core.notify.alert import FailureRate, percent_text, run_failure_rate
from pxdesk.core.store.base import database_proxy
from pxdesk.core.store.models import ExecutionRun
from pxdesk.core.sync.quality import QualityReport
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.log_models import RequestsModel
from pxdesk.ui.theme import Tone, set_tone
from pxdesk.ui.widgets import button_row, select_whole_rows

# (parent, dialog title, suggested file name) -> chosen path, or None when cancelled.
AskSavePath = Callable[[QWidget, str, str], Path | None]
# The reason (what went wrong, what a run missed) right under the status: first thing read.
_FIELDS = ("Job", "Status", "Alert", "Reason", "Records", "Fetched", "Quality", "Trigger",
           "Window", "Started", "Ended", "Duration")
_REASON_HEADER = ["Error reason", "Records"]
PLACEHOLDER = "Select a run to see its details"
_KIND_HEADER = ["Failure kind [field]", "Records"]




def alert_text(rate: FailureRate | None) -> str:
    """What the Alert line says: the alert, the share below the threshold, or nothing (an open
    run, no record processed, or a job that is gone)."""
    if rate is None or rate.percent is None:
        return ""
    if rate.alerted:
        return rate.summary()
    return (f"None: {percent_text(rate.percent)}% of records failed "
            f"(alert above {percent_text(rate.threshold)}%)")


def fetched_text(run: ExecutionRun) -> str:
    """What the run read from PX, only what is known: a run that never fetched says so."""
    if not run.pages and run.total_hits is None:
        return "Nothing fetched from PX" if run.ended_at is not None else "Not fetched yet"
    pages = f"{run.pages or 0:,} page(s)"
    if run.total_hits is None:
        return f"{pages} (PX did not report a total)"
    return f"{pages}, {run.total_hits:,} hit(s)"


def quality_text(report: QualityReport | None) -> str:
    """The quality report's lines but its failures (the table beside shows those by kind)."""
    if report is None:
        return ""
    return "\n".join(QualityReport(report.received, report.total_hits, (), 0, report.lookups,
                                    report.filters, report.outside_window).lines())


class RequestsDialog(QDialog):
    """The PX requests a run made: method, URL with parameters (credentials redacted), status,
    time. Non-modal so the log stays usable behind it."""

    def __init__(self, run_id: int, tz: tzinfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"PX requests of run {run_id}")
        self.model = RequestsModel(queries.request_rows(run_id, tz), self)
        self.table = QTableView(self)
        self.table.setObjectName("requests_table")
        self.table.setAccessibleName("PX requests")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        select_whole_rows(self.table, QHeaderView.ResizeMode.ResizeToContents)
        # Copy as curl: the button and the row's context menu share one action.
        self.copy_curl_action = QAction("Copy as curl", self)
        self.copy_curl_action.triggered.connect(self._on_copy_curl_action_triggered)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addAction(self.copy_curl_action)
        self.copy_curl_button = QPushButton("Copy as curl", self)
        self.copy_curl_button.setObjectName("copy_curl_button")
        self.copy_curl_button.setToolTip("Copy the selected request as a curl command; the key "
                                         "is $PX_API_KEY, set it in your shell")
        self.copy_curl_button.clicked.connect(self._on_copy_curl_action_triggered)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{self.model.rowCount()} request(s)", self))
        layout.addWidget(self.table)
        layout.addLayout(button_row(self.copy_curl_button))
        self.resize(900, 400)

    def selected_curl(self) -> str | None:
        """The selected request (else the first) as a curl command; None with no request."""
        rows = self.table.selectionModel().selectedRows()
        request = self.model.row_at(rows[0].row() if rows else 0)
        if request is None:
            return None
        _at, method, url, *_rest = request
        return curl_command(str(method), str(url))

    def _on_copy_curl_action_triggered(self) -> None:
        command = self.selected_curl()
        if command is not None:
            QGuiApplication.clipboard().setText(command)


class _WrappedFields(QWidget):
    """A form of word-wrapped labels that asks for the height its wrapped lines need: a
    scroll area only knows a widget's minimum size, not its height for a given width."""

    def fit_height(self) -> None:
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            self.setMinimumHeight(layout.heightForWidth(self.width()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_height()


class RunDetailsPanel(QWidget):
    """Shows the run selected in the execution log; files are saved through `ask_save_path`."""

    def __init__(self, runs_dir: Path, ask_save_path: AskSavePath,
                 parent: QWidget | None = None, *, tz: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.runs_dir = runs_dir
        self.run_id: int | None = None
        self.bom = False  # the view's "BOM for Excel" choice
        self.requests_dialog: RequestsDialog | None = None
        self._ask = ask_save_path
        self._tz = tz
        # A summary of 617,000 failures or an 846 MB copy takes seconds: workers do them.
        self._calls = BackgroundCalls(self, database_proxy)
        self._saving = False
        self._saving_which = ""
        self._can_save = {"error": False, "success": False}
        self.value_labels = {name: QLabel("", self) for name in _FIELDS}
        # The form scrolls instead of squeezing its rows: a long reason (what a run missed)
        # must always be readable in full, whatever height the splitter leaves the panel.
        self._fields = fields = _WrappedFields(self)
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        for name, label in self.value_labels.items():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{name}:", label)
        self.fields_area = QScrollArea(self)
        self.fields_area.setWidget(fields)
        self.fields_area.setWidgetResizable(True)
        self.fields_area.setFrameShape(QFrame.Shape.NoFrame)
        # With no run, a line that says what to do, not an empty form cut off at "Trigger:".
        self.placeholder_label = QLabel(PLACEHOLDER, self)
        self.placeholder_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder_label.setWordWrap(True)
        self.summary_table = QTableWidget(0, 2, self)
        self.summary_table.setObjectName("error_summary_table")
        self.summary_table.setAccessibleName("Error summary")
        self.summary_table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.summary_table.setHorizontalHeaderLabels(_REASON_HEADER)
        self.summary_table.verticalHeader().setVisible(False)
        self.summary_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.summary_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.save_errors_button = QPushButton(icon(Icon.EXPORT), "Save Error File…", self)
        self.save_success_button = QPushButton(icon(Icon.EXPORT), "Save Success File…",
                                               self)
        self.requests_button = QPushButton(icon(Icon.LOGS), "PX Requests…", self)
        self.message_label = QLabel("", self)
        self.message_label.setWordWrap(True)
        self.save_errors_button.clicked.connect(self._on_save_errors_button_clicked)
        self.save_success_button.clicked.connect(self._on_save_success_button_clicked)
        self.requests_button.clicked.connect(self._on_requests_button_clicked)
        buttons = button_row(self.save_errors_button, self.save_success_button,
                             self.requests_button)
        left = QVBoxLayout()
        left.addWidget(self.fields_area, 1)
        left.addWidget(self.placeholder_label, 1)
        left.addLayout(buttons)
        left.addWidget(self.message_label)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.summary_table, 1)
        self.show_run(None)

    def show_run(self, run_id: int | None) -> None:
        """Fill the panel from the store (None clears it)."""
        self.run_id = run_id
        self.message_label.clear()
        run = None
        if run_id is not None:
            try:
                run = queries.get_run(run_id)
            except PxError as exc:
                self.message_label.setText(str(exc))
        self.requests_button.setEnabled(run is not None)
        self.fields_area.setVisible(run is not None)
        self.placeholder_label.setVisible(run is None)
        if run is None:
            self._can_save = {"error": False, "success": False}
            self._set_saving(self._saving)
            for label in self.value_labels.values():
                label.clear()
            self.summary_table.setRowCount(0)
            return
        self._fill(run)

    def refresh(self) -> None:
        if self.run_id is not None:
            self.show_run(self.run_id)

    def _fill(self, run: ExecutionRun) -> None:
        def ts(ms: int | None) -> str:
            return queries.display_time(ms, self._tz)

        duration = ("" if run.started_at is None or run.ended_at is None
                    else f"{(run.ended_at - run.started_at) / 1000:.1f} s")
        window = "" if run.window_to is None else f"{ts(run.window_from)} → {ts(run.window_to)}"
        values = {
            "Job": f"{run.job_name} ({run.connection_name})" if run.connection_name
            else run.job_name,
            "Status": run.status, "Trigger": run.trigger, "Window": window,
            "Started": ts(run.started_at), "Ended": ts(run.ended_at), "Duration": duration,
            "Records": f"{run.success_count:,} succeeded ({run.inserted_count:,} inserted, "
                       f"{run.updated_count:,} updated, {run.unchanged_count:,} unchanged), "
                       f"{run.failure_count:,} failed"
                       + (f"; {run.retried_count:,} fetched again after failing before"
                          if run.retried_count else "")
                       + (f"; {run.deleted_count:,} gone from PX" if run.deleted_count else ""),
            "Fetched": fetched_text(run),
            "Reason": with_field_labels(run.reason) or "",
        }
        report = QualityReport.from_json(run.quality)
        values["Quality"] = quality_text(report)
        rate = run_failure_rate(run)
        values["Alert"] = alert_text(rate)
        alerted = rate is not None and rate.alerted
        set_tone(self.value_labels["Alert"], Tone.ERROR if alerted else None, bold=alerted)
        for name, text in values.items():
            self.value_labels[name].setText(str(text))
        self._fields.fit_height()
        self._can_save = {"error": run.failure_count > 0, "success": run.started_at is not None}
        self._set_saving(self._saving)
        if report is not None:
            self._show_kinds(report)
        else:  # a run from before the quality report: its reasons, counted in a worker
            self._start_summary(run.id)

    # ---- error summary (a worker: a big run's GROUP BY takes seconds) -----------------------

    def _show_kinds(self, report: QualityReport) -> None:
        """Failures by kind and field, from the report the run kept: no query needed."""
        rows = [(f"{g.kind} [{g.field}]" if g.field else g.kind, g.count, g.example)
                for g in report.failures]
        if report.other_failures:
            rows.append(("Other kinds", report.other_failures, ""))
        self.summary_table.setHorizontalHeaderLabels(_KIND_HEADER)
        self._set_summary_rows(rows)

    def _set_summary_rows(self, rows: list[tuple[str, int, str]]) -> None:
        """(text, count, tooltip) rows, counts right-aligned."""
        self.summary_table.setRowCount(len(rows))
        for row, (text, count, tip) in enumerate(rows):
            item = QTableWidgetItem(text)
            item.setToolTip(tip or text)
            self.summary_table.setItem(row, 0, item)
            count_item = QTableWidgetItem(f"{count:,}")
            count_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.summary_table.setItem(row, 1, count_item)

    def _start_summary(self, run_id: int) -> None:
        self.summary_table.setHorizontalHeaderLabels(_REASON_HEADER)
        self.summary_table.setRowCount(1)
        self.summary_table.setItem(0, 0, QTableWidgetItem("Counting the errors…"))
        self.summary_table.setItem(0, 1, QTableWidgetItem(""))
        self._calls.start(partial(_summary_of, run_id), self._on_summary_finished,
                          self._on_summary_failed)

    def _on_summary_finished(self, result: object) -> None:
        if not isinstance(result, _Summary) or result.run_id != self.run_id:
            return  # another run was selected meanwhile
        self._set_summary_rows([(reason, count, "") for reason, count in result.rows])
        if result.rows:
            self._can_save["error"] = True
            self._set_saving(self._saving)

    def _on_summary_failed(self, message: str) -> None:
        self.summary_table.setRowCount(0)
        self.message_label.setText(f"Could not count the errors: {message}")

    def save_file(self, which: str) -> None:
        """Ask where, then copy the run's "error" or "success" file there in a worker (an
        846 MB file takes seconds); the message line says "Saving…" until it is done."""
        if self.run_id is None or self._saving:
            return
        dest = self._ask(self, f"Save {which} file", f"run-{self.run_id}-{which}.csv")
        if dest is None:
            return
        copy = partial(queries.save_run_file, self.run_id, which, dest, bom=self.bom,
                       runs_dir=self.runs_dir)
        self._set_saving(True)
        self.message_label.setText(f"Saving the {which} file to {dest}…")
        self._saving_which = which
        self._calls.start(copy, self._on_save_finished, self._on_save_failed)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_errors_button.setEnabled(not saving and self._can_save["error"])
        self.save_success_button.setEnabled(not saving and self._can_save["success"])

    def _on_save_finished(self, saved: object) -> None:
        self._set_saving(False)
        self.message_label.setText(f"Saved to {saved}")

    def _on_save_failed(self, message: str) -> None:
        self._set_saving(False)
        self.message_label.setText(f"Could not save the {self._saving_which} file: {message}")

    def _on_save_errors_button_clicked(self) -> None:
        self.save_file("error")

    def _on_save_success_button_clicked(self) -> None:
        self.save_file("success")

    def _on_requests_button_clicked(self) -> None:
        if self.run_id is None:
            return
        if self.requests_dialog is not None:
            self.requests_dialog.close()
        self.requests_dialog = RequestsDialog(self.run_id, self._tz, self)
        self.requests_dialog.show()


@dataclass(frozen=True)
class _Summary:
    """A run's error summary as the worker hands it over."""

    run_id: int
    rows: list[tuple[str, int]]


def _summary_of(run_id: int) -> _Summary:
    return _Summary(run_id, queries.error_summary(run_id))
