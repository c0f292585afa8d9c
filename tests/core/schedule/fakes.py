"""A plain schedule object shaped like job_config.ScheduleConfig, for the schedule tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Sched:
    """Stands in for ScheduleConfig / the store model (the rules only read these attributes)."""

    enabled: bool = True
    kind: str = "hourly"
    every_hours: int | None = 1
    time: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    days: Any = "everyday"
    day_of_month: int | None = None
    timezone: str = "UTC"
    paused_until: int | None = None

