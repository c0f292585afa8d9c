"""Dry Run dialog: what a job's next run would do with each record, computed off the GUI
thread with progress and Cancel; filter by outcome, export to CSV. Nothing is written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from peewee import Database
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.background import BackgroundCall
from pxdesk.core.sync.dry_run import OUTCOMES, DryRunResult, write_dry_run_csv
from pxdesk.core.sync.results import RunProgress
from pxdesk.ui.models.dry_run_model import ALL_OUTCOMES, DryRunModel
from pxdesk.ui.widgets import button_row, error_label, select_whole_rows, warning_label

# job name, progress, cancel -> the prediction (SyncEngine.dry_run, run in a worker thread)
DryRunner = Callable[..., DryRunResult]
PROGRESS_POLL_MS = 200


class DryRunDialog(QDialog):
    """Starts the dry run when created; `result` holds the prediction once it is shown."""

    def __init__(self, job_name: str, dry_runner: DryRunner, db: Database | None,
                 parent: QWidget | None = None, *, note: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Dry Run: {job_name}")
        self.resize(900, 560)
        self.job_name = job_name
        self.result: DryRunResult | None = None
        self._runner = dry_runner
        self._cancel = threading.Event()
        self._latest: RunProgress | None = None  # set by the worker thread, read by the timer
        intro = QLabel("What the next run would do with each PX record. Nothing is written: "
                       "not the data, the window, the retry list nor the logs. Dependencies "
                       "do not run first.", self)
        intro.setWordWrap(True)
        self.note_label = warning_label(self)
        if note:
            self.note_label.setText(note)
            self.note_label.show()
        self.status_label = QLabel("Reading PX…", self)
        self.status_label.setWordWrap(True)
        self.error_label = error_label(self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 0)
        self.outcome_combo = QComboBox(self)
        self.outcome_combo.addItems([ALL_OUTCOMES, *OUTCOMES])
        self.outcome_combo.setAccessibleName("Show outcome")
        self.outcome_combo.currentTextChanged.connect(self._on_outcome_combo_changed)
        self.model = DryRunModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        select_whole_rows(self.table, QHeaderView.ResizeMode.Interactive)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.reject)
        for widget in (self.outcome_combo, self.export_button):
            widget.setEnabled(False)
        layout = QVBoxLayout(self)
        for widget in (intro, self.note_label, self.status_label, self.error_label,
                       self.progress_bar):
            layout.addWidget(widget)
        layout.addLayout(button_row(self.outcome_combo, self.export_button))
        layout.addWidget(self.table, 1)
        layout.addLayout(button_row(self.cancel_button, self.close_button))
        self._timer = QTimer(self)
        self._timer.setInterval(PROGRESS_POLL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._call = BackgroundCall(self._run, db, self)
        self._call.finished.connect(self._on_call_finished)
        self._call.failed.connect(self._on_call_failed)
        self._timer.start()
        self._call.start()

    # ---- worker thread ------------------------------------------------------------------

    def _run(self) -> DryRunResult:
        return self._runner(self.job_name, progress=self._keep_progress,
                            cancel=self._cancel.is_set)

    def _keep_progress(self, progress: RunProgress) -> None:
        """In the worker thread: only an attribute is set (atomic); the timer shows it."""
        self._latest = progress

    # ---- GUI thread ---------------------------------------------------------------------

    def is_running(self) -> bool:
        return self._call.is_running()

    def _on_timer_timeout(self) -> None:
        p = self._latest
        if p is None:
            return
        if p.total_hits:
            self.progress_bar.setRange(0, p.total_hits)
            self.progress_bar.setValue(min(p.records, p.total_hits))
        self.status_label.setText(f"Read {p.records:,} records"
                                  + (f" of {p.total_hits:,}" if p.total_hits else "")
                                  + f": {p.success:,} would go through, "
                                    f"{p.failure:,} would fail…")

    def _on_cancel_button_clicked(self) -> None:
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.status_label.setText("Cancelling…")

    def _on_call_finished(self, result: object) -> None:
        assert isinstance(result, DryRunResult)
        self._timer.stop()
        self.result = result
        self.progress_bar.hide()
        self.cancel_button.setEnabled(False)
        self.status_label.setText(summary_text(result))
        if result.error:
            self.error_label.setText(f"Could not finish: {result.error}")
        self.model.set_records(result.records)
        self.table.resizeColumnsToContents()
        self.outcome_combo.setEnabled(True)
        self.export_button.setEnabled(bool(result.records))

    def _on_call_failed(self, message: str) -> None:
        self._timer.stop()
        self.progress_bar.hide()
        self.cancel_button.setEnabled(False)
        self.status_label.setText("The dry run stopped.")
        self.error_label.setText(message)

    def _on_outcome_combo_changed(self, outcome: str) -> None:
        self.model.show_outcome(outcome)

    def _on_export_button_clicked(self) -> None:
        name = f"dry-run {self.job_name}.csv".replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(self, "Export the dry run", name,
                                              "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> int:
        """The rows shown (the outcome filter applies) as CSV with a BOM for Excel."""
        try:
            return write_dry_run_csv(self.model.rows(), path, bom=True)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot export", f"Cannot write {path}: {exc.strerror}")
            return 0

    def done(self, result: int) -> None:
        """Closing stops a dry run under way (at its next page) and waits for its thread."""
        self._cancel.set()
        self._timer.stop()
        self._call.quit_and_wait()
        super().done(result)


def summary_text(result: DryRunResult) -> str:
    """Totals in one line, and the status the run would end with."""
    if result.cancelled:
        head = "Cancelled: the records below are those read before."
    else:
        head = f"The run would end {result.status}."
    totals = " · ".join(f"{name} {count:,}" for name, count in result.totals().items())
    notes = "".join(f"\n{note}" for note in result.notes)
    return f"{head} {totals} · Filtered out {result.counts.filtered:,}{notes}"
