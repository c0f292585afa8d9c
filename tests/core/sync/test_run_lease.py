"""Job leases: one holder at a time, expiry on an injected clock, dead pids, heartbeats."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.store.leases import JobLease, lease_stamp
from pxdesk.core.store.models import Job
from pxdesk.core.sync.run_lease import EXPIRY_MS, JobLeases, Lease, pid_alive

JOB = "Company Sync_PX"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def job(context: Any) -> Job:
    ConnectionService(context.secrets, user="tester").create(
        "PX", "key", base_url="http://127.0.0.1:9")
    return Job.get(Job.name == JOB)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _leases(clock: Clock, host: str, pid: int, alive: bool = True) -> JobLeases:
    return JobLeases(clock, host=host, pid=pid, is_alive=lambda _pid: alive)


def test_one_holder_at_a_time_and_the_other_sees_who(job: Job, clock: Clock) -> None:
    a, b = _leases(clock, "alpha", 11), _leases(clock, "beta", 22)
    held = a.acquire(job)
    assert isinstance(held, Lease)
    try:
        refused = b.acquire(job)
        assert not isinstance(refused, Lease)
        assert (refused.host, refused.pid, refused.where()) == ("alpha", 11, "on alpha (pid 11)")
        assert b.is_running(JOB) and a.is_running(JOB)
        assert b.holder_of(JOB) == refused
        assert not isinstance(a.acquire(job), Lease), "a second run here is refused too"
    finally:
        held.release()
    assert not b.is_running(JOB)
    again = b.acquire(job)
    assert isinstance(again, Lease)
    again.release()
    assert JobLease.select().count() == 0


def test_an_unrenewed_lease_expires_and_its_late_holder_loses_it(job: Job,
                                                                 clock: Clock) -> None:
    a, b = _leases(clock, "alpha", 11), _leases(clock, "beta", 22)
    held = a.acquire(job)
    assert isinstance(held, Lease)
    clock.now += EXPIRY_MS - 1
    assert b.is_running(JOB) and not isinstance(b.acquire(job), Lease)
    clock.now += 1
    assert not b.is_running(JOB), "expired: no live run holds the job"
    taken = b.acquire(job)
    assert isinstance(taken, Lease)
    assert held.heartbeat() is False and held.lost
    held.release()  # must not free b's lease
    assert b.holder_of(JOB) is not None and b.holder_of(JOB).host == "beta"
    taken.release()


def test_a_heartbeat_keeps_the_lease(job: Job, clock: Clock) -> None:
    a, b = _leases(clock, "alpha", 11), _leases(clock, "beta", 22)
    held = a.acquire(job)
    assert isinstance(held, Lease)
    for _ in range(5):
        clock.now += EXPIRY_MS // 2
        assert held.heartbeat()
    assert not isinstance(b.acquire(job), Lease)
    info = b.holder_of(JOB)
    assert info is not None and info.heartbeat_at == clock.now
    assert info.expires_at == clock.now + EXPIRY_MS
    held.release()


def test_a_dead_pid_on_the_same_host_frees_the_lease_at_once(job: Job, clock: Clock) -> None:
    dead = _leases(clock, "alpha", 11).acquire(job)
    assert isinstance(dead, Lease)
    dead._stop.set()  # the process was killed: nobody renews or releases
    same_host = _leases(clock, "alpha", 33, alive=False)
    other_host = _leases(clock, "beta", 22, alive=False)
    assert other_host.is_running(JOB), "another machine's pid cannot be checked: wait expiry"
    assert not isinstance(other_host.acquire(job), Lease)
    assert not same_host.is_running(JOB)
    taken = same_host.acquire(job)
    assert isinstance(taken, Lease)
    assert other_host.holder_of(JOB).pid == 33
    taken.release()


def test_the_heartbeat_thread_renews_while_the_run_goes_on(job: Job) -> None:
    renewed = threading.Event()
    calls: list[int] = []

    def clock() -> int:
        calls.append(1)
        if len(calls) > 2:  # the take reads it once; a second renewal means the first is written
            renewed.set()
        return 1_800_000_000_000 + len(calls)

    leases = JobLeases(clock, host="alpha", pid=11, heartbeat_s=0.01)
    held = leases.acquire(job)
    assert isinstance(held, Lease)
    stamp = lease_stamp()
    assert renewed.wait(10)
    row = JobLease.get()
    assert row.heartbeat_at > row.taken_at and lease_stamp() != stamp
    held.release()
    assert JobLease.select().count() == 0 and not held.lost


def test_pid_alive_knows_this_process_and_a_finished_one() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    assert pid_alive(child.pid) is False
    assert pid_alive(os.getpid()) is True


def test_a_machine_with_the_same_host_name_never_judges_the_others_pids(
    job: Job, clock: Clock
) -> None:
    elsewhere = _leases(clock, "localhost", 11)
    elsewhere.machine = "0123456789ab"  # another server, also called "localhost"
    held = elsewhere.acquire(job)
    assert isinstance(held, Lease)
    here = _leases(clock, "localhost", 33, alive=False)
    assert here.is_running(JOB), "its pid 11 means nothing here: wait for the expiry"
    assert not isinstance(here.acquire(job), Lease)
    held.release()
