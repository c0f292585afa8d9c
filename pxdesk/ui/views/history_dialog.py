"""History dialog: the saved versions of a job or of the connection, the diff of one or two,
and Restore (confirmed; the restore is saved as a new version)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.config.history import Version
from pxdesk.core.config.job_service import JobService
from pxdesk.core.errors import PxdeskError
from pxdesk.ui.widgets import ask_yes_no, dialog_buttons, error_label

HEADERS = ("Version", "Saved", "By", "Action", "Summary")
# (parent, title, question) -> yes?
Confirm = Callable[[QWidget, str, str], bool]


def ask_confirmation(parent: QWidget, title: str, question: str) -> bool:
    return ask_yes_no(parent, title, question)


class VersionSource(Protocol):
    """What the dialog asks the core: ConnectionService answers it as is, a job through
    JobVersions."""

    def history(self) -> list[Version]: ...

    def diff(self, old: int, new: int) -> list[str]: ...

    def restore(self, number: int) -> Version | None: ...


class JobVersions:
    """One job's versions through JobService, following the job's name when a restore
    renames it."""

    def __init__(self, service: JobService, name: str) -> None:
        self._service = service
        self.name = name

    def history(self) -> list[Version]:
        return self._service.history(self.name)

    def diff(self, old: int, new: int) -> list[str]:
        return self._service.diff(self.name, old, new)

    def restore(self, number: int) -> Version | None:
        version = self._service.restore(self.name, number)
        if version is not None:
            self.name = self._service.parse_json(version.config).name
        return version


class HistoryDialog(QDialog):
    """Versions newest first; one selected shows what it changed, two their difference."""

    restored = Signal()

    def __init__(self, title: str, source: VersionSource, parent: QWidget | None = None,
                 confirm: Confirm = ask_confirmation) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._source = source
        self._confirm = confirm
        self._versions: list[Version] = []
        intro = QLabel("Every saved change is a version. Select one to see what it changed, "
                       "or two to compare them.", self)
        intro.setWordWrap(True)
        self.versions_table = QTableWidget(0, len(HEADERS), self)
        self.versions_table.setAccessibleName("Versions")
        self.versions_table.setHorizontalHeaderLabels(list(HEADERS))
        self.versions_table.verticalHeader().setVisible(False)
        self.versions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.versions_table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection)
        self.versions_table.horizontalHeader().setStretchLastSection(True)
        self.diff_view = QPlainTextEdit(self)
        self.diff_view.setAccessibleName("Differences")
        self.diff_view.setReadOnly(True)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.message_label = error_label(self)
        self.restore_button = QPushButton("Restore…", self)
        self.restore_button.setToolTip("Save the selected version again: the change is "
                                       "audited and becomes the newest version")
        buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.versions_table.itemSelectionChanged.connect(
            self._on_versions_table_item_selection_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.versions_table, 1)
        layout.addWidget(self.diff_view, 2)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.resize(820, 640)
        self.reload()

    def reload(self) -> None:
        """Read the versions again and select the newest."""
        try:
            self._versions = self._source.history()
        except PxdeskError as exc:
            self._versions = []
            self.message_label.setText(str(exc))
        table = self.versions_table
        table.setRowCount(len(self._versions))
        for row, v in enumerate(self._versions):
            when = datetime.fromtimestamp(v.at / 1000).strftime("%Y-%m-%d %H:%M:%S")
            for column, text in enumerate((str(v.number), when, v.user, v.action, v.summary)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        if self._versions:
            table.selectRow(0)
        else:
            self.diff_view.setPlainText("No versions yet: every save from now on is kept.")
        self._update_restore()

    def selected(self) -> list[Version]:
        """The selected versions, oldest first."""
        rows = {index.row() for index in self.versions_table.selectionModel().selectedRows()}
        return sorted((self._versions[r] for r in rows), key=lambda v: v.number)

    def _update_restore(self) -> None:
        chosen = self.selected()
        current = self._versions[0].number if self._versions else None
        self.restore_button.setEnabled(len(chosen) == 1 and chosen[0].number != current)

    def _on_versions_table_item_selection_changed(self) -> None:
        self._update_restore()
        chosen = self.selected()
        if len(chosen) == 1:
            self._show_changes_of(chosen[0])
        elif len(chosen) == 2:
            self._show_diff(chosen[0], chosen[1])
        else:
            self.diff_view.setPlainText("Select one version, or two to compare them.")

    def _show_changes_of(self, version: Version) -> None:
        earlier = [v for v in self._versions if v.number < version.number]
        if not earlier:
            self.diff_view.setPlainText(version.config)  # the first: all of it
            return
        self._show_diff(earlier[0], version)

    def _show_diff(self, old: Version, new: Version) -> None:
        try:
            lines = self._source.diff(old.number, new.number)
        except PxdeskError as exc:
            self.message_label.setText(str(exc))
            return
        self.diff_view.setPlainText("\n".join(lines) if lines else
                                    f"Versions {old.number} and {new.number} are the same.")

    def _on_restore_button_clicked(self) -> None:
        (version,) = self.selected()
        if not self._confirm(self, f"Restore version {version.number}?",
                             f"Save version {version.number} ({version.action}, "
                             f"{version.summary}) again? The current configuration stays "
                             "in the history; the restore is audited and becomes the newest "
                             "version."):
            return
        try:
            saved = self._source.restore(version.number)
        except PxdeskError as exc:
            self.message_label.setText(str(exc))
            return
        self.message_label.setText("" if saved is not None else
                                   f"Version {version.number} is the current configuration.")
        self.reload()
        self.restored.emit()
