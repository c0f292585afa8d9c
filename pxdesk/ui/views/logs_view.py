"""The LOGS tab: execution, audit and connection logs with filters, drill-down and CSV export."""

from __future__ import annotations

import time
from datetime import tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QItemSelection, Qt, QTime, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.logs import queries
from pxdesk.core.logs.queries import AUDIT, CONNECTION, EXECUTION, LogFilter
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.sync.results import RunCrash, RunOutcome, RunProgress, RunResult, RunStart
from pxdesk.core.workers import RunListener
from pxdesk.ui.column_fit import ColumnFitter
from pxdesk.ui.flow_layout import FlowLayout, flow_group
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.log_models import DEFAULT_CHUNK, LogTableModel
from pxdesk.ui.status_pill import StatusPillDelegate
from pxdesk.ui.theme import set_accent
from pxdesk.ui.views.run_details import AskSavePath, RunDetailsPanel
from pxdesk.ui.widgets import select_whole_rows

TAB_TITLES = {EXECUTION: "Execution Logs", AUDIT: "Audit Logs", CONNECTION: "Connection Logs"}
ALL_JOBS = "All jobs"
ANY_STATUS = "Any status"
DETAILS_REFRESH_S = 1.0
SEARCH_DELAY_MS = 300  # typing pauses this long before the logs are queried again


def ask_save_csv_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The real file dialog; tests inject their own callable instead."""
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, "CSV files (*.csv)")
    return Path(name) if name else None


def _day_start_ms(day: QDate) -> int:
    """Local midnight of `day` as epoch ms."""
    return int(QDateTime(day, QTime(0, 0)).toMSecsSinceEpoch())


class LogsView(QWidget, RunListener):
    """Three lazily loaded log tables under one filter bar. Filters apply as soon as they change
    (typed text after a short pause); Refresh re-reads the store. The execution log also
    follows runs live through the on_run_* slots, which the app connects to JobRunner's
    signals."""

    def __init__(self, runs_dir: Path, parent: QWidget | None = None, *,
                 ask_save_path: AskSavePath = ask_save_csv_path, tz: tzinfo | None = None,
                 chunk: int = DEFAULT_CHUNK) -> None:
        super().__init__(parent)
        self.runs_dir = runs_dir  # run files: the drill-down saves them from here
        self._details_read = 0.0  # monotonic time the drill-down was last re-read live
        self._ask = ask_save_path
        self.models = {kind: LogTableModel(kind, self, chunk=chunk, tz=tz)
                       for kind in (EXECUTION, AUDIT, CONNECTION)}
        self.tables: dict[str, QTableView] = {}
        self.fitters: dict[str, ColumnFitter] = {}
        self._applied: LogFilter | None = None  # what refresh() last applied
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_filters_changed)
        self.details = RunDetailsPanel(runs_dir, ask_save_path, self, tz=tz)
        self.details.setObjectName("run_details")
        self._build_filter_bar()
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Log kinds")
        for kind, model in self.models.items():
            self.tabs.addTab(self._table_page(kind, model), TAB_TITLES[kind])
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        # Tab in reading order: the filters and log tabs, then the run details (made first).
        previous: QWidget = self.tables[EXECUTION]
        for widget in (self.details.fields_area, self.details.save_errors_button,
                       self.details.save_success_button, self.details.requests_button,
                       self.details.summary_table):
            QWidget.setTabOrder(previous, widget)
            previous = widget
        self.count_label = QLabel("", self)
        self.message_label = QLabel("", self)
        layout = QVBoxLayout(self)
        layout.addLayout(self._filter_bar)
        layout.addWidget(self.tabs, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addStretch(1)
        footer.addWidget(self.message_label)
        layout.addLayout(footer)
        for model in self.models.values():
            model.rowsInserted.connect(self._on_model_rows_changed)
            model.rowsRemoved.connect(self._on_model_rows_changed)
            model.modelReset.connect(self._on_model_rows_changed)
        self.refresh()
        self._connect_filters()

    # ---------------------------------------------------------------- building

    def _build_filter_bar(self) -> None:
        self.show_combo = QComboBox(self)
        self.show_combo.setObjectName("show_combo")
        self.show_combo.setAccessibleName("Show")
        self.show_combo.setMinimumContentsLength(22)
        self.status_combo = QComboBox(self)
        self.status_combo.setAccessibleName("Status")
        self.status_combo.addItem(ANY_STATUS, None)
        for status in RunStatus:
            self.status_combo.addItem(str(status), str(status))
        today = QDate.currentDate()
        self.from_check, self.from_edit = QCheckBox("From", self), QDateEdit(today.addDays(-7))
        self.to_check, self.to_edit = QCheckBox("To", self), QDateEdit(today)
        self.from_edit.setAccessibleName("From date")
        self.to_edit.setAccessibleName("To date")
        for check, edit in ((self.from_check, self.from_edit), (self.to_check, self.to_edit)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search…")
        self.search_edit.setAccessibleName("Search the log")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(220)
        self.search_edit.returnPressed.connect(self._on_filters_changed)
        self.refresh_button = QPushButton(icon(Icon.REFRESH), "Refresh", self)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(icon(Icon.EXPORT, on_accent=True), "Export CSV…", self)
        set_accent(self.export_button)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.bom_check = QCheckBox("BOM for Excel", self)
        self.bom_check.toggled.connect(self._on_bom_check_toggled)
        # A flow, not a row: in a half-screen window the filters wrap onto a second line.
        bar = FlowLayout()
        for group in ((QLabel("Show:", self), self.show_combo), (self.status_combo,),
                      (self.from_check, self.from_edit), (self.to_check, self.to_edit),
                      (self.search_edit,), (self.refresh_button, self.export_button,
                                            self.bom_check)):
            bar.addWidget(flow_group(self, *group))
        self._filter_bar = bar

    def _table_page(self, kind: str, model: LogTableModel) -> QWidget:
        table = QTableView(self)
        table.setObjectName(f"{kind}_table")
        table.setAccessibleName(TAB_TITLES[kind])
        table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        table.setModel(model)
        if "Status" in model.header:
            table.setItemDelegateForColumn(model.header.index("Status"),
                                           StatusPillDelegate(table))
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        # Fixed row heights and interactive columns: no per-row measuring, smooth at 100k rows.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        select_whole_rows(table, QHeaderView.ResizeMode.Interactive)
        reason = model.header.index("Reason") if "Reason" in model.header else None
        self.fitters[kind] = ColumnFitter(table, fill_column=reason)
        self.tables[kind] = table
        if kind != EXECUTION:
            return table
        table.selectionModel().selectionChanged.connect(self._on_execution_selection_changed)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(table)
        splitter.addWidget(self.details)
        # Half each: at 1366x768 the details show a run down to its Quality lines unscrolled,
        # and the log still shows about ten runs (a quarter cut the form at "Trigger:").
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        return splitter

    # ---------------------------------------------------------------- filters

    def current_kind(self) -> str:
        return list(self.models)[self.tabs.currentIndex()]

    def current_filter(self) -> LogFilter:
        """The filter the widgets describe now (applied by refresh())."""
        text = self.search_edit.text().strip()
        return LogFilter(
            job_name=self.show_combo.currentData(),
            status=self.status_combo.currentData(),
            date_from=_day_start_ms(self.from_edit.date()) if self.from_check.isChecked()
            else None,
            date_to=_day_start_ms(self.to_edit.date().addDays(1)) if self.to_check.isChecked()
            else None,
            text=text or None,
        )

    def _connect_filters(self) -> None:
        """Every filter widget re-applies the filters; text waits for a pause in typing."""
        for combo in (self.show_combo, self.status_combo):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        for check in (self.from_check, self.to_check):
            check.toggled.connect(self._on_filters_changed)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_filters_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)

    def _on_filters_changed(self, *_args: Any) -> None:
        """Re-query only when what the filters select changed (an unticked date does not)."""
        self._search_timer.stop()
        if self.current_filter() != self._applied:
            self.refresh()

    def _reload_job_choices(self) -> None:
        """Keep the chosen job selected while the list is rebuilt."""
        chosen = self.show_combo.currentData()
        self.show_combo.blockSignals(True)
        self.show_combo.clear()
        self.show_combo.addItem(ALL_JOBS, None)
        for connection, job in queries.job_choices():
            label = f"{connection} / {job}" if connection else job
            self.show_combo.addItem(label, job)
        index = self.show_combo.findData(chosen) if chosen is not None else 0
        self.show_combo.setCurrentIndex(max(index, 0))
        self.show_combo.blockSignals(False)

    def select_job(self, job_name: str | None) -> None:
        """Pick a job in the "Show" selector (applied at once, as a click would)."""
        if job_name is not None and self.show_combo.findData(job_name) < 0:
            self._reload_job_choices()
        index = self.show_combo.findData(job_name) if job_name is not None else 0
        self.show_combo.setCurrentIndex(max(index, 0))

    def show_run(self, run_id: int, job_name: str | None) -> bool:
        """Show one run (a clicked notification): clear the filters that could hide it, pick its
        job, reload and select its row. False when the run is not in the log any more."""
        self.tabs.setCurrentIndex(list(self.models).index(EXECUTION))
        for widget in self._filter_widgets():  # one query below, not one per cleared filter
            widget.blockSignals(True)
        self.status_combo.setCurrentIndex(0)
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        self.from_edit.setEnabled(False)
        self.to_edit.setEnabled(False)
        self.search_edit.clear()
        self.select_job(job_name)
        for widget in self._filter_widgets():
            widget.blockSignals(False)
        self._search_timer.stop()
        self.refresh()
        row = self.models[EXECUTION].row_of(run_id)
        if row >= 0:
            self.tables[EXECUTION].selectRow(row)
        return row >= 0

    def _filter_widgets(self) -> tuple[QWidget, ...]:
        return (self.show_combo, self.status_combo, self.from_check, self.to_check,
                self.from_edit, self.to_edit, self.search_edit)

    def refresh(self) -> None:
        """Apply the filters to every log and reload from the store."""
        self._reload_job_choices()
        f = self._applied = self.current_filter()
        for kind, model in self.models.items():
            # Status only means something for runs; the connection log has no job.
            model.set_filter(LogFilter(
                job_name=f.job_name if kind != CONNECTION else None,
                status=f.status if kind == EXECUTION else None,
                date_from=f.date_from, date_to=f.date_to, text=f.text))
        self.details.show_run(None)
        self._update_count()

    def _update_count(self) -> None:
        model = self.models[self.current_kind()]
        self.count_label.setText(f"{model.rowCount():,} of {model.total:,} row(s) loaded")

    def _on_model_rows_changed(self, *_args: Any) -> None:
        if self.sender() is self.models[self.current_kind()]:
            self._update_count()

    def _on_tabs_current_changed(self, _index: int) -> None:
        kind = self.current_kind()
        self.status_combo.setEnabled(kind == EXECUTION)
        self.show_combo.setEnabled(kind != CONNECTION)
        self._update_count()

    # ---------------------------------------------------------------- export

    def export_current(self, dest: Path) -> int:
        """Write the current log, exactly as filtered on screen, to `dest`."""
        kind = self.current_kind()
        count = queries.export_csv(kind, self.models[kind].filter, dest,
                                   bom=self.bom_check.isChecked())
        self.message_label.setText(f"{count:,} row(s) exported to {dest}")
        return count

    def _on_export_button_clicked(self) -> None:
        kind = self.current_kind()
        dest = self._ask(self, f"Export {TAB_TITLES[kind].lower()}", f"{kind}-log.csv")
        if dest is None:
            return
        try:
            self.export_current(dest)
        except OSError as exc:
            self.message_label.setText(f"Export failed: {exc}")

    def _on_bom_check_toggled(self, checked: bool) -> None:
        self.details.bom = checked

    # ---------------------------------------------------------------- drill-down

    def _on_execution_selection_changed(self, _sel: QItemSelection, _old: QItemSelection
                                        ) -> None:
        rows = self.tables[EXECUTION].selectionModel().selectedRows()
        model = self.models[EXECUTION]
        self.details.show_run(model.row_id(rows[0].row()) if rows else None)

    # ---------------------------------------------------------------- live updates (JobRunner)

    def on_run_started(self, start: RunStart) -> None:
        self._refresh_run(start.run_id)

    def on_run_progress(self, progress: RunProgress) -> None:
        """Counters from the page just done, applied in memory: a run sends several a second
        and the GUI thread must not query the store for each (the row is re-read at the end)."""
        values = {"status": RunStatus.IN_PROGRESS, "success_count": progress.success,
                  "failure_count": progress.failure, "pages": progress.pages,
                  "total_hits": progress.total_hits}
        self.models[EXECUTION].update_loaded_row(progress.run_id, values)
        if self.details.run_id == progress.run_id and self._details_due():
            self.details.refresh()

    def on_run_ended(self, outcome: RunOutcome) -> None:
        match outcome:
            case RunResult(run_id=run_id):
                self._refresh_run(run_id)
            case RunCrash():  # no row tells what happened: read them all again
                self.models[EXECUTION].reload()

    def _details_due(self) -> bool:
        """The drill-down of a running run is re-read at most once a second."""
        now = time.monotonic()
        if now - self._details_read < DETAILS_REFRESH_S:
            return False
        self._details_read = now
        return True

    def _refresh_run(self, run_id: int, overlay: dict[str, Any] | None = None) -> None:
        self.models[EXECUTION].refresh_row(run_id, overlay)
        if self.details.run_id == run_id:
            self.details.refresh()
