"""A job's whole configuration as plain dataclasses: read from the store, to/from readable JSON.

The wizard edits a JobConfig, JobService validates and saves it in one transaction, the export
file is its `to_dict()`; the sync engine reads the saved rows (or this, via `load_job_config`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.enums import JobKind, TargetObject
from pxdesk.core.store.models import (
    DerivedMapping,
    FieldMapping,
    Job,
    JobDependency,
    JobFilter,
    Schedule,
)
from pxdesk.core.store.settings import person_resolution_key
from pxdesk.core.sync.filters import FilterSpec

FORMAT_VERSION = 1


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where} must be a JSON object", field=where)
    if key not in data:
        raise ConfigError(f"{where} is missing '{key}'", field=f"{where}.{key}")
    return data[key]


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of texts", field=where)
    return list(value)


def _list_of_objects(value: Any, where: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError(f"{where} must be a list of JSON objects", field=where)
    return list(value)


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
    def from_dict(cls, data: Mapping[str, Any], where: str = "mapping") -> MappingConfig:
        values = {k: _require(data, k, where) for k in
                  ("source_path", "target_object", "target_field", "target_type")}
        if not all(isinstance(v, str) for v in values.values()):
            raise ConfigError(f"{where}: source_path and target fields must be texts", where)
        return cls(source_type=str(data.get("source_type") or ""),
                   upsert_key=bool(data.get("upsert_key", False)), **values)


@dataclass
class MatchPair:
    """A source field matched (exactly; emails case-insensitively) to a lookup-object field."""

    source_path: str
    lookup_field: str

    def to_dict(self) -> dict[str, Any]:
        return {"source_path": self.source_path, "lookup_field": self.lookup_field}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "pair") -> MatchPair:
        return cls(str(_require(data, "source_path", where)),
                   str(_require(data, "lookup_field", where)))


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
    def from_dict(cls, data: Mapping[str, Any], where: str = "derived") -> DerivedConfig:
        pairs = _list_of_objects(data.get("pairs", []), f"{where}.pairs")
        default = data.get("default_value")
        return cls(
            target_object=str(_require(data, "target_object", where)),
            target_field=str(_require(data, "target_field", where)),
            lookup_object=str(_require(data, "lookup_object", where)),
            pairs=[MatchPair.from_dict(p, f"{where}.pairs[{i}]") for i, p in enumerate(pairs)],
            on_multiple=str(data.get("on_multiple", "use_any")),
            on_none=str(data.get("on_none", "error")),
            default_value=None if default is None else str(default),
        )


@dataclass
class ScheduleConfig:
    """When the job runs; fields as in the store's Schedule (see schedule_rules)."""

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
    def from_dict(cls, data: Mapping[str, Any]) -> ScheduleConfig:
        if not isinstance(data, Mapping):
            raise ConfigError("schedule must be a JSON object", field="schedule")
        base = cls()
        known = {k: data[k] for k in base.to_dict() if k in data}
        try:
            every = int(known.get("every_hours", base.every_hours))
            dom = known.get("day_of_month")
            dom = None if dom is None else int(dom)
        except (TypeError, ValueError):
            raise ConfigError("schedule: every_hours and day_of_month must be whole numbers",
                              field="schedule") from None
        days = known.get("days", base.days)
        if isinstance(days, list):
            days = [int(d) if isinstance(d, int | float) else d for d in days]
        return cls(enabled=bool(known.get("enabled", base.enabled)),
                   kind=str(known.get("kind", base.kind)), every_hours=every,
                   time=known.get("time"), start_time=known.get("start_time"),
                   end_time=known.get("end_time"), days=days, day_of_month=dom,
                   timezone=str(known.get("timezone", base.timezone)))


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
            "mappings": [m.to_dict() for m in self.mappings],
            "derived": [d.to_dict() for d in self.derived],
            "filters": self.filters.to_dict(),
            "schedule": self.schedule.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobConfig:
        """Parse an export; ConfigError (with the field) when its shape is wrong."""
        if not isinstance(data, Mapping):
            raise ConfigError("A job configuration must be a JSON object", field="config")
        version = data.get("format_version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ConfigError(f"Unsupported job export format_version {version!r} "
                              f"(this version reads {FORMAT_VERSION})", field="format_version")
        mappings = _list_of_objects(data.get("mappings", []), "mappings")
        derived = _list_of_objects(data.get("derived", []), "derived")
        filters = data.get("filters") or {}
        if not isinstance(filters, Mapping):
            raise ConfigError("filters must be a JSON object", field="filters")
        try:
            spec = FilterSpec.from_dict(filters)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"filters: {exc}", field="filters") from None
        return cls(
            name=str(_require(data, "name", "config")),
            kind=str(_require(data, "kind", "config")),
            modification_type=str(data.get("modification_type", "upsert")),
            dependencies=_str_list(data.get("dependencies", []), "dependencies"),
            success_recipients=_str_list(data.get("success_recipients", []),
                                         "success_recipients"),
            failure_recipients=_str_list(data.get("failure_recipients", []),
                                         "failure_recipients"),
            mappings=[MappingConfig.from_dict(m, f"mappings[{i}]")
                      for i, m in enumerate(mappings)],
            derived=[DerivedConfig.from_dict(d, f"derived[{i}]") for i, d in enumerate(derived)],
            filters=spec,
            schedule=ScheduleConfig.from_dict(data.get("schedule") or {}),
        )

    def upsert_keys(self) -> list[MappingConfig]:
        """The mappings ticked as upsert key (ANDed when several)."""
        return [m for m in self.mappings if m.upsert_key]


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
    )
