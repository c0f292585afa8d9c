"""Data tab: browse Company, Person, Company Person and Company Instance; open a record."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.store.enums import TargetObject
from pxdesk.core.store.records import RecordQuery, record_details
from pxdesk.ui.models.records_model import RecordsTableModel

SEARCH_DELAY_MS = 250


class RecordDialog(QDialog):
    """Every field of one record, custom fields included, read-only."""

    def __init__(self, title: str, fields: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
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
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 520)


class DataView(QWidget):
    """Object picker, search box, lazily paged table; double-click opens the record."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.object_combo = QComboBox(self)
        for obj in TargetObject:
            self.object_combo.addItem(obj.label, obj.value)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search (name, email, …)")
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel("", self)
        self.model = RecordsTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("records_table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.object_combo.currentIndexChanged.connect(self._on_object_combo_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        top = QHBoxLayout()
        top.addWidget(QLabel("Object", self))
        top.addWidget(self.object_combo)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.refresh()

    def current_object(self) -> str:
        return str(self.object_combo.currentData())

    def refresh(self) -> None:
        """Reload the current object (keeping the search and sort order)."""
        old = self.model.query
        same = old is not None and old.obj == self.current_object()
        query = RecordQuery(self.current_object(), self.search_edit.text(),
                            old.sort_key if same and old else "created_at",
                            bool(old.descending) if same and old else False)
        self.model.set_query(query)
        self.count_label.setText(f"{self.model.total:,} records")

    def _on_object_combo_changed(self, _index: int) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.refresh()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.open_record(index.row())

    def open_record(self, row: int) -> RecordDialog:
        gsid = self.model.gsid_at(row)
        label = self.object_combo.currentText()
        dialog = RecordDialog(f"{label} {gsid}", record_details(self.current_object(), gsid),
                              self)
        dialog.show()
        return dialog
