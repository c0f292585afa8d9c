"""Dry Run dialog: what a job's next run would do with each record, computed off the GUI
thread with progress and Cancel; filter by outcome, export to CSV off the GUI thread too.
Nothing is written. The table reads the result a window at a time; closing the dialog deletes
the result's temporary file."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from peewee import Database
from PySide6.QtCore import QTimer, Signal
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
from pxdesk.core.sync.dry_records import DryRecord
from pxdesk.core.sync.dry_run import OUTCOMES, DryRunResult, write_dry_run_csv
from pxdesk.core.sync.results import RunProgress
from pxdesk.ui.column_fit import ColumnFitter
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.dry_run_model import ALL_OUTCOMES, COLUMNS, DryRunModel
from pxdesk.ui.widgets import button_row, error_label, select_whole_rows, warning_label

# job name, progress, cancel -> the prediction (SyncEngine.dry_run, run in a worker thread)
DryRunner = Callable[..., DryRunResult]
PROGRESS_POLL_MS = 200


class _ExportCancelledError(Exception):
    """The dialog closed during an export: the export stops at its next record."""


class DryRunDialog(QDialog):
    """Starts the dry run when created; `result` holds the prediction once it is shown."""

    exported = Signal(int)  # records written by an export

    def __init__(self, job_name: str, dry_runner: DryRunner, db: Database | None,
                 parent: QWidget | None = None, *, note: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Dry Run: {job_name}")
        self.resize(900, 560)
        self.job_name = job_name
        self.result: DryRunResult | None = None
        self._runner = dry_runner
        self._cancel = threading.Event()
        self._closing = threading.Event()  # an export under way stops at its next record
        self._export: BackgroundCall | None = None
        self._export_path: Path | None = None
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
        self.shown_label = QLabel(self)
        self.model.modelReset.connect(self._on_model_changed)
        self.model.rowsInserted.connect(self._on_model_changed)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        select_whole_rows(self.table, QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)  # one line a record: the tooltip holds the rest
        # Sized from the first rows of each filter only (the fitter measures a sample): a
        # window of long details would cost the GUI thread.
        self.column_fitter = ColumnFitter(self.table, fill_column=len(COLUMNS) - 1)
        self.export_button = QPushButton(icon(Icon.EXPORT), "Export CSV…", self)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.cancel_button = QPushButton(icon(Icon.CANCEL_RUN), "Cancel", self)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.reject)
        for widget in (self.outcome_combo, self.export_button):
            widget.setEnabled(False)
        layout = QVBoxLayout(self)
        for widget in (intro, self.note_label, self.status_label, self.error_label,
                       self.progress_bar):
            layout.addWidget(widget)
        layout.addLayout(button_row(self.outcome_combo, self.export_button, self.shown_label))
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

    def _on_model_changed(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        self.shown_label.setText(f"{shown:,} of {total:,} shown"
                                 + (" (scroll for more)" if shown < total else ""))

    def _on_export_button_clicked(self) -> None:
        name = f"dry-run {self.job_name}.csv".replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(self, "Export the dry run", name,
                                              "CSV files (*.csv)")
        if path:
            self.start_export(Path(path))

    def start_export(self, path: Path) -> None:
        """Export in a worker (a million records take seconds); `exported` tells the count."""
        if self._export is not None or self.result is None:
            return
        self._export_path = path
        self.export_button.setEnabled(False)
        self.status_label.setText(f"Exporting to {path}…")
        self._export = BackgroundCall(partial(self.export_to, path), None, self)
        self._export.finished.connect(self._on_export_finished)
        self._export.failed.connect(self._on_export_failed)
        self._export.start()

    def export_to(self, path: Path) -> int:
        """Every record of the outcome shown (not only the rows fetched so far), streamed from
        the result as CSV with a BOM for Excel. Raises OSError when the file cannot be written.
        Called in the export's worker."""
        assert self.result is not None
        records = self.result.records.iter(self.model.outcome)
        return write_dry_run_csv(self._unless_closing(records), path, bom=True)

    def _unless_closing(self, records: Iterator[DryRecord]) -> Iterator[DryRecord]:
        for record in records:
            if self._closing.is_set():
                raise _ExportCancelledError
            yield record

    def _on_export_finished(self, count: object) -> None:
        assert isinstance(count, int)
        self._export = None
        self.export_button.setEnabled(True)
        self.status_label.setText(f"{count:,} records exported to {self._export_path}.")
        self.exported.emit(count)

    def _on_export_failed(self, message: str) -> None:
        self._export = None
        self.export_button.setEnabled(True)
        self.status_label.setText("The export stopped.")
        QMessageBox.warning(self, "Cannot export",
                            f"Cannot write {self._export_path}: {message}")

    def done(self, result: int) -> None:
        """Closing stops a dry run or an export under way and waits for their threads, then
        deletes the result's temporary file."""
        self._cancel.set()
        self._closing.set()
        self._timer.stop()
        self._call.quit_and_wait()
        if self._export is not None:
            self._export.quit_and_wait()
        if self.result is not None:
            self.result.close()
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
