"""Tray scheduler: APScheduler turns each job's schedule into a `job_due` signal, never a sync.

The APScheduler trigger asks schedule.rules for the next slot, so the wizard's preview and the
real fires share one rule. Job functions run on APScheduler's pool and only emit a signal; a
Qt signal emitted from another thread is queued to the receiver's (GUI) thread. The last run
lives in the database, so after a restart, a sleep or a wall-clock jump the owner's
`check_missed` (fed from the store) emits one catch-up per job, never one per missed slot.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from pxdesk.core.errors import ConfigError
from pxdesk.core.schedule.rules import (
    ScheduleLike,
    ScheduleSpec,
    describe,
    missed_run,
    next_runs,
    previous_run,
    to_spec,
)

log = logging.getLogger("pxdesk.scheduler")

REASON_SCHEDULED = "scheduled"
REASON_MISSED = "missed"
MISFIRE_GRACE_SECONDS = 300  # later than this, APScheduler drops the fire; check_missed catches up
CLOCK_CHECK_MS = 60_000
JUMP_THRESHOLD_SECONDS = 120.0
_ONE_US = timedelta(microseconds=1)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ScheduleTrigger(BaseTrigger):  # type: ignore[misc]
    """APScheduler trigger over schedule.rules; skips slots before the schedule's paused_until."""

    __slots__ = ("spec",)

    def __init__(self, schedule: ScheduleLike | ScheduleSpec) -> None:
        self.spec = to_spec(schedule)

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The first slot after the previous fire, or at/after `now` when there is none yet."""
        after = previous_fire_time if previous_fire_time is not None else now - _ONE_US
        after = after.astimezone(UTC)
        if self.spec.paused_until is not None:
            resume = datetime.fromtimestamp(self.spec.paused_until / 1000, UTC)
            after = max(after, resume - _ONE_US)
        runs = next_runs(self.spec, after, 1)
        return runs[0] if runs else None

    def __str__(self) -> str:
        return f"schedule[{describe(self.spec)}]"


class JobScheduler(QObject):
    """Keeps one APScheduler job per enabled schedule and says when a job is due.

    `now`, `wall_clock` and `monotonic` are injectable for tests; `last_runs` (job name -> last
    run start, from the store) lets start() and a detected clock jump check for missed runs.
    `backend` defaults to a BackgroundScheduler with an in-memory store.
    """

    job_due = Signal(str, str)  # job name, reason: "scheduled" or "missed"

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        timezone: str = "UTC",
        now: Callable[[], datetime] = _utc_now,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        last_runs: Callable[[], Mapping[str, datetime | None]] | None = None,
        backend: BaseScheduler | None = None,
        misfire_grace_seconds: int = MISFIRE_GRACE_SECONDS,
        clock_check_ms: int = CLOCK_CHECK_MS,
    ) -> None:
        super().__init__(parent)
        self._now = now
        self._wall_clock = wall_clock
        self._monotonic = monotonic
        self._last_runs = last_runs
        self._misfire_grace = misfire_grace_seconds
        self._scheduler = backend or self._default_backend(timezone, misfire_grace_seconds)
        # APScheduler's pool thread (_fire) and the GUI thread share the state below.
        self._lock = threading.Lock()
        self._specs: dict[str, ScheduleSpec] = {}
        self._emitted: dict[str, datetime] = {}  # job -> slot already announced
        self._paused = False
        self._paused_until: datetime | None = None
        self._clock_marks: tuple[float, float] | None = None
        self._clock_interval_s = clock_check_ms / 1000
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(clock_check_ms)
        self._clock_timer.timeout.connect(self._on_clock_timer_timeout)

    @staticmethod
    def _default_backend(timezone: str, misfire_grace_seconds: int) -> BaseScheduler:
        return BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(2)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": misfire_grace_seconds,
            },
            timezone=ZoneInfo(timezone),
        )

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def sync(self, schedules: Mapping[str, ScheduleLike | ScheduleSpec]) -> None:
        """Make the APScheduler jobs match `schedules`; disabled or invalid ones get none."""
        wanted: dict[str, ScheduleSpec] = {}
        for name, schedule in schedules.items():
            if not schedule.enabled:
                continue
            try:
                wanted[name] = to_spec(schedule)
            except ConfigError as exc:
                log.warning("Schedule of job %r is invalid and will not run: %s", name, exc)
        with self._lock:
            for name in set(self._specs) - set(wanted):
                self._remove_job(name)
                self._emitted.pop(name, None)
            for name, spec in wanted.items():
                if self._specs.get(name) == spec:
                    continue  # unchanged: keep APScheduler's pending fire as it is
                # Remove first: before start() APScheduler queues jobs without replacing them.
                self._remove_job(name)
                self._scheduler.add_job(
                    self._fire, trigger=ScheduleTrigger(spec), args=(name,), id=name,
                    name=name, replace_existing=True, max_instances=1, coalesce=True,
                    misfire_grace_time=self._misfire_grace,
                )
            self._specs = wanted

    def start(self) -> None:
        """Start firing, watch the wall clock, and catch up on runs missed while closed."""
        if not self._scheduler.running:
            self._scheduler.start()
        self._clock_marks = (self._wall_clock(), self._monotonic())
        self._clock_timer.start()
        if self._last_runs is not None:
            self.check_missed(self._last_runs())

    def shutdown(self) -> None:
        """Stop firing; a fire already on the pool may still emit once."""
        self._clock_timer.stop()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def pause_all(self, until: datetime | None = None) -> None:
        """Hold every fire until `until` (None: until resume_all); held slots are not caught up."""
        if until is not None and until.tzinfo is None:
            raise ValueError("until must be a timezone-aware datetime")
        with self._lock:
            self._paused = True
            self._paused_until = until

    def resume_all(self) -> None:
        """End a pause now; slots that fell inside it stay skipped."""
        with self._lock:
            if self._paused:
                self._end_pause(self._now())

    def is_paused(self) -> bool:
        with self._lock:
            return self._paused_now(self._now())

    def pause_state(self) -> tuple[bool, datetime | None]:
        """(paused now, until when: None = until resumed); an expired pause ends here."""
        with self._lock:
            paused = self._paused_now(self._now())
            return paused, self._paused_until if paused else None

    def next_fire(self, job_name: str) -> datetime | None:
        """When the job fires next (in its schedule's zone), counting pauses; None if never."""
        now = self._now()
        with self._lock:
            spec = self._specs.get(job_name)
            if spec is None:
                return None
            start = now
            if self._paused_now(now):
                if self._paused_until is None:
                    return None
                start = self._paused_until
        return ScheduleTrigger(spec).get_next_fire_time(None, start)

    def check_missed(
        self, last_runs: Mapping[str, datetime | None], now: datetime | None = None
    ) -> list[str]:
        """Emit job_due(name, "missed") once per job with a slot in (last run, now]."""
        now = now or self._now()
        due: list[str] = []
        with self._lock:
            if self._paused_now(now):
                return due
            for name, spec in self._specs.items():
                slot = missed_run(spec, last_runs.get(name), now)
                if slot is not None and self._claim(name, slot):
                    due.append(name)
        for name in due:
            log.info("Job %r missed a scheduled run; running it once now", name)
            self.job_due.emit(name, REASON_MISSED)
        return due

    def check_clock(self) -> bool:
        """Detect a wall-clock jump or a sleep since the last check; then re-check missed runs."""
        wall, mono = self._wall_clock(), self._monotonic()
        last, self._clock_marks = self._clock_marks, (wall, mono)
        if last is None:
            return False
        wall_delta, mono_delta = wall - last[0], mono - last[1]
        # A tick far later than its interval also means a sleep (monotonic may count it or not).
        jumped = (abs(wall_delta - mono_delta) > JUMP_THRESHOLD_SECONDS
                  or wall_delta > self._clock_interval_s + JUMP_THRESHOLD_SECONDS)
        if not jumped:
            return False
        log.info("Wall clock moved %.0f s in %.0f s; re-checking schedules", wall_delta, mono_delta)
        if self._scheduler.running:
            self._scheduler.wakeup()
        if self._last_runs is not None:
            self.check_missed(self._last_runs())
        return True

    @Slot()
    def _on_clock_timer_timeout(self) -> None:
        self.check_clock()

    def _fire(self, job_name: str) -> None:
        """Runs on APScheduler's pool: decide under the lock, then only emit."""
        now = self._now()
        with self._lock:
            spec = self._specs.get(job_name)
            if spec is None or self._paused_now(now):
                return
            slot = previous_run(spec, now) or now
            if not self._claim(job_name, slot):
                return  # already announced (for example as a missed run after a wake-up)
        self.job_due.emit(job_name, REASON_SCHEDULED)

    def _claim(self, job_name: str, slot: datetime) -> bool:
        """Record `slot` as announced; False if it (or a later one) already was. Lock held."""
        slot = slot.astimezone(UTC)  # same-zone compares use wall time and ignore DST folds
        announced = self._emitted.get(job_name)
        if announced is not None and slot <= announced:
            return False
        self._emitted[job_name] = slot
        return True

    def _paused_now(self, now: datetime) -> bool:
        """Lock held. An expired timed pause ends here, marking its slots as skipped."""
        if not self._paused:
            return False
        if self._paused_until is not None and now >= self._paused_until:
            self._end_pause(self._paused_until)
            return False
        return True

    def _end_pause(self, at: datetime) -> None:
        """Lock held. Slots up to `at` count as announced so check_missed won't replay them."""
        for name, spec in self._specs.items():
            slot = previous_run(spec, at)
            if slot is not None:
                self._claim(name, slot)
        self._paused = False
        self._paused_until = None

    def _remove_job(self, name: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(name)

    def __repr__(self) -> str:
        return f"JobScheduler(jobs={sorted(self._specs)!r}, paused={self._paused})"

