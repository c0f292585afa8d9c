"""A job's whole configuration as plain dataclasses: read from the store, to/from readable JSON.

The wizard edits a JobConfig, JobService validates and saves it in one transaction, the export
file is its `to_dict()`; the sync engine reads the saved rows (or this, via `load_job_config`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from pxdesk.core.config.json_input import JsonObject, is_whole, join, wrong
from pxdesk.core.errors import ConfigError
from pxdesk.core.store.enums import DeletionPolicy, JobKind, TargetObject
from pxdesk.core.store.models import (
    DerivedMapping,
    FieldMapping,
    Job,
    JobDependency,
    JobFilter,
    Schedule,
)
from pxdesk.core.store.settings import person_resolution_key
from pxdesk.core.sync.filters import FilterCondition, FilterSpec

FORMAT_VERSION = 1
# The job policy defaults (migration 4's column defaults): an old job file without them imports
# with these, and a new job starts with them.
DEFAULT_DELETION_POLICY = DeletionPolicy.MARK.value
DEFAULT_RECONCILE_DAYS = 7  # weekly; 0 = only when the admin asks
DEFAULT_ALERT_FAILURE_PERCENT = 5.0
# Stale-data alerts (migration 7): off until the admin sets them (docs/decisions.md).
STALE_OFF = 0


def _names(cls: type) -> tuple[str, ...]:
    """The fields a JSON object of `cls` may have: its dataclass fields, nothing else."""
    return tuple(f.name for f in fields(cls))


@dataclass
class MappingConfig:
    """source PX field -> target field of a target object; `upsert_key` ticks it as key."""

    source_path: str
    source_type: str
    target_object: str
    target_field: str
    target_type: str
    upsert_key: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"source_path": self.source_path, "source_type": self.source_type,
                "target_object": self.target_object, "target_field": self.target_field,
                "target_type": self.target_type, "upsert_key": self.upsert_key}

    @classmethod
    def from_dict(cls, data: Any, where: str = "mapping") -> MappingConfig:
        obj = JsonObject(data, where, _names(cls))
        return cls(source_path=obj.text("source_path"), source_type=obj.text("source_type", ""),
                   target_object=obj.text("target_object"),
                   target_field=obj.text("target_field"), target_type=obj.text("target_type"),
                   upsert_key=obj.flag("upsert_key", False))


@dataclass
class MatchPair:
    """A source field matched (exactly; emails case-insensitively) to a lookup-object field."""

    source_path: str
    lookup_field: str

    def to_dict(self) -> dict[str, Any]:
        return {"source_path": self.source_path, "lookup_field": self.lookup_field}

    @classmethod
    def from_dict(cls, data: Any, where: str = "pair") -> MatchPair:
        obj = JsonObject(data, where, _names(cls))
        return cls(obj.text("source_path"), obj.text("lookup_field"))


@dataclass
class DerivedConfig:
    """target_field <- GSID of the lookup_object record matched by all `pairs` (ANDed)."""

    target_object: str
    target_field: str
    lookup_object: str  # company | person | company_person | self
    pairs: list[MatchPair] = field(default_factory=list)
    on_multiple: str = "use_any"
    on_none: str = "error"
    default_value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"target_object": self.target_object, "target_field": self.target_field,
                "lookup_object": self.lookup_object,
                "pairs": [p.to_dict() for p in self.pairs],
                "on_multiple": self.on_multiple, "on_none": self.on_none,
                "default_value": self.default_value}

    @classmethod
    def from_dict(cls, data: Any, where: str = "derived") -> DerivedConfig:
        obj = JsonObject(data, where, _names(cls))
        return cls(
            target_object=obj.text("target_object"), target_field=obj.text("target_field"),
            lookup_object=obj.text("lookup_object"),
            pairs=[MatchPair.from_dict(p, path) for path, p in obj.items("pairs")],
            on_multiple=obj.text("on_multiple", "use_any"), on_none=obj.text("on_none", "error"),
            default_value=obj.optional_text("default_value"),
        )


@dataclass
class ScheduleConfig:
    """When the job runs; fields as in the store's Schedule (see schedule.rules)."""

    enabled: bool = True
    kind: str = "hourly"
    every_hours: int = 1
    time: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    days: list[int] | str = "everyday"
    day_of_month: int | None = None
    timezone: str = "UTC"

    def to_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "kind": self.kind, "every_hours": self.every_hours,
                "time": self.time, "start_time": self.start_time, "end_time": self.end_time,
                "days": list(self.days) if isinstance(self.days, list | tuple) else self.days,
                "day_of_month": self.day_of_month, "timezone": self.timezone}

    @classmethod
    def from_dict(cls, data: Any, where: str = "schedule") -> ScheduleConfig:
        base = cls()
        obj = JsonObject(data, where, _names(cls))
        days: Any = obj.get("days", base.days)
        if isinstance(days, list):
            for path, day in obj.items("days"):
                if not is_whole(day):
                    raise wrong(path, "a whole number", day)
        elif isinstance(days, str):
            days = obj.text("days", base.days)
        else:
            raise wrong(join(where, "days"), "a text or a list of whole numbers", days)
        return cls(enabled=obj.flag("enabled", base.enabled), kind=obj.text("kind", base.kind),
                   every_hours=obj.whole("every_hours", base.every_hours),
                   time=obj.optional_text("time"), start_time=obj.optional_text("start_time"),
                   end_time=obj.optional_text("end_time"), days=days,
                   day_of_month=obj.optional_whole("day_of_month"),
                   timezone=obj.text("timezone", base.timezone))


@dataclass
class JobConfig:
    """Everything the five wizard stages edit for one job."""

    name: str
    kind: str  # JobKind
    modification_type: str
    dependencies: list[str]  # job names, in run order
    success_recipients: list[str]
    failure_recipients: list[str]
    mappings: list[MappingConfig]
    derived: list[DerivedConfig]
    filters: FilterSpec
    schedule: ScheduleConfig
    # Job Configuration policies: what a reconcile does with a record gone from PX, how often
    # it runs by itself, and the failed share of a run's records that makes it an alert.
    deletion_policy: str = DEFAULT_DELETION_POLICY  # DeletionPolicy
    reconcile_days: int = DEFAULT_RECONCILE_DAYS
    alert_failure_percent: float = DEFAULT_ALERT_FAILURE_PERCENT
    # Schedule page: warn after this many hours without a successful run, and when a run
    # takes longer than this many minutes; 0 = off (core/logs/stale.py is the rule).
    stale_after_hours: int = STALE_OFF
    long_run_minutes: int = STALE_OFF

    def to_dict(self) -> dict[str, Any]:
        """Readable JSON with a stable key order (exports diff cleanly)."""
        return {
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "kind": self.kind,
            "modification_type": self.modification_type,
            "dependencies": list(self.dependencies),
            "success_recipients": list(self.success_recipients),
            "failure_recipients": list(self.failure_recipients),
            "deletion_policy": self.deletion_policy,
            "reconcile_days": self.reconcile_days,
            "alert_failure_percent": self.alert_failure_percent,
            "mappings": [m.to_dict() for m in self.mappings],
            "derived": [d.to_dict() for d in self.derived],
            "filters": self.filters.to_dict(),
            "schedule": self.schedule.to_dict(),
            "stale_after_hours": self.stale_after_hours,
            "long_run_minutes": self.long_run_minutes,
        }

    @classmethod
    def from_dict(cls, data: Any) -> JobConfig:
        """Parse an export strictly; ConfigError naming the JSON path of the first problem."""
        obj = JsonObject(data, "", ("format_version", *_names(cls)))
        version = obj.whole("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ConfigError(f"format_version: this version reads {FORMAT_VERSION}, not "
                              f"{version}: export the job again", field="format_version")
        return cls(
            name=obj.text("name"), kind=obj.text("kind"),
            modification_type=obj.text("modification_type", "upsert"),
            dependencies=obj.texts("dependencies"),
            success_recipients=obj.texts("success_recipients"),
            failure_recipients=obj.texts("failure_recipients"),
            deletion_policy=obj.text("deletion_policy", DEFAULT_DELETION_POLICY),
            reconcile_days=obj.whole("reconcile_days", DEFAULT_RECONCILE_DAYS),
            alert_failure_percent=obj.number("alert_failure_percent",
                                             DEFAULT_ALERT_FAILURE_PERCENT),
            mappings=[MappingConfig.from_dict(m, path) for path, m in obj.items("mappings")],
            derived=[DerivedConfig.from_dict(d, path) for path, d in obj.items("derived")],
            filters=filters_from_dict(obj.get("filters", {})),
            schedule=ScheduleConfig.from_dict(obj.get("schedule", {})),
            stale_after_hours=obj.whole("stale_after_hours", STALE_OFF),
            long_run_minutes=obj.whole("long_run_minutes", STALE_OFF),
        )

    def upsert_keys(self) -> list[MappingConfig]:
        """The mappings ticked as upsert key (ANDed when several)."""
        return [m for m in self.mappings if m.upsert_key]


def filters_from_dict(data: Any, where: str = "filters") -> FilterSpec:
    """A job file's filters, strictly (FilterSpec.from_dict reads the store's own rows)."""
    obj = JsonObject(data, where, ("conditions", "expression"))
    conditions = []
    for path, row in obj.items("conditions"):
        c = JsonObject(row, path, _names(FilterCondition))
        conditions.append(FilterCondition(c.text("alias"), c.text("field"),
                                          c.text("field_type"), c.text("operator"),
                                          c.scalars("value"), c.flag("locked", False)))
    return FilterSpec(tuple(conditions), obj.text("expression", ""))


def resolution_key_flags(kind: str, mapping: MappingConfig, key: list[str]) -> bool:
    """Company Person upsert flags are not stored choices: they follow the resolution key."""
    if kind != JobKind.COMPANY_PERSON:
        return mapping.upsert_key
    return mapping.target_object == TargetObject.PERSON and mapping.target_field in key


def _load_schedule(job: Job) -> ScheduleConfig:
    row = Schedule.get_or_none(Schedule.job == job)
    if row is None:
        return ScheduleConfig(enabled=False)  # no row: not scheduled
    try:
        days: list[int] | str = json.loads(row.days)
    except (TypeError, ValueError):
        days = "everyday"
    return ScheduleConfig(enabled=bool(row.enabled), kind=str(row.kind),
                          every_hours=int(row.every_hours), time=row.time,
                          start_time=row.start_time, end_time=row.end_time, days=days,
                          day_of_month=row.day_of_month, timezone=str(row.timezone))


def load_job_config(job: Job) -> JobConfig:
    """The saved configuration of `job`, read from its rows (mappings in position order)."""
    deps = (JobDependency.select().where(JobDependency.job == job)
            .order_by(JobDependency.position, JobDependency.id))
    key = person_resolution_key() if job.kind == JobKind.COMPANY_PERSON else []
    mappings = []
    rows = (FieldMapping.select().where(FieldMapping.job == job)
            .order_by(FieldMapping.position, FieldMapping.id))
    for m in rows:
        mapping = MappingConfig(m.source_path, m.source_type, m.target_object, m.target_field,
                                m.target_type, bool(m.is_upsert_key))
        mapping.upsert_key = resolution_key_flags(job.kind, mapping, key)
        mappings.append(mapping)
    derived = [
        DerivedConfig(d.target_object, d.target_field, d.lookup_object,
                      [MatchPair.from_dict(p) for p in json.loads(d.match_pairs or "[]")],
                      d.on_multiple, d.on_none, d.default_value)
        for d in DerivedMapping.select().where(DerivedMapping.job == job)
        .order_by(DerivedMapping.position, DerivedMapping.id)
    ]
    frow = JobFilter.get_or_none(JobFilter.job == job)
    spec = FilterSpec() if frow is None else FilterSpec.from_dict(
        {"conditions": json.loads(frow.conditions or "[]"), "expression": frow.expression or ""})
    return JobConfig(
        name=job.name, kind=str(job.kind), modification_type=str(job.modification_type),
        dependencies=[d.depends_on.name for d in deps],
        success_recipients=list(json.loads(job.success_recipients or "[]")),
        failure_recipients=list(json.loads(job.failure_recipients or "[]")),
        mappings=mappings, derived=derived, filters=spec, schedule=_load_schedule(job),
        deletion_policy=str(job.deletion_policy), reconcile_days=int(job.reconcile_days),
        alert_failure_percent=float(job.alert_failure_percent),
        stale_after_hours=int(job.stale_after_hours), long_run_minutes=int(job.long_run_minutes),
    )
