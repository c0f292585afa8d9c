"""One run per job at a time, across processes and machines: the job lease, renewed while
the run goes on.

A run takes its job's lease (core/store/leases.py) before it starts and releases it when it
ends, whatever the outcome. A thread renews it every HEARTBEAT_S; a holder that stops renewing
(killed, machine off, network cut) loses it after EXPIRY_MS. On the same host a lease whose
pid is dead is free at once, so a killed run does not hold its job for two minutes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from peewee import PeeweeException

from pxdesk.core.logs.queries import display_time
from pxdesk.core.store.base import database, now_ms
from pxdesk.core.store.leases import (
    LeaseHolder,
    LeaseInfo,
    holds_lease,
    live_leases,
    release_lease,
    release_token,
    renew_lease,
    take_lease,
)
from pxdesk.core.store.models import Job

_log = logging.getLogger("pxdesk.sync")

HEARTBEAT_S = 30.0
EXPIRY_MS = 120_000  # four heartbeats: a busy store or a slow page may delay one or two


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this machine. Where that cannot be asked
    cheaply (Windows, where os.kill would end the process), say yes: expiry frees it."""
    if sys.platform == "win32":  # pragma: no cover - POSIX CI
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def running_text(info: LeaseInfo, tz: tzinfo | None = None) -> str:
    """What the jobs list and table say of a job a run holds now."""
    return f"Running {info.where()} since {display_time(info.taken_at, tz)}"


def machine_key(host: str) -> str:
    """Who "this machine" is when judging a pid: the host name and the OS's machine id (or
    the MAC address) together, so two servers both named "localhost" never judge each
    other's pids; containers have their own host names."""
    try:
        machine = Path("/etc/machine-id").read_text(encoding="ascii").strip()
    except OSError:
        machine = ""
    seed = f"{host}|{machine or uuid.getnode()}"
    return hashlib.sha1(seed.encode()).hexdigest()[:12]


class JobLeases:
    """Takes, renews and reads the job leases for one process (one per SyncEngine)."""

    def __init__(
        self, clock: Callable[[], int] = now_ms, *, host: str | None = None,
        pid: int | None = None, ttl_ms: int = EXPIRY_MS, heartbeat_s: float = HEARTBEAT_S,
        is_alive: Callable[[int], bool] = pid_alive, tag: str = "",
    ) -> None:
        self._clock = clock
        self.host = host or socket.gethostname()
        self.machine = machine_key(self.host)
        self.pid = os.getpid() if pid is None else pid
        self.ttl_ms = ttl_ms
        self.heartbeat_s = heartbeat_s
        self._is_alive = is_alive
        self.tag = tag  # in every token taken here (a sync child's: its desktop frees them)

    def _stale(self, info: LeaseInfo) -> bool:
        """Held by a process of this machine that is gone: free now, not at expiry."""
        return (info.host == self.host and info.holder.startswith(f"{self.machine}-")
                and not self._is_alive(info.pid))

    def acquire(self, job: Job) -> Lease | LeaseInfo:
        """The job's lease, renewed until released; or the live holder's lease when another
        run (here or elsewhere) has it."""
        me = LeaseHolder(f"{self.machine}-{self.tag}{uuid.uuid4().hex}", self.host, self.pid)
        info = take_lease(job, me, self._clock(), self.ttl_ms, stale=self._stale)
        if info.holder != me.token:
            return info
        return Lease(self, int(job.id), job.name, me.token)

    def holders(self) -> dict[str, LeaseInfo]:
        """Job name -> the live lease of the run going on now, on any machine."""
        return live_leases(self._clock(), stale=self._stale)

    def held_elsewhere(self) -> dict[str, LeaseInfo]:
        """`holders` but this process's own runs (a window shows those live itself)."""
        return {name: info for name, info in self.holders().items()
                if not self._is_mine(info)}

    def _is_mine(self, info: LeaseInfo) -> bool:
        return (info.host == self.host and info.pid == self.pid
                and info.holder.startswith(f"{self.machine}-"))

    def holder_of(self, job_name: str) -> LeaseInfo | None:
        return self.holders().get(job_name)

    def is_running(self, job_name: str) -> bool:
        """True when a live run, in this or another process or machine, holds the job."""
        return self.holder_of(job_name) is not None

    def release_tagged(self, tag: str) -> None:
        """Free the leases taken under `tag` on this machine (by a sync child that died, which
        held them under this process's pid)."""
        prefix = f"{self.machine}-{tag}"
        for info in self.holders().values():
            if info.holder.startswith(prefix):
                release_token(info.holder)

    def renew(self, job_id: int, token: str) -> bool:
        return renew_lease(job_id, token, self._clock(), self.ttl_ms)


class Lease:
    """A held lease: renewed from a daemon thread until release() (idempotent)."""

    def __init__(self, leases: JobLeases, job_id: int, job_name: str, token: str) -> None:
        self._leases = leases
        self.job_id, self.job_name, self.token = job_id, job_name, token
        self.lost = False  # renewing found it taken: another holder thought us dead
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._heartbeat, daemon=True,
                                        name=f"lease-{job_name}")
        self._thread.start()

    def heartbeat(self) -> bool:
        """Renew once; False when the lease was lost."""
        if not self._leases.renew(self.job_id, self.token):
            self._lose()
        return not self.lost

    def held(self) -> bool:
        """Whether the lease is still this run's, read from the store: the writer asks
        between transactions, on its own thread, so a taken lease stops it within one."""
        if not self.lost and not holds_lease(self.job_id, self.token):
            self._lose()
        return not self.lost

    def _lose(self) -> None:
        if not self.lost:
            _log.error("Lost the lease of %s: another pxdesk may run it now", self.job_name)
        self.lost = True

    def _heartbeat(self) -> None:
        with database().connection_context():  # its own connection: this is another thread
            while not self._stop.wait(self._leases.heartbeat_s):
                try:
                    if not self.heartbeat():
                        return
                except PeeweeException as exc:  # busy or unreachable store: try next beat
                    _log.warning("Cannot renew the lease of %s: %s", self.job_name, exc)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        if not self.lost:
            release_lease(self.job_id, self.token)


__all__ = ["EXPIRY_MS", "HEARTBEAT_S", "JobLeases", "Lease", "pid_alive", "running_text"]
