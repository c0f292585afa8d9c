"""PX keeps 36 months of data: an Import From Date range starting earlier gets a warning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pxdesk.core.px.data_retention import retention_start, retention_warning


def _ms(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(("now", "start"), [
    (datetime(2026, 12, 4, 16, 30, tzinfo=UTC), datetime(2023, 12, 4, 16, 30, tzinfo=UTC)),
    (datetime(2028, 2, 29, tzinfo=UTC), datetime(2025, 2, 28, tzinfo=UTC)),  # no 29th then
])
def test_retention_starts_36_calendar_months_before_now(now: datetime, start: datetime) -> None:
    assert retention_start(now) == start


def test_a_range_from_inside_the_retention_has_no_warning() -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    assert retention_warning(_ms(2023, 12, 4, 12), now) is None
    assert retention_warning(_ms(2026, 1, 1), now) is None


def test_a_range_from_before_the_retention_says_what_may_be_missing() -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    assert retention_warning(_ms(2023, 12, 4, 12) - 1, now) == (
        "The range starts before PX's data retention: PX keeps about 36 months (since "
        "2023-12-04 UTC), so records last changed before then may no longer be in PX.")
    assert retention_warning(0, now) is not None
