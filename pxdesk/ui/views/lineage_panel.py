"""The record dialog's Lineage tab: the run that last wrote the row, the PX record it came from
(as that run received it) and the fields runs changed; read off the GUI thread."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.background import BackgroundCalls
from pxdesk.core.store.base import database, database_proxy
from pxdesk.core.store.lineage import Lineage, LineageSource, record_lineage

CHANGE_HEADERS = ("Run", "When", "Field", "Old", "New")


def _when(ms: int | None) -> str:
    return "" if ms is None else datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def _read(obj: str, gsid: str) -> Lineage:
    return record_lineage(database(), obj, gsid)


class LineagePanel(QWidget):
    """Reads the lineage of one row when built and shows it once read."""

    def __init__(self, obj: str, gsid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._calls = BackgroundCalls(self, database_proxy)
        self._sources: list[LineageSource] = []
        self.summary_label = QLabel("Reading where this record came from…", self)
        self.summary_label.setWordWrap(True)
        self.source_combo = QComboBox(self)
        self.source_combo.setAccessibleName("PX record")
        self.source_combo.hide()
        self.record_view = QPlainTextEdit(self)
        self.record_view.setAccessibleName("PX record as received")
        self.record_view.setReadOnly(True)
        self.record_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.changes_label = QLabel("Field changes, newest first", self)
        self.changes_table = QTableWidget(0, len(CHANGE_HEADERS), self)
        self.changes_table.setAccessibleName("Field changes")
        self.changes_table.setHorizontalHeaderLabels(list(CHANGE_HEADERS))
        self.changes_table.verticalHeader().setVisible(False)
        self.changes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.changes_table.horizontalHeader().setStretchLastSection(True)
        self.source_combo.currentIndexChanged.connect(self._on_source_combo_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.source_combo)
        layout.addWidget(self.record_view, 2)
        layout.addWidget(self.changes_label)
        layout.addWidget(self.changes_table, 1)
        self._calls.start(partial(_read, obj, gsid), self._on_read_finished,
                          self._on_read_failed)

    def is_reading(self) -> bool:
        return self._calls.is_running()

    def _on_read_finished(self, lineage: object) -> None:
        if isinstance(lineage, Lineage):
            self.show_lineage(lineage)

    def _on_read_failed(self, message: str) -> None:
        self.summary_label.setText(f"Could not read the lineage: {message}")

    def show_lineage(self, lineage: Lineage) -> None:
        if lineage.last_run_id is None:
            self.summary_label.setText("No sync run wrote this record (or it was written "
                                       "before pxdesk kept lineage).")
        else:
            self.summary_label.setText(
                f"Last written by run {lineage.last_run_id} (the Run ID of the execution "
                "log). The PX record below is as the last run that synced it received it.")
        self._sources = lineage.sources
        self.source_combo.clear()
        for source in lineage.sources:
            self.source_combo.addItem(
                f"{source.source_id} — {source.job_name}, run {source.run_id} "
                f"({source.run_status or 'removed'}, {_when(source.run_started_at)})")
        self.source_combo.setVisible(bool(lineage.sources))
        if not lineage.sources:
            self.record_view.setPlainText("")
        table = self.changes_table
        table.setRowCount(len(lineage.changes))
        for row, change in enumerate(lineage.changes):
            for column, text in enumerate((str(change.run_id), _when(change.at), change.field,
                                           change.old or "", change.new or "")):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        self.changes_label.setText("Field changes, newest first" if lineage.changes else
                                   "No field changed since the record was created")

    def _on_source_combo_changed(self, index: int) -> None:
        if 0 <= index < len(self._sources):
            record = self._sources[index].record
            self.record_view.setPlainText(
                "(not kept)" if record is None
                else json.dumps(record, indent=2, ensure_ascii=False))
