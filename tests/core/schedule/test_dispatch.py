"""ScheduleDispatcher: store schedules -> fires -> runs against the simulator; skips, catch-ups,
pauses kept across restarts, reloads, and network-gated retries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from pytestqt.qtbot import QtBot

from pxdesk.core.config.chain_service import ChainConfig, ChainService
from pxdesk.core.config.job_config import ScheduleConfig
from pxdesk.core.px.client import PxClient, RequestEvent
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.schedule.dispatch import SKIP_RUNNING, ScheduleDispatcher, chain_key
from pxdesk.core.store.enums import RunStatus, Trigger
from pxdesk.core.store.models import ExecutionRun, Job, Schedule
from pxdesk.core.store.settings import CATCH_UP_MISSED, PAUSE_SETTING, get_setting, set_setting
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.results import run_tree
from pxdesk.core.workers import JobRunner
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, setup_jobs

T0 = datetime(2024, 1, 1, 9, 30, tzinfo=UTC)  # 10:30 in Berlin, a Monday
DEAD_URL = "http://127.0.0.1:1/v1"  # nothing listens on port 1: connection refused at once


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class HeldBackend(BackgroundScheduler):  # type: ignore[misc]
    """A real APScheduler that never fires on its own: tests fire through job_due."""

    def start(self, *args: Any, **kwargs: Any) -> None:
        super().start(paused=True)


class Network:
    """Which PX the clients reach, and whether the OS says we are online."""

    def __init__(self, sim: PxSimulator) -> None:
        self.sim = sim
        self.up = True
        self.online = True

    def client(self, on_request: Callable[[RequestEvent], None]) -> PxClient:
        url = self.sim.base_url if self.up else DEAD_URL
        return PxClient(url, self.sim.api_key, sleep=lambda _s: None, max_retries=0,
                        on_request=on_request)

    def is_online(self) -> bool:
        return self.online


@pytest.fixture
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=8, users=40) as simulator:
        yield simulator


@pytest.fixture
def network(sim: PxSimulator) -> Network:
    return Network(sim)


@pytest.fixture
def runner(context: Any, sim: PxSimulator, network: Network) -> Iterator[JobRunner]:
    setup_jobs(context, sim)
    engine = SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir),
                        client_factory=network.client)
    job_runner = JobRunner(lambda: engine, context.db)
    yield job_runner
    job_runner.cancel_all_and_wait(10_000)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def make(qtbot: QtBot, runner: JobRunner, clock: Clock, network: Network
         ) -> Iterator[Callable[..., ScheduleDispatcher]]:
    made: list[ScheduleDispatcher] = []

    def factory(**kwargs: Any) -> ScheduleDispatcher:
        backend = HeldBackend(jobstores={"default": MemoryJobStore()},
                              executors={"default": ThreadPoolExecutor(1)},
                              timezone=ZoneInfo("UTC"))
        options: dict[str, Any] = {"now": clock, "backend": backend, "timezone": "UTC",
                                   "network_online": network.is_online}
        options.update(kwargs)
        dispatcher = ScheduleDispatcher(runner, **options)
        runner.subscribe(dispatcher)
        made.append(dispatcher)
        return dispatcher

    yield factory
    for dispatcher in made:
        dispatcher.shutdown()


def schedule(job_name: str = COMPANY_JOB, **fields: Any) -> None:
    values: dict[str, Any] = {"enabled": True, "kind": "hourly", "every_hours": 1,
                              "timezone": "Europe/Berlin"}
    values.update(fields)
    Schedule.update(**values).where(Schedule.job == Job.get(Job.name == job_name)).execute()


def old_run(job_name: str, at: datetime) -> None:
    job = Job.get(Job.name == job_name)
    ms = int(at.timestamp() * 1000)
    ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.MANUAL,
                        status=RunStatus.SUCCESS, queued_at=ms, started_at=ms, ended_at=ms)


def runs(job_name: str = COMPANY_JOB) -> list[ExecutionRun]:
    return list(ExecutionRun.select().where(ExecutionRun.job_name == job_name)
                .order_by(ExecutionRun.id))


def test_apscheduler_fire_starts_a_scheduled_run_against_the_simulator(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    schedule()
    backend = BackgroundScheduler(jobstores={"default": MemoryJobStore()},
                                  executors={"default": ThreadPoolExecutor(1)},
                                  timezone=ZoneInfo("UTC"))
    dispatcher = make(backend=backend, now=lambda: datetime.now(UTC))
    dispatcher.start()
    assert [job.id for job in backend.get_jobs()] == [COMPANY_JOB]
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as blocker:
        backend.modify_job(COMPANY_JOB, next_run_time=datetime.now(UTC))
    assert blocker.args[0] == COMPANY_JOB
    assert blocker.args[1].status == RunStatus.SUCCESS
    (run,) = runs()
    assert (run.trigger, run.status, run.success_count) == ("scheduled", "Success", 8)


def test_scheduled_fire_runs_the_dependency_first(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    schedule(PERSON_JOB)
    dispatcher = make()
    dispatcher.start()
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as blocker:
        dispatcher.scheduler.job_due.emit(PERSON_JOB, "scheduled")
    assert blocker.args[0] == PERSON_JOB
    company, person = runs(COMPANY_JOB)[0], runs(PERSON_JOB)[0]
    assert (company.trigger, company.status) == ("dependency", "Success")
    assert person.trigger == "scheduled"
    assert person.status in {"Success", "Partial Success"}  # the demo data has a few bad users
    assert company.ended_at <= person.started_at  # the dependency ran to its end first
    assert person.success_count > 0


def test_fire_while_the_job_runs_is_logged_as_skipped(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    schedule()
    dispatcher = make()
    dispatcher.start()
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        assert runner.start(COMPANY_JOB, trigger="manual")
        with qtbot.waitSignal(dispatcher.run_logged) as logged:
            dispatcher.scheduler.job_due.emit(COMPANY_JOB, "scheduled")
    skipped = ExecutionRun.get_by_id(logged.args[1])
    assert (skipped.status, skipped.trigger, skipped.reason) == ("Skipped", "scheduled",
                                                                  SKIP_RUNNING)
    assert skipped.queued_at == int(T0.timestamp() * 1000)  # the dispatcher's clock
    assert sorted(r.trigger for r in runs()) == ["manual", "scheduled"]


def test_fire_while_another_run_tree_holds_the_job_is_skipped(
    make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    schedule()
    dispatcher = make(is_locked=lambda name: name == COMPANY_JOB)  # e.g. running as dependency
    dispatcher.start()
    dispatcher.scheduler.job_due.emit(COMPANY_JOB, "scheduled")
    assert runner.running_jobs() == []
    assert [(r.status, r.reason) for r in runs()] == [("Skipped", SKIP_RUNNING)]


def test_missed_run_at_start_up_runs_once_with_the_catch_up_reason(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    schedule()
    old_run(COMPANY_JOB, T0 - timedelta(hours=5))  # five hourly slots passed while closed
    dispatcher = make()
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        dispatcher.start()
    catch_up = runs()[-1]
    assert (catch_up.trigger, catch_up.status) == ("scheduled", "Success")
    assert catch_up.reason == ("caught up the run due 2024-01-01 10:00 Europe/Berlin, "
                               "missed while pxdesk was not running")
    assert len(runs()) == 2  # the old run and one catch-up, not five
    # A clock jump or a second check afterwards finds nothing more to catch up.
    assert dispatcher.scheduler.check_missed({COMPANY_JOB: T0 - timedelta(hours=5)}) == []
    assert runner.running_jobs() == []


def test_catch_up_turned_off_runs_nothing_and_says_so(
    make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    schedule()
    old_run(COMPANY_JOB, T0 - timedelta(hours=5))
    set_setting(CATCH_UP_MISSED, False)
    dispatcher = make()
    dispatcher.start()
    assert runner.running_jobs() == []
    latest = runs()[-1]
    assert latest.status == "Skipped"
    assert latest.reason.startswith("missed the run due 2024-01-01 10:00 Europe/Berlin")
    assert "turned off" in latest.reason


def test_catch_up_waits_for_the_network_and_retries_a_network_failure(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner,
    network: Network, clock: Clock,
) -> None:
    schedule()
    old_run(COMPANY_JOB, T0 - timedelta(hours=5))
    network.online = False
    dispatcher = make()
    dispatcher.start()
    assert runner.running_jobs() == [] and dispatcher.pending_catch_ups() == [COMPANY_JOB]
    network.online, network.up = True, False  # the OS says online, but PX is not reachable
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        dispatcher.retry_pending()
    failed = runs()[-1]
    assert failed.status == "Failure" and "caught up the run due" in failed.reason
    assert dispatcher.pending_catch_ups() == [COMPANY_JOB]  # queued for the next minute
    network.up = True
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        dispatcher.retry_pending()
    retried = runs()[-1]
    assert retried.status == "Success"
    assert retried.reason.endswith("(attempt 2: PX was unreachable before)")
    assert dispatcher.pending_catch_ups() == []


def test_network_failure_after_the_retry_window_is_not_retried(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner,
    network: Network, clock: Clock,
) -> None:
    schedule()
    old_run(COMPANY_JOB, T0 - timedelta(hours=5))
    network.up = False
    dispatcher = make(retry_window=timedelta(minutes=30))
    with qtbot.waitSignal(runner.run_finished, timeout=20_000):
        dispatcher.start()
        clock.now = T0 + timedelta(minutes=31)  # the run ends after the window closed
    assert runs()[-1].status == "Failure"
    assert dispatcher.pending_catch_ups() == []


def test_pause_is_kept_across_a_new_dispatcher(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner, clock: Clock
) -> None:
    schedule()
    old_run(COMPANY_JOB, T0 - timedelta(hours=5))
    first = make()
    first.start()  # catches up once
    qtbot.waitUntil(lambda: runner.running_jobs() == [], timeout=20_000)
    until = T0 + timedelta(hours=2)
    with qtbot.waitSignal(first.pause_changed):
        first.pause(until)
    first.shutdown()
    assert get_setting(PAUSE_SETTING, None) == {"until": int(until.timestamp() * 1000)}

    clock.now = T0 + timedelta(hours=1)  # restarted within the pause
    second = make()
    second.start()
    assert second.pause_state() == (True, until)
    assert second.next_run(COMPANY_JOB) == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    second.scheduler.check_missed({COMPANY_JOB: T0 - timedelta(days=1)})
    assert runner.running_jobs() == []  # a pause holds catch-ups too

    clock.now = until + timedelta(minutes=1)
    with qtbot.waitSignal(second.pause_changed):
        second.tick()  # the timed pause ended: the setting goes
    assert second.pause_state() == (False, None)
    assert get_setting(PAUSE_SETTING, None) is None


def test_pause_until_resumed_survives_restart_and_resume_clears_it(
    make: Callable[..., ScheduleDispatcher],
) -> None:
    schedule()
    first = make()
    first.start()
    first.pause(None)
    first.shutdown()
    second = make()
    second.start()
    assert second.pause_state() == (True, None)
    assert second.next_run(COMPANY_JOB) is None
    second.resume()
    assert get_setting(PAUSE_SETTING, None) is None
    assert second.pause_state() == (False, None)
    third = make()
    third.start()
    assert third.pause_state() == (False, None)


def test_reload_after_disabling_a_schedule_removes_it(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher]
) -> None:
    schedule(kind="daily_once", time="18:00")
    dispatcher = make()
    dispatcher.start()
    assert dispatcher.next_run(COMPANY_JOB) == datetime(2024, 1, 1, 18, 0,
                                                        tzinfo=ZoneInfo("Europe/Berlin"))
    schedule(enabled=False)
    with qtbot.waitSignal(dispatcher.schedules_changed):
        dispatcher.reload()
    assert dispatcher.next_run(COMPANY_JOB) is None
    assert dispatcher.scheduler._scheduler.get_jobs() == []
    schedule(kind="daily_once", time="07:00")
    dispatcher.tick()  # an edit made elsewhere (the CLI) is picked up within a minute
    assert dispatcher.next_run(COMPANY_JOB) == datetime(2024, 1, 2, 7, 0,
                                                        tzinfo=ZoneInfo("Europe/Berlin"))


def chain(enabled: bool = True, **schedule_fields: Any) -> None:
    fields: dict[str, Any] = {"kind": "daily_once", "time": "10:00",
                              "timezone": "Europe/Berlin"}
    fields.update(schedule_fields)
    ChainService(user="tester").save(ChainConfig(
        name="Nightly", members=[COMPANY_JOB, PERSON_JOB], enabled=enabled,
        schedule=ScheduleConfig(**fields)))


def test_chain_runs_both_jobs_in_order_on_its_own_schedule(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    schedule(COMPANY_JOB)  # hourly: ignored while chained
    schedule(PERSON_JOB)
    chain()
    dispatcher = make()
    dispatcher.start()
    assert list(dispatcher.scheduler._specs) == [chain_key("Nightly")]
    nightly = datetime(2024, 1, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert dispatcher.next_run(COMPANY_JOB) == dispatcher.next_run(PERSON_JOB) == nightly
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as blocker:
        dispatcher.scheduler.job_due.emit(chain_key("Nightly"), "scheduled")
    assert blocker.args[0] == PERSON_JOB
    assert [r.job_name for r in run_tree(blocker.args[1])] == [COMPANY_JOB, PERSON_JOB]
    company, person = runs(COMPANY_JOB)[0], runs(PERSON_JOB)[0]
    assert len(runs(COMPANY_JOB)) == 1  # the person job's dependency did not run again
    assert (company.trigger, company.status, company.chain_name) == ("scheduled", "Success",
                                                                      "Nightly")
    assert (person.trigger, person.chain_name) == ("scheduled", "Nightly")
    assert person.status in {"Success", "Partial Success"}
    assert company.ended_at <= person.started_at


def test_missed_chain_run_is_caught_up_once_as_a_chain(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    chain()
    ms = int((T0 - timedelta(days=3)).timestamp() * 1000)
    ExecutionRun.create(job=Job.get(Job.name == COMPANY_JOB), job_name=COMPANY_JOB,
                        trigger=Trigger.SCHEDULED, status=RunStatus.SUCCESS, queued_at=ms,
                        started_at=ms, ended_at=ms, chain_name="Nightly")
    dispatcher = make()
    with qtbot.waitSignal(runner.run_finished, timeout=20_000) as blocker:
        dispatcher.start()
    assert blocker.args[0] == PERSON_JOB
    person = runs(PERSON_JOB)[-1]
    assert person.reason is not None and person.reason.startswith(
        "chain Nightly; caught up the run due 2024-01-01 10:00 Europe/Berlin")
    assert len(runs(COMPANY_JOB)) == 2  # the old one and one catch-up
    assert runner.running_jobs() == []


def test_chain_fire_while_a_member_runs_is_skipped_for_each_member(
    qtbot: QtBot, make: Callable[..., ScheduleDispatcher], runner: JobRunner
) -> None:
    chain()
    dispatcher = make(is_locked=lambda name: name == COMPANY_JOB)
    dispatcher.start()
    dispatcher.scheduler.job_due.emit(chain_key("Nightly"), "scheduled")
    assert runner.running_jobs() == []
    skipped = [(r.job_name, r.status, r.chain_name) for r in ExecutionRun.select()]
    assert skipped == [(COMPANY_JOB, "Skipped", "Nightly"), (PERSON_JOB, "Skipped", "Nightly")]


def test_disabled_chain_leaves_the_jobs_own_schedules(
    make: Callable[..., ScheduleDispatcher]
) -> None:
    schedule(COMPANY_JOB)
    chain(enabled=False)
    dispatcher = make()
    dispatcher.start()
    assert list(dispatcher.scheduler._specs) == [COMPANY_JOB]


def test_fire_while_another_machine_runs_the_job_says_where(
    make: Callable[..., ScheduleDispatcher], runner: JobRunner, context: Any
) -> None:
    from pxdesk.core.sync.run_lease import JobLeases, Lease

    schedule()
    engine = SyncEngine(context.secrets, runs_dir=Path(context.paths.runs_dir))
    held = JobLeases(host="build-7", pid=4242).acquire(Job.get(Job.name == COMPANY_JOB))
    assert isinstance(held, Lease)
    try:
        dispatcher = make(is_locked=engine.is_running, running_where=engine.running_where)
        dispatcher.start()
        dispatcher.scheduler.job_due.emit(COMPANY_JOB, "scheduled")
    finally:
        held.release()
    assert runner.running_jobs() == []
    assert [(r.status, r.reason) for r in runs()] == [
        ("Skipped", "scheduled run skipped: already running on build-7 (pid 4242)")]


def test_tick_follows_a_pause_and_a_resume_made_by_another_process(
    make: Callable[..., ScheduleDispatcher], clock: Clock
) -> None:
    from pxdesk.core.store.settings import delete_setting

    schedule()
    dispatcher = make()
    dispatcher.start()
    until = T0 + timedelta(hours=3)
    set_setting(PAUSE_SETTING, {"until": int(until.timestamp() * 1000)})  # the desktop paused
    dispatcher.tick()
    assert dispatcher.pause_state() == (True, until)
    assert get_setting(PAUSE_SETTING, None) is not None, "kept for every process"
    set_setting(PAUSE_SETTING, {"until": None})  # ... then paused until resumed
    dispatcher.tick()
    assert dispatcher.pause_state() == (True, None)
    delete_setting(PAUSE_SETTING)  # ... then resumed
    dispatcher.tick()
    assert dispatcher.pause_state() == (False, None)
