"""Data tab: browse Company, Person, Company Person and Company Instance; open a record;
export what is shown to CSV or .xlsx."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.background import BackgroundCalls
from pxdesk.core.store.base import database_proxy
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.store.record_export import export_records
from pxdesk.core.store.records import RecordQuery, record_details
from pxdesk.ui.column_fit import cell_width, header_width
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.records_model import RecordsTableModel
from pxdesk.ui.theme import set_accent
from pxdesk.ui.views.lineage_panel import LineagePanel
from pxdesk.ui.widgets import dialog_buttons

SEARCH_DELAY_MS = 250
# A column sized to its content stops here (a long URL or JSON value must not take the row);
# an empty one stays as narrow as its title. Key columns, what a row is found by, get more.
MAX_COLUMN_WIDTH = 320
SIZE_ROWS = 40  # rows a column's width is fitted to (the first screenful or two)
MAX_KEY_COLUMN_WIDTH = 480
KEY_COLUMNS = frozenset({"email", "name", "person_email", "person_name", "company_name",
                         "px_account_id", "gsid"})
EXPORT_FILTERS = "CSV (*.csv);;Excel workbook (*.xlsx)"
# (parent, dialog title, suggested file name) -> chosen path, or None when cancelled.
AskExportPath = Callable[[QWidget, str, str], Path | None]


def ask_export_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The file dialog: the chosen filter's suffix is added when the name has none."""
    name, chosen = QFileDialog.getSaveFileName(parent, title, suggested, EXPORT_FILTERS)
    if not name:
        return None
    path = Path(name)
    if not path.suffix:
        path = path.with_suffix(".xlsx" if "xlsx" in chosen else ".csv")
    return path


class RecordDialog(QDialog):
    """Every field of one record, custom fields included, read-only; with a `lineage` panel,
    it is the second tab."""

    def __init__(self, title: str, fields: list[tuple[str, str]],
                 parent: QWidget | None = None, lineage: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.table = QTableWidget(len(fields), 2, self)
        self.table.setHorizontalHeaderLabels(["Field", "Value"])
        self.table.verticalHeader().setVisible(False)
        for row, (label, value) in enumerate(fields):
            self.table.setItem(row, 0, QTableWidgetItem(label))
            self.table.setItem(row, 1, QTableWidgetItem(value))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.table, "Fields")
        if lineage is not None:
            self.tabs.addTab(lineage, "Lineage")
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(640, 560)


class DataView(QWidget):
    """Object picker, search box, lazily paged table read by workers (a busy bar shows while
    they read); double-click opens the record; Export… writes what is shown."""

    def __init__(self, parent: QWidget | None = None,
                 ask_path: AskExportPath = ask_export_path) -> None:
        super().__init__(parent)
        self._ask_path = ask_path
        self._exports = BackgroundCalls(self, database_proxy)
        self._sized_for: object = None  # the query whose columns were sized to content
        self.object_combo = QComboBox(self)
        self.object_combo.setAccessibleName("Object")
        for obj in TargetObject:
            self.object_combo.addItem(obj.label, obj.value)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search (name, email, …)")
        self.search_edit.setAccessibleName("Search records")
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel("", self)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)  # busy, no known end
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Reading records")
        self.busy_bar.hide()
        self.export_button = QPushButton(icon(Icon.EXPORT, on_accent=True), "Export…", self)
        set_accent(self.export_button)
        self.export_button.setToolTip("Save the rows shown (search and sort included) as CSV "
                                      "or an Excel workbook")
        self.message_label = QLabel("", self)
        self.message_label.setWordWrap(True)
        self.model = RecordsTableModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Records")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("records_table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setWordWrap(False)  # dates on one line
        # Size columns from the rows on screen, not 1,000: that took ~60 ms of the GUI thread.
        self.table.horizontalHeader().setResizeContentsPrecision(0)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.model.busy_changed.connect(self._on_model_busy_changed)
        self.model.loaded.connect(self._on_model_loaded)
        self.model.read_failed.connect(self._on_model_read_failed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.object_combo.currentIndexChanged.connect(self._on_object_combo_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        top = QHBoxLayout()
        object_label = QLabel("&Object", self)
        object_label.setBuddy(self.object_combo)
        top.addWidget(object_label)
        top.addWidget(self.object_combo)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.busy_bar)
        top.addWidget(self.count_label)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_label)
        self.refresh()

    def current_object(self) -> str:
        return str(self.object_combo.currentData())

    def refresh(self) -> None:
        """Reload the current object (keeping the search and sort order)."""
        old = self.model.query
        same = old is not None and old.obj == self.current_object()
        query = RecordQuery(self.current_object(), self.search_edit.text(),
                            old.sort_key if same and old else "",
                            bool(old.descending) if same and old else False)
        if not same:
            self._sized_for = None
        self.model.set_query(query)

    def export(self) -> None:
        """Ask where, then write what is shown there in a worker."""
        query = self.model.query
        if query is None or self._exports.is_running():
            return
        path = self._ask_path(self, "Export records", f"{query.obj.value}.xlsx")
        if path is None:
            return
        self.export_button.setEnabled(False)
        self.busy_bar.show()
        self.message_label.setText(f"Exporting {self.model.total:,} records to {path}…")
        self._exports.start(partial(_export, query, path), self._on_export_finished,
                            self._on_export_failed)

    def _on_export_finished(self, result: object) -> None:
        self._export_ended()
        count, path = result if isinstance(result, tuple) else (0, "")
        self.message_label.setText(f"Exported {count:,} records to {path}")

    def _on_export_failed(self, message: str) -> None:
        self._export_ended()
        self.message_label.setText(f"Could not export: {message}")

    def _export_ended(self) -> None:
        self.export_button.setEnabled(True)
        self.busy_bar.setVisible(self.model.is_busy())

    def _on_model_busy_changed(self, busy: bool) -> None:
        self.busy_bar.setVisible(busy or self._exports.is_running())
        if busy and self.model.rowCount() == 0:
            self.count_label.setText("Reading…")

    def _on_model_loaded(self) -> None:
        self.count_label.setText(f"{self.model.total:,} records")
        if self._sized_for is None and self.model.rowCount():
            self._sized_for = self.model.query
            self.size_columns()

    def _on_model_read_failed(self, message: str) -> None:
        self.count_label.setText("")
        self.message_label.setText(f"Could not read the records: {message}")

    def size_columns(self) -> None:
        """Each column as wide as its title and the first rows need, up to a limit. Read
        from the rows: resizeColumnsToContents asked the model every role of every visible
        cell, a Python call each, which a running sync made wait for the GIL (70-90 ms)."""
        query = self.model.query
        if query is None:
            return
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        rows = [self.model.row_at(r) for r in range(min(self.model.rowCount(), SIZE_ROWS))]
        for column, spec in enumerate(query.columns):
            texts = [str(self.model.cell(row, column) or "") for row in rows if row is not None]
            limit = MAX_KEY_COLUMN_WIDTH if spec.key in KEY_COLUMNS else MAX_COLUMN_WIDTH
            wanted = max(cell_width(metrics, texts),
                         header_width(header.fontMetrics(), self.model.titles[column]))
            header.resizeSection(column, min(wanted, limit))

    def _on_object_combo_changed(self, _index: int) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.refresh()

    def _on_export_button_clicked(self) -> None:
        self.export()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.open_record(index.row())

    def open_record(self, row: int) -> RecordDialog:
        gsid = self.model.gsid_at(row)
        label = self.object_combo.currentText()
        dialog = RecordDialog(f"{label} {gsid}", record_details(self.current_object(), gsid),
                              self, LineagePanel(self.current_object(), gsid))
        dialog.show()
        return dialog


def _export(query: RecordQuery, path: Path) -> tuple[int, Path]:
    return export_records(query, path), path
