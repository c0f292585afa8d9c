"""StoreWatch: runs and leases written by another process show in the jobs table and the
execution log within a poll; nothing is emitted while the store is still."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from pxdesk.core.logs.queries import display_time
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.base import now_ms
from pxdesk.core.store.enums import RunStatus, Trigger
from pxdesk.core.store.leases import JobLease
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.workers import JobRunner
from pxdesk.ui.models.jobs_model import STATUS_COLUMN
from pxdesk.ui.models.table_model import STATUS_ROLE
from pxdesk.ui.store_watch import StoreWatch
from pxdesk.ui.views.connectors_view import ConnectorsView
from pxdesk.ui.views.logs_view import EXECUTION, LogsView
from tests.ui.conftest import COMPANY_JOB, PERSON_JOB, StoredConnection, setup_jobs


def _other_process_starts(job_name: str) -> tuple[ExecutionRun, int]:
    """What another pxdesk writes as its run starts: the lease, then the run row."""
    job = Job.get(Job.name == job_name)
    taken = now_ms() - 3_000
    JobLease.create(job=job, holder="other", host="build-7", pid=4242, taken_at=taken,
                    heartbeat_at=taken, expires_at=now_ms() + 120_000)
    run = ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.SCHEDULED,
                              status=RunStatus.IN_PROGRESS, queued_at=taken, started_at=taken)
    return run, taken


def _other_process_ends(run: ExecutionRun) -> None:
    ExecutionRun.update(status=RunStatus.SUCCESS, success_count=7, ended_at=now_ms()).where(
        ExecutionRun.id == run.id).execute()
    JobLease.delete().execute()


def test_a_still_store_emits_nothing_and_a_run_elsewhere_is_seen_until_it_ends(
    qtbot: QtBot, context: Any, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    watch = StoreWatch()
    watch.start()
    seen: list[Any] = []
    watch.run_seen.connect(seen.append)
    with qtbot.assertNotEmitted(watch.changed):
        watch.poll()
    run, _taken = _other_process_starts(COMPANY_JOB)
    with qtbot.waitSignal(watch.changed, timeout=1000):
        watch.poll()
    assert [(s.run_id, s.status) for s in seen] == [(run.id, RunStatus.IN_PROGRESS)]
    seen.clear()
    _other_process_ends(run)
    with qtbot.waitSignal(watch.changed, timeout=1000):
        watch.poll()
    assert [(s.run_id, s.status) for s in seen] == [(run.id, RunStatus.SUCCESS)]
    seen.clear()
    with qtbot.assertNotEmitted(watch.changed):
        watch.poll()
    assert seen == []


def test_the_timer_polls_at_the_injected_interval(qtbot: QtBot, context: Any,
                                                  sim: PxSimulator) -> None:
    setup_jobs(context, sim)
    watch = StoreWatch(interval_ms=10)
    watch.start()
    _other_process_starts(COMPANY_JOB)
    with qtbot.waitSignal(watch.changed, timeout=5000):
        pass
    watch.stop()


def test_jobs_table_and_execution_log_show_a_run_of_another_process(
    qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner
) -> None:
    setup_jobs(context, sim)
    jobs = ConnectorsView(StoredConnection(), runner, None)
    logs = LogsView(Path(context.paths.runs_dir))
    for widget in (jobs, logs):
        qtbot.addWidget(widget)
    watch = StoreWatch(interval_ms=10)
    watch.changed.connect(jobs.refresh)  # as the app wires it
    watch.run_seen.connect(logs.on_run_started)
    watch.start()
    run, taken = _other_process_starts(COMPANY_JOB)
    model = jobs.jobs_model
    index = model.index(model.row_of(COMPANY_JOB), STATUS_COLUMN)
    expected = f"Running on build-7 (pid 4242) since {display_time(taken)}"
    qtbot.waitUntil(lambda: model.data(index) == expected, timeout=5000)
    assert model.data(index, STATUS_ROLE) == RunStatus.IN_PROGRESS
    executions = logs.models[EXECUTION]
    assert executions.row_of(run.id) >= 0
    _other_process_ends(run)
    qtbot.waitUntil(lambda: model.data(model.index(model.row_of(COMPANY_JOB), STATUS_COLUMN))
                    == RunStatus.SUCCESS, timeout=5000)
    watch.stop()


def test_a_job_running_elsewhere_cannot_be_started_here_and_says_where(
    qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner
) -> None:
    setup_jobs(context, sim)
    jobs = ConnectorsView(StoredConnection(), runner, None)
    qtbot.addWidget(jobs)
    run, taken = _other_process_starts(COMPANY_JOB)
    jobs.refresh()
    jobs.select_job(COMPANY_JOB)
    starts = (jobs.import_now_button, jobs.import_from_date_button, jobs.check_deleted_button)
    assert [b.isEnabled() for b in starts] == [False, False, False]
    where = f"Running on build-7 (pid 4242) since {display_time(taken)}"
    assert all(where in b.toolTip() for b in starts)
    assert not jobs.cancel_button.isEnabled(), "another machine's run is not ours to cancel"
    _other_process_ends(run)
    jobs.refresh()
    assert [b.isEnabled() for b in starts] == [True, True, True]
    assert all("Running on" not in b.toolTip() for b in starts)


def test_a_run_of_this_process_is_not_shown_as_running_elsewhere(
    qtbot: QtBot, context: Any, sim: PxSimulator, runner: JobRunner
) -> None:
    """A dependency's lease outlives its row's end by a moment: its row must not flash
    "Running on <this machine>" (this window shows its own runs live)."""
    from pxdesk.core.sync.run_lease import JobLeases, Lease
    from pxdesk.ui import queries

    setup_jobs(context, sim)
    lease = JobLeases().acquire(Job.get(Job.name == COMPANY_JOB))
    assert isinstance(lease, Lease)
    try:
        rows = {row.name: row for row in queries.job_rows()}
        assert rows[COMPANY_JOB].running is None
    finally:
        lease.release()


def test_this_processs_own_runs_and_heartbeats_do_not_refresh_the_window(
    qtbot: QtBot, context: Any, sim: PxSimulator
) -> None:
    """The window shows its own runs live through the runner's signals: the watch re-reading
    them (its run row, its lease's heartbeat every 30 s) only cost the GUI thread a jobs
    query during the run. A run of another process is still seen at once."""
    import socket

    from pxdesk.core.store.leases import renew_lease
    from pxdesk.core.sync.run_lease import JobLeases, Lease

    setup_jobs(context, sim)
    own_runs: set[int] = set()
    watch = StoreWatch(is_own=own_runs.__contains__)
    watch.start()
    seen: list[Any] = []
    watch.run_seen.connect(seen.append)
    job = Job.get(Job.name == COMPANY_JOB)
    lease = JobLeases(host=socket.gethostname()).acquire(job)
    assert isinstance(lease, Lease)
    try:
        run = ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.MANUAL,
                                  status=RunStatus.IN_PROGRESS, queued_at=now_ms())
        own_runs.add(int(run.id))
        with qtbot.assertNotEmitted(watch.changed):
            watch.poll()
        assert renew_lease(int(job.id), lease.token, now_ms() + 30_000, 120_000)
        with qtbot.assertNotEmitted(watch.changed):
            watch.poll()
        assert seen == []
        other, _taken = _other_process_starts(PERSON_JOB)
        with qtbot.waitSignal(watch.changed, timeout=1000):
            watch.poll()
        assert [s.run_id for s in seen] == [other.id]
    finally:
        lease.release()
