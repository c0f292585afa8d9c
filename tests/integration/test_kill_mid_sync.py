"""kill -9 of `pxdesk-cli run` at random points: the store stays consistent and the next run
is exact (it matches a clean run of the same data, record for record)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.context import open_context
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Company, CompanyPerson, ExecutionRun, Person, RunStatus
from tests.core.engine.conftest import PERSON_JOB, mark_upsert_key

USERS = 10_000
KILLS = 3


@pytest.fixture(scope="module")
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=60, users=USERS, seed=11) as simulator:
        yield simulator


def _setup(home: Path, sim: PxSimulator) -> None:
    ctx = open_context(home)
    ConnectionService(ctx.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url)
    mark_upsert_key()


def _snapshot() -> tuple[list[tuple], list[tuple], list[tuple]]:
    companies = sorted((c.name,) for c in Company.select())
    people = sorted((p.email, p.first_name, p.last_name) for p in Person.select())
    links = sorted((cp.person.email, cp.company.name) for cp in CompanyPerson.select())
    return companies, people, links


def _kill_when(sim: PxSimulator, proc: subprocess.Popen[bytes], requests: int) -> int:
    """kill -9 the child once the simulator has answered `requests` listing requests;
    the child's exit code (-9 when it was killed)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        listed = sum(1 for r in sim.requests if r.path in ("/v1/accounts", "/v1/users"))
        if listed >= requests:
            break
        time.sleep(0.005)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    return proc.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_kill_at_random_points_then_the_next_run_is_exact(
    tmp_path: Path, sim: PxSimulator
) -> None:
    reference = tmp_path / "reference"
    _setup(reference, sim)
    assert main(["--home", str(reference), "run", PERSON_JOB]) in (0, 3)
    open_context(reference)
    expected = _snapshot()
    assert expected[1] and expected[2]

    killed = tmp_path / "killed"
    _setup(killed, sim)
    rng = random.Random(20261204)
    env = {**os.environ, "PXDESK_HOME": str(killed)}
    code = "import sys; from pxdesk.cli import main; sys.exit(main(sys.argv[1:]))"
    exits = []
    for _ in range(KILLS):
        sim.clear_requests()
        proc = subprocess.Popen([sys.executable, "-c", code, "run", PERSON_JOB], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        exits.append(_kill_when(sim, proc, rng.randint(1, 1 + USERS // 1000)))
    assert -signal.SIGKILL in exits
    assert main(["--home", str(killed), "run", PERSON_JOB]) in (0, 3)
    open_context(killed)
    assert _snapshot() == expected
    open_runs = ExecutionRun.select().where(
        ExecutionRun.status.in_([RunStatus.QUEUED, RunStatus.IN_PROGRESS])).count()
    assert open_runs == 0
    last = ExecutionRun.select().where(ExecutionRun.job_name == PERSON_JOB) \
        .order_by(ExecutionRun.id.desc()).first()
    assert last.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS)
