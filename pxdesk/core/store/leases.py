"""Job leases: who runs which job now, across processes and machines sharing one store.

A lease row (one per job) names its holder (a token per run), host and pid, and expires unless
its holder renews it. Taking one is a conditional UPDATE (expired) or an INSERT that does
nothing on conflict, inside one transaction, then a read of who holds it: plain SQL that
peewee writes for SQLite and PostgreSQL alike, so two processes never both win.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peewee import ForeignKeyField, IntegerField, TextField

from pxdesk.core.store.base import BaseModel, database
from pxdesk.core.store.models import Job


class JobLease(BaseModel):
    """The run of a job going on now (migration 11); no row, or an expired one, means none."""

    job = ForeignKeyField(Job, primary_key=True, on_delete="CASCADE")
    job_id: int
    holder = TextField()  # a token per taken lease: renew and release touch only one's own
    host = TextField()
    pid = IntegerField()
    taken_at = IntegerField()
    heartbeat_at = IntegerField()
    expires_at = IntegerField()

    class Meta:
        table_name = "job_lease"


@dataclass(frozen=True)
class LeaseHolder:
    """Who asks for a lease: a fresh token, and where it runs."""

    token: str
    host: str
    pid: int


@dataclass(frozen=True)
class LeaseInfo:
    """A lease as read from the store: what the jobs list and a Skipped reason show."""

    job_name: str
    holder: str
    host: str
    pid: int
    taken_at: int
    heartbeat_at: int
    expires_at: int

    def where(self) -> str:
        return f"on {self.host} (pid {self.pid})"


StaleCheck = Callable[[LeaseInfo], bool]


def _never_stale(_info: LeaseInfo) -> bool:
    return False


def _info(row: JobLease, job_name: str) -> LeaseInfo:
    return LeaseInfo(job_name, row.holder, row.host, int(row.pid), int(row.taken_at),
                     int(row.heartbeat_at), int(row.expires_at))


def take_lease(job: Job, me: LeaseHolder, now: int, ttl_ms: int, *,
               stale: StaleCheck = _never_stale) -> LeaseInfo:
    """Take the job's lease if it is free, expired or `stale` (its holder is known dead);
    returns whoever holds it afterwards: `me` when taken, else the live holder."""
    values = {JobLease.holder: me.token, JobLease.host: me.host, JobLease.pid: me.pid,
              JobLease.taken_at: now, JobLease.heartbeat_at: now,
              JobLease.expires_at: now + ttl_ms}
    with database().atomic():
        taken = JobLease.update(values).where(
            (JobLease.job == job.id) & (JobLease.expires_at <= now)).execute()
        if not taken:
            JobLease.insert({JobLease.job: job.id, **values}).on_conflict_ignore().execute()
        info = _info(JobLease.get(JobLease.job == job.id), job.name)
        if info.holder != me.token and stale(info):
            # compare-and-swap on the dead holder's token: a live taker racing us wins once
            JobLease.update(values).where(
                (JobLease.job == job.id) & (JobLease.holder == info.holder)).execute()
            info = _info(JobLease.get(JobLease.job == job.id), job.name)
    return info


def renew_lease(job_id: int, token: str, now: int, ttl_ms: int) -> bool:
    """Push the expiry on; False when the lease is no longer ours (it expired and was taken)."""
    return bool(JobLease.update(heartbeat_at=now, expires_at=now + ttl_ms).where(
        (JobLease.job == job_id) & (JobLease.holder == token)).execute())


def holds_lease(job_id: int, token: str) -> bool:
    """Whether `token` still holds the job's lease (a primary-key read)."""
    return JobLease.select().where((JobLease.job == job_id)
                                   & (JobLease.holder == token)).exists()


def release_lease(job_id: int, token: str) -> None:
    JobLease.delete().where((JobLease.job == job_id) & (JobLease.holder == token)).execute()


def release_token(token: str) -> None:
    """Free whichever lease `token` holds (a token names one taking of one job's lease)."""
    JobLease.delete().where(JobLease.holder == token).execute()


def live_leases(now: int, *, stale: StaleCheck = _never_stale) -> dict[str, LeaseInfo]:
    """Job name -> its unexpired lease whose holder is not known dead."""
    rows = (JobLease.select(JobLease, Job.name).join(Job)
            .where(JobLease.expires_at > now))
    infos = (_info(row, row.job.name) for row in rows)
    return {info.job_name: info for info in infos if not stale(info)}


def lease_stamp(*, besides: tuple[str, int] | None = None) -> tuple[int, int]:
    """(count, newest heartbeat) of the lease rows, but those held by the process `besides`
    (host, pid) names: cheap, and changes when another process takes, renews or releases a
    lease, so a watcher knows when to refresh (it knows its own runs already)."""
    where, params = "", []
    if besides is not None:
        where, params = 'WHERE NOT ("host" = ? AND "pid" = ?)', [besides[0], besides[1]]
    row = database().execute_sql(
        f'SELECT count(*), coalesce(max("heartbeat_at"), 0) FROM "job_lease" {where}',
        params).fetchone()
    return int(row[0]), int(row[1])


__all__ = ["JobLease", "LeaseHolder", "LeaseInfo", "live_leases", "release_lease",
           "release_token", "renew_lease", "take_lease"]
