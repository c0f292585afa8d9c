"""Pure schedule rules: next runs, missed runs, validation and wording for a job's schedule.

One rule serves the job wizard's preview and the tray scheduler (its APScheduler trigger calls
`next_runs`), so what the admin sees is what runs. Times are wall-clock in the schedule's IANA
zone: DST keeps 10:00 at 10:00. A wall time that does not exist (spring-forward gap) runs at the
first valid instant after it (02:30 -> 03:00 in Europe/Berlin); an ambiguous one (fall-back)
runs once, at its first occurrence (fold=0). Results are aware datetimes in the schedule's zone;
compare or subtract them after .astimezone(UTC), since Python does same-zone arithmetic on wall
time. Hourly every N hours is aligned to midnight of the
zone's day (00:00, N:00, 2N:00, ... < 24:00), so every 5 hours runs at 00, 05, 10, 15, 20 and
the gap before the next midnight is 4 hours.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from pxdesk.core.errors import ConfigError

KINDS = ("hourly", "daily_once", "daily_repeat", "weekly", "monthly")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS = (0, 1, 2, 3, 4)
EVERYDAY = (0, 1, 2, 3, 4, 5, 6)
# Every valid schedule has a slot within any 32 consecutive days (monthly is the sparsest).
_SEARCH_DAYS = 32
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_TIME_HINT = "as HH:MM on a 24-hour clock, for example 09:30"


class ScheduleLike(Protocol):
    """What the rules read: the store's Schedule model and job_config.ScheduleConfig both fit.

    `days` may be a list of weekday numbers (Mon=0), "weekdays", "everyday", or the model's JSON
    text of either. `paused_until` (epoch ms) is optional and read with getattr. Members are
    read-only properties, so a model whose field is never None fits too.
    """

    @property
    def enabled(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    @property
    def every_hours(self) -> int | None: ...
    @property
    def time(self) -> str | None: ...
    @property
    def start_time(self) -> str | None: ...
    @property
    def end_time(self) -> str | None: ...
    @property
    def days(self) -> Any: ...
    @property
    def day_of_month(self) -> int | None: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class ScheduleSpec:
    """An immutable, validated snapshot of a schedule, so a later edit cannot race a trigger."""

    enabled: bool
    kind: str
    every_hours: int
    time: tuple[int, int] | None
    start_time: tuple[int, int] | None
    end_time: tuple[int, int] | None
    days: tuple[int, ...]
    day_of_month: int | None
    zone: ZoneInfo
    paused_until: int | None = None


def validate_schedule(schedule: ScheduleLike) -> list[tuple[str, str]]:
    """Return (field, what to fix) for every problem; an empty list means the schedule is valid."""
    problems: list[tuple[str, str]] = []
    kind = str(getattr(schedule, "kind", ""))
    if kind not in KINDS:
        problems.append(("kind", f"Choose a schedule type: {', '.join(KINDS)} (got {kind!r})."))
    if kind in ("hourly", "daily_repeat") and not _valid_hours(schedule.every_hours):
        problems.append(("every_hours", "Enter the hours between runs as a whole number 1-24."))
    if kind in ("daily_once", "weekly", "monthly") and _parse_time(schedule.time) is None:
        problems.append(("time", f"Enter the run time {_TIME_HINT}."))
    if kind == "daily_repeat":
        problems.extend(_repeat_problems(schedule))
    if kind in ("daily_once", "daily_repeat", "weekly"):
        days = _parse_days(schedule.days)
        if days is None:
            problems.append(("days", "Days must be 'everyday', 'weekdays' or weekday numbers "
                                     "0 (Mon) to 6 (Sun)."))
        elif not days:
            problems.append(("days", "Choose at least one day of the week."))
    if kind == "monthly" and not _valid_int(schedule.day_of_month, 1, 31):
        problems.append(("day_of_month", "Enter the day of the month as a number 1-31 "
                                         "(29-31 run on the last day of shorter months)."))
    if _zone(getattr(schedule, "timezone", None)) is None:
        problems.append(("timezone", f"Unknown time zone {schedule.timezone!r}: choose an IANA "
                                     "name such as Europe/Berlin or America/New_York."))
    return problems


def to_spec(schedule: ScheduleLike | ScheduleSpec) -> ScheduleSpec:
    """Snapshot and normalise a schedule; ConfigError (with the field) if it is invalid."""
    if isinstance(schedule, ScheduleSpec):
        return schedule
    problems = validate_schedule(schedule)
    if problems:
        field, message = problems[0]
        raise ConfigError(message, field=field)
    zone = _zone(schedule.timezone)
    assert zone is not None  # validated above
    paused = getattr(schedule, "paused_until", None)
    return ScheduleSpec(
        enabled=bool(schedule.enabled),
        kind=str(schedule.kind),
        every_hours=int(schedule.every_hours or 1),
        time=_parse_time(schedule.time),
        start_time=_parse_time(schedule.start_time),
        end_time=_parse_time(schedule.end_time),
        days=tuple(_parse_days(schedule.days) or ()),
        day_of_month=schedule.day_of_month,
        zone=zone,
        paused_until=int(paused) if paused is not None else None,
    )


def next_runs(
    schedule: ScheduleLike | ScheduleSpec, after: datetime, count: int = 5
) -> list[datetime]:
    """The next `count` runs strictly after `after`, in the schedule's zone; [] if disabled.

    Ignores `paused_until` (see `is_paused`); raises ConfigError for an invalid enabled one.
    """
    _require_aware(after, "after")
    if not schedule.enabled or count <= 0:
        return []
    spec = to_spec(schedule)
    runs: list[datetime] = []
    after_utc = after.astimezone(UTC)
    day = after.astimezone(spec.zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS * count + 2):
        for slot in _utc_slots(spec, day + timedelta(days=offset)):
            if slot > after_utc:
                runs.append(slot.astimezone(spec.zone))
                if len(runs) == count:
                    return runs
    return runs


def previous_run(schedule: ScheduleLike | ScheduleSpec, at: datetime) -> datetime | None:
    """The latest slot at or before `at`, ignoring `enabled` and pauses; None if none exists."""
    _require_aware(at, "at")
    spec = to_spec(schedule)
    at_utc = at.astimezone(UTC)
    day = at.astimezone(spec.zone).date() + timedelta(days=1)
    for offset in range(_SEARCH_DAYS + 2):
        for slot in reversed(_utc_slots(spec, day - timedelta(days=offset))):
            if slot <= at_utc:
                return slot.astimezone(spec.zone)
    return None


def missed_run(
    schedule: ScheduleLike | ScheduleSpec, last_run: datetime | None, now: datetime
) -> datetime | None:
    """The latest slot in (last_run, now], so a catch-up runs once however many were missed.

    None when disabled, paused at `now`, never run (`last_run` None: nothing to catch up on), or
    when the only missed slots fell inside a pause that has since ended.
    """
    _require_aware(now, "now")
    if not schedule.enabled or last_run is None or is_paused(schedule, now):
        return None
    spec = to_spec(schedule)
    _require_aware(last_run, "last_run")
    slot = previous_run(spec, now)
    if slot is None or slot.astimezone(UTC) <= last_run.astimezone(UTC):
        return None
    if spec.paused_until is not None and slot.astimezone(UTC) < _from_ms(spec.paused_until):
        return None
    return slot


def is_paused(schedule: ScheduleLike | ScheduleSpec, now: datetime) -> bool:
    """True while `now` is before the schedule's paused_until (epoch ms)."""
    _require_aware(now, "now")
    paused = getattr(schedule, "paused_until", None)
    return paused is not None and now < _from_ms(int(paused))


def describe(schedule: ScheduleLike | ScheduleSpec, local_zone: str | None = None) -> str:
    """One line for the admin, e.g. "Daily at 10:00 (Europe/Berlin)".

    The zone is named unless it equals `local_zone` (pass machine_timezone() to omit the
    obvious); hourly runs never name it.
    """
    if not schedule.enabled:
        return "Not scheduled"
    spec = to_spec(schedule)
    zone_name = str(spec.zone.key)
    zone = "" if zone_name == local_zone else zone_name
    at = _fmt(spec.time)
    if spec.kind == "hourly":
        return _every(spec.every_hours).capitalize()
    if spec.kind == "daily_once":
        return _with_zone(f"{_days_label(spec.days, 'Daily')} at {at}", zone)
    if spec.kind == "daily_repeat":
        window = f"{_fmt(spec.start_time)}-{_fmt(spec.end_time)}"
        text = f"{_days_label(spec.days, 'Daily')} {window} {_every(spec.every_hours)}"
        return _with_zone(text, zone)
    if spec.kind == "weekly":
        return _with_zone(f"Weekly on {', '.join(DAY_NAMES[d] for d in spec.days)} at {at}", zone)
    notes = [zone] if zone else []
    if (spec.day_of_month or 0) > 28:
        notes.append("last day in shorter months")
    text = f"Monthly on day {spec.day_of_month} at {at}"
    return f"{text} ({'; '.join(notes)})" if notes else text


def day_slots(spec: ScheduleSpec, day: date) -> list[datetime]:
    """The runs on one local calendar day, sorted and de-duplicated, in the schedule's zone."""
    return [slot.astimezone(spec.zone) for slot in _utc_slots(spec, day)]


def _utc_slots(spec: ScheduleSpec, day: date) -> list[datetime]:
    # Compare in UTC: Python compares two datetimes of the same zone by wall time, ignoring
    # fold, which is wrong across a fall-back hour.
    instants = {resolve_wall_time(spec.zone, day, hm) for hm in _wall_times(spec, day)}
    return sorted({instant.astimezone(UTC) for instant in instants})


def resolve_wall_time(zone: ZoneInfo, day: date, hm: tuple[int, int]) -> datetime:
    """Wall time -> instant: a gap moves to the first valid instant after; a fold takes fold=0."""
    naive = datetime(day.year, day.month, day.day, hm[0], hm[1])
    local = naive.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        return local.astimezone(zone)
    # In a gap zoneinfo maps fold=0 with the offset before the transition and fold=1 with the
    # offset after, so the transition instant lies between them: search it to the second.
    low = int(naive.replace(tzinfo=zone, fold=1).timestamp())
    high = int(local.timestamp())
    low, high = min(low, high), max(low, high)
    before = _offset_at(zone, low)
    while high - low > 1:
        mid = (low + high) // 2
        if _offset_at(zone, mid) == before:
            low = mid
        else:
            high = mid
    return datetime.fromtimestamp(high, zone)


def machine_timezone(local_zone_name: Callable[[], str | None] | None = None) -> str:
    """IANA name of the machine's zone from tzlocal (TZ, /etc/localtime, the Windows registry),
    or UTC when it names no zone; `local_zone_name` replaces the lookup in tests."""
    lookup = tzlocal.get_localzone_name if local_zone_name is None else local_zone_name
    try:
        name = lookup()
    except Exception:  # tzlocal raises for a misconfigured machine: UTC is the documented answer
        return "UTC"
    return name if name and _zone(name) is not None else "UTC"


def _wall_times(spec: ScheduleSpec, day: date) -> Iterator[tuple[int, int]]:
    """The local (hour, minute) slots of one day, before DST resolution."""
    if spec.kind == "hourly":
        yield from ((hour, 0) for hour in range(0, 24, spec.every_hours))
    elif spec.kind in ("daily_once", "weekly"):
        if day.weekday() in spec.days and spec.time is not None:
            yield spec.time
    elif spec.kind == "daily_repeat":
        if day.weekday() in spec.days and spec.start_time and spec.end_time:
            start = spec.start_time[0] * 60 + spec.start_time[1]
            end = spec.end_time[0] * 60 + spec.end_time[1]
            for minute in range(start, end + 1, spec.every_hours * 60):
                yield divmod(minute, 60)
    elif spec.kind == "monthly" and spec.time is not None and spec.day_of_month:
        last = calendar.monthrange(day.year, day.month)[1]
        if day.day == min(spec.day_of_month, last):
            yield spec.time


def _repeat_problems(schedule: ScheduleLike) -> list[tuple[str, str]]:
    start, end = _parse_time(schedule.start_time), _parse_time(schedule.end_time)
    problems: list[tuple[str, str]] = []
    if start is None:
        problems.append(("start_time", f"Enter the first run time {_TIME_HINT}."))
    if end is None:
        problems.append(("end_time", f"Enter the last run time {_TIME_HINT}."))
    if start is not None and end is not None and end < start:
        problems.append(("end_time", "The end time must be the same as or later than the start "
                                     "time (a window cannot cross midnight)."))
    return problems


def _parse_time(value: object) -> tuple[int, int] | None:
    match = _TIME_RE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return (hour, minute) if hour < 24 and minute < 60 else None


def _parse_days(value: object) -> tuple[int, ...] | None:
    """Days as sorted weekday numbers; None if the value is not a recognised form."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("weekdays", "everyday"):
            return WEEKDAYS if text.lower() == "weekdays" else EVERYDAY
        try:
            value = json.loads(text)  # the store keeps days as JSON text
        except ValueError:
            return None
        if isinstance(value, str):
            return _parse_days(value)
    if not isinstance(value, list | tuple | set | frozenset):
        return None
    if not all(_valid_int(d, 0, 6) for d in value):
        return None
    return tuple(sorted(set(value)))


def _valid_int(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _valid_hours(value: object) -> bool:
    return _valid_int(value, 1, 24)


def _zone(name: object) -> ZoneInfo | None:
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _offset_at(zone: ZoneInfo, timestamp: int) -> timedelta | None:
    return datetime.fromtimestamp(timestamp, zone).utcoffset()


def _from_ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _fmt(hm: tuple[int, int] | None) -> str:
    return f"{hm[0]:02d}:{hm[1]:02d}" if hm else "--:--"


def _every(hours: int) -> str:
    return "every hour" if hours == 1 else f"every {hours} hours"


def _days_label(days: tuple[int, ...], everyday: str) -> str:
    if days == EVERYDAY:
        return everyday
    if days == WEEKDAYS:
        return "Weekdays"
    return ", ".join(DAY_NAMES[d] for d in days)


def _with_zone(text: str, zone: str) -> str:
    return f"{text} ({zone})" if zone else text
