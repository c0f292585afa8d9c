"""The differences between two configurations of a job, as audit-log entries (one per change)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pxdesk.core.config.job_config import DerivedConfig, JobConfig, MappingConfig
from pxdesk.core.config.validation import field_label, self_object
from pxdesk.core.logs.readable import days_text
from pxdesk.core.store.enums import (
    AuditAction,
    AuditAttribute,
    DeletionPolicy,
    LookupObject,
    ModificationType,
    ScheduleKind,
)
from pxdesk.core.sync.filters import FilterSpec

CONFIG_FIELDS = (
    ("name", "Job Name"),
    ("modification_type", "Data Modification Type"),
    ("dependencies", "Dependent Jobs"),
    ("success_recipients", "Success Recipients"),
    ("failure_recipients", "Failure Recipients"),
    ("deletion_policy", "Deletion Policy"),
    ("reconcile_days", "Reconcile Every N Days"),
    ("alert_failure_percent", "Failure Alert Threshold"),
)
SCHEDULE_FIELDS = (
    ("enabled", "Enabled"), ("kind", "Type"), ("every_hours", "Every N Hours"),
    ("time", "Time"), ("start_time", "Start Time"), ("end_time", "End Time"),
    ("days", "Days"), ("day_of_month", "Day of Month"), ("timezone", "Time Zone"),
)
# On the Schedule page, kept on the job: audited as Schedule rows.
STALE_FIELDS = (
    ("stale_after_hours", "Warn If No Success For"),
    ("long_run_minutes", "Warn If A Run Takes Longer Than"),
)
ALL_AND = "(all conditions ANDed)"
OFF = "Off"


@dataclass(frozen=True)
class Change:
    """One audit row to write."""

    attribute: str
    sub_attribute: str
    action: str
    old: str | None
    new: str | None
    info: str | None = None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _days_text(days: Any) -> str:
    return "0 (only when asked)" if days == 0 else f"{days} days"


# Values read better as the admin chose them than as stored ("Delete", "5%", "7 days",
# "Daily Repeat", "Mon, Wed"): the audit log shows the wizard's words.
_VALUE_TEXTS: dict[str, Callable[[Any], str]] = {
    "modification_type": lambda value: ModificationType.label_of(str(value)),
    "kind": lambda value: ScheduleKind.label_of(str(value)),
    "days": days_text,
    "deletion_policy": lambda value: DeletionPolicy.label_of(str(value)),
    "reconcile_days": _days_text,
    "alert_failure_percent": lambda value: f"{value:g}%",
    "stale_after_hours": lambda value: f"{value} hours" if value else OFF,
    "long_run_minutes": lambda value: f"{value} minutes" if value else OFF,
}


def mapping_text(m: MappingConfig) -> str:
    """e.g. "id → PX Account ID (String), upsert key" (the UI's arrow: the history dialog
    shows it)."""
    key = ", upsert key" if m.upsert_key else ""
    return f"{m.source_path} → {field_label(m.target_object, m.target_field)} " \
           f"({m.target_type}){key}"


def derived_text(d: DerivedConfig, kind: str) -> str:
    """e.g. "Company ID <- Company GSID where accountId = PX Account ID; multiple: use_any;
    none: error"."""
    obj = self_object(kind) if d.lookup_object == LookupObject.SELF else d.lookup_object
    pairs = " AND ".join(f"{p.source_path} = {field_label(obj, p.lookup_field)}"
                         for p in d.pairs)
    default = f" (default {d.default_value or 'empty'})" if d.on_none == "default" else ""
    return (f"{field_label(d.target_object, d.target_field)} <- "
            f"{LookupObject.label_of(d.lookup_object)} GSID where {pairs}; "
            f"multiple: {d.on_multiple}; none: {d.on_none}{default}")


def _keyed_changes(attribute: str, old: dict[Any, tuple[str, str]],
                   new: dict[Any, tuple[str, str]]) -> list[Change]:
    """Create / Edit / Delete per key; values are (sub-attribute, text)."""
    changes: list[Change] = []
    for key, (sub, text) in old.items():
        if key not in new:
            changes.append(Change(attribute, sub, AuditAction.DELETE, text, None))
        elif new[key][1] != text:
            changes.append(Change(attribute, sub, AuditAction.EDIT, text, new[key][1]))
    changes.extend(Change(attribute, sub, AuditAction.CREATE, None, text)
                   for key, (sub, text) in new.items() if key not in old)
    return changes


def _mappings(config: JobConfig | None) -> dict[Any, tuple[str, str]]:
    if config is None:
        return {}
    return {(m.target_object, m.target_field):
            (field_label(m.target_object, m.target_field), mapping_text(m))
            for m in config.mappings}


def _derived(config: JobConfig | None) -> dict[Any, tuple[str, str]]:
    if config is None:
        return {}
    return {(d.target_object, d.target_field):
            (field_label(d.target_object, d.target_field), derived_text(d, config.kind))
            for d in config.derived}


def _filters(spec: FilterSpec | None) -> dict[Any, tuple[str, str]]:
    if spec is None:
        return {}
    found = {c.alias: (f"Condition {c.alias}", c.describe() + (" (locked)" if c.locked else ""))
             for c in spec.conditions}
    if spec.expression.strip() or spec.conditions:
        found["__expression__"] = ("Expression", spec.expression.strip() or ALL_AND)
    return found


def _plain_fields(attribute: str, fields: tuple[tuple[str, str], ...], old: Any,
                  new: Any) -> list[Change]:
    changes = []
    for key, label in fields:
        text = _VALUE_TEXTS.get(key, _text)
        before = None if old is None else text(getattr(old, key))
        after = text(getattr(new, key))
        if old is None:
            if after:
                changes.append(Change(attribute, label, AuditAction.CREATE, None, after))
        elif before != after:
            changes.append(Change(attribute, label, AuditAction.EDIT, before, after))
    return changes


def config_changes(old: JobConfig | None, new: JobConfig) -> list[Change]:
    """Every difference old -> new (old None: the job is being created), in stage order."""
    return [
        *_plain_fields(AuditAttribute.JOB_CONFIGURATION, CONFIG_FIELDS, old, new),
        *_keyed_changes(AuditAttribute.MAPPING, _mappings(old), _mappings(new)),
        *_keyed_changes(AuditAttribute.DERIVED_MAPPING, _derived(old), _derived(new)),
        *_keyed_changes(AuditAttribute.FILTER, _filters(old.filters if old is not None else None),
                        _filters(new.filters)),
        *_plain_fields(AuditAttribute.SCHEDULE, SCHEDULE_FIELDS, old and old.schedule,
                       new.schedule),
        *_stale_changes(old, new),
    ]


def _stale_changes(old: JobConfig | None, new: JobConfig) -> list[Change]:
    """The stale alerts' rows; a new job's alerts left off are no change worth a row."""
    changes = _plain_fields(AuditAttribute.SCHEDULE, STALE_FIELDS, old, new)
    return changes if old is not None else [c for c in changes if c.new != OFF]
