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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.base import BaseScheduler
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.logs.execution import (
    ExecutionLog,
    failed_for_network,
    last_run_times,
)
from pxdesk.core.schedule.rules import machine_timezone, missed_run, previous_run
from pxdesk.core.schedule.scheduler import REASON_MISSED, JobScheduler
from pxdesk.core.store.enums import RunStatus, Trigger
from pxdesk.core.store.models import Job, Schedule
from pxdesk.core.store.settings import (
    CATCH_UP_MISSED,
    PAUSE_SETTING,
    delete_setting,
    get_setting,
    set_setting,
)
from pxdesk.core.sync.results import RunOutcome, tree_run_ids
from pxdesk.core.workers import RunListener

log = logging.getLogger("pxdesk.schedule")

TICK_MS = 60_000  # re-read schedules (CLI edits) and end timed pauses
RETRY_MS = 60_000  # a catch-up waiting for the network is tried again this often
RETRY_WINDOW = timedelta(minutes=30)
SKIP_RUNNING = "scheduled run skipped: the previous run is still going"
MISSED_AT_START = "while pxdesk was not running"
MISSED_AFTER_JUMP = "while the computer was asleep or its clock changed"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _always_online() -> bool:
    return True


def _never_locked(_job_name: str) -> bool:
    return False


class Runner(Protocol):
    """What the dispatcher needs of core.workers.JobRunner."""

    def start(self, job_name: str, trigger: str = ..., date_range: Any = ..., *,
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


def store_schedules() -> dict[str, Schedule]:
    """Every job's Schedule row by job name; the scheduler ignores the disabled ones."""
    return {row.job.name: row for row in Schedule.select(Schedule, Job).join(Job)}


class ScheduleDispatcher(QObject, RunListener):
    """Keeps the JobScheduler in step with the store and starts the runs it says are due.

    `is_locked(job)` tells whether some run (another process, or a dependency inside another
    run tree) holds the job: SyncEngine.is_running. `network_online()` gates catch-ups.
    `now`, `backend` and `timezone` are passed to the JobScheduler (tests inject them).
    """

    schedules_changed = Signal()  # after reload(): next runs may have moved
    pause_changed = Signal()
    run_logged = Signal(str, int)  # job name, id of a row written here (a Skipped fire)

    def __init__(
        self, runner: Runner, parent: QObject | None = None, *,
        is_locked: Callable[[str], bool] = _never_locked,
        network_online: Callable[[], bool] = _always_online,
        now: Callable[[], datetime] | None = None,
        backend: BaseScheduler | None = None, timezone: str | None = None,
        tick_ms: int = TICK_MS, retry_ms: int = RETRY_MS,
        retry_window: timedelta = RETRY_WINDOW,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._is_locked = is_locked
        self._network_online = network_online
        self._now = now or _utc_now
        self._retry_window = retry_window
        self._log = ExecutionLog(clock=self._now_ms)
        self._pending: dict[str, CatchUp] = {}  # missed runs waiting for the network / a retry
        self._active: dict[str, CatchUp] = {}  # catch-up runs going, by job name
        self._starting = False
        self.scheduler = JobScheduler(
            self, timezone=timezone or machine_timezone(), now=self._now,
            last_runs=last_run_times, backend=backend)
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
        """Once a minute: pick up schedule edits made elsewhere (CLI); end a timed pause."""
        self.scheduler.sync(store_schedules())
        self._forget_ended_pause()

    # ---- queries ------------------------------------------------------------------------

    def next_run(self, job_name: str) -> datetime | None:
        return self.scheduler.next_fire(job_name)

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
        slot = missed_run(schedule, last_run_times().get(job_name), now)
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
        busy = self._runner.is_running(job_name) or self._is_locked(job_name)
        note = catch_up.note(catch_up.attempts + 1) if catch_up is not None else None
        if busy or not self._runner.start(job_name, trigger=Trigger.SCHEDULED, note=note):
            if catch_up is None:
                self._write_skipped(job_name, SKIP_RUNNING)
            else:
                self._write_skipped(job_name, f"missed the run due {catch_up.due_text()} "
                                              f"{catch_up.why}; not caught up: the previous "
                                              "run is still going")
            return
        if catch_up is not None:
            catch_up.attempts += 1
            self._active[job_name] = catch_up
            log.info("Catching up %s (%s)", job_name, note)

    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        catch_up = self._active.pop(job_name, None)
        if catch_up is None:
            return
        network = any(failed_for_network(rid) for rid in tree_run_ids(outcome))
        if network and self._now() < catch_up.deadline and job_name not in self._pending:
            log.info("Catch-up of %s could not reach PX; retrying in a minute", job_name)
            self._pending[job_name] = catch_up
            self._retry_timer.start()

    def _write_skipped(self, job_name: str, reason: str) -> None:
        job = Job.get_or_none(Job.name == job_name)
        if job is None:
            return
        run = self._log.create(job, Trigger.SCHEDULED, connection_name=job.connection.name,
                               status=RunStatus.SKIPPED, reason=reason)
        log.info("%s: %s", job_name, reason)
        self.run_logged.emit(job_name, int(run.id))

    def _now_ms(self) -> int:
        return int(self._now().timestamp() * 1000)
