"""PX's data retention: how far back an Import From Date range can still find records in PX."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

RETENTION_MONTHS = 36


def retention_start(now: datetime) -> datetime:
    """`now` moved back RETENTION_MONTHS calendar months (the 29th of February -> the 28th)."""
    months = now.year * 12 + now.month - 1 - RETENTION_MONTHS
    year, month = divmod(months, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def retention_warning(start_ms: int, now: datetime) -> str | None:
    """A warning when a range starting at `start_ms` (epoch ms) reaches before PX's retention;
    the run is still allowed: PX may keep some older records, and the admin decides."""
    limit = retention_start(now.astimezone(UTC))
    if start_ms >= int(limit.timestamp() * 1000):
        return None
    return (f"The range starts before PX's data retention: PX keeps about {RETENTION_MONTHS} "
            f"months (since {limit:%Y-%m-%d} UTC), so records last changed before then may no "
            "longer be in PX.")
