"""Two `pxdesk-cli run` processes on one store: one runs, the other is Skipped with where the
job is running (the job lease; the PostgreSQL variant runs the same against a server)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.context import open_context
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.faults import Fault
from pxdesk.core.store.leases import JobLease
from pxdesk.core.store.models import ExecutionRun, RunStatus
from tests.core.engine.conftest import COMPANY_JOB, mark_upsert_key

CODE = "import sys; from pxdesk.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=40, users=10, seed=5) as simulator:
        yield simulator


def _cli(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PXDESK_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-c", CODE, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_lease(proc: subprocess.Popen[str]) -> None:
    """Until the first process holds the job's lease (it polls the store: another process)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if JobLease.select().count():
            return
        time.sleep(0.02)
    pytest.fail(f"the first run never took the lease: {proc.communicate(timeout=30)}")


@pytest.mark.timeout(120)
def test_two_processes_one_run_one_skipped_already_running_on_host(
    home: Path, sim: PxSimulator
) -> None:
    ctx = open_context(home)
    ConnectionService(ctx.secrets, user="tester").create("PX", sim.api_key,
                                                         base_url=sim.base_url)
    mark_upsert_key()
    # One account per page, each page slow: the first run lasts while the second starts.
    sim.page_size_cap = 1
    sim.inject(Fault("latency", delay=0.25, times=10_000, path="/v1/accounts"))

    first = _cli(home, "run", COMPANY_JOB, "--json")
    _wait_for_lease(first)
    second = _cli(home, "run", COMPANY_JOB, "--json")
    out, err = second.communicate(timeout=60)
    sim.clear_faults()  # the first run may finish quickly now
    first_out, first_err = first.communicate(timeout=60)

    skipped = json.loads(out)
    assert second.returncode == 1, err
    assert skipped["status"] == RunStatus.SKIPPED
    assert skipped["reason"] == f"already running on {socket.gethostname()} (pid {first.pid})"
    done = json.loads(first_out)
    assert first.returncode == 0, first_err
    assert done["status"] == RunStatus.SUCCESS and done["success"] == 40
    statuses = sorted(r.status for r in ExecutionRun.select().where(
        ExecutionRun.job_name == COMPANY_JOB))
    assert statuses == sorted([RunStatus.SUCCESS, RunStatus.SKIPPED])
    assert JobLease.select().count() == 0, "the run released its lease"
    ctx.close()
