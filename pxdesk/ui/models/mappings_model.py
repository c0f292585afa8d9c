"""Table model of a job's field mappings (a list of MappingConfig) with the upsert-key tick."""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt

from pxdesk.core.store.enums import TargetObject
from pxdesk.ui.models.table_model import AnyIndex, Column, ListTableModel

UPSERT_COLUMN = 5
TARGET_FIELD_COLUMN = 3
COLUMNS: tuple[Column[Any], ...] = (
    Column("Source field (PX)", attrgetter("source_path")),
    Column("Source type", attrgetter("source_type")),
    Column("Target object", lambda m: TargetObject.label_of(m.target_object)),
    Column("Target field"),  # the field's label: see cell()
    Column("Target type", attrgetter("target_type")),
    Column("Upsert key"),  # a check box: see data()
)


class MappingsTableModel(ListTableModel[Any]):
    """Rows are MappingConfig dataclasses; the upsert column is checkable unless locked."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._labels: dict[tuple[str, str], str] = {}  # (object, api name) -> label
        self.upsert_locked = False

    def set_labels(self, labels: dict[tuple[str, str], str]) -> None:
        self._labels = dict(labels)

    def add_row(self, mapping: Any) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(mapping)
        self.endInsertRows()
        return row

    def replace_row(self, row: int, mapping: Any) -> None:
        self._rows[row] = mapping
        self.emit_row_changed(row)

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == UPSERT_COLUMN and not self.upsert_locked:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == UPSERT_COLUMN:
            if role != Qt.ItemDataRole.CheckStateRole:
                return None
            checked = self._rows[index.row()].upsert_key
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def cell(self, row: Any, column: int) -> Any:
        if column == TARGET_FIELD_COLUMN:
            return self._labels.get((row.target_object, row.target_field), row.target_field)
        return super().cell(row, column)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.column() != UPSERT_COLUMN or role != Qt.ItemDataRole.CheckStateRole:
            return False
        if self.upsert_locked:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self._rows[index.row()] = dataclasses.replace(self._rows[index.row()],
                                                      upsert_key=checked)
        self.dataChanged.emit(index, index, [role])
        return True
