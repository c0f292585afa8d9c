"""Import From Date: pick a from-to date range (local days, both inclusive); warns when it
starts before PX's data retention."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStyle,
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


class DateLineEdit(QLineEdit):
    """A date typed as YYYY-MM-DD and kept as typed (a date edit dropped a year typed over
    its selection); the arrow at its end picks one on a calendar."""

    FORMAT = "yyyy-MM-dd"

    def __init__(self, value: QDate, parent: QWidget | None = None) -> None:
        super().__init__(value.toString(self.FORMAT), parent)
        self.setPlaceholderText("YYYY-MM-DD")
        self.setMaxLength(10)
        arrow = self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown)
        self.pick_action = self.addAction(arrow, QLineEdit.ActionPosition.TrailingPosition)
        self.pick_action.setText("Date Picker")  # the icon button's name
        self.pick_action.setToolTip("Pick the date on a calendar")
        self.pick_action.triggered.connect(self._on_pick_triggered)
        self.calendar = QCalendarWidget(self)
        self.calendar.setWindowFlags(Qt.WindowType.Popup)
        self.calendar.clicked.connect(self._on_calendar_clicked)

    def date(self) -> QDate | None:
        """The typed date, or None while the text is not a whole valid date."""
        value = QDate.fromString(self.text().strip(), self.FORMAT)
        return value if value.isValid() else None

    def setDate(self, value: QDate) -> None:
        self.setText(value.toString(self.FORMAT))

    def _on_pick_triggered(self) -> None:
        self.calendar.setSelectedDate(self.date() or QDate.currentDate())
        self.calendar.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.calendar.show()

    def _on_calendar_clicked(self, value: QDate) -> None:
        self.setDate(value)
        self.calendar.hide()


class ImportFromDateDialog(QDialog):
    """Asks for the range; the window of the job does not move for such a run."""

    def __init__(self, job_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import From Date — {job_name}")
        today = QDate.currentDate()
        self.from_date_edit = DateLineEdit(today.addDays(-7), self)
        self.to_date_edit = DateLineEdit(today, self)
        for edit, which in ((self.from_date_edit, "From"), (self.to_date_edit, "To")):
            edit.textChanged.connect(self._on_date_changed)
            edit.pick_action.setText(f"{which} Date Picker")
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

    def _problem(self) -> str | None:
        start, end = self.from_date_edit.date(), self.to_date_edit.date()
        if start is None or end is None:
            label = "From" if start is None else "To"
            return f"Enter '{label}' as YYYY-MM-DD, e.g. 2025-03-01."
        return "'From' must not be after 'To'." if start > end else None

    def _on_date_changed(self) -> None:
        problem = self._problem()
        self.error_label.setText(problem or "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)
        warning = None
        if problem is None:
            warning = retention_warning(self.range_ms()[0], datetime.now().astimezone())
        self.retention_label.setText(warning or "")
        self.retention_label.setVisible(warning is not None)

    def range_ms(self) -> tuple[int, int]:
        """The range as typed; only asked once both dates are valid (Import is disabled
        until then)."""
        start, end = self.from_date_edit.date(), self.to_date_edit.date()
        if start is None or end is None:
            raise ValueError("the dates are not both valid")
        return day_range_ms(start.toPython(), end.toPython())
