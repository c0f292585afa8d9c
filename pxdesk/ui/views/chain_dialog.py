"""Job Chain dialog: run the two jobs as one chain on its own schedule and recipients.

The chain is optional (the classic dependency model stays the default); the dialog proposes
one, saves, deletes and runs it through ChainService and the JobRunner. The schedule widgets
are the job wizard's schedule page, so both describe a schedule the same way.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.config.chain_service import ChainConfig, ChainService
from pxdesk.core.errors import PxdeskError
from pxdesk.core.workers import JobRunner
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.widgets import button_row, error_label
from pxdesk.ui.wizards.schedule_page import SchedulePage


def _addresses(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _align_label_columns(*forms: QFormLayout) -> None:
    """One label column for several forms stacked in a dialog: each label as wide as the
    widest, so every field starts at the same x."""
    labels = [item.widget() for form in forms for row in range(form.rowCount())
              if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
              and item.widget() is not None]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


class ChainDialog(QDialog):
    """Create, edit, delete or run the connection's job chain."""

    chain_changed = Signal()  # saved or deleted: schedules and the jobs table may have moved

    def __init__(self, service: ChainService, runner: JobRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Job Chain")
        self._service = service
        self._runner = runner
        saved = service.config()
        self._config: ChainConfig = saved or service.proposal()
        self.status_label = QLabel(self)
        self.name_edit = QLineEdit(self._config.name, self)
        self.members_label = QLabel(" \u2192 ".join(self._config.members), self)
        self.enabled_check = QCheckBox(
            "Run these jobs as one chain (their own schedules are ignored)", self)
        self.enabled_check.setChecked(self._config.enabled)
        self.success_edit = QLineEdit(", ".join(self._config.success_recipients), self)
        self.failure_edit = QLineEdit(", ".join(self._config.failure_recipients), self)
        for edit in (self.success_edit, self.failure_edit):
            edit.setPlaceholderText("name@example.com, other@example.com")
        self.schedule_page = SchedulePage(self)
        self.schedule_page.enabled_check.setChecked(True)
        self.schedule_page.enabled_check.setVisible(False)  # the chain's own check decides
        self.schedule_page.load(self._config)
        self.schedule_page.layout().setContentsMargins(0, 0, 0, 0)  # in line with the form
        self.error = error_label(self)
        self.save_button = QPushButton(icon(Icon.SAVE), "Save", self)
        self.delete_button = QPushButton(icon(Icon.DELETE), "Delete Chain", self)
        self.run_button = QPushButton(icon(Icon.IMPORT_NOW), "Run Chain Now", self)
        self.close_button = QPushButton("Close", self)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.run_button.clicked.connect(self._on_run_button_clicked)
        self.close_button.clicked.connect(self.accept)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Jobs, in order", self.members_label)
        form.addRow("", self.enabled_check)
        form.addRow("Success recipients", self.success_edit)
        form.addRow("Failure recipients", self.failure_edit)
        _align_label_columns(form, self.schedule_page.form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addLayout(form)
        layout.addWidget(self.schedule_page, 1)
        layout.addWidget(self.error)
        layout.addLayout(button_row(self.save_button, self.delete_button, self.run_button,
                                    self.close_button))
        self._show_state(saved is not None)

    def edited(self) -> ChainConfig:
        """The chain as the widgets say."""
        config = dataclasses.replace(
            self._config, name=self.name_edit.text().strip(),
            enabled=self.enabled_check.isChecked(),
            success_recipients=_addresses(self.success_edit.text()),
            failure_recipients=_addresses(self.failure_edit.text()))
        stored: ChainConfig = self.schedule_page.store(config)
        return dataclasses.replace(stored, schedule=dataclasses.replace(stored.schedule,
                                                                        enabled=True))

    def _show_state(self, exists: bool) -> None:
        self.status_label.setText(
            "A chain runs Company Sync, then Company Person Sync, on its own schedule."
            if exists else "No chain yet: each job runs on its own schedule, with its "
            "dependencies. Save to create the chain.")
        self.delete_button.setEnabled(exists)
        self.run_button.setEnabled(exists)

    def _on_save_button_clicked(self) -> None:
        self.error.clear()
        try:
            self._service.save(self.edited())
        except PxdeskError as exc:
            self.error.setText(str(exc))
            return
        self._config = self._service.config() or self._config
        self._show_state(True)
        self.chain_changed.emit()

    def _on_delete_button_clicked(self) -> None:
        self.error.clear()
        if self._service.delete():
            self._show_state(False)
            self.chain_changed.emit()

    def _on_run_button_clicked(self) -> None:
        self.error.clear()
        saved = self._service.config()
        if saved is None:
            return
        if not self._runner.start_chain(saved.name, saved.members, "manual"):
            self.error.setText("A job of the chain is running: wait for it to end.")
