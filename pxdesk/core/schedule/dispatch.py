"""Schedules in the store -> JobScheduler -> runs: due fires start jobs, missed runs catch up once.

The dispatcher owns the app's JobScheduler. It feeds it the Schedule rows and the last run of
each job (from the execution log), turns `job_due` into `runner.start(job, "scheduled")`, logs a
fire that finds the job still running as Skipped, and runs a missed slot once (when the
"Run missed jobs at start-up" setting is on) once the network is reachable, retrying a catch-up
that failed for the network every minute for up to 30 minutes. Pauses are app-wide and kept in
a setting, so "paused until X" survives a restart. No widgets: the UI only calls its methods.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.base import BaseScheduler
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.logs.execution import (
    ExecutionLog,
    failed_for_network,
    last_chain_run_times,
    last_run_times,
)
from pxdesk.core.schedule.rules import ScheduleLike, machine_timezone, missed_run, previous_run
from pxdesk.core.schedule.scheduler import REASON_MISSED, JobScheduler
from pxdesk.core.store.enums import RunStatus, Trigger
from pxdesk.core.store.models import Job, JobChain, Schedule
from pxdesk.core.store.settings import (
    CATCH_UP_MISSED,
    PAUSE_SETTING,
    delete_setting,
    get_setting,
    set_setting,
)
from pxdesk.core.sync.engine import chain_jobs
from pxdesk.core.sync.results import RunOutcome, tree_run_ids
from pxdesk.core.workers import RunListener

log = logging.getLogger("pxdesk.schedule")

TICK_MS = 60_000  # re-read schedules (CLI edits) and end timed pauses
RETRY_MS = 60_000  # a catch-up waiting for the network is tried again this often
RETRY_WINDOW = timedelta(minutes=30)
CHAIN_KEY_PREFIX = "\x1fchain "
PREVIOUS_RUN_GOING = "the previous run is still going"
SKIP_RUNNING = f"scheduled run skipped: {PREVIOUS_RUN_GOING}"
MISSED_AT_START = "while pxdesk was not running"
MISSED_AFTER_JUMP = "while the computer was asleep or its clock changed"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _always_online() -> bool:
    return True


def _never_locked(_job_name: str) -> bool:
    return False


def _nowhere(_job_name: str) -> str | None:
    return None


class Runner(Protocol):
    """What the dispatcher needs of core.workers.JobRunner."""

    def start(self, job_name: str, trigger: str = ..., date_range: Any = ..., *,
              note: str | None = ...) -> bool: ...

    def start_chain(self, chain_name: str, members: Sequence[str], trigger: str = ..., *,
                    note: str | None = ...) -> bool: ...

    def is_running(self, job_name: str) -> bool: ...


@dataclass
class CatchUp:
    """One missed slot of a job, run once; retried while the network is the problem."""

    slot: datetime  # in the schedule's zone
    why: str
    deadline: datetime  # retries after a network failure stop here
    attempts: int = 0

    def due_text(self) -> str:
        zone = getattr(self.slot.tzinfo, "key", None) or self.slot.tzname() or ""
        return f"{self.slot:%Y-%m-%d %H:%M} {zone}".strip()

    def note(self, attempt: int = 1) -> str:
        """What the run of `attempt` says about itself, in front of its reason."""
        text = f"caught up the run due {self.due_text()}, missed {self.why}"
        if attempt > 1:
            text += f" (attempt {attempt}: PX was unreachable before)"
        return text


def chain_key(chain_name: str) -> str:
    """The scheduler's name for a job chain: it starts with a control character, which a job
    name cannot hold, so a chain and a job never share one."""
    return CHAIN_KEY_PREFIX + chain_name


def chain_of_key(key: str) -> str | None:
    return key.removeprefix(CHAIN_KEY_PREFIX) if key.startswith(CHAIN_KEY_PREFIX) else None


def enabled_chains() -> dict[str, list[str]]:
    """Each enabled job chain's name -> its jobs in run order."""
    return {chain.name: [job.name for job in chain_jobs(chain)]
            for chain in JobChain.select().where(JobChain.enabled)}


def store_schedules() -> dict[str, ScheduleLike]:
    """Every job's Schedule row by job name, and each enabled chain under chain_key(name);
    a job in an enabled chain has none of its own (the chain's schedule starts it). The
    scheduler ignores the disabled ones."""
    chains = enabled_chains()
    chained = {name for members in chains.values() for name in members}
    schedules: dict[str, ScheduleLike] = {
        row.job.name: row for row in Schedule.select(Schedule, Job).join(Job)
        if row.job.name not in chained}
    for chain in JobChain.select().where(JobChain.enabled):
        schedules[chain_key(chain.name)] = chain
    return schedules


def last_start_times() -> dict[str, datetime]:
    """last_run_times, plus when each chain last started (its runs carry its name)."""
    times: dict[str, datetime] = dict(last_run_times())
    times.update({chain_key(name): at for name, at in last_chain_run_times().items()})
    return times


class ScheduleDispatcher(QObject, RunListener):
    """Keeps the JobScheduler in step with the store and starts the runs it says are due.

    `is_locked(job)` tells whether some run (another process or machine, or a dependency
    inside another run tree) holds the job: SyncEngine.is_running; `running_where(job)` says
    where ("on HOST (pid N)") for the Skipped reason. `network_online()` gates catch-ups.
    `now`, `backend` and `timezone` are passed to the JobScheduler (tests inject them).
    """

    schedules_changed = Signal()  # after reload(): next runs may have moved
    pause_changed = Signal()
    run_logged = Signal(str, int)  # job name, id of a row written here (a Skipped fire)

    def __init__(
        self, runner: Runner, parent: QObject | None = None, *,
        is_locked: Callable[[str], bool] = _never_locked,
        running_where: Callable[[str], str | None] = _nowhere,
        network_online: Callable[[], bool] = _always_online,
        now: Callable[[], datetime] | None = None,
        backend: BaseScheduler | None = None, timezone: str | None = None,
        tick_ms: int = TICK_MS, retry_ms: int = RETRY_MS,
        retry_window: timedelta = RETRY_WINDOW,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._is_locked = is_locked
        self._running_where = running_where
        self._network_online = network_online
        self._now = now or _utc_now
        self._retry_window = retry_window
        self._log = ExecutionLog(clock=self._now_ms)
        self._pending: dict[str, CatchUp] = {}  # missed runs waiting for the network / a retry
        self._active: dict[str, tuple[str, CatchUp]] = {}  # top job name -> (key, catch-up)
        self._starting = False
        self.scheduler = JobScheduler(
            self, timezone=timezone or machine_timezone(), now=self._now,
            last_runs=last_start_times, backend=backend)
        self.scheduler.job_due.connect(self._on_scheduler_job_due)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(tick_ms)
        self._tick_timer.timeout.connect(self.tick)
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.setInterval(retry_ms)
        self._retry_timer.timeout.connect(self.retry_pending)

    # ---- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Load schedules and the kept pause, start firing, catch up on runs missed while off."""
        self.scheduler.sync(store_schedules())
        self._restore_pause()
        self._starting = True
        try:
            self.scheduler.start()  # runs check_missed at once: job_due(..., "missed")
        finally:
            self._starting = False
        self._tick_timer.start()
        self._forget_ended_pause()

    def shutdown(self) -> None:
        self._tick_timer.stop()
        self._retry_timer.stop()
        self.scheduler.shutdown()

    def reload(self) -> None:
        """After a job, its schedule or the connection changed: re-read the Schedule rows."""
        self.scheduler.sync(store_schedules())
        self.schedules_changed.emit()

    @Slot()
    def tick(self) -> None:
        """Once a minute: pick up schedule edits and a pause or resume made elsewhere (the
        CLI, the desktop, a headless scheduler on the same store); end a timed pause."""
        self.scheduler.sync(store_schedules())
        self._follow_kept_pause()
        self._forget_ended_pause()

    # ---- queries ------------------------------------------------------------------------

    def next_run(self, job_name: str) -> datetime | None:
        """When the job runs next: its chain's next run while it is in an enabled chain."""
        chain = next((name for name, members in enabled_chains().items()
                      if job_name in members), None)
        return self.scheduler.next_fire(chain_key(chain) if chain else job_name)

    def pause_state(self) -> tuple[bool, datetime | None]:
        """(paused, until): until None while paused means "until resumed"."""
        return self.scheduler.pause_state()

    def pending_catch_ups(self) -> list[str]:
        return sorted(self._pending)

    # ---- pause --------------------------------------------------------------------------

    def pause(self, until: datetime | None) -> None:
        """Hold every schedule until `until` (None: until resume()); kept across restarts."""
        self.scheduler.pause_all(until)
        ms = int(until.timestamp() * 1000) if until is not None else None
        set_setting(PAUSE_SETTING, {"until": ms})
        self._pending.clear()  # a catch-up is a scheduled run: the pause holds it too
        self.pause_changed.emit()

    def resume(self) -> None:
        self.scheduler.resume_all()
        delete_setting(PAUSE_SETTING)
        self.pause_changed.emit()

    def _restore_pause(self) -> None:
        kept = get_setting(PAUSE_SETTING, None)
        if not isinstance(kept, dict):
            return
        until_ms = kept.get("until")
        until = datetime.fromtimestamp(until_ms / 1000, UTC) if until_ms is not None else None
        # An expired pause is restored too: the scheduler then marks its slots as skipped.
        self.scheduler.pause_all(until)

    def _follow_kept_pause(self) -> None:
        """The kept pause is the one truth every process on the store shares: adopt it."""
        kept = get_setting(PAUSE_SETTING, None)
        paused, until = self.scheduler.pause_state()
        if isinstance(kept, dict):
            until_ms = kept.get("until")
            wanted = datetime.fromtimestamp(until_ms / 1000, UTC) if until_ms is not None \
                else None
            if not paused or until != wanted:
                self.scheduler.pause_all(wanted)
                self._pending.clear()
                self.pause_changed.emit()
        elif paused:
            self.scheduler.resume_all()
            self.pause_changed.emit()

    def _forget_ended_pause(self) -> None:
        if get_setting(PAUSE_SETTING, None) is not None and not self.scheduler.is_paused():
            delete_setting(PAUSE_SETTING)
            self.pause_changed.emit()

    # ---- fires --------------------------------------------------------------------------

    @Slot(str, str)
    def _on_scheduler_job_due(self, job_name: str, reason: str) -> None:
        if reason == REASON_MISSED:
            self._on_missed(job_name)
            return
        self._pending.pop(job_name, None)  # this run covers a catch-up still waiting
        self._start(job_name, None)

    def _on_missed(self, job_name: str) -> None:
        schedule = store_schedules().get(job_name)
        if schedule is None:
            return
        now = self._now()
        slot = missed_run(schedule, last_start_times().get(job_name), now)
        slot = slot or previous_run(schedule, now) or now
        catch_up = CatchUp(slot, MISSED_AT_START if self._starting else MISSED_AFTER_JUMP,
                           deadline=now + self._retry_window)
        if not get_setting(CATCH_UP_MISSED):
            self._write_skipped(job_name, f"missed the run due {catch_up.due_text()} "
                                          f"{catch_up.why}; not caught up: catching up missed "
                                          "runs is turned off in Settings")
            return
        self._pending[job_name] = catch_up
        self.retry_pending()

    @Slot()
    def retry_pending(self) -> None:
        """Start the waiting catch-ups if the network is reachable, else try again later."""
        if not self._pending:
            return
        if not self._network_online():
            log.info("Network unreachable: %s wait to catch up", ", ".join(self._pending))
            self._retry_timer.start()
            return
        for job_name in list(self._pending):
            self._start(job_name, self._pending.pop(job_name))

    def _start(self, job_name: str, catch_up: CatchUp | None) -> None:
        """Start the due job, or the due chain when `job_name` is a chain_key."""
        chain = chain_of_key(job_name)
        members = enabled_chains().get(chain, []) if chain is not None else [job_name]
        if not members:
            return  # the chain was deleted or disabled since it fired
        busy = any(self._runner.is_running(m) or self._is_locked(m) for m in members)
        why = self._why_busy(members) if busy else ""
        note = catch_up.note(catch_up.attempts + 1) if catch_up is not None else None
        if chain is not None:
            started = not busy and self._runner.start_chain(
                chain, members, trigger=Trigger.SCHEDULED, note=note)
        else:
            started = not busy and self._runner.start(job_name, trigger=Trigger.SCHEDULED,
                                                      note=note)
        if not started:
            if catch_up is None:
                self._write_skipped(job_name, f"scheduled run skipped: {why}")
            else:
                self._write_skipped(job_name, f"missed the run due {catch_up.due_text()} "
                                              f"{catch_up.why}; not caught up: {why}")
            return
        if catch_up is not None:
            catch_up.attempts += 1
            self._active[members[-1]] = (job_name, catch_up)  # the runner reports the last
            log.info("Catching up %s (%s)", job_name, note)

    def _why_busy(self, members: Sequence[str]) -> str:
        """Why a due run cannot start: its run here is still going, or where another
        process or machine runs it."""
        if not any(self._runner.is_running(m) for m in members):
            for name in members:
                if self._is_locked(name) and (where := self._running_where(name)):
                    return f"already running {where}"
        return PREVIOUS_RUN_GOING

    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        key, catch_up = self._active.pop(job_name, (job_name, None))
        if catch_up is None:
            return
        network = any(failed_for_network(rid) for rid in tree_run_ids(outcome))
        if network and self._now() < catch_up.deadline and key not in self._pending:
            log.info("Catch-up of %s could not reach PX; retrying in a minute", key)
            self._pending[key] = catch_up
            self._retry_timer.start()

    def _write_skipped(self, job_name: str, reason: str) -> None:
        """A Skipped row for the job, or for each job of the chain a chain_key names."""
        chain = chain_of_key(job_name)
        names = enabled_chains().get(chain, []) if chain is not None else [job_name]
        for job in filter(None, (Job.get_or_none(Job.name == name) for name in names)):
            run = self._log.create(
                job, Trigger.SCHEDULED, connection_name=job.connection.name,
                status=RunStatus.SKIPPED, chain_name=chain,
                reason=f"chain {chain}; {reason}" if chain is not None else reason)
            log.info("%s: %s", job.name, reason)
            self.run_logged.emit(job.name, int(run.id))

    def _now_ms(self) -> int:
        return int(self._now().timestamp() * 1000)
