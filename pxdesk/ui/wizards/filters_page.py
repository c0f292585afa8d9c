"""Stage 4, Sync Filters: condition rows A, B, C… and the expression combining them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.config.stages import Stage
from pxdesk.core.px.fields import SourceField
from pxdesk.core.sync.filters import (
    OPERATORS,
    FilterCondition,
    FilterSpec,
    alias_for,
    operators_for,
    validate,
)
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.widgets import button_row, error_label
from pxdesk.ui.wizards.stage_page import StagePage

NO_VALUE = frozenset({"is_null", "is_not_null"})
LOCK_TEXT = "🔒 required"
MAX_FIELD_WIDTH = 320  # px: the field column, before the value column gets the rest


def parse_value(operator: str, text: str) -> Any:
    """The typed-in text as the condition value: 'lo, hi' for between, 'a, b, c' for a list."""
    if operator in NO_VALUE:
        return None
    if operator in ("between", "in_list"):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    return text.strip()


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


class FilterLineEdit(QLineEdit):
    """A value or expression box that keeps Enter: in a wizard an unhandled Enter presses Next,
    which left the page while the admin was still typing a condition."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class FiltersPage(StagePage):
    STAGE = Stage.FILTERS

    def __init__(self, sources: Callable[[], list[SourceField]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sources = sources
        self._locked: dict[int, FilterCondition] = {}  # row -> locked condition (kept as is)
        self.setSubTitle("Only PX records matching the filter are synced. Conditions are named "
                         "A, B, C…; the expression combines them (empty = all ANDed).")
        # Made in reading order, which is Tab's order: the buttons sit above the table.
        self.add_button = QPushButton(icon(Icon.ADD_CONDITION), "Add Condition", self)
        self.remove_button = QPushButton(icon(Icon.REMOVE_CONDITION), "Remove Condition",
                                         self)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("conditions_table")
        self.table.setAccessibleName("Conditions")
        self.table.setTabKeyNavigation(False)  # Tab goes to the row's own fields instead
        self.table.setHorizontalHeaderLabels(["", "Field", "Operator", "Value"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.expression_edit = FilterLineEdit(self)
        self.expression_edit.setPlaceholderText("e.g. A AND (B OR C); empty = all ANDed")
        self.expression_edit.textChanged.connect(self._on_expression_edit_changed)
        self.expression_status = error_label(self)
        buttons = button_row(self.add_button, self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label("conditions"))
        expression_label = QLabel("E&xpression", self)
        expression_label.setBuddy(self.expression_edit)
        layout.addWidget(expression_label)
        layout.addWidget(self.expression_edit)
        layout.addWidget(self.expression_status)
        layout.addWidget(self.issues_label)

    # ---- rows -----------------------------------------------------------------------------

    def add_condition(self, condition: FilterCondition | None = None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        alias = condition.alias if condition else self._next_alias()
        self.table.setItem(row, 0, QTableWidgetItem(alias))
        if condition is not None and condition.locked:
            self._locked[row] = condition
            self.table.setItem(row, 1, QTableWidgetItem(condition.field))
            self.table.setItem(row, 2, QTableWidgetItem(OPERATORS[condition.operator]))
            self.table.setItem(row, 3, QTableWidgetItem(LOCK_TEXT))
            for col in range(4):
                self.table.item(row, col).setToolTip("This condition cannot be removed.")
            return row
        field_combo = QComboBox(self.table)
        for field in self._sources():
            field_combo.addItem(f"{field.label} ({field.path})", field)
        if condition is not None and self._field_index(field_combo, condition.field) < 0:
            field_combo.addItem(condition.field, SourceField(
                condition.field, condition.field, condition.field_type, False))  # type: ignore[arg-type]
        operator_combo = QComboBox(self.table)
        value_edit = FilterLineEdit(self.table)
        value_edit.setPlaceholderText("value (between: lo, hi; in list: a, b, c)")
        for widget, part in ((field_combo, "Field"), (operator_combo, "Operator"),
                             (value_edit, "Value")):
            widget.setAccessibleName(f"{part} of condition {alias}")
        self.table.setCellWidget(row, 1, field_combo)
        self.table.setCellWidget(row, 2, operator_combo)
        self.table.setCellWidget(row, 3, value_edit)
        self._order_tabs()
        # header sizing ignores cell widgets: make room for "Label (path)" of most fields
        wide = min(field_combo.sizeHint().width(), MAX_FIELD_WIDTH)
        self.table.setColumnWidth(1, max(self.table.columnWidth(1), wide))
        if condition is not None:
            field_combo.setCurrentIndex(max(self._field_index(field_combo, condition.field), 0))
        self._fill_operators(row)
        if condition is not None:
            operator_combo.setCurrentIndex(max(operator_combo.findData(condition.operator), 0))
            value_edit.setText(show_value(condition.value))
        field_combo.currentIndexChanged.connect(self._on_field_combo_changed)
        operator_combo.currentIndexChanged.connect(self._on_condition_changed)
        value_edit.textChanged.connect(self._on_condition_changed)
        self._on_condition_changed()
        return row

    def _order_tabs(self) -> None:
        """Cell widgets join the focus chain at the page's end: Tab goes through the
        condition rows in order, then to the expression."""
        cells = [self.table.cellWidget(row, column)
                 for row in range(self.table.rowCount()) for column in (1, 2, 3)]
        previous: QWidget = self.table
        for widget in (*(cell for cell in cells if cell is not None), self.expression_edit):
            QWidget.setTabOrder(previous, widget)
            previous = widget

    @staticmethod
    def _field_index(combo: QComboBox, path: str) -> int:
        return next((i for i in range(combo.count()) if combo.itemData(i).path == path), -1)

    def _next_alias(self) -> str:
        used = {self.table.item(r, 0).text() for r in range(self.table.rowCount())
                if self.table.item(r, 0) is not None}
        return next(alias_for(i) for i in range(len(used) + 1) if alias_for(i) not in used)

    def _fill_operators(self, row: int) -> None:
        field = self.table.cellWidget(row, 1).currentData()
        combo: QComboBox = self.table.cellWidget(row, 2)
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for op in operators_for(field.type if field else "STRING"):
            combo.addItem(OPERATORS[op], op)
        combo.setCurrentIndex(max(combo.findData(current), 0))
        combo.blockSignals(False)

    def condition_at(self, row: int) -> FilterCondition:
        if row in self._locked:
            return self._locked[row]
        alias = self.table.item(row, 0).text()
        field = self.table.cellWidget(row, 1).currentData()
        operator = str(self.table.cellWidget(row, 2).currentData() or "")
        value = parse_value(operator, self.table.cellWidget(row, 3).text())
        return FilterCondition(alias, field.path if field else "",
                               field.type if field else "STRING", operator, value)

    def spec(self) -> FilterSpec:
        rows = range(self.table.rowCount())
        return FilterSpec(tuple(self.condition_at(r) for r in rows),
                          self.expression_edit.text().strip())

    # ---- slots --------------------------------------------------------------------------

    def _on_add_button_clicked(self) -> None:
        self.add_condition()

    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row in self._locked:
            return
        self.table.removeRow(row)
        self._locked = {(r - 1 if r > row else r): c for r, c in self._locked.items()}
        self._on_condition_changed()

    def _on_field_combo_changed(self, _index: int) -> None:
        for row in range(self.table.rowCount()):
            if row not in self._locked:
                self._fill_operators(row)
        self._on_condition_changed()

    def _on_condition_changed(self, *_args: Any) -> None:
        for row in range(self.table.rowCount()):
            if row in self._locked:
                continue
            operator = self.table.cellWidget(row, 2).currentData()
            self.table.cellWidget(row, 3).setEnabled(operator not in NO_VALUE)
        self._on_expression_edit_changed()

    def _on_expression_edit_changed(self, *_args: Any) -> None:
        """Validated as you type: the expression's issues right under the box."""
        issues = [i.message for i in validate(self.spec()) if i.field == "expression"]
        self.expression_status.setText("\n".join(issues) if issues else "")

    # ---- load / store -------------------------------------------------------------------

    def load(self, config: Any) -> None:
        self.table.setRowCount(0)
        self._locked.clear()
        for condition in config.filters.conditions:
            self.add_condition(condition)
        self.expression_edit.setText(config.filters.expression)

    def store(self, config: Any) -> Any:
        return dataclasses.replace(config, filters=self.spec())
