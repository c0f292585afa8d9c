"""The desktop's runs go through a child process (ChildEngine): the same results, hooks,
cancel and leases as an in-process run, and a killed child leaves nothing open."""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

import pytest

from pxdesk.core.errors import ConfigError, PxdeskError
from pxdesk.core.logs.execution import ADVANCING_STATUSES
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.faults import Fault
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.sync.child_engine import ChildEngine
from pxdesk.core.sync.job_run import JobRun
from pxdesk.core.sync.results import RunProgress, RunResult, RunStart
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB, USERS

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def child_engine(context: Any, engine: Any) -> ChildEngine:
    return ChildEngine(context.paths, context.store, user="tester", local=engine, page_size=50)


class Heard:
    """The hooks of one run call, in the order they came."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def start(self, start: RunStart) -> None:
        self.events.append(("start", start))

    def progress(self, progress: RunProgress) -> None:
        self.events.append(("progress", progress))

    def end(self, result: RunResult) -> None:
        self.events.append(("end", result))

    def of(self, kind: str) -> list[Any]:
        return [value for k, value in self.events if k == kind]

    def hooks(self) -> dict[str, Any]:
        return {"on_start": self.start, "progress": self.progress, "on_end": self.end}


def _no_run_here(*_args: Any, **_kwargs: Any) -> Any:
    raise AssertionError("a child engine's run must not execute in the calling process")


def test_a_run_happens_in_a_child_process_with_the_same_hooks_and_result(
        connect: Any, child_engine: ChildEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    connect()
    monkeypatch.setattr(JobRun, "execute", _no_run_here)
    heard = Heard()
    result = child_engine.run_job(PERSON_JOB, trigger="manual", **heard.hooks())
    assert result.status in ADVANCING_STATUSES
    assert [d.job_name for d in result.dependencies] == [COMPANY_JOB]
    assert result.dependencies[0].counts.success == ACCOUNTS
    counts = result.counts
    assert counts.success + counts.failure + counts.filtered == USERS
    assert [s.job_name for s in heard.of("start")] == [PERSON_JOB, COMPANY_JOB]
    assert [r.run_id for r in heard.of("end")] == [result.dependencies[0].run_id, result.run_id]
    # each run's reports come between its start and its end, the last one whole
    kinds = [(kind, value.run_id) for kind, value in heard.events]
    person = [k for k, run_id in kinds if run_id == result.run_id]
    assert person[0] == "start" and person[-1] == "end" and "progress" in person
    assert heard.of("progress")[-1].records == USERS
    run = ExecutionRun.get_by_id(result.run_id)
    assert (run.status, run.success_count, run.failure_count) == (
        result.status, counts.success, counts.failure)
    assert not child_engine.running_pids()


def test_a_chain_runs_in_the_child_too(connect: Any, child_engine: ChildEngine) -> None:
    from pxdesk.core.config.chain_service import ChainConfig, ChainService

    connect()
    ChainService(user="tester").save(ChainConfig("Nightly", [COMPANY_JOB, PERSON_JOB]))
    result = child_engine.run_chain("Nightly", trigger="manual")
    assert result.status in ADVANCING_STATUSES
    assert [r.job_name for r in result.dependencies] == [COMPANY_JOB]
    assert ExecutionRun.get_by_id(result.run_id).chain_name == "Nightly"


def test_what_cannot_start_is_one_clear_line(connect: Any, child_engine: ChildEngine) -> None:
    connect()
    with pytest.raises(ConfigError, match=r"^There is no job named 'Nope'\.$"):
        child_engine.run_job("Nope", trigger="manual")


def test_cancel_reaches_the_child_at_its_next_page(
        connect: Any, child_engine: ChildEngine, sim: PxSimulator) -> None:
    connect()
    sim.inject(Fault("latency", delay=0.3, times=100, path="/v1/users"))
    asked: list[bool] = []

    def progress(report: RunProgress) -> None:
        if report.job_name == PERSON_JOB:
            asked.append(True)

    result = child_engine.run_job(PERSON_JOB, trigger="manual", progress=progress,
                                  cancel=lambda: bool(asked))
    assert result.status == RunStatus.CANCELLED
    assert 0 < result.counts.success < USERS
    assert result.dependencies[0].status in ADVANCING_STATUSES


def test_a_killed_child_closes_its_runs_frees_the_lease_and_keeps_the_window(
        connect: Any, child_engine: ChildEngine, engine: Any, sim: PxSimulator) -> None:
    connect()
    assert child_engine.run_job(PERSON_JOB, trigger="manual").status in ADVANCING_STATUSES
    window = Job.get(Job.name == PERSON_JOB).window_end
    sim.inject(Fault("latency", delay=5, times=1, path="/v1/users"))
    heard = Heard()

    def kill_on_start(start: RunStart) -> None:
        heard.start(start)
        if start.job_name == PERSON_JOB:
            (pid,) = child_engine.running_pids()
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(PxdeskError) as failed:
        child_engine.run_job(PERSON_JOB, trigger="manual", on_start=kill_on_start,
                             on_end=heard.end, progress=heard.progress)
    message = str(failed.value)
    assert "\n" not in message and "stopped" in message and "again" in message
    ended = heard.of("end")
    assert [r.job_name for r in ended] == [PERSON_JOB]
    assert ended[0].status == RunStatus.FAILURE and "stopped" in (ended[0].reason or "")
    assert not ExecutionRun.select().where(
        ExecutionRun.status.in_([RunStatus.QUEUED, RunStatus.IN_PROGRESS])).exists()
    assert not engine.is_running(COMPANY_JOB) and not engine.is_running(PERSON_JOB)
    assert Job.get(Job.name == PERSON_JOB).window_end == window
    assert not child_engine.running_pids()
    sim.clear_faults()
    assert child_engine.run_job(PERSON_JOB, trigger="manual").status in ADVANCING_STATUSES


def test_the_childs_log_lines_reach_this_process(
        connect: Any, child_engine: ChildEngine, caplog: pytest.LogCaptureFixture,
        sim: PxSimulator) -> None:
    connect()
    sim.inject(Fault("scroll_expired", times=1, path="/v1/users"))
    with caplog.at_level(logging.INFO):
        result = child_engine.run_job(PERSON_JOB, trigger="manual")
    assert result.status in ADVANCING_STATUSES
    restarted = [r for r in caplog.records if "restarted from page 1" in r.getMessage()]
    assert restarted and restarted[0].process != os.getpid()


def test_no_secret_goes_to_the_child_by_argument_or_environment(
        connect: Any, child_engine: ChildEngine, sim: PxSimulator) -> None:
    connect()
    command, env = child_engine.command()
    assert sim.api_key not in " ".join(command)
    assert all(sim.api_key not in value for value in env.values())
