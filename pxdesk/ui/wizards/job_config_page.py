"""Stage 1, Job Configuration: name, modification type, dependencies, recipients, policies."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.config.stages import Stage
from pxdesk.core.config.validation import MAX_ALERT_PERCENT, MAX_RECONCILE_DAYS
from pxdesk.core.store.enums import ARROW, DeletionPolicy, JobKind
from pxdesk.ui.wizards.stage_page import StagePage

DELETION_LABEL = "When a record is gone from PX"
RECONCILE_LABEL = "Check for records deleted in PX every N days (0 = only when asked)"
ALERT_LABEL = "Alert when more than X% of records fail"
DELETE_HINT = ("Delete removes Company Person rows; a Person or Company only when nothing else "
               "references it.")
PERCENT_DECIMALS = 2


def split_emails(text: str) -> list[str]:
    """'a@x.io, b@y.io; c@z.io' -> three addresses (commas, semicolons or spaces)."""
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]


class JobConfigPage(StagePage):
    STAGE = Stage.CONFIGURATION

    def __init__(self, connection_name: str, other_jobs: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSubTitle("The connection and connector are fixed; name the job and choose how "
                         "it writes.")
        self.connection_label = QLabel(connection_name, self)
        self.connector_label = QLabel("Gainsight PX", self)
        self.source_label = QLabel("", self)
        self.name_edit = QLineEdit(self)
        self.update_radio = QRadioButton("Update: only existing records change", self)
        self.upsert_radio = QRadioButton("Upsert: update existing records, insert new ones",
                                         self)
        self._mode_group = QButtonGroup(self)
        self._mode_group.addButton(self.update_radio)
        self._mode_group.addButton(self.upsert_radio)
        self.dependencies_list = QListWidget(self)
        self.dependencies_list.setMaximumHeight(80)
        for name in other_jobs:
            item = QListWidgetItem(name, self.dependencies_list)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.success_edit = QLineEdit(self)
        self.failure_edit = QLineEdit(self)
        for edit in (self.success_edit, self.failure_edit):
            edit.setPlaceholderText("admin@example.com, ops@example.com")
        self.deletion_combo = QComboBox(self)
        for policy in DeletionPolicy:
            self.deletion_combo.addItem(policy.label, policy.value)
        self.deletion_hint = QLabel(DELETE_HINT, self)
        self.deletion_hint.setWordWrap(True)
        self.reconcile_spin = QSpinBox(self)
        self.reconcile_spin.setRange(0, MAX_RECONCILE_DAYS)
        self.reconcile_spin.setSuffix(" days")
        self.reconcile_spin.setSpecialValueText("Only when asked")  # shown for 0
        self.reconcile_spin.valueChanged.connect(self._on_reconcile_spin_value_changed)
        self.alert_spin = QDoubleSpinBox(self)
        self.alert_spin.setRange(0.0, MAX_ALERT_PERCENT)
        self.alert_spin.setDecimals(PERCENT_DECIMALS)
        self.alert_spin.setSuffix(" %")
        self._loaded_percent: float | None = None
        modes = QVBoxLayout()
        modes.addWidget(self.update_radio)
        modes.addWidget(self.upsert_radio)
        form = QFormLayout()
        form.addRow("Connection", self.connection_label)
        form.addRow("Connector", self.connector_label)
        form.addRow(f"Source {ARROW} Target", self.source_label)
        form.addRow("Job Na&me", self.name_edit)  # Alt+N is Next
        form.addRow("", self.error_label("name"))
        form.addRow("Data Modification Type", modes)
        form.addRow("", self.error_label("modification_type"))
        form.addRow("&Dependent Jobs (run first)", self.dependencies_list)
        form.addRow("", self.error_label("dependencies"))
        form.addRow("Notify on &success", self.success_edit)
        form.addRow("", self.error_label("success_recipients"))
        form.addRow("Notify on &failure", self.failure_edit)
        form.addRow("", self.error_label("failure_recipients"))
        form.addRow(DELETION_LABEL, self.deletion_combo)
        form.addRow("", self.deletion_hint)
        form.addRow("", self.error_label("deletion_policy"))
        form.addRow(RECONCILE_LABEL, self.reconcile_spin)
        form.addRow("", self.error_label("reconcile_days"))
        form.addRow(ALERT_LABEL, self.alert_spin)
        form.addRow("", self.error_label("alert_failure_percent"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.issues_label)
        layout.addStretch(1)

    def load(self, config: Any) -> None:
        self.source_label.setText(JobKind(config.kind).flow)
        self.name_edit.setText(config.name)
        upsert = str(config.modification_type) == "upsert"
        (self.upsert_radio if upsert else self.update_radio).setChecked(True)
        wanted = set(config.dependencies)
        for row in range(self.dependencies_list.count()):
            item = self.dependencies_list.item(row)
            state = Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked
            item.setCheckState(state)
        self.success_edit.setText(", ".join(config.success_recipients))
        self.failure_edit.setText(", ".join(config.failure_recipients))
        policy = self.deletion_combo.findData(str(config.deletion_policy))
        self.deletion_combo.setCurrentIndex(max(policy, 0))
        self.reconcile_spin.setValue(int(config.reconcile_days))
        self._loaded_percent = float(config.alert_failure_percent)
        self.alert_spin.setValue(self._loaded_percent)

    def _on_reconcile_spin_value_changed(self, days: int) -> None:
        self.reconcile_spin.setSuffix(" day" if days == 1 else " days")

    def _alert_percent(self) -> float:
        """The threshold shown; the loaded one when untouched, so a value with more decimals
        than the box shows (from a job file) is not rounded by merely opening the wizard."""
        shown = self.alert_spin.value()
        loaded = self._loaded_percent
        if loaded is not None and round(loaded, PERCENT_DECIMALS) == shown:
            return loaded
        return shown

    def store(self, config: Any) -> Any:
        items = (self.dependencies_list.item(i) for i in range(self.dependencies_list.count()))
        return dataclasses.replace(
            config,
            name=self.name_edit.text().strip(),
            modification_type="upsert" if self.upsert_radio.isChecked() else "update",
            dependencies=[i.text() for i in items if i.checkState() == Qt.CheckState.Checked],
            success_recipients=split_emails(self.success_edit.text()),
            failure_recipients=split_emails(self.failure_edit.text()),
            deletion_policy=str(self.deletion_combo.currentData()),
            reconcile_days=self.reconcile_spin.value(),
            alert_failure_percent=self._alert_percent(),
        )
