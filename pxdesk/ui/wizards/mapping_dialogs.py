"""Dialogs of the mapping stage: pick a source and target for one mapping; add a custom field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.store.custom_fields import list_custom_fields
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.store.models import STANDARD_FIELDS
from pxdesk.core.sync.mapping import FIELD_TYPES
from pxdesk.ui.widgets import error_label, ok_cancel_buttons

# Read-only or engine-filled fields are never offered as mapping targets.
_NOT_MAPPABLE = {("company_person", "Person_ID"), ("company_person", "Company_ID")}


@dataclass(frozen=True)
class TargetField:
    obj: str
    api_name: str
    label: str
    type: str
    custom: bool


def target_fields(objects: list[str]) -> list[TargetField]:
    """Standard then custom fields of each target object (the target picker's list)."""
    found: list[TargetField] = []
    for obj in objects:
        found += [TargetField(obj, f.api_name, f.label, str(f.type), False)
                  for f in STANDARD_FIELDS[obj] if (obj, f.api_name) not in _NOT_MAPPABLE]
        found += [TargetField(obj, f.api_name, f.label, str(f.field_type), True)
                  for f in list_custom_fields(obj)]
    return found


class MappingDialog(QDialog):
    """Source list with types and a search box; target combo; upsert key tick."""

    def __init__(self, sources: list[Any], targets: list[TargetField], *,
                 upsert_editable: bool, current: Any | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit mapping" if current is not None else "Add mapping")
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Search PX fields")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search PX fields")
        self.search_edit.textChanged.connect(self._on_search_edit_changed)
        self.source_list = QListWidget(self)
        self.source_list.setAccessibleName("PX source fields")
        for field in sources:
            tag = " (custom)" if field.custom else ""
            item = QListWidgetItem(f"{field.label}{tag} — {field.path}  [{field.type}]",
                                   self.source_list)
            item.setData(Qt.ItemDataRole.UserRole, field)
        self.target_combo = QComboBox(self)
        for target in targets:
            obj = TargetObject.label_of(target.obj)
            tag = " (custom)" if target.custom else ""
            self.target_combo.addItem(f"{obj}: {target.label}{tag} [{target.type}]", target)
        self.upsert_check = QCheckBox("Upsert key (records are matched on this field)", self)
        self.upsert_check.setEnabled(upsert_editable)
        self.error_label = error_label(self, wrap=False)
        self.buttons = ok_cancel_buttons(self)
        form = QFormLayout()
        form.addRow("Target field", self.target_combo)
        form.addRow("", self.upsert_check)
        layout = QVBoxLayout(self)
        source_label = QLabel("&Source field (PX)", self)
        source_label.setBuddy(self.search_edit)
        layout.addWidget(source_label)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.source_list, 1)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        if current is not None:
            self._select(current)
        self.resize(620, 560)

    def _select(self, current: Any) -> None:
        for row in range(self.source_list.count()):
            field = self.source_list.item(row).data(Qt.ItemDataRole.UserRole)
            if field.path == current.source_path:
                self.source_list.setCurrentRow(row)
        for index in range(self.target_combo.count()):
            target = self.target_combo.itemData(index)
            if (target.obj, target.api_name) == (current.target_object, current.target_field):
                self.target_combo.setCurrentIndex(index)
        self.upsert_check.setChecked(bool(current.upsert_key))

    def _on_search_edit_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.source_list.count()):
            item = self.source_list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def select_source(self, path: str) -> None:
        for row in range(self.source_list.count()):
            if self.source_list.item(row).data(Qt.ItemDataRole.UserRole).path == path:
                self.source_list.setCurrentRow(row)
                return
        raise KeyError(path)

    def select_target(self, obj: str, api_name: str) -> None:
        for index in range(self.target_combo.count()):
            target = self.target_combo.itemData(index)
            if (target.obj, target.api_name) == (obj, api_name):
                self.target_combo.setCurrentIndex(index)
                return
        raise KeyError(api_name)

    def choice(self) -> tuple[Any, TargetField, bool] | None:
        item = self.source_list.currentItem()
        target = self.target_combo.currentData()
        if item is None or item.isHidden() or target is None:
            return None
        return item.data(Qt.ItemDataRole.UserRole), target, self.upsert_check.isChecked()

    def accept(self) -> None:
        if self.choice() is None:
            self.error_label.setText("Pick a source field and a target field.")
            return
        super().accept()


class CustomFieldDialog(QDialog):
    """Label, type and object of a new custom field (created through JobService)."""

    def __init__(self, objects: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add Custom Field")
        self.object_combo = QComboBox(self)
        for obj in objects:
            self.object_combo.addItem(TargetObject.label_of(obj), obj)
        self.label_edit = QLineEdit(self)
        self.type_combo = QComboBox(self)
        self.type_combo.addItems(list(FIELD_TYPES))
        self.error_label = error_label(self)
        buttons = ok_cancel_buttons(self)
        form = QFormLayout(self)
        form.addRow("Object", self.object_combo)
        form.addRow("Label", self.label_edit)
        form.addRow("Type", self.type_combo)
        form.addRow(self.error_label)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, str]:
        return (str(self.object_combo.currentData()), self.label_edit.text().strip(),
                self.type_combo.currentText())

    def accept(self) -> None:
        if not self.label_edit.text().strip():
            self.error_label.setText("A custom field needs a label.")
            return
        super().accept()
