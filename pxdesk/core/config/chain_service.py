"""ChainService: the optional job chain (create, edit, delete), validated and audited.

A chain runs the connection's jobs in a fixed order (Company Sync, then Company Person Sync) on
its own schedule and mails its own recipients; while it is enabled the members' own schedules
are ignored. Without a chain (the default) the classic dependency model applies unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from pxdesk.core.config.job_config import ScheduleConfig
from pxdesk.core.config.validation import recipient_problems
from pxdesk.core.errors import ConfigError
from pxdesk.core.inputs import MAX_JOB_NAME, shown, stored_emails, text_problem
from pxdesk.core.logs.audit import write_audit
from pxdesk.core.schedule.rules import describe, validate_schedule
from pxdesk.core.store.base import database, now_ms
from pxdesk.core.store.enums import AuditAction, AuditAttribute, JobKind
from pxdesk.core.store.models import Connection, Job, JobChain, JobChainMember, Schedule
from pxdesk.core.sync.engine import chain_jobs

AUDIT_SUB_ATTRIBUTE = "Job Chain"
DEFAULT_CHAIN_NAME = "Company Sync → Company Person Sync"
# A chain writes companies before the people who point to them, as dependencies do.
KIND_ORDER = (JobKind.COMPANY, JobKind.COMPANY_PERSON)


@dataclass
class ChainConfig:
    """What the admin sets for a chain; `members` are job names in run order."""

    name: str = DEFAULT_CHAIN_NAME
    members: list[str] = field(default_factory=list)
    enabled: bool = True
    success_recipients: list[str] = field(default_factory=list)
    failure_recipients: list[str] = field(default_factory=list)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)

    def summary(self) -> str:
        """One line for the audit log and the CLI."""
        state = "enabled" if self.enabled else "disabled"
        when = describe(replace(self.schedule, enabled=True)) if not validate_schedule(
            self.schedule) else "invalid schedule"
        return (f"{self.name}: {' → '.join(self.members)}; {state}; {when}; success mail "
                f"{', '.join(self.success_recipients) or 'nobody'}; failure mail "
                f"{', '.join(self.failure_recipients) or 'nobody'}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "members": list(self.members), "enabled": self.enabled,
                "success_recipients": list(self.success_recipients),
                "failure_recipients": list(self.failure_recipients),
                "schedule": self.schedule.to_dict()}


def chain_config(chain: JobChain) -> ChainConfig:
    """The saved chain as the admin set it."""
    days = json.loads(chain.days or '"everyday"')
    schedule = ScheduleConfig(
        enabled=True, kind=chain.kind, every_hours=chain.every_hours, time=chain.time,
        start_time=chain.start_time, end_time=chain.end_time, days=days,
        day_of_month=chain.day_of_month, timezone=chain.timezone)
    return ChainConfig(chain.name, [j.name for j in chain_jobs(chain)], bool(chain.enabled),
                       stored_emails(chain.success_recipients),
                       stored_emails(chain.failure_recipients), schedule)


def chain_of_job(job_id: int | None) -> JobChain | None:
    """The enabled chain the job belongs to (its own schedule is then ignored), or None."""
    if job_id is None:
        return None
    row = (JobChainMember.select(JobChainMember, JobChain).join(JobChain)
           .where((JobChainMember.job == job_id) & JobChain.enabled).first())
    return row.chain if row is not None else None


def chain_recipients(chain_name: str | None) -> tuple[list[str], list[str]] | None:
    """(success, failure) lists of the chain a run ran in; None when it ran on its own or
    its chain is gone (the job's lists apply then)."""
    if not chain_name:
        return None
    chain = JobChain.get_or_none(JobChain.name == chain_name)
    if chain is None:
        return None
    return stored_emails(chain.success_recipients), stored_emails(chain.failure_recipients)


class ChainService:
    """The connection's job chain (at most one): what the dialog and the CLI go through."""

    def __init__(self, *, user: str) -> None:
        self.user = user

    def get(self) -> JobChain | None:
        return JobChain.get_or_none()

    def config(self) -> ChainConfig | None:
        chain = self.get()
        return chain_config(chain) if chain is not None else None

    def proposal(self) -> ChainConfig:
        """A new chain as the dialog first shows it: the two jobs in order, their company
        job's recipients and schedule (so creating it changes nothing but who starts runs)."""
        jobs = sorted(Job.select(), key=lambda j: KIND_ORDER.index(JobKind(j.kind)))
        config = ChainConfig(members=[j.name for j in jobs])
        if jobs:
            first = jobs[0]
            config.success_recipients = stored_emails(first.success_recipients)
            config.failure_recipients = stored_emails(first.failure_recipients)
            if (schedule := Schedule.get_or_none(Schedule.job == first)) is not None:
                config.schedule = ScheduleConfig(
                    kind=schedule.kind, every_hours=schedule.every_hours, time=schedule.time,
                    start_time=schedule.start_time, end_time=schedule.end_time,
                    days=json.loads(schedule.days or '"everyday"'),
                    day_of_month=schedule.day_of_month, timezone=schedule.timezone)
        return config

    def validate(self, config: ChainConfig) -> list[tuple[str, str]]:
        """(field, what to fix) for every problem; empty when the chain can be saved."""
        problems: list[tuple[str, str]] = []
        name = config.name.strip()
        problem = text_problem(name, "The chain name", max_len=MAX_JOB_NAME)
        if not name:
            problems.append(("name", "Enter a name for the chain."))
        elif problem is not None:
            problems.append(("name", problem))
        problems += self._member_problems(config.members)
        for key, label, addresses in (("success_recipients", "success",
                                       config.success_recipients),
                                      ("failure_recipients", "failure",
                                       config.failure_recipients)):
            problems += recipient_problems(key, label, addresses)
        problems += [("schedule." + f, m) for f, m in validate_schedule(config.schedule)]
        return problems

    @staticmethod
    def _member_problems(members: list[str]) -> list[tuple[str, str]]:
        if len(set(members)) != len(members):
            return [("members", "A job is listed twice in the chain: list each job once.")]
        jobs = {j.name: j for j in Job.select()}
        missing = [m for m in members if m not in jobs]
        if missing:
            return [("members", f"There is no job named {shown(missing[0])}: the chain can "
                                f"only hold {', '.join(map(shown, jobs)) or 'existing jobs'}.")]
        if len(members) < 2:
            return [("members", "A chain runs at least two jobs: add Company Sync and Company "
                                "Person Sync.")]
        kinds = [KIND_ORDER.index(JobKind(jobs[m].kind)) for m in members]
        if kinds != sorted(kinds):
            return [("members", "Company Sync must come before Company Person Sync: people "
                                "are written after the companies they belong to.")]
        return []

    def save(self, config: ChainConfig) -> JobChain:
        """Create the chain, or replace the existing one's settings; audited on each member."""
        problems = self.validate(config)
        if problems:
            raise ConfigError("Cannot save the job chain:\n"
                              + "\n".join(m for _f, m in problems), field=problems[0][0])
        conn = Connection.get_or_none()
        if conn is None:
            raise ConfigError("There is no PX connection: create one first.")
        with database().atomic():
            chain = self.get()
            old = chain_config(chain) if chain is not None else None
            chain = chain or JobChain(connection=conn)
            s = config.schedule
            chain.name, chain.enabled = config.name.strip(), config.enabled
            chain.success_recipients = json.dumps(list(config.success_recipients))
            chain.failure_recipients = json.dumps(list(config.failure_recipients))
            chain.kind, chain.every_hours, chain.time = s.kind, s.every_hours, s.time
            chain.start_time, chain.end_time = s.start_time, s.end_time
            chain.days = json.dumps(list(s.days) if isinstance(s.days, list | tuple) else s.days)
            chain.day_of_month, chain.timezone = s.day_of_month, s.timezone
            chain.modified_at = now_ms()
            chain.save()
            JobChainMember.delete().where(JobChainMember.chain == chain).execute()
            for pos, name in enumerate(config.members):
                JobChainMember.create(chain=chain, job=Job.get(Job.name == name), position=pos)
            new = chain_config(chain)
            action = AuditAction.CREATE if old is None else AuditAction.EDIT
            if old is None or old.to_dict() != new.to_dict():
                self._audit(set(new.members) | set(old.members if old else []), action,
                            old.summary() if old else None, new.summary())
        return chain

    def fill_empty_recipients(self, recipients: list[str]) -> list[str]:
        """Give `recipients` to the chain's empty success or failure list (audited on its
        members, in the caller's transaction if any), as `job_service.fill_empty_recipients`
        does for the jobs: a chain's runs mail the chain's lists, not the jobs'. A list the
        admin filled keeps its addresses. Returns the chain's name if it changed."""
        chain = self.get()
        if chain is None or not recipients:
            return []
        with database().atomic():
            old = chain_config(chain)
            success = old.success_recipients or list(recipients)
            failure = old.failure_recipients or list(recipients)
            if (success, failure) == (old.success_recipients, old.failure_recipients):
                return []
            chain.success_recipients = json.dumps(success)
            chain.failure_recipients = json.dumps(failure)
            chain.modified_at = now_ms()
            chain.save()
            new = replace(old, success_recipients=success, failure_recipients=failure)
            self._audit(set(new.members), AuditAction.EDIT, old.summary(), new.summary())
        return [str(chain.name)]

    def delete(self) -> bool:
        """Remove the chain: each job runs on its own schedule again. False if there was none."""
        chain = self.get()
        if chain is None:
            return False
        with database().atomic():
            old = chain_config(chain)
            chain.delete_instance(recursive=True)
            self._audit(set(old.members), AuditAction.DELETE, old.summary(), None)
        return True

    def _audit(self, members: set[str], action: str, old: str | None, new: str | None) -> None:
        at = now_ms()
        for job in Job.select().where(Job.name.in_(sorted(members))):
            write_audit(job, AuditAttribute.SCHEDULE, AUDIT_SUB_ATTRIBUTE, action, old, new,
                        self.user, at=at)


