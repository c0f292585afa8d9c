"""The Schedule page's stale-data alerts: no successful run for N hours, a run over M minutes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from pxdesk.core.config.validation import MAX_LONG_RUN_MINUTES, MAX_STALE_HOURS
from pxdesk.core.errors import PxdeskError
from pxdesk.core.logs.stale import SUGGESTION_SLOTS, suggested_stale_hours
from pxdesk.core.schedule.rules import next_runs

DEFAULT_LONG_RUN_MINUTES = 60  # offered when ticked: a regular incremental run takes minutes


class StaleAlertsBox(QGroupBox):
    """Two ticks with their limits; unticked = 0 = off. Ticking "no successful run" offers
    twice the longest gap of the schedule being edited (`schedule()` gives it)."""

    def __init__(self, schedule: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__("Stale-data alerts (tray, jobs table, mail to failure recipients)",
                         parent)
        self._schedule = schedule
        self._loading = False  # load() ticks boxes: no suggestion over the saved value
        self.stale_check = QCheckBox("Warn if no successful run for", self)
        self.stale_hours_spin = QSpinBox(self)
        self.stale_hours_spin.setRange(1, MAX_STALE_HOURS)
        self.stale_hours_spin.setSuffix(" hours")
        self.long_run_check = QCheckBox("Warn if a run takes longer than", self)
        self.long_run_spin = QSpinBox(self)
        self.long_run_spin.setRange(1, MAX_LONG_RUN_MINUTES)
        self.long_run_spin.setSuffix(" minutes")
        self.long_run_spin.setValue(DEFAULT_LONG_RUN_MINUTES)
        for check, spin in ((self.stale_check, self.stale_hours_spin),
                            (self.long_run_check, self.long_run_spin)):
            check.setAccessibleName(check.text())
            spin.setAccessibleName(f"{check.text()} ({spin.suffix().strip()})")
            spin.setEnabled(False)
            check.toggled.connect(spin.setEnabled)
        self.stale_check.toggled.connect(self._on_stale_check_toggled)
        self.stale_hours_spin.valueChanged.connect(self._on_stale_hours_spin_changed)
        self.long_run_spin.valueChanged.connect(self._on_long_run_spin_changed)
        self._on_stale_hours_spin_changed(self.stale_hours_spin.value())
        self._on_long_run_spin_changed(self.long_run_spin.value())
        form = QFormLayout(self)
        form.addRow(self.stale_check, self.stale_hours_spin)
        form.addRow(self.long_run_check, self.long_run_spin)

    def _on_stale_hours_spin_changed(self, value: int) -> None:
        self.stale_hours_spin.setSuffix(" hour" if value == 1 else " hours")  # not "1 hours"

    def _on_long_run_spin_changed(self, value: int) -> None:
        self.long_run_spin.setSuffix(" minute" if value == 1 else " minutes")

    def _on_stale_check_toggled(self, checked: bool) -> None:
        if checked and not self._loading:
            self.stale_hours_spin.setValue(self.suggested_hours())

    def suggested_hours(self) -> int:
        """2 x the longest gap between the next slots, as if the schedule were enabled."""
        try:
            schedule = dataclasses.replace(self._schedule(), enabled=True)
            slots = next_runs(schedule, datetime.now().astimezone(), count=SUGGESTION_SLOTS)
        except (PxdeskError, ValueError, LookupError, TypeError):  # none or invalid: no gap
            slots = []
        return suggested_stale_hours(slots)

    def load(self, config: Any) -> None:
        self._loading = True
        try:
            self.stale_check.setChecked(config.stale_after_hours > 0)
            if config.stale_after_hours > 0:
                self.stale_hours_spin.setValue(config.stale_after_hours)
            self.long_run_check.setChecked(config.long_run_minutes > 0)
            if config.long_run_minutes > 0:
                self.long_run_spin.setValue(config.long_run_minutes)
        finally:
            self._loading = False

    def store(self, config: Any) -> Any:
        return dataclasses.replace(
            config,
            stale_after_hours=self.stale_hours_spin.value() if self.stale_check.isChecked() else 0,
            long_run_minutes=self.long_run_spin.value() if self.long_run_check.isChecked() else 0)
