"""A job chain runs its jobs in order as one run tree, against the simulator."""

from __future__ import annotations

import pytest

from pxdesk.core.config.chain_service import ChainConfig, ChainService
from pxdesk.core.errors import ConfigError
from pxdesk.core.store.models import Company, CompanyPerson, ExecutionRun, RunStatus
from pxdesk.core.sync.results import RunResult, RunStart, run_tree
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB


def _chain(name: str = "Nightly") -> None:
    ChainService(user="tester").save(ChainConfig(name=name, members=[COMPANY_JOB, PERSON_JOB]))


def test_chain_runs_both_jobs_in_order_as_one_tree(connect, clocked_engine, clock, sim):
    connect()
    _chain()
    starts: list[RunStart] = []
    ends: list[RunResult] = []
    result = clocked_engine.run_chain("Nightly", trigger="scheduled", on_start=starts.append,
                                      on_end=ends.append)
    assert [r.job_name for r in run_tree(result)] == [COMPANY_JOB, PERSON_JOB]
    assert [s.job_name for s in starts] == [e.job_name for e in ends] == [COMPANY_JOB,
                                                                          PERSON_JOB]
    assert result.job_name == PERSON_JOB
    assert result.dependencies[0].status == RunStatus.SUCCESS
    assert result.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS)
    assert [d.job_name for d in result.dependencies] == [COMPANY_JOB]  # not run twice
    runs = list(ExecutionRun.select().order_by(ExecutionRun.id))
    assert [(r.job_name, r.trigger, r.chain_name) for r in runs] == [
        (COMPANY_JOB, "scheduled", "Nightly"), (PERSON_JOB, "scheduled", "Nightly")]
    assert all((r.reason or "").startswith("chain Nightly") for r in runs)
    assert runs[0].ended_at <= runs[1].started_at  # companies written before people
    assert Company.select().count() == ACCOUNTS
    assert CompanyPerson.select().count() > 0


def test_later_member_skipped_when_earlier_fails(connect, engine, sim):
    connect(upsert_key=False)  # Company Sync cannot run without its upsert key
    _chain()
    result = engine.run_chain("Nightly", note="caught up the run due 02:00")
    first = result.dependencies[0]
    assert first.status == RunStatus.FAILURE
    assert result.status == RunStatus.SKIPPED
    assert f"'{COMPANY_JOB}' ended with Failure" in (result.reason or "")
    assert (result.reason or "").startswith("chain Nightly; caught up the run due 02:00")
    assert CompanyPerson.select().count() == 0
    assert ExecutionRun.select().count() == 2


def test_cancel_ends_the_chain(connect, engine, sim):
    connect()
    _chain()
    result = engine.run_chain("Nightly", cancel=lambda: True)
    assert [r.status for r in run_tree(result)] == [RunStatus.CANCELLED, RunStatus.SKIPPED]


def test_unknown_chain_is_a_config_error(connect, engine):
    connect()
    with pytest.raises(ConfigError, match="no job chain"):
        engine.run_chain("Nope")
