"""JobService: read, validate, save (audited, one transaction), export and import the jobs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pxdesk.core.config.changes import config_changes
from pxdesk.core.config.history import (
    Version,
    export_text,
    find_version,
    job_versions,
    record_job_version,
    version_diff,
)
from pxdesk.core.config.job_config import (
    JobConfig,
    load_job_config,
    resolution_key_flags,
)
from pxdesk.core.config.json_input import loads, read_json_file
from pxdesk.core.config.validation import (
    ConfigIssue,
    validate_job_config,
)
from pxdesk.core.errors import ConfigError
from pxdesk.core.inputs import check_job_name, shown
from pxdesk.core.logs.audit import write_audit
from pxdesk.core.store.base import database
from pxdesk.core.store.custom_fields import create_custom_field
from pxdesk.core.store.enums import JobKind
from pxdesk.core.store.models import (
    CustomField,
    DerivedMapping,
    FieldMapping,
    Job,
    JobDependency,
    JobFilter,
    Schedule,
    now_ms,
)
from pxdesk.core.store.settings import person_resolution_key
from pxdesk.core.sync.plan import run_blockers


def read_job_file(path: Path) -> JobConfig:
    """A job file read strictly (size, UTF-8, JSON, every field's type): what import applies."""
    return JobConfig.from_dict(read_json_file(path))


def apply_config(job: Job, config: JobConfig) -> None:
    """Replace the job's configuration rows with `config` (the caller holds a transaction)."""
    key = person_resolution_key() if job.kind == JobKind.COMPANY_PERSON else []
    job.name = config.name
    job.modification_type = config.modification_type
    job.success_recipients = json.dumps(list(config.success_recipients))
    job.failure_recipients = json.dumps(list(config.failure_recipients))
    job.deletion_policy = config.deletion_policy
    job.reconcile_days = config.reconcile_days
    job.alert_failure_percent = config.alert_failure_percent
    job.stale_after_hours = config.stale_after_hours
    job.long_run_minutes = config.long_run_minutes
    job.modified_at = now_ms()
    job.save()
    JobDependency.delete().where(JobDependency.job == job).execute()
    for pos, name in enumerate(config.dependencies):
        JobDependency.create(job=job, depends_on=Job.get(Job.name == name), position=pos)
    FieldMapping.delete().where(FieldMapping.job == job).execute()
    for pos, m in enumerate(config.mappings):
        FieldMapping.create(job=job, position=pos, source_path=m.source_path,
                            source_type=m.source_type, target_object=m.target_object,
                            target_field=m.target_field, target_type=m.target_type,
                            is_upsert_key=resolution_key_flags(job.kind, m, key))
    DerivedMapping.delete().where(DerivedMapping.job == job).execute()
    for pos, d in enumerate(config.derived):
        DerivedMapping.create(
            job=job, position=pos, target_object=d.target_object, target_field=d.target_field,
            lookup_object=d.lookup_object, match_pairs=json.dumps([p.to_dict() for p in d.pairs]),
            on_multiple=d.on_multiple, on_none=d.on_none,
            default_value=(d.default_value.strip() or None) if d.default_value else None)
    spec = config.filters.to_dict()
    JobFilter.insert(job=job, conditions=json.dumps(spec["conditions"]),
                     expression=spec["expression"]).on_conflict(
        conflict_target=[JobFilter.job],
        preserve=[JobFilter.conditions, JobFilter.expression]).execute()
    _save_schedule(job, config)


def _save_schedule(job: Job, config: JobConfig) -> None:
    s = config.schedule
    row = Schedule.get_or_none(Schedule.job == job) or Schedule(job=job)
    row.enabled, row.kind, row.every_hours = s.enabled, s.kind, s.every_hours
    row.time, row.start_time, row.end_time = s.time, s.start_time, s.end_time
    row.days = json.dumps(list(s.days) if isinstance(s.days, list | tuple) else s.days)
    row.day_of_month, row.timezone = s.day_of_month, s.timezone
    row.save()


def fill_empty_recipients(recipients: list[str], user: str) -> list[str]:
    """Give `recipients` to every empty success or failure list of every job (audited, one
    transaction) so that notifications reach someone; a list the admin filled keeps its
    addresses. Returns the names of the jobs that changed."""
    changed: list[str] = []
    if not recipients:
        return changed
    with database().atomic():
        for job in Job.select().order_by(Job.kind):
            old = load_job_config(job)
            new = dataclasses.replace(
                old, success_recipients=old.success_recipients or list(recipients),
                failure_recipients=old.failure_recipients or list(recipients))
            if new == old:
                continue
            job.success_recipients = json.dumps(new.success_recipients)
            job.failure_recipients = json.dumps(new.failure_recipients)
            job.modified_at = now_ms()
            job.save()
            audit_config(job, old, new, user)
            changed.append(job.name)
    return changed


def audit_config(job: Job, old: JobConfig | None, new: JobConfig, user: str, *,
                 restored_from: int | None = None) -> int:
    """Write one audit row per difference, all naming the new version the change made (in
    Additional Info, with its summary); returns how many. No difference: no row, no version."""
    changes = config_changes(old, new)
    if not changes:
        return 0
    version = record_job_version(job, old, new, changes, user, restored_from)
    note = f"Version {version.number}: {version.summary}"
    for c in changes:
        write_audit(job, c.attribute, c.sub_attribute, c.action, c.old, c.new, user,
                    note if c.info is None else f"{c.info}; {note}", at=version.at)
    return len(changes)


class JobService:
    """The two jobs of the connection: what the wizard, the CLI and the engine go through."""

    def __init__(self, *, user: str) -> None:
        self.user = user

    def jobs(self) -> list[Job]:
        return list(Job.select().order_by(Job.kind))

    def get(self, name: str) -> Job:
        check_job_name(name)
        job = Job.get_or_none(Job.name == name)
        if job is None:
            names = ", ".join(j.name for j in self.jobs()) or "none: create the PX connection"
            raise ConfigError(f"There is no job named {shown(name)} (jobs: {names})",
                              field="name")
        return job

    def get_by_kind(self, kind: str) -> Job:
        """The job of a kind (there is one of each); imports go by kind, not by name."""
        job = Job.get_or_none(Job.kind == kind)
        if job is None:
            raise ConfigError(f"There is no job of kind '{kind}' to import into: create the PX "
                              "connection first (kinds: company, company_person)", field="kind")
        return job

    def config(self, name: str) -> JobConfig:
        return load_job_config(self.get(name))

    def validate(self, job: Job, config: JobConfig) -> list[ConfigIssue]:
        return validate_job_config(job, config)

    def save(self, job: Job, config: JobConfig, *, restored_from: int | None = None) -> int:
        """Validate, then write the configuration, its audit rows and its version in one
        transaction; returns how many changes (0: nothing was written)."""
        issues = self.validate(job, config)
        if issues:
            raise ConfigError("Cannot save the job:\n" + "\n".join(i.message for i in issues),
                              field=issues[0].field)
        with database().atomic():
            old = load_job_config(job)
            apply_config(job, config)
            return audit_config(job, old, load_job_config(job), self.user,
                                restored_from=restored_from)

    def run_blockers(self, job: Job) -> list[str]:
        """Why the job cannot run now (empty when it can): the run applies the same rule."""
        return run_blockers(job)

    def export_json(self, name: str) -> str:
        """The job's configuration as readable JSON (no secrets: jobs hold none)."""
        return export_text(self.config(name))

    # ---- history ------------------------------------------------------------------------

    def history(self, name: str) -> list[Version]:
        """The job's saved versions, newest first."""
        return job_versions(self.get(name))

    def diff(self, name: str, old: int, new: int) -> list[str]:
        """Unified diff of two versions' exports."""
        versions = self.history(name)
        return version_diff(find_version(versions, old, f"The job {shown(name)}"),
                            find_version(versions, new, f"The job {shown(name)}"))

    def restore(self, name: str, number: int) -> Version | None:
        """Save version `number` again (validated like any save, audited, a new version);
        None when it is the current configuration already."""
        job = self.get(name)
        version = find_version(job_versions(job), number, f"The job {shown(name)}")
        config = self.parse_json(version.config)
        if not self.save(job, config, restored_from=number):
            return None
        return job_versions(job)[0]

    def parse_json(self, text: str) -> JobConfig:
        return JobConfig.from_dict(loads(text, "The job configuration"))

    def import_json(self, text: str) -> Job:
        """Apply an export to the existing job of the same kind (its name may differ: the two
        jobs are fixed, so import renames it). Same validation as save."""
        config = self.parse_json(text)
        job = self.get_by_kind(config.kind)
        self.save(job, config)
        return Job.get_by_id(job.id)

    def add_custom_field(self, obj: str, label: str, field_type: str) -> CustomField:
        """A new custom field on a target object (the mapping stage's "Add custom field")."""
        return create_custom_field(obj, label, field_type, self.user)
