"""Stage 3, Derived Mappings: target field <- GSID of a lookup record matched by up to 6 pairs."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.config.stages import Stage
from pxdesk.core.store.custom_fields import list_custom_fields
from pxdesk.core.store.enums import JobKind, LookupObject, TargetObject
from pxdesk.core.store.models import STANDARD_FIELDS, SYSTEM_FIELDS
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.widgets import button_row
from pxdesk.ui.wizards.stage_page import StagePage

MAX_PAIRS = 6


def _fields_of(obj: str) -> list[tuple[str, str]]:
    """(api name, label) of every field of a target object, system fields included."""
    fields = [(f.api_name, f.label) for f in STANDARD_FIELDS.get(obj, [])]
    fields += [(f.api_name, f.label) for f in list_custom_fields(obj)] if obj in \
        STANDARD_FIELDS else []
    return fields + [(f.api_name, f.label) for f in SYSTEM_FIELDS]


class DerivedPage(StagePage):
    STAGE = Stage.DERIVED

    def __init__(self, kind: str, sources: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._objects = [t.value for t in JobKind(kind).targets]
        self._sources = sources  # callable returning the current SourceField list
        self._items: list[Any] = []
        self._loading = False
        self.setSubTitle("Fill a GSID field with the record of a lookup object whose fields "
                         "equal the PX values (all pairs must match; email ignores case).")
        self.list = QListWidget(self)
        self.list.setObjectName("derived_list")
        self.list.setAccessibleName("Derived mappings")
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self.add_button = QPushButton(icon(Icon.ADD), "Add", self)
        self.remove_button = QPushButton(icon(Icon.REMOVE), "Remove", self)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        side = QVBoxLayout()
        side.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        side.addLayout(row)
        self.editor = self._build_editor()
        body = QHBoxLayout()
        body.addLayout(side, 1)
        body.addWidget(self.editor, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.error_label("derived"))
        layout.addWidget(self.issues_label)

    def _build_editor(self) -> QGroupBox:
        box = QGroupBox("Derived mapping", self)
        self.target_combo = QComboBox(box)
        for obj in self._objects:
            for api_name, label in _fields_of(obj):
                self.target_combo.addItem(f"{TargetObject.label_of(obj)}: {label}", (obj, api_name))
        self.lookup_combo = QComboBox(box)
        for lookup in LookupObject:
            self.lookup_combo.addItem(lookup.label, lookup.value)
        self.lookup_combo.currentIndexChanged.connect(self._on_lookup_combo_changed)
        self.pairs_table = QTableWidget(0, 2, box)
        self.pairs_table.setHorizontalHeaderLabels(["PX source field", "Lookup object field"])
        self.pairs_table.horizontalHeader().setStretchLastSection(True)
        self.pairs_table.setTabKeyNavigation(False)  # Tab goes to the pair's own combo boxes
        self.add_pair_button = QPushButton(icon(Icon.ADD_PAIR), "Add Pair", box)
        self.remove_pair_button = QPushButton(icon(Icon.REMOVE_PAIR), "Remove Pair", box)
        self.add_pair_button.clicked.connect(self._on_add_pair_button_clicked)
        self.remove_pair_button.clicked.connect(self._on_remove_pair_button_clicked)
        self.use_any_radio = QRadioButton("Use any one match (the oldest record)", box)
        self.multiple_error_radio = QRadioButton("Mark record with an error", box)
        self.none_error_radio = QRadioButton("Mark record with an error", box)
        self.none_default_radio = QRadioButton("Use default value", box)
        self._multiple_group = QButtonGroup(box)
        self._none_group = QButtonGroup(box)
        for button in (self.use_any_radio, self.multiple_error_radio):
            self._multiple_group.addButton(button)
        for button in (self.none_error_radio, self.none_default_radio):
            self._none_group.addButton(button)
        # The two "Mark record with an error" buttons must not sound alike.
        for radio, case in ((self.use_any_radio, "several"),
                            (self.multiple_error_radio, "several"),
                            (self.none_error_radio, "none"), (self.none_default_radio, "none")):
            radio.setAccessibleName(f"When {case} match: {radio.text().lower()}")
        self.default_edit = QLineEdit(box)
        self.default_edit.setPlaceholderText("empty = leave the field empty")
        self.default_edit.setAccessibleName("Default value")
        pair_buttons = button_row(self.add_pair_button, self.remove_pair_button)
        multiple = QVBoxLayout()
        multiple.addWidget(self.use_any_radio)
        multiple.addWidget(self.multiple_error_radio)
        none = QVBoxLayout()
        none.addWidget(self.none_error_radio)
        none.addWidget(self.none_default_radio)
        none.addWidget(self.default_edit)
        form = QFormLayout(box)
        form.addRow("Target field", self.target_combo)
        form.addRow("Lookup object", self.lookup_combo)
        form.addRow("Match pairs (max 6)", self.pairs_table)
        form.addRow("", pair_buttons)
        form.addRow("When several match", multiple)
        form.addRow("When none match", none)
        for signal in (self.target_combo.currentIndexChanged, self.use_any_radio.toggled,
                       self.none_default_radio.toggled, self.default_edit.textChanged):
            signal.connect(self._on_editor_changed)
        box.setEnabled(False)
        return box

    # ---- helpers ------------------------------------------------------------------------

    def _lookup_fields(self) -> list[tuple[str, str]]:
        lookup = str(self.lookup_combo.currentData())
        obj = self._objects[0] if lookup == "self" else lookup
        return _fields_of(obj)

    def _pair_row(self, source_path: str = "", lookup_field: str = "") -> None:
        row = self.pairs_table.rowCount()
        self.pairs_table.insertRow(row)
        source = QComboBox(self.pairs_table)
        for field in self._sources():
            source.addItem(f"{field.label} ({field.path})", field.path)
        if source_path and source.findData(source_path) < 0:
            source.addItem(source_path, source_path)
        source.setCurrentIndex(max(source.findData(source_path), 0))
        lookup = QComboBox(self.pairs_table)
        for api_name, label in self._lookup_fields():
            lookup.addItem(label, api_name)
        if lookup_field and lookup.findData(lookup_field) < 0:
            lookup.addItem(lookup_field, lookup_field)
        lookup.setCurrentIndex(max(lookup.findData(lookup_field), 0))
        source.currentIndexChanged.connect(self._on_editor_changed)
        lookup.currentIndexChanged.connect(self._on_editor_changed)
        self.pairs_table.setCellWidget(row, 0, source)
        self.pairs_table.setCellWidget(row, 1, lookup)
        self.add_pair_button.setEnabled(self.pairs_table.rowCount() < MAX_PAIRS)
        self._arrange_pairs()

    def _arrange_pairs(self) -> None:
        """Name each pair's combo boxes by its row, and put them in Tab's order: cell widgets
        join the focus chain at the page's end, Tab goes through the pairs row by row, then
        on to the controls under the table."""
        cells = []
        for row in range(self.pairs_table.rowCount()):
            source, lookup = self.pairs_table.cellWidget(row, 0), self.pairs_table.cellWidget(
                row, 1)
            source.setAccessibleName(f"PX source field of pair {row + 1}")
            lookup.setAccessibleName(f"Lookup object field of pair {row + 1}")
            cells += [source, lookup]
        previous: QWidget = self.pairs_table
        for widget in (*cells, self.add_pair_button, self.remove_pair_button,
                       self.use_any_radio, self.multiple_error_radio, self.none_error_radio,
                       self.none_default_radio, self.default_edit):
            QWidget.setTabOrder(previous, widget)
            previous = widget

    def _pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for row in range(self.pairs_table.rowCount()):
            source = self.pairs_table.cellWidget(row, 0)
            lookup = self.pairs_table.cellWidget(row, 1)
            pairs.append((str(source.currentData()), str(lookup.currentData())))
        return pairs

    def _show_item(self, item: Any) -> None:
        self._loading = True
        try:
            index = self.target_combo.findData((item.target_object, item.target_field))
            if index < 0:
                self.target_combo.addItem(item.target_field,
                                          (item.target_object, item.target_field))
                index = self.target_combo.count() - 1
            self.target_combo.setCurrentIndex(index)
            self.lookup_combo.setCurrentIndex(max(self.lookup_combo.findData(
                str(item.lookup_object)), 0))
            self.pairs_table.setRowCount(0)
            for pair in item.pairs:
                self._pair_row(pair.source_path, pair.lookup_field)
            use_any = str(item.on_multiple) == "use_any"
            (self.use_any_radio if use_any else self.multiple_error_radio).setChecked(True)
            default = str(item.on_none) == "default"
            (self.none_default_radio if default else self.none_error_radio).setChecked(True)
            self.default_edit.setText(item.default_value or "")
        finally:
            self._loading = False

    def _item_from_editor(self, template: Any) -> Any:
        from pxdesk.core.config.job_config import MatchPair

        obj, api_name = self.target_combo.currentData()
        return dataclasses.replace(
            template, target_object=obj, target_field=api_name,
            lookup_object=str(self.lookup_combo.currentData()),
            pairs=[MatchPair(source_path=s, lookup_field=f) for s, f in self._pairs()],
            on_multiple="use_any" if self.use_any_radio.isChecked() else "error",
            on_none="default" if self.none_default_radio.isChecked() else "error",
            default_value=self.default_edit.text() or None,
        )

    def _label(self, item: Any) -> str:
        pairs = " AND ".join(f"{p.source_path} = {p.lookup_field}" for p in item.pairs)
        return f"{item.target_field} <- {item.lookup_object} GSID where {pairs or '…'}"

    # ---- slots --------------------------------------------------------------------------

    def _on_list_current_row_changed(self, row: int) -> None:
        self.editor.setEnabled(0 <= row < len(self._items))
        if 0 <= row < len(self._items):
            self._show_item(self._items[row])

    def _on_editor_changed(self, *_args: Any) -> None:
        row = self.list.currentRow()
        if self._loading or not 0 <= row < len(self._items):
            return
        self._items[row] = self._item_from_editor(self._items[row])
        self.list.item(row).setText(self._label(self._items[row]))

    def _on_lookup_combo_changed(self, _index: int) -> None:
        if self._loading:
            return
        pairs = [(s, "") for s, _f in self._pairs()]  # lookup fields depend on the object
        self.pairs_table.setRowCount(0)
        for source, lookup in pairs:
            self._pair_row(source, lookup)
        self._on_editor_changed()

    def _on_add_pair_button_clicked(self) -> None:
        if self.pairs_table.rowCount() < MAX_PAIRS:
            self._pair_row()
            self._on_editor_changed()

    def _on_remove_pair_button_clicked(self) -> None:
        row = self.pairs_table.currentRow()
        self.pairs_table.removeRow(row if row >= 0 else self.pairs_table.rowCount() - 1)
        self.add_pair_button.setEnabled(self.pairs_table.rowCount() < MAX_PAIRS)
        self._arrange_pairs()
        self._on_editor_changed()

    def _on_add_button_clicked(self) -> None:
        from pxdesk.core.config.job_config import DerivedConfig

        obj, api_name = self.target_combo.itemData(0)
        item = DerivedConfig(target_object=obj, target_field=api_name, lookup_object="company",
                             pairs=[], on_multiple="use_any", on_none="error",
                             default_value=None)
        self._items.append(item)
        self.list.addItem(self._label(item))
        self.list.setCurrentRow(len(self._items) - 1)

    def _on_remove_button_clicked(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._items):
            del self._items[row]
            self.list.takeItem(row)

    # ---- load / store -------------------------------------------------------------------

    def load(self, config: Any) -> None:
        self._items = list(config.derived)
        self.list.clear()
        for item in self._items:
            self.list.addItem(self._label(item))
        if self._items:
            self.list.setCurrentRow(0)
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def store(self, config: Any) -> Any:
        return dataclasses.replace(config, derived=list(self._items))
