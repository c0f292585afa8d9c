"""Connectors tab: first-run choices, the PX connection card, the jobs table and live runs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from peewee import Database
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.background import ConnectionTestWorker
from pxdesk.core.config.chain_service import ChainService
from pxdesk.core.config.job_service import JobService
from pxdesk.core.config.stages import Stage
from pxdesk.core.errors import PxdeskError
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.sync.results import RunOutcome, RunProgress, RunStart
from pxdesk.core.workers import JobRunner, RunListener
from pxdesk.ui import queries
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.jobs_model import STATUS_COLUMN, JobsTableModel
from pxdesk.ui.status_pill import StatusPill, StatusPillDelegate
from pxdesk.ui.theme import set_accent
from pxdesk.ui.views.chain_dialog import ChainDialog
from pxdesk.ui.views.dry_run_dialog import DryRunDialog, DryRunner
from pxdesk.ui.views.history_dialog import HistoryDialog, JobVersions, VersionSource
from pxdesk.ui.views.import_dialog import ImportFromDateDialog
from pxdesk.ui.views.run_progress import RunProgressPanel
from pxdesk.ui.widgets import ask_yes_no, button_row, select_whole_rows
from pxdesk.ui.wizards.connection_wizard import ConnectionWizard

JobWizardFactory = Callable[[str, QWidget], Any]
TEST_VERDICTS = {RunStatus.SUCCESS: "Passed", RunStatus.FAILURE: "Failed",
                 RunStatus.IN_PROGRESS: "Testing"}


class FirstRunPanel(QWidget):
    """Shown while no connection exists: the two ways to start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h2>Welcome to pxdesk</h2>", self)
        text = QLabel("pxdesk copies your Gainsight PX accounts and users into a local store "
                      "on a schedule. Start with one of these:", self)
        text.setWordWrap(True)
        self.connect_button = QPushButton(icon(Icon.CONNECT, on_accent=True),
                                          "Connect to Gainsight PX", self)
        set_accent(self.connect_button)
        self.demo_button = QPushButton(icon(Icon.DEMO), "Try It With the Built-in PX Simulator",
                                       self)
        demo_note = QLabel("The simulator is a PX-compatible server on this machine with "
                           "sample accounts and users; it stops when pxdesk quits.", self)
        demo_note.setWordWrap(True)
        for button in (self.connect_button, self.demo_button):
            button.setMinimumHeight(44)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 32)
        for widget in (title, text, self.connect_button, self.demo_button, demo_note):
            layout.addWidget(widget)
        layout.addStretch(1)


class ConnectionCard(QGroupBox):
    """The PX connection: fields shown read-only, key masked; Edit / Test / Delete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Gainsight PX connection", parent)
        self.form = QFormLayout()
        self.value_labels: dict[str, QLabel] = {}
        for label in ("Name", "Region / base URL", "Multi Instance", "API key", "Last test",
                      "PX requests today (UTC)"):
            value = QLabel("", self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.value_labels[label] = value
            if label == "Last test":  # the verdict as a pill, as the jobs' last runs show
                self.test_pill = StatusPill(self)
                row = QHBoxLayout()
                row.addWidget(self.test_pill, 0, Qt.AlignmentFlag.AlignTop)
                row.addWidget(value, 1)
                self.form.addRow(label, row)
                continue
            self.form.addRow(label, value)
        self.edit_button = QPushButton(icon(Icon.EDIT), "Edit", self)
        self.test_button = QPushButton(icon(Icon.TEST_CONNECTION), "Test Connection", self)
        self.delete_button = QPushButton(icon(Icon.DELETE), "Delete", self)
        for button, name in ((self.edit_button, "Edit the connection"),
                             (self.test_button, "Test the connection"),
                             (self.delete_button, "Delete the connection")):
            button.setAccessibleName(name)  # the jobs box has an Edit button too
        self.history_button = QPushButton(icon(Icon.HISTORY), "History…", self)
        self.history_button.setAccessibleName("Connection history")
        self.history_button.setToolTip("Saved versions of the connection: compare, restore")
        buttons = button_row(self.edit_button, self.test_button, self.delete_button,
                             self.history_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(buttons)

    def show_connection(self, conn: Any) -> None:
        for label, text in queries.connection_card(conn).items():
            self.value_labels[label].setText(text)
        tested = None if conn.last_test_at is None else (
            RunStatus.SUCCESS if conn.last_test_ok else RunStatus.FAILURE)
        self.show_test(self.value_labels["Last test"].text(), tested)

    def show_test(self, text: str, status: RunStatus | None) -> None:
        """The last test in words, its verdict as a pill (none before the first test)."""
        self.value_labels["Last test"].setText(text)
        self.test_pill.set_status(TEST_VERDICTS.get(status, "") if status else "", status)


class ConnectorsView(QWidget, RunListener):
    """Everything about the connection and its two jobs; actions go to core services."""

    connection_changed = Signal()
    demo_requested = Signal()

    def __init__(self, connection_service: Any, runner: JobRunner, db: Database | None,
                 job_wizard_factory: JobWizardFactory | None = None,
                 parent: QWidget | None = None, *, dry_runner: DryRunner | None = None) -> None:
        super().__init__(parent)
        self._service = connection_service
        self._dry_runner = dry_runner
        self._runner = runner
        self._db = db
        self._job_wizard_factory = job_wizard_factory
        self._test_worker: ConnectionTestWorker | None = None
        self.first_run = FirstRunPanel(self)
        self.first_run.connect_button.clicked.connect(self._on_connect_button_clicked)
        self.first_run.demo_button.clicked.connect(self.demo_requested)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.first_run)
        self.stack.addWidget(self._build_connected())
        QVBoxLayout(self).addWidget(self.stack)
        self.refresh()

    def _build_connected(self) -> QWidget:
        page = QWidget(self)
        self.card = ConnectionCard(page)
        self.card.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.card.test_button.clicked.connect(self._on_test_button_clicked)
        self.card.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.card.history_button.clicked.connect(self._on_history_button_clicked)
        self.jobs_model = JobsTableModel(self)
        self.jobs_table = QTableView(page)
        self.jobs_table.setAccessibleName("Jobs")
        self.jobs_table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.jobs_table.setObjectName("jobs_table")
        self.jobs_table.setModel(self.jobs_model)
        self.jobs_table.setItemDelegateForColumn(STATUS_COLUMN, StatusPillDelegate(self))
        # Sized on refresh and resize only: ResizeToContents would re-measure every cell (a
        # Python call each, waiting for the GIL during a sync) on each live status change.
        select_whole_rows(self.jobs_table, QHeaderView.ResizeMode.Interactive)
        self.jobs_table.setWordWrap(False)  # one line per job: a narrow cell elides, never wraps
        self.jobs_table.viewport().installEventFilter(self)
        self._fix_labels: list[QLabel] = []
        self._start_tips: dict[QPushButton, str] = {}  # each start button's own tooltip
        self.jobs_table.doubleClicked.connect(self._on_edit_job_button_clicked)
        self.jobs_table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.edit_job_button = QPushButton(icon(Icon.EDIT), "Edit Job", page)
        self.edit_job_button.setAccessibleName("Edit the job")
        self.import_now_button = QPushButton(icon(Icon.IMPORT_NOW, on_accent=True),
                                             "Import Now", page)
        set_accent(self.import_now_button)
        self.import_from_date_button = QPushButton(icon(Icon.IMPORT_FROM_DATE),
                                                   "Import From Date…", page)
        self.check_deleted_button = QPushButton(icon(Icon.CHECK_DELETED), "Check for Deleted",
                                                page)
        self.check_deleted_button.setToolTip(
            "Import now, then list every id PX has and mark (or delete, as the job says) the "
            "rows of records deleted in PX. Runs by itself every few days (set in the job).")
        self.cancel_button = QPushButton(icon(Icon.CANCEL_RUN), "Cancel Run", page)
        self.edit_job_button.clicked.connect(self._on_edit_job_button_clicked)
        self.import_now_button.clicked.connect(self._on_import_now_button_clicked)
        self.import_from_date_button.clicked.connect(self._on_import_from_date_button_clicked)
        self.check_deleted_button.clicked.connect(self._on_check_deleted_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.chain_button = QPushButton(icon(Icon.JOB_CHAIN), "Job Chain…", page)
        self.chain_button.clicked.connect(self._on_chain_button_clicked)
        self.dry_run_button = QPushButton(icon(Icon.DRY_RUN), "Dry Run…", page)
        self.dry_run_button.setToolTip("Read PX and show what the next run would do with each "
                                       "record, writing nothing")
        self.dry_run_button.clicked.connect(self._on_dry_run_button_clicked)
        if self._dry_runner is None:
            self.dry_run_button.hide()
        self.job_history_button = QPushButton(icon(Icon.HISTORY), "History…", page)
        self.job_history_button.setAccessibleName("Job history")
        self.job_history_button.setToolTip("Saved versions of the job: compare, restore")
        self.job_history_button.clicked.connect(self._on_job_history_button_clicked)
        row_order = (self.edit_job_button, self.job_history_button, self.import_now_button,
                     self.import_from_date_button, self.check_deleted_button,
                     self.dry_run_button, self.cancel_button, self.chain_button, self.jobs_table)
        for before, after in itertools.pairwise(row_order):  # Tab order: as the row reads
            QWidget.setTabOrder(before, after)
        actions = button_row(*row_order[:-1])
        self.progress_panel = RunProgressPanel(page)
        jobs_box = QGroupBox("Jobs", page)
        jobs_layout = QVBoxLayout(jobs_box)
        jobs_layout.addLayout(actions)
        jobs_layout.addWidget(self.jobs_table, 1)
        jobs_layout.addWidget(self.progress_panel)
        layout = QVBoxLayout(page)
        layout.addWidget(self.card)
        layout.addWidget(jobs_box, 1)
        return page

    # ---- state --------------------------------------------------------------------------

    def refresh(self) -> None:
        conn = self._service.get()
        self.stack.setCurrentIndex(0 if conn is None else 1)
        if conn is None:  # deleted: no stale rows for buttons to act on
            self.jobs_model.set_rows([])
        else:
            self.card.show_connection(conn)
            selected = self.selected_job()
            self.jobs_model.set_rows(queries.job_rows())
            self._show_fixes()
            self.fit_columns()
            row = self.jobs_model.row_of(selected) if selected else 0
            if self.jobs_model.rowCount() and row >= 0:
                self.jobs_table.selectRow(row)
        self._update_buttons()

    def fit_columns(self) -> None:
        """Every column as wide as its text; the last one takes the free space, if any (when
        there is none the table scrolls: a stretched last column would read "…")."""
        header = self.jobs_table.horizontalHeader()
        header.setStretchLastSection(False)
        self.jobs_table.resizeColumnsToContents()
        header.setStretchLastSection(header.length() < self.jobs_table.viewport().width())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.jobs_table.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def _show_fixes(self) -> None:
        """A "Set it…" link over the status of each job that cannot run (run_blockers)."""
        for label in self._fix_labels:
            label.deleteLater()
        self._fix_labels = []
        for i, row in enumerate(self.jobs_model.rows()):
            if row.blocker is None:
                continue
            text = row.blocker.text(row.name).removesuffix(" — Set it…")
            label = QLabel(f'{text} — <a href="{row.blocker.fix_job}">Set it…</a>')
            label.setToolTip(row.blocker.tooltip(row.name))
            label.setContentsMargins(4, 0, 4, 0)
            label.setAccessibleName(f"{row.name}: {text}")
            label.linkActivated.connect(self._on_fix_label_link_activated)
            self.jobs_table.setIndexWidget(self.jobs_model.index(i, STATUS_COLUMN), label)
            self._fix_labels.append(label)

    def _on_fix_label_link_activated(self, job_name: str) -> None:
        self.open_job_wizard(job_name, Stage.MAPPINGS)

    def selected_job(self) -> str | None:
        rows = self.jobs_table.selectionModel().selectedRows()
        item = self.jobs_model.row_at(rows[0].row()) if rows else None
        return item.name if item else None

    def select_job(self, job_name: str) -> None:
        self.jobs_table.selectRow(self.jobs_model.row_of(job_name))

    def _update_buttons(self) -> None:
        name = self.selected_job()
        running = name is not None and self._runner.is_running(name)
        rows = self.jobs_table.selectionModel().selectedRows()
        row = self.jobs_model.row_at(rows[0].row()) if rows else None
        elsewhere = row.running if row is not None and not running else None
        self.edit_job_button.setEnabled(name is not None and self._job_wizard_factory is not None)
        self.job_history_button.setEnabled(name is not None)
        for button in (self.import_now_button, self.import_from_date_button,
                       self.check_deleted_button):  # a lease elsewhere would skip the run
            button.setEnabled(name is not None and not running and elsewhere is None)
            base = self._start_tips.setdefault(button, button.toolTip())
            button.setToolTip(f"{elsewhere}: it can start here once that run ends"
                              if elsewhere else base)
        self.dry_run_button.setEnabled(name is not None and not running)
        self.cancel_button.setEnabled(running)

    # ---- connection ---------------------------------------------------------------------

    def open_connection_wizard(self, prefill: dict[str, str] | None = None) -> ConnectionWizard:
        existing = self._service.get()
        wizard = ConnectionWizard(self._service, self._db, existing, self)
        if prefill:
            wizard.prefill(**prefill)
        wizard.saved.connect(self._on_wizard_saved)
        wizard.setModal(True)
        wizard.show()
        return wizard

    def _on_connect_button_clicked(self) -> None:
        self.open_connection_wizard()

    def _on_edit_button_clicked(self) -> None:
        if self._runs_block("editing"):
            return
        self.open_connection_wizard()

    def _runs_block(self, action: str) -> bool:
        """Renaming or deleting the connection renames or deletes the jobs under a run."""
        if not self._runner.running_jobs():
            return False
        QMessageBox.information(self, "Runs in progress",
                                f"Cancel the running imports before {action} the connection.")
        return True

    def _on_wizard_saved(self) -> None:
        self.refresh()
        self.connection_changed.emit()

    def _on_test_button_clicked(self) -> None:
        if self._test_worker is not None:
            return
        self._test_worker = ConnectionTestWorker(
            self._service.test, api_key=None, region=None, base_url=None, db=self._db,
            parent=self)
        self._test_worker.finished.connect(self._on_test_worker_finished)
        self._test_worker.failed.connect(self._on_test_worker_failed)
        self.card.test_button.setEnabled(False)
        self.card.show_test("Testing…", RunStatus.IN_PROGRESS)
        self._test_worker.start()

    def _on_test_worker_finished(self, result: Any) -> None:
        self._end_test()
        self.refresh()  # the service stored the verdict with the connection
        if not getattr(result, "ok", False):
            self.card.show_test(f"Failed: {result.message}", RunStatus.FAILURE)

    def _on_test_worker_failed(self, message: str) -> None:
        self._end_test()
        self.card.show_test(f"Failed: {message}", RunStatus.FAILURE)

    def _end_test(self) -> None:
        if self._test_worker is not None:
            self._test_worker.deleteLater()  # one per click: do not pile them up
        self._test_worker = None
        self.card.test_button.setEnabled(True)

    def _on_delete_button_clicked(self) -> None:
        if self._runs_block("deleting"):
            return
        if not ask_yes_no(self, "Delete the PX connection?", self._service.describe_delete()):
            return
        try:
            self._service.delete()
        except PxdeskError as exc:
            QMessageBox.warning(self, "Cannot delete the connection", str(exc))
        self.refresh()
        self.connection_changed.emit()

    # ---- jobs ---------------------------------------------------------------------------

    def _on_edit_job_button_clicked(self) -> None:
        name = self.selected_job()
        if name is not None:
            self.open_job_wizard(name)

    def open_job_wizard(self, job_name: str, stage: Stage | None = None) -> Any:
        """The job's wizard, modal, at `stage` (its first page when None)."""
        if self._job_wizard_factory is None:
            return None
        wizard = self._job_wizard_factory(job_name, self)
        wizard.finished.connect(self._on_job_wizard_finished)
        wizard.setModal(True)
        wizard.show()
        if stage is not None:
            wizard.show_stage(stage)
        return wizard

    def _on_job_wizard_finished(self, _result: int) -> None:
        self.refresh()

    def _on_job_history_button_clicked(self) -> None:
        name = self.selected_job()
        if name is not None:
            self.open_history(f"History of {name}",
                              JobVersions(JobService(user=self._service.user), name))

    def _on_history_button_clicked(self) -> None:
        if self._runs_block("restoring a version of"):  # a restore may rename the jobs
            return
        self.open_history("History of the PX connection", self._service)

    def open_history(self, title: str, source: VersionSource) -> HistoryDialog:
        """The History dialog; a restore refreshes the jobs and reloads the schedules."""
        dialog = HistoryDialog(title, source, self)
        dialog.restored.connect(self.refresh)
        dialog.restored.connect(self.connection_changed)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _on_chain_button_clicked(self) -> None:
        dialog = ChainDialog(ChainService(user=self._service.user), self._runner, self)
        dialog.chain_changed.connect(self.refresh)  # "Scheduled by chain" in the jobs table
        dialog.chain_changed.connect(self.connection_changed)  # the dispatcher reloads
        dialog.setModal(True)
        dialog.show()

    def _on_dry_run_button_clicked(self) -> None:
        name = self.selected_job()
        if name is not None:
            self.open_dry_run(name)

    def open_dry_run(self, job_name: str) -> DryRunDialog | None:
        """The dry run of `job_name`, started at once in its modal dialog."""
        if self._dry_runner is None:
            return None
        dialog = DryRunDialog(job_name, self._dry_runner, self._db, self)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _on_import_now_button_clicked(self) -> None:
        name = self.selected_job()
        if name is not None:
            self.start_run(name, "manual")

    def _on_import_from_date_button_clicked(self) -> None:
        name = self.selected_job()
        if name is None:
            return
        dialog = ImportFromDateDialog(name, self)
        if dialog.exec() == ImportFromDateDialog.DialogCode.Accepted:
            self.start_run(name, "import_from_date", dialog.range_ms())

    def _on_check_deleted_button_clicked(self) -> None:
        name = self.selected_job()
        if name is not None:
            self.start_run(name, "manual", reconcile=True)

    def start_run(self, job_name: str, trigger: str,
                  date_range: tuple[int, int] | None = None, *, reconcile: bool = False) -> bool:
        """Start the run; a job that cannot run opens where it is fixed instead (no run that
        is bound to fail is logged)."""
        blocker = queries.blocker_of(job_name)  # the store's word, not a row shown earlier
        if blocker is not None and self._job_wizard_factory is not None:
            self.open_job_wizard(blocker.fix_job, Stage.MAPPINGS)
            return False
        if any(row.blocker is not None for row in self.jobs_model.rows()):
            self.refresh()  # fixed elsewhere since they were shown: no stale "Set it…" stays
        started = self._runner.start(job_name, trigger, date_range, reconcile=reconcile)
        if started:
            self.jobs_model.set_running(job_name, "In Progress")
            self.progress_panel.begin(job_name)
        self._update_buttons()
        return started

    def _on_cancel_button_clicked(self) -> None:
        name = self.selected_job()
        if name is not None and self._runner.cancel(name):
            self.jobs_model.set_running(name, "Cancelling…")
            self.progress_panel.cancelling(name)

    def on_run_started(self, start: RunStart) -> None:
        if not self.progress_panel.has(start.job_name):
            self.progress_panel.begin(start.job_name)
        self.jobs_model.set_running(start.job_name, "In Progress")

    def on_run_progress(self, progress: RunProgress) -> None:
        self.progress_panel.update_progress(progress)
        self.jobs_model.set_live_counts(progress.job_name, progress.success, progress.failure)

    def on_run_ended(self, outcome: RunOutcome) -> None:
        """A dependency ended inside its top job's run: show its result now (its row only,
        then the columns fit its new text: a date must not wrap)."""
        name = outcome.job_name
        if not self._runner.is_running(name):
            self._end_row(name)
            self.jobs_model.update_rows([r for r in queries.job_rows() if r.name == name])
            self.fit_columns()

    def on_run_finished(self, job_name: str, _outcome: RunOutcome) -> None:
        self._end_row(job_name)
        self.refresh()

    def _end_row(self, job_name: str) -> None:
        self.jobs_model.set_running(job_name, None)
        self.progress_panel.end(job_name)
