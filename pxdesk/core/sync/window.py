"""The incremental window of a run: which lastModifiedDate range it reads, and whether it moves.

Decisions: the first run (no window end yet) reads everything from 1970 and sends no date
filter at all, so records without a lastModifiedDate still arrive; later runs read
[window_end - lookback, run start) and Import From Date reads its (from, to) range without
moving the window. The lookback (a setting, 5 minutes by default) re-reads the end of the
previous window: a record PX stamped just before that end but indexed after it, or stamped by
a clock running behind, is not missed. Upserts make the overlap harmless; the writer counts
what it reads again without a change as unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pxdesk.core.errors import ConfigError

MODIFIED_FIELD = "lastModifiedDate"


@dataclass(frozen=True)
class Window:
    """[start, end) in epoch ms; `full` when nothing restricts the listing by date."""

    start: int
    end: int
    advances: bool  # the job's window_end becomes `end` after Success / Partial Success
    full: bool

    def pushdown(self) -> list[str]:
        """PX filter params for this window ([] for a full read)."""
        if self.full:
            return []
        return [f"{MODIFIED_FIELD}>={self.start};{MODIFIED_FIELD}<{self.end}"]

    def matcher(self) -> Callable[[Mapping[str, Any]], bool] | None:
        """Local test of the window (None for a full read); a record without a usable
        lastModifiedDate is outside any bounded window."""
        if self.full:
            return None
        start, end = self.start, self.end

        def inside(record: Mapping[str, Any]) -> bool:
            value = record.get(MODIFIED_FIELD)
            if type(value) is not int and (
                    isinstance(value, bool) or not isinstance(value, (int, float))):
                return False
            return start <= value < end

        return inside


def plan_window(
    window_end: int | None, run_start: int, date_range: tuple[int, int] | None = None, *,
    lookback_ms: int = 0,
) -> Window:
    """The window of a run starting at `run_start` for a job whose last window ended at
    `window_end` (None: never ran successfully), reaching `lookback_ms` before that end;
    `date_range` for Import From Date."""
    if date_range is not None:
        start, end = date_range
        if start >= end:
            raise ConfigError("Import From Date needs a 'from' date before the 'to' date.",
                              field="date_range")
        return Window(start, end, advances=False, full=False)
    if window_end is None:
        return Window(0, run_start, advances=True, full=True)
    return Window(max(0, window_end - lookback_ms), max(window_end, run_start), advances=True,
                  full=False)
