"""schedule.rules: next runs for every kind, DST, month ends, validation, wording, missed runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pxdesk.core.errors import ConfigError
from pxdesk.core.schedule.rules import (
    describe,
    is_paused,
    machine_timezone,
    missed_run,
    next_runs,
    previous_run,
    validate_schedule,
)
from pxdesk.core.store.models import Schedule
from tests.core.schedule.fakes import Sched

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # 2024-01-01 is a Monday


def wall(runs: list[datetime]) -> list[str]:
    return [run.strftime("%a %Y-%m-%d %H:%M") for run in runs]


def ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


# --- next_runs ---------------------------------------------------------------------------------

def test_daily_repeat_window_is_inclusive_at_both_ends() -> None:
    schedule = Sched(kind="daily_repeat", start_time="10:00", end_time="14:00", every_hours=1)
    runs = next_runs(schedule, MONDAY, count=6)
    assert [run.hour for run in runs] == [10, 11, 12, 13, 14, 10]
    assert runs[5].date() == MONDAY.date() + timedelta(days=1)


def test_daily_repeat_every_three_hours_stops_before_passing_the_end() -> None:
    schedule = Sched(kind="daily_repeat", start_time="10:00", end_time="14:00", every_hours=3)
    assert wall(next_runs(schedule, MONDAY, count=3)) == [
        "Mon 2024-01-01 10:00", "Mon 2024-01-01 13:00", "Tue 2024-01-02 10:00"]


def test_daily_repeat_on_weekdays_skips_the_weekend() -> None:
    schedule = Sched(kind="daily_repeat", start_time="10:00", end_time="11:00", days="weekdays")
    friday_evening = datetime(2024, 1, 5, 18, 0, tzinfo=UTC)
    assert wall(next_runs(schedule, friday_evening, count=2)) == [
        "Mon 2024-01-08 10:00", "Mon 2024-01-08 11:00"]


def test_next_runs_are_strictly_after_the_given_instant() -> None:
    schedule = Sched(kind="daily_once", time="10:00")
    at_ten = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert wall(next_runs(schedule, at_ten, count=1)) == ["Tue 2024-01-02 10:00"]


def test_daily_once_on_chosen_days_from_store_json() -> None:
    schedule = Schedule(kind="daily_once", time="07:15", days="[3, 0]", timezone="UTC")
    assert wall(next_runs(schedule, MONDAY, count=3)) == [
        "Mon 2024-01-01 07:15", "Thu 2024-01-04 07:15", "Mon 2024-01-08 07:15"]


def test_weekly_on_mon_and_thu() -> None:
    schedule = Sched(kind="weekly", time="09:00", days=[0, 3])
    after = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)
    assert wall(next_runs(schedule, after, count=3)) == [
        "Thu 2024-01-04 09:00", "Mon 2024-01-08 09:00", "Thu 2024-01-11 09:00"]


def test_monthly_day_31_runs_on_the_last_day_of_shorter_months() -> None:
    schedule = Sched(kind="monthly", day_of_month=31, time="06:00")
    days = [run.date().isoformat() for run in next_runs(schedule, MONDAY, count=5)]
    assert days == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"]
    feb_2023 = next_runs(schedule, datetime(2023, 2, 1, tzinfo=UTC), count=1)
    assert feb_2023[0].date().isoformat() == "2023-02-28"


@pytest.mark.parametrize(("every", "hours"), [
    (1, [0, 1, 2, 3, 4, 5]),
    (5, [0, 5, 10, 15, 20, 0]),
    (24, [0, 0, 0, 0, 0, 0]),
])
def test_hourly_every_n_aligns_to_midnight(every: int, hours: list[int]) -> None:
    schedule = Sched(kind="hourly", every_hours=every)
    runs = next_runs(schedule, MONDAY - timedelta(microseconds=1), count=6)
    assert [run.hour for run in runs] == hours
    assert all(run.minute == 0 for run in runs)


def test_results_are_in_the_schedule_zone_whatever_the_zone_of_after() -> None:
    schedule = Sched(kind="daily_once", time="10:00", timezone="Europe/Berlin")
    after = datetime(2024, 1, 1, 17, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 09:00 in Berlin
    run = next_runs(schedule, after, count=1)[0]
    assert run.tzinfo == BERLIN
    assert (run.date().isoformat(), run.hour) == ("2024-01-01", 10)


def test_disabled_schedule_has_no_runs_and_invalid_one_raises() -> None:
    assert next_runs(Sched(enabled=False, every_hours=99), MONDAY) == []
    with pytest.raises(ConfigError) as raised:
        next_runs(Sched(kind="daily_once", time="25:00"), MONDAY)
    assert raised.value.field == "time"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_runs(Sched(), datetime(2024, 1, 1))


# --- DST ---------------------------------------------------------------------------------------

def test_berlin_spring_gap_runs_at_the_first_valid_instant() -> None:
    schedule = Sched(kind="daily_once", time="02:30", timezone="Europe/Berlin")
    runs = next_runs(schedule, datetime(2024, 3, 30, 12, tzinfo=UTC), count=2)
    assert wall(runs) == ["Sun 2024-03-31 03:00", "Mon 2024-04-01 02:30"]
    assert runs[0].astimezone(UTC) == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)


def test_berlin_fall_back_ambiguous_time_runs_once_at_first_occurrence() -> None:
    schedule = Sched(kind="daily_once", time="02:30", timezone="Europe/Berlin")
    runs = next_runs(schedule, datetime(2024, 10, 26, 12, tzinfo=UTC), count=2)
    assert wall(runs) == ["Sun 2024-10-27 02:30", "Mon 2024-10-28 02:30"]
    assert runs[0].astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # CEST, fold=0


def test_berlin_wall_time_stays_put_across_dst() -> None:
    schedule = Sched(kind="daily_once", time="10:00", timezone="Europe/Berlin")
    runs = next_runs(schedule, datetime(2024, 3, 30, tzinfo=UTC), count=2)
    assert [run.hour for run in runs] == [10, 10]
    assert [run.astimezone(UTC).hour for run in runs] == [9, 8]


def test_new_york_spring_hourly_skips_the_missing_hour() -> None:
    schedule = Sched(kind="hourly", every_hours=1, timezone="America/New_York")
    runs = next_runs(schedule, datetime(2024, 3, 10, 5, 30, tzinfo=UTC), count=3)  # 00:30 EST
    assert wall(runs) == ["Sun 2024-03-10 01:00", "Sun 2024-03-10 03:00", "Sun 2024-03-10 04:00"]
    assert runs[1].astimezone(UTC) - runs[0].astimezone(UTC) == timedelta(hours=1)


def test_new_york_spring_gap_daily_once() -> None:
    schedule = Sched(kind="daily_once", time="02:30", timezone="America/New_York")
    run = next_runs(schedule, datetime(2024, 3, 10, tzinfo=UTC), count=1)[0]
    assert run.astimezone(UTC) == datetime(2024, 3, 10, 7, 0, tzinfo=UTC)  # 03:00 EDT


def test_new_york_fall_back_hourly_runs_the_repeated_hour_once() -> None:
    schedule = Sched(kind="hourly", every_hours=1, timezone="America/New_York")
    runs = next_runs(schedule, datetime(2024, 11, 3, 4, 30, tzinfo=UTC), count=3)  # 00:30 EDT
    assert wall(runs) == ["Sun 2024-11-03 01:00", "Sun 2024-11-03 02:00", "Sun 2024-11-03 03:00"]
    assert runs[0].utcoffset() == timedelta(hours=-4)  # the first (EDT) 01:00
    assert runs[1].astimezone(UTC) - runs[0].astimezone(UTC) == timedelta(hours=2)


# --- validation and wording --------------------------------------------------------------------

@pytest.mark.parametrize(("schedule", "field", "words"), [
    (Sched(every_hours=0), "every_hours", "1-24"),
    (Sched(every_hours=25), "every_hours", "1-24"),
    (Sched(kind="daily_once", time="9.30"), "time", "HH:MM"),
    (Sched(kind="daily_once", time="24:00"), "time", "HH:MM"),
    (Sched(kind="daily_repeat", start_time="14:00", end_time="10:00"), "end_time", "later"),
    (Sched(kind="daily_repeat", start_time=None, end_time="10:00"), "start_time", "HH:MM"),
    (Sched(kind="weekly", time="09:00", days=[]), "days", "at least one day"),
    (Sched(kind="weekly", time="09:00", days=[7]), "days", "0 (Mon) to 6 (Sun)"),
    (Sched(kind="daily_once", time="09:00", days="sometimes"), "days", "weekdays"),
    (Sched(kind="monthly", time="06:00", day_of_month=32), "day_of_month", "1-31"),
    (Sched(kind="monthly", time="06:00", day_of_month=None), "day_of_month", "1-31"),
    (Sched(timezone="Mars/Olympus"), "timezone", "IANA"),
    (Sched(timezone="../etc/passwd"), "timezone", "IANA"),
    (Sched(kind="fortnightly"), "kind", "hourly"),
])
def test_validation_names_the_field_and_the_fix(schedule: Sched, field: str, words: str) -> None:
    problems = validate_schedule(schedule)
    assert [f for f, _ in problems] == [field]
    assert words in problems[0][1]


def test_valid_schedules_have_no_problems() -> None:
    assert validate_schedule(Sched(kind="daily_repeat", start_time="10:00", end_time="10:00")) == []
    assert validate_schedule(Sched(kind="monthly", time="6:05", day_of_month=31)) == []
    assert validate_schedule(Schedule()) == []  # the store model's defaults


@pytest.mark.parametrize(("schedule", "text"), [
    (Sched(every_hours=2), "Every 2 hours"),
    (Sched(every_hours=1, timezone="Europe/Berlin"), "Every hour"),
    (Sched(kind="daily_once", time="10:00", timezone="Asia/Tokyo"),
     "Daily at 10:00 (Asia/Tokyo)"),
    (Sched(kind="daily_once", time="10:00", days=[5, 6], timezone="Europe/Berlin"),
     "Sat, Sun at 10:00"),
    (Sched(kind="daily_repeat", start_time="10:00", end_time="14:00", days="weekdays",
           timezone="Europe/Berlin"), "Weekdays 10:00-14:00 every hour"),
    (Sched(kind="daily_repeat", start_time="08:00", end_time="20:00", every_hours=4,
           timezone="UTC"), "Daily 08:00-20:00 every 4 hours (UTC)"),
    (Sched(kind="weekly", time="09:00", days=[3, 0], timezone="Europe/Berlin"),
     "Weekly on Mon, Thu at 09:00"),
    (Sched(kind="monthly", time="06:00", day_of_month=31, timezone="Europe/Berlin"),
     "Monthly on day 31 at 06:00 (last day in shorter months)"),
    (Sched(kind="monthly", time="06:00", day_of_month=31, timezone="Asia/Tokyo"),
     "Monthly on day 31 at 06:00 (Asia/Tokyo; last day in shorter months)"),
    (Sched(kind="monthly", time="06:00", day_of_month=15, timezone="Europe/Berlin"),
     "Monthly on day 15 at 06:00"),
    (Sched(enabled=False), "Not scheduled"),
])
def test_describe(schedule: Sched, text: str) -> None:
    assert describe(schedule, local_zone="Europe/Berlin") == text


def test_describe_names_the_zone_by_default() -> None:
    assert describe(Sched(kind="daily_once", time="10:00", timezone="Europe/Berlin")) == (
        "Daily at 10:00 (Europe/Berlin)")


# --- missed runs and pause ---------------------------------------------------------------------

def test_missed_run_returns_only_the_latest_missed_slot() -> None:
    schedule = Sched(kind="hourly", every_hours=1)
    last_run = datetime(2024, 1, 1, 3, 0, 5, tzinfo=UTC)
    now = datetime(2024, 1, 3, 17, 42, tzinfo=UTC)  # 62 hourly slots missed
    assert missed_run(schedule, last_run, now) == datetime(2024, 1, 3, 17, 0, tzinfo=UTC)


def test_missed_run_includes_a_slot_exactly_at_now() -> None:
    schedule = Sched(kind="daily_once", time="10:00")
    now = datetime(2024, 1, 2, 10, 0, tzinfo=UTC)
    assert missed_run(schedule, now - timedelta(days=1, minutes=1), now) == now


def test_no_missed_run_when_up_to_date_never_run_or_disabled() -> None:
    schedule = Sched(kind="daily_once", time="10:00")
    now = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)
    assert missed_run(schedule, datetime(2024, 1, 2, 10, 0, 3, tzinfo=UTC), now) is None
    assert missed_run(schedule, None, now) is None
    assert missed_run(Sched(enabled=False), now - timedelta(days=9), now) is None


def test_paused_schedule_is_paused_only_until_its_time() -> None:
    until = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)
    schedule = Sched(kind="hourly", paused_until=ms(until))
    assert is_paused(schedule, until - timedelta(seconds=1))
    assert not is_paused(schedule, until)
    assert not is_paused(Sched(), until)
    # While paused nothing is missed; slots that fell inside an ended pause are not replayed.
    last_run = datetime(2024, 1, 2, 8, 0, tzinfo=UTC)
    assert missed_run(schedule, last_run, until - timedelta(minutes=30)) is None
    assert missed_run(schedule, last_run, until + timedelta(minutes=30)) == until
    daily = Sched(kind="daily_once", time="10:00", paused_until=ms(until))
    assert missed_run(daily, last_run - timedelta(days=1), until + timedelta(hours=1)) is None


# --- machine zone ------------------------------------------------------------------------------

def test_machine_timezone_is_tzlocal_s_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The library reads TZ, /etc/localtime and the Windows registry: no hand-written guess."""
    import tzlocal

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    tzlocal.reload_localzone()
    try:
        assert machine_timezone() == "Asia/Tokyo"
    finally:
        monkeypatch.delenv("TZ")
        tzlocal.reload_localzone()


def test_machine_timezone_override_and_fallback() -> None:
    """Tests inject the lookup; a name no zone database knows, or a failed lookup, is UTC."""
    def broken() -> str:
        raise LookupError("no zone configured")

    assert machine_timezone(lambda: "Europe/Berlin") == "Europe/Berlin"
    assert machine_timezone(lambda: "local") == "UTC"
    assert machine_timezone(lambda: None) == "UTC"
    assert machine_timezone(broken) == "UTC"


def test_next_run_after_a_second_occurrence_instant_is_not_in_the_past() -> None:
    """01:30 EST (fold=1) is later than 01:45 EDT: Python's same-zone compare would say not."""
    schedule = Sched(kind="daily_once", time="01:45", timezone="America/New_York")
    after = datetime(2024, 11, 3, 6, 30, tzinfo=UTC).astimezone(NEW_YORK)  # 01:30 EST, fold=1
    run = next_runs(schedule, after, count=1)[0]
    assert run.date().isoformat() == "2024-11-04"
    assert previous_run(schedule, after).astimezone(UTC) == datetime(2024, 11, 3, 5, 45, tzinfo=UTC)
