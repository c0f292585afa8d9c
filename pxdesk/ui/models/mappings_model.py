"""Table model of a job's field mappings (a list of MappingConfig) with the upsert-key tick."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

COLUMNS = ("Source field (PX)", "Source type", "Target object", "Target field", "Target type",
           "Upsert key")
UPSERT_COLUMN = 5
_Index = QModelIndex | QPersistentModelIndex
OBJECT_LABELS = {"company": "Company", "person": "Person", "company_person": "Company Person",
                 "company_instance": "Company Instance"}


class MappingsTableModel(QAbstractTableModel):
    """Rows are MappingConfig dataclasses; the upsert column is checkable unless locked."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._labels: dict[tuple[str, str], str] = {}  # (object, api name) -> label
        self.upsert_locked = False

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_labels(self, labels: dict[tuple[str, str], str]) -> None:
        self._labels = dict(labels)

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def add_row(self, mapping: Any) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(mapping)
        self.endInsertRows()
        return row

    def replace_row(self, row: int, mapping: Any) -> None:
        self._rows[row] = mapping
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == UPSERT_COLUMN and not self.upsert_locked:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        m = self._rows[index.row()]
        column = index.column()
        if column == UPSERT_COLUMN:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if m.upsert_key else Qt.CheckState.Unchecked
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        label = self._labels.get((m.target_object, m.target_field), m.target_field)
        values = (m.source_path, m.source_type, OBJECT_LABELS.get(m.target_object,
                                                                  m.target_object),
                  label, m.target_type)
        return values[column]

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.column() != UPSERT_COLUMN or role != Qt.ItemDataRole.CheckStateRole:
            return False
        if self.upsert_locked:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        self._rows[index.row()] = dataclasses.replace(self._rows[index.row()],
                                                      upsert_key=checked)
        self.dataChanged.emit(index, index, [role])
        return True
