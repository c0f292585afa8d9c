"""JobScheduler: APScheduler jobs follow the schedules, fires become job_due, catch-up runs once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from pytestqt.qtbot import QtBot

from pxdesk.core.schedule.rules import next_runs
from pxdesk.core.schedule.scheduler import JobScheduler, ScheduleTrigger
from tests.core.schedule.fakes import Sched

T0 = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)  # a Monday
WINDOW = Sched(kind="daily_repeat", start_time="10:00", end_time="14:00", every_hours=1)


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Recorder:
    """Collects job_due emissions (same-thread, so delivered at once)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def on_job_due(self, name: str, reason: str) -> None:
        self.calls.append((name, reason))


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def backend() -> Iterator[BackgroundScheduler]:
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()}, executors={"default": ThreadPoolExecutor(1)},
        timezone=ZoneInfo("UTC"),
    )
    yield scheduler
    if scheduler.running:
        scheduler.shutdown(wait=False)


@pytest.fixture
def facade(qtbot: QtBot, clock: Clock, backend: BackgroundScheduler) -> Iterator[JobScheduler]:
    scheduler = JobScheduler(now=clock, backend=backend)
    yield scheduler
    scheduler.shutdown()


@pytest.fixture
def recorder(facade: JobScheduler) -> Recorder:
    rec = Recorder()
    facade.job_due.connect(rec.on_job_due)
    return rec


def test_trigger_chains_the_same_slots_as_the_preview() -> None:
    trigger = ScheduleTrigger(WINDOW)
    fires: list[datetime] = []
    previous = None
    for _ in range(6):
        previous = trigger.get_next_fire_time(previous, T0)
        assert previous is not None
        fires.append(previous)
    assert fires == next_runs(WINDOW, T0, count=6)
    assert [f.hour for f in fires] == [10, 11, 12, 13, 14, 10]


def test_trigger_fires_at_now_when_now_is_a_slot_and_skips_a_pause() -> None:
    ten = datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert ScheduleTrigger(WINDOW).get_next_fire_time(None, ten) == ten
    paused = Sched(kind="daily_repeat", start_time="10:00", end_time="14:00",
                   paused_until=int(datetime(2024, 1, 1, 12, 30, tzinfo=UTC).timestamp() * 1000))
    fire = ScheduleTrigger(paused).get_next_fire_time(None, ten)
    assert fire == datetime(2024, 1, 1, 13, 0, tzinfo=UTC)


def test_sync_adds_replaces_and_removes_jobs(
    facade: JobScheduler, backend: BackgroundScheduler
) -> None:
    facade.sync({
        "Company Sync_demo": WINDOW,
        "Off": Sched(enabled=False),
        "Broken": Sched(kind="daily_once", time="nope"),
    })
    assert [job.id for job in backend.get_jobs()] == ["Company Sync_demo"]
    job = backend.get_job("Company Sync_demo")
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 300)
    assert facade.next_fire("Company Sync_demo") == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert facade.next_fire("Off") is None
    assert facade.next_fire("Broken") is None

    facade.start()  # replacing works the same on a running scheduler
    facade.sync({"Company Sync_demo": Sched(kind="daily_once", time="18:00")})
    assert facade.next_fire("Company Sync_demo") == datetime(2024, 1, 1, 18, 0, tzinfo=UTC)
    assert len(backend.get_jobs()) == 1

    facade.sync({"Company Sync_demo": Sched(enabled=False, kind="daily_once", time="18:00")})
    assert backend.get_jobs() == []
    assert facade.next_fire("Company Sync_demo") is None


def test_apscheduler_fire_emits_job_due(
    qtbot: QtBot, facade: JobScheduler, backend: BackgroundScheduler
) -> None:
    facade.sync({"Hourly": Sched(kind="hourly")})
    facade.start()
    assert facade.running
    # Bring the real APScheduler job forward instead of waiting for the next hour.
    with qtbot.waitSignal(facade.job_due, timeout=5000) as blocker:
        backend.modify_job("Hourly", next_run_time=datetime.now(UTC))
    assert blocker.args == ["Hourly", "scheduled"]
    facade.shutdown()
    assert not facade.running


def test_disabled_schedule_never_fires(
    qtbot: QtBot, facade: JobScheduler, backend: BackgroundScheduler, recorder: Recorder
) -> None:
    facade.sync({"Off": Sched(enabled=False, kind="hourly")})
    facade.start()
    assert backend.get_jobs() == []
    facade.check_missed({"Off": T0 - timedelta(days=3)})
    assert recorder.calls == []


def test_check_missed_emits_once_per_job(
    facade: JobScheduler, clock: Clock, recorder: Recorder
) -> None:
    facade.sync({
        "Hourly": Sched(kind="hourly"),
        "Daily": Sched(kind="daily_once", time="06:00"),
        "Fresh": Sched(kind="daily_once", time="06:00"),
        "Never": Sched(kind="hourly"),
    })
    last_runs = {
        "Hourly": T0 - timedelta(days=2),  # dozens of missed slots -> one catch-up
        "Daily": T0 - timedelta(days=2),
        "Fresh": datetime(2024, 1, 1, 6, 0, 2, tzinfo=UTC),
        "Never": None,
    }
    assert facade.check_missed(last_runs) == ["Hourly", "Daily"]
    assert recorder.calls == [("Hourly", "missed"), ("Daily", "missed")]
    # Asked again (a clock jump, a second wake-up) before the runs are recorded: no repeats.
    assert facade.check_missed(last_runs) == []
    assert len(recorder.calls) == 2


def test_scheduled_fire_after_a_catch_up_of_the_same_slot_is_dropped(
    facade: JobScheduler, clock: Clock, recorder: Recorder
) -> None:
    facade.sync({"Hourly": Sched(kind="hourly")})
    facade.check_missed({"Hourly": T0 - timedelta(hours=5)})  # catches up the 09:00 slot
    facade._fire("Hourly")  # APScheduler's late (within grace) fire of that same 09:00 slot
    clock.now = datetime(2024, 1, 1, 10, 0, 1, tzinfo=UTC)
    facade._fire("Hourly")  # the 10:00 slot
    assert recorder.calls == [("Hourly", "missed"), ("Hourly", "scheduled")]


def test_pause_all_holds_fires_and_does_not_replay_them(
    facade: JobScheduler, clock: Clock, recorder: Recorder
) -> None:
    facade.sync({"Hourly": Sched(kind="hourly")})
    until = datetime(2024, 1, 1, 12, 30, tzinfo=UTC)
    facade.pause_all(until)
    assert facade.is_paused()
    assert facade.next_fire("Hourly") == datetime(2024, 1, 1, 13, 0, tzinfo=UTC)
    clock.now = datetime(2024, 1, 1, 11, 0, 1, tzinfo=UTC)
    facade._fire("Hourly")
    assert facade.check_missed({"Hourly": T0}) == []
    clock.now = datetime(2024, 1, 1, 12, 45, tzinfo=UTC)  # the pause has expired
    assert not facade.is_paused()
    assert facade.check_missed({"Hourly": T0}) == []  # 10:00-12:00 fell inside the pause
    assert recorder.calls == []
    clock.now = datetime(2024, 1, 1, 13, 0, 1, tzinfo=UTC)
    facade._fire("Hourly")
    assert recorder.calls == [("Hourly", "scheduled")]


def test_pause_without_end_lasts_until_resume(facade: JobScheduler, recorder: Recorder) -> None:
    facade.sync({"Hourly": Sched(kind="hourly")})
    facade.pause_all(None)
    assert facade.next_fire("Hourly") is None
    facade._fire("Hourly")
    assert recorder.calls == []
    facade.resume_all()
    assert facade.next_fire("Hourly") == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)


def test_wall_clock_jump_triggers_a_missed_run_check(
    qtbot: QtBot, clock: Clock, backend: BackgroundScheduler
) -> None:
    marks = {"wall": 1_000_000.0, "mono": 50.0}
    last_runs = {"Hourly": T0 - timedelta(hours=3)}
    scheduler = JobScheduler(
        now=clock, backend=backend, last_runs=lambda: last_runs,
        wall_clock=lambda: marks["wall"], monotonic=lambda: marks["mono"],
    )
    recorder = Recorder()
    scheduler.job_due.connect(recorder.on_job_due)
    scheduler.sync({"Hourly": Sched(kind="hourly")})
    scheduler.start()  # start itself catches up once
    assert recorder.calls == [("Hourly", "missed")]
    try:
        marks["wall"] += 60
        marks["mono"] += 60
        assert scheduler.check_clock() is False  # an ordinary tick
        clock.now = T0 + timedelta(hours=2)  # the machine slept through 10:00 and 11:00
        marks["wall"] += 2 * 3600
        marks["mono"] += 60
        assert scheduler.check_clock() is True
        assert recorder.calls == [("Hourly", "missed"), ("Hourly", "missed")]
    finally:
        scheduler.shutdown()
