"""SyncEngine: runs a job (and its dependencies), or a job chain, end to end, with no Qt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pxdesk.core.errors import ConfigError
from pxdesk.core.logs.execution import (
    ADVANCING_STATUSES,
    ExecutionLog,
    add_run_note,
    open_runs,
)
from pxdesk.core.logs.request_budget import budget_blocker
from pxdesk.core.px.client import PxClient, RequestEvent
from pxdesk.core.px.regions import resolve_base_url
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store.base import database, now_ms
from pxdesk.core.store.enums import TargetObject, Trigger
from pxdesk.core.store.errors import STORE_FAILURES, failure_reason, store_errors
from pxdesk.core.store.models import (
    Connection,
    ExecutionRun,
    Job,
    JobChain,
    JobChainMember,
    JobDependency,
    RunStatus,
)
from pxdesk.core.sync.deferred_indexes import restore_indexes
from pxdesk.core.sync.dry_records import KEEP_IN_MEMORY
from pxdesk.core.sync.dry_run import DryRun, DryRunResult
from pxdesk.core.sync.dry_state import HOT_ENTRIES
from pxdesk.core.sync.job_run import JobRun, RunSettings
from pxdesk.core.sync.results import RunProgress, RunResult, RunStart, run_tree
from pxdesk.core.sync.run_lease import JobLeases, Lease

_log = logging.getLogger("pxdesk.sync")

ClientFactory = Callable[[Callable[[RequestEvent], None]], PxClient]
StartHook = Callable[[RunStart], None]
EndHook = Callable[[RunResult], None]


class SyncEngine:
    """Runs sync jobs. One engine per process (it owns the in-process run registry); each
    run_job call runs on the calling thread and uses that thread's database connection."""

    def __init__(
        self, secrets: SecretStore, *, user: str = "", runs_dir: Path,
        client_factory: ClientFactory | None = None, clock: Callable[[], int] = now_ms,
        page_size: int = 1000, leases: JobLeases | None = None,
    ) -> None:
        self._secrets = secrets
        self.user = user
        self.runs_dir = Path(runs_dir)
        self._client_factory = client_factory or self._default_client
        self._clock = clock
        self.page_size = page_size
        self.leases = leases or JobLeases(clock)
        self.log = ExecutionLog(clock)

    # ---- public -------------------------------------------------------------------------

    def run_job(
        self, job_name: str, *, trigger: str = Trigger.MANUAL,
        date_range: tuple[int, int] | None = None,
        progress: Callable[[RunProgress], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        on_start: StartHook | None = None, on_end: EndHook | None = None,
        note: str | None = None, reconcile: bool = False,
    ) -> RunResult:
        """Run `job_name` after its dependencies; never raises for run-time problems (they end
        as a Failure row with the reason), only ConfigError for an unknown job and StoreError
        when the store cannot even record the run (busy, full, unwritable): one clear line.

        `on_start` hears of every run of the tree once, as its row is created, and `on_end`
        once it is closed (dependencies included, in run order); `note` (e.g. why a scheduled
        run is catching up) goes in front of the job's own reason before it is announced;
        `reconcile` checks the job's rows against every id PX has now, whatever its interval."""
        with store_errors(database().database):
            job = Job.get_or_none(Job.name == job_name)
            if job is None:
                raise ConfigError(f"There is no job named {job_name!r}.", field="job")
            if date_range is not None:
                trigger = Trigger.IMPORT_FROM_DATE
            hooks = _Hooks(progress, cancel, on_start, on_end)
            return self._run_tree(job, Trigger(trigger), date_range, hooks, set(), note,
                                  reconcile)

    def run_chain(
        self, chain_name: str, *, trigger: str = Trigger.MANUAL,
        progress: Callable[[RunProgress], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        on_start: StartHook | None = None, on_end: EndHook | None = None,
        note: str | None = None,
    ) -> RunResult:
        """Run the chain's jobs in order as one tree: each member an ordinary run (with its
        own dependencies, none run twice), a member after one that did not advance Skipped as
        a dependency would be. The result is the last member's, `dependencies` holding the
        earlier members, so the hooks and everything after them see a normal run tree."""
        with store_errors(database().database):
            chain = JobChain.get_or_none(JobChain.name == chain_name)
            if chain is None:
                raise ConfigError(f"There is no job chain named {chain_name!r}.", field="chain")
            members = chain_jobs(chain)
            if not members:
                raise ConfigError(f"The job chain {chain_name!r} has no jobs.", field="chain")
            hooks = _Hooks(progress, cancel, on_start, on_end, chain=chain.name)
            label = f"chain {chain.name}" + (f"; {note}" if note else "")
            earlier: list[RunResult] = []
            seen: set[int] = set()
            for job in members:
                before = earlier[-1] if earlier else None
                if before is not None and before.status not in ADVANCING_STATUSES:
                    result = self._skip_member(job, Trigger(trigger), before, hooks, label)
                else:
                    result = self._run_tree(job, Trigger(trigger), None, hooks, seen, label)
                seen |= {job.id} | _job_ids(result)
                earlier.append(result)
            last = earlier[-1]
            return replace(last, dependencies=[*earlier[:-1], *last.dependencies])

    def _skip_member(self, job: Job, trigger: Trigger, before: RunResult, hooks: _Hooks,
                     label: str) -> RunResult:
        why = (before.reason or "").removeprefix(label).removeprefix("; ")
        reason = f"{label}; '{before.job_name}' ended with {before.status}" + (
            f": {why}" if why else "")
        run = self.log.create(job, trigger, connection_name=self._connection_name(),
                              status=RunStatus.SKIPPED, reason=reason, chain_name=hooks.chain)
        hooks.started(run)
        return hooks.ended(RunResult.from_run(run), label)

    def dry_run(self, job_name: str, *, progress: Callable[[RunProgress], None] | None = None,
                cancel: Callable[[], bool] | None = None,
                keep: int = KEEP_IN_MEMORY, hot_rows: int = HOT_ENTRIES) -> DryRunResult:
        """What the job's next run would do with each record, writing nothing; its
        dependencies do not run first. Raises ConfigError for an unknown job only. Records
        past the first `keep` go to a temporary file: close the result when done; so do the
        would-be rows past `hot_rows` per map while it runs."""
        with store_errors(database().database):
            job = Job.get_or_none(Job.name == job_name)
        if job is None:
            raise ConfigError(f"There is no job named {job_name!r}.", field="job")
        return DryRun(self._run_settings(), job, progress, cancel, keep=keep,
                      hot_rows=hot_rows).execute()

    def is_running(self, job_name: str) -> bool:
        """True while a run of the job holds its lease, in any process on any machine."""
        return self.leases.is_running(job_name)

    def running_where(self, job_name: str) -> str | None:
        """Where the job's run goes on now ("on HOST (pid N)"), None when it does not."""
        info = self.leases.holder_of(job_name)
        return info.where() if info is not None else None

    def close_interrupted_runs(self) -> int:
        """At start-up: close runs left open by a dead process as Failure ("interrupted"), and
        build the indexes a killed large load had deferred, so browsing is fast again now."""
        closed = self.log.close_interrupted_runs(self.leases.is_running)
        if closed:
            restore_indexes(database(), [obj.value for obj in TargetObject])
        return closed

    # ---- runs ---------------------------------------------------------------------------

    def _run_tree(self, job: Job, trigger: Trigger, date_range: tuple[int, int] | None,
                  hooks: _Hooks, seen: set[int], note: str | None = None,
                  reconcile: bool = False) -> RunResult:
        lease = self.leases.acquire(job)
        if not isinstance(lease, Lease):
            run = self.log.create(job, trigger, connection_name=self._connection_name(),
                                  status=RunStatus.SKIPPED,
                                  reason=f"already running {lease.where()}",
                                  chain_name=hooks.chain)
            hooks.started(run)
            return hooks.ended(RunResult.from_run(run), note)
        try:
            for stale in open_runs(job):  # we hold the lease: whoever left these is gone
                self.log.finish(stale, RunStatus.FAILURE, reason="interrupted")
            run = self.log.create(job, trigger, connection_name=self._connection_name(),
                                  chain_name=hooks.chain)
            hooks.started(run)
            if held := budget_blocker(job, self._clock()):
                self.log.finish(run, RunStatus.SKIPPED, reason=held)
                return hooks.ended(RunResult.from_run(run), note)
            deps: list[RunResult] = []
            for dep in self._dependencies(job):
                if dep.id in seen or dep.id == job.id:
                    continue
                result = self._run_tree(dep, Trigger.DEPENDENCY, None, hooks, seen | {job.id})
                deps.append(result)
                if result.status not in ADVANCING_STATUSES:
                    reason = (f"dependency '{dep.name}' ended with {result.status}"
                              + (f": {result.reason}" if result.reason else ""))
                    self.log.finish(run, RunStatus.SKIPPED, reason=reason)
                    return hooks.ended(RunResult.from_run(run, dependencies=deps), note)
            try:
                result = JobRun(self._run_settings(), job, run, date_range, hooks.progress,
                                hooks.cancel, reconcile=reconcile, lease=lease).execute()
            except Exception as exc:  # its clean-up failed too (e.g. the disk is still full)
                return hooks.ended(self._close_failed_run(run, exc, deps), note)
            result.dependencies = deps
            return hooks.ended(result, note)
        finally:
            lease.release()

    def _run_settings(self) -> RunSettings:
        return RunSettings(self.runs_dir, self.page_size, self._clock, self.multi_instance(),
                           self._client_factory, self.log)

    def _close_failed_run(self, run: ExecutionRun, exc: Exception,
                          deps: list[RunResult]) -> RunResult:
        """End the row as Failure with one line; if even that write fails, the result still
        says why (the row is closed as interrupted when the store is next opened)."""
        _log.error("run %s of %s failed while closing", run.id, run.job_name, exc_info=exc)
        reason = failure_reason(exc, database().database)
        try:
            self.log.finish(run, RunStatus.FAILURE, reason=reason)
        except STORE_FAILURES:
            _log.exception("cannot close run %s", run.id)
        return replace(RunResult.from_run(run, dependencies=deps), status=RunStatus.FAILURE,
                       reason=reason)

    @staticmethod
    def _dependencies(job: Job) -> list[Job]:
        rows = (JobDependency.select().where(JobDependency.job == job)
                .order_by(JobDependency.position, JobDependency.id))
        return [row.depends_on for row in rows]

    @staticmethod
    def _connection_name() -> str:
        conn = Connection.get_or_none()
        return conn.name if conn is not None else ""

    def _default_client(self, on_request: Callable[[RequestEvent], None]) -> PxClient:
        conn = Connection.get_or_none()
        if conn is None:
            raise ConfigError("There is no PX connection: create one first.")
        key = self._secrets.get(conn.key_ref)
        if not key:
            raise ConfigError("The PX API key is missing from the key store: enter it again "
                              "in the connection settings.", field="api_key")
        base = resolve_base_url(region=None if conn.base_url else conn.region,
                                base_url=conn.base_url or None)
        return PxClient(base, key, on_request=on_request)

    def make_client(self, on_request: Callable[[RequestEvent], None]) -> PxClient:
        return self._client_factory(on_request)

    @staticmethod
    def multi_instance() -> bool:
        conn = Connection.get_or_none()
        return bool(conn.multi_instance) if conn is not None else False



def chain_jobs(chain: JobChain) -> list[Job]:
    """The chain's jobs in run order."""
    rows = (JobChainMember.select(JobChainMember, Job).join(Job)
            .where(JobChainMember.chain == chain).order_by(JobChainMember.position))
    return [row.job for row in rows]


def _job_ids(result: RunResult) -> set[int]:
    """Ids of the jobs that ran in a tree, so a later member does not run them again."""
    names = {r.job_name for r in run_tree(result) if isinstance(r, RunResult)}
    return {int(job.id) for job in Job.select(Job.id).where(Job.name.in_(sorted(names)))}


class _Hooks:
    """The callbacks of one run_job call, passed down the tree as one value; `chain` names
    the job chain the tree runs for (kept on each run row)."""

    def __init__(self, progress: Callable[[RunProgress], None] | None,
                 cancel: Callable[[], bool] | None, on_start: StartHook | None,
                 on_end: EndHook | None, *, chain: str | None = None) -> None:
        self.progress, self.cancel = progress, cancel
        self._on_start, self._on_end = on_start, on_end
        self.chain = chain

    def started(self, run: ExecutionRun) -> None:
        if self._on_start is not None:
            self._on_start(RunStart(int(run.id), run.job_name, RunStatus(run.status)))

    def ended(self, result: RunResult, note: str | None) -> RunResult:
        """Put the note on the closed row, then tell; the result is what the row now says."""
        if note:
            add_run_note(result.run_id, note)
            reason = ExecutionRun.get_by_id(result.run_id).reason
            result = replace(result, reason=reason)
        if self._on_end is not None:
            self._on_end(result)
        return result
