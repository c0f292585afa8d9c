"""Stage 5, Schedule: enable, the five kinds with their fields, time zone, next 5 runs."""

from __future__ import annotations

import dataclasses
import zoneinfo
from datetime import datetime
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.config.job_config import JobConfig
from pxdesk.core.config.stages import Stage
from pxdesk.core.errors import PxdeskError
from pxdesk.core.store.enums import ScheduleKind
from pxdesk.ui.widgets import error_label
from pxdesk.ui.wizards.stage_page import StagePage
from pxdesk.ui.wizards.stale_alerts_box import StaleAlertsBox

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PREVIEW_COUNT = 5


def _time_edit(parent: QWidget) -> QLineEdit:
    """A plain text box: a time edit silently put back what broke its rules; this one keeps
    the text and the page says why it is refused (schedule.rules' message)."""
    edit = QLineEdit(parent)
    edit.setPlaceholderText("HH:MM")
    edit.setMaxLength(5)
    edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("00:00") * 2)
    return edit


def _hhmm(edit: QLineEdit) -> str:
    return edit.text().strip()


def _set_hhmm(edit: QLineEdit, text: str | None, default: str) -> None:
    edit.setText(text or default)


class _CurrentPanelStack(QStackedWidget):
    """As tall as the kind panel shown, not the tallest one: one "Every N hours" row would
    otherwise sit above the empty height of Daily Repeat's four."""

    def sizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()


class SchedulePage(StagePage):
    STAGE = Stage.SCHEDULE

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._config: Any = None
        self.setSubTitle("Times are wall-clock times in the chosen time zone (10:00 stays "
                         "10:00 across daylight saving). Import Now runs at any time.")
        self.enabled_check = QCheckBox("Enable Schedule", self)
        self.kind_combo = QComboBox(self)
        for kind in ScheduleKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.stack = _CurrentPanelStack(self)
        self.stack.currentChanged.connect(self._on_stack_current_changed)
        self.stack.addWidget(self._hourly())
        self.stack.addWidget(self._daily_once())
        self.stack.addWidget(self._daily_repeat())
        self.stack.addWidget(self._weekly())
        self.stack.addWidget(self._monthly())
        self.timezone_combo = QComboBox(self)
        self.timezone_combo.setEditable(True)
        self.timezone_combo.addItems(sorted(zoneinfo.available_timezones()))
        self.preview_list = QListWidget(self)
        self.preview_list.setObjectName("next_runs_list")
        self.preview_list.setMaximumHeight(120)
        self.preview_status = error_label(self)
        self.form = form = QFormLayout()  # the chain dialog lines its own form up with it
        form.addRow("", self.enabled_check)
        form.addRow("Frequency", self.kind_combo)
        form.addRow("", self.stack)
        form.addRow("Time zone", self.timezone_combo)
        form.addRow("Next runs", self.preview_list)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_status)
        layout.addWidget(self.error_label("schedule"))
        self.stale_box = StaleAlertsBox(self._edited_schedule, self)
        layout.addWidget(self.stale_box)
        layout.addWidget(self.error_label("stale_after_hours"))
        layout.addWidget(self.error_label("long_run_minutes"))
        layout.addWidget(self.issues_label)
        layout.addStretch(1)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.enabled_check.toggled.connect(self._on_schedule_changed)
        self.timezone_combo.currentTextChanged.connect(self._on_schedule_changed)

    # ---- kind panels --------------------------------------------------------------------

    def _panel(self) -> tuple[QWidget, QFormLayout]:
        panel = QWidget(self)
        form = QFormLayout(panel)
        form.setContentsMargins(0, 0, 0, 0)
        return panel, form

    def _hourly(self) -> QWidget:
        panel, form = self._panel()
        self.every_hours_spin = QSpinBox(panel)
        self.every_hours_spin.setRange(1, 24)
        self.every_hours_spin.valueChanged.connect(self._on_schedule_changed)
        form.addRow("Every N hours", self.every_hours_spin)
        return panel

    def _daily_once(self) -> QWidget:
        panel, form = self._panel()
        self.daily_time_edit = _time_edit(panel)
        self.daily_time_edit.textChanged.connect(self._on_schedule_changed)
        form.addRow("At", self.daily_time_edit)
        return panel

    def _daily_repeat(self) -> QWidget:
        panel, form = self._panel()
        self.start_time_edit = _time_edit(panel)
        self.end_time_edit = _time_edit(panel)
        self.repeat_hours_spin = QSpinBox(panel)
        self.repeat_hours_spin.setRange(1, 23)
        self.repeat_days_combo = QComboBox(panel)
        self.repeat_days_combo.addItem("Every day", "everyday")
        self.repeat_days_combo.addItem("Weekdays (Mon-Fri)", "weekdays")
        for widget_signal in (self.start_time_edit.textChanged, self.end_time_edit.textChanged,
                              self.repeat_hours_spin.valueChanged,
                              self.repeat_days_combo.currentIndexChanged):
            widget_signal.connect(self._on_schedule_changed)
        form.addRow("From (inclusive)", self.start_time_edit)
        form.addRow("To (inclusive)", self.end_time_edit)
        form.addRow("Every N hours", self.repeat_hours_spin)
        form.addRow("Days", self.repeat_days_combo)
        return panel

    def _weekly(self) -> QWidget:
        panel, form = self._panel()
        row = QHBoxLayout()
        self.day_checks: list[QCheckBox] = []
        for name in DAY_NAMES:
            check = QCheckBox(name, panel)
            check.toggled.connect(self._on_schedule_changed)
            self.day_checks.append(check)
            row.addWidget(check)
        self.weekly_time_edit = _time_edit(panel)
        self.weekly_time_edit.textChanged.connect(self._on_schedule_changed)
        form.addRow("On", row)
        form.addRow("At", self.weekly_time_edit)
        return panel

    def _monthly(self) -> QWidget:
        panel, form = self._panel()
        self.day_of_month_spin = QSpinBox(panel)
        self.day_of_month_spin.setRange(1, 31)
        self.monthly_time_edit = _time_edit(panel)
        self.day_of_month_spin.valueChanged.connect(self._on_schedule_changed)
        self.monthly_time_edit.textChanged.connect(self._on_schedule_changed)
        note = QLabel("Days 29-31 run on the last day of shorter months.", panel)
        form.addRow("Day of month", self.day_of_month_spin)
        form.addRow("At", self.monthly_time_edit)
        form.addRow("", note)
        return panel

    # ---- state --------------------------------------------------------------------------

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def schedule(self, base: Any) -> Any:
        kind = self.kind()
        time = {"daily_once": _hhmm(self.daily_time_edit),
                "weekly": _hhmm(self.weekly_time_edit),
                "monthly": _hhmm(self.monthly_time_edit)}.get(kind)
        days: Any = "everyday"
        if kind == "daily_repeat":
            days = str(self.repeat_days_combo.currentData())
        elif kind == "weekly":
            days = [i for i, check in enumerate(self.day_checks) if check.isChecked()]
        every = self.repeat_hours_spin.value() if kind == "daily_repeat" \
            else self.every_hours_spin.value()
        return dataclasses.replace(
            base, enabled=self.enabled_check.isChecked(), kind=kind, every_hours=every,
            time=time,
            start_time=_hhmm(self.start_time_edit) if kind == "daily_repeat" else None,
            end_time=_hhmm(self.end_time_edit) if kind == "daily_repeat" else None,
            days=days,
            day_of_month=self.day_of_month_spin.value() if kind == "monthly" else None,
            timezone=self.timezone_combo.currentText().strip(),
        )

    def _edited_schedule(self) -> Any:
        return self.schedule(self._config.schedule) if self._config is not None else None

    def _on_stack_current_changed(self, _index: int) -> None:
        self.stack.updateGeometry()  # its size hint is the new panel's

    def _on_kind_combo_changed(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        self._on_schedule_changed()

    def _on_schedule_changed(self, *_args: Any) -> None:
        self.refresh_preview()

    def refresh_preview(self) -> None:
        """The next runs from schedule.rules, or why there are none."""
        self.preview_list.clear()
        self.preview_status.clear()
        if self._config is None:
            return
        from pxdesk.core.schedule.rules import next_runs, validate_schedule

        schedule = self.schedule(self._config.schedule)
        problems = [message for _field, message in validate_schedule(schedule)]
        if problems:  # as typed, also while disabled: Save refuses them either way
            self.preview_status.setText("\n".join(problems))
            return
        if not schedule.enabled:
            self.preview_list.addItem("Schedule disabled: the job runs only on Import Now.")
            return
        try:
            runs = next_runs(schedule, datetime.now().astimezone(), count=PREVIEW_COUNT)
        except (PxdeskError, ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
            self.preview_status.setText(str(exc))
            return
        for when in runs:
            self.preview_list.addItem(when.strftime("%a %Y-%m-%d %H:%M %Z"))

    # ---- load / store -------------------------------------------------------------------

    def load(self, config: Any) -> None:
        self._config = None  # no previews while the widgets fill
        s = config.schedule
        self.enabled_check.setChecked(bool(s.enabled))
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(str(s.kind)), 0))
        self.every_hours_spin.setValue(int(s.every_hours or 1))
        self.repeat_hours_spin.setValue(int(s.every_hours or 1))
        _set_hhmm(self.daily_time_edit, s.time, "09:00")
        _set_hhmm(self.weekly_time_edit, s.time, "09:00")
        _set_hhmm(self.monthly_time_edit, s.time, "09:00")
        _set_hhmm(self.start_time_edit, s.start_time, "09:00")
        _set_hhmm(self.end_time_edit, s.end_time, "17:00")
        days = s.days
        self.repeat_days_combo.setCurrentIndex(1 if days == "weekdays" else 0)
        for i, check in enumerate(self.day_checks):
            check.setChecked(isinstance(days, list | tuple) and i in days)
        self.day_of_month_spin.setValue(int(s.day_of_month or 1))
        self.timezone_combo.setCurrentText(str(s.timezone))
        self._config = config
        # A job's own alerts; the chain dialog reuses this page, and a chain has none.
        self.stale_box.setVisible(isinstance(config, JobConfig))
        if isinstance(config, JobConfig):
            self.stale_box.load(config)
        self.refresh_preview()

    def store(self, config: Any) -> Any:
        config = dataclasses.replace(config, schedule=self.schedule(config.schedule))
        return self.stale_box.store(config) if isinstance(config, JobConfig) else config
