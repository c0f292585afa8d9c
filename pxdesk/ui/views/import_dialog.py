"""Import From Date: pick a from-to date range (local days, both inclusive); warns when it
starts before PX's data retention."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.px.data_retention import retention_warning
from pxdesk.ui.widgets import error_label, ok_cancel_buttons, warning_label


def day_range_ms(start: date, end: date) -> tuple[int, int]:
    """Epoch ms from the start of `start` to the end of `end`, in the machine's time zone."""
    lo = datetime.combine(start, time.min).astimezone()
    hi = datetime.combine(end + timedelta(days=1), time.min).astimezone()
    return int(lo.timestamp() * 1000), int(hi.timestamp() * 1000) - 1


class ImportFromDateDialog(QDialog):
    """Asks for the range; the window of the job does not move for such a run."""

    def __init__(self, job_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import From Date — {job_name}")
        today = QDate.currentDate()
        self.from_date_edit = QDateEdit(today.addDays(-7), self)
        self.to_date_edit = QDateEdit(today, self)
        for edit in (self.from_date_edit, self.to_date_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._on_date_changed)
        self.error_label = error_label(self, wrap=False)
        self.retention_label = warning_label(self)
        form = QFormLayout()
        form.addRow("From", self.from_date_edit)
        form.addRow("To", self.to_date_edit)
        note = QLabel("Reads the PX records modified in this range (both days included). "
                      "It does not move the job's incremental window.", self)
        note.setWordWrap(True)
        self.buttons = ok_cancel_buttons(self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.retention_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _on_date_changed(self) -> None:
        bad = self.from_date_edit.date() > self.to_date_edit.date()
        self.error_label.setText("'From' must not be after 'To'." if bad else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not bad)
        warning = retention_warning(self.range_ms()[0], datetime.now().astimezone())
        self.retention_label.setText(warning or "")
        self.retention_label.setVisible(warning is not None)

    def range_ms(self) -> tuple[int, int]:
        return day_range_ms(self.from_date_edit.date().toPython(),
                            self.to_date_edit.date().toPython())
