"""Validation of a JobConfig, stage by stage; every issue says what to fix and where."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pxdesk.core.config.job_config import DerivedConfig, JobConfig, MappingConfig
from pxdesk.core.config.stages import Stage
from pxdesk.core.inputs import (
    MAX_EMAIL,
    MAX_FIELD_PATH,
    MAX_FILTER_VALUE,
    MAX_JOB_NAME,
    MAX_RECIPIENTS,
    shown,
    text_problem,
)
from pxdesk.core.schedule.rules import validate_schedule
from pxdesk.core.store.custom_fields import custom_field
from pxdesk.core.store.enums import (
    DeletionPolicy,
    FieldType,
    JobKind,
    LookupObject,
    ModificationType,
    OnMultiple,
    OnNone,
    TargetObject,
)
from pxdesk.core.store.models import Connection, Job, JobDependency
from pxdesk.core.store.settings import person_resolution_key
from pxdesk.core.store.standard_fields import (
    STANDARD_FIELDS,
    SYSTEM_FIELDS,
    StandardField,
    standard_field,
)
from pxdesk.core.sync.filters import default_email_filter
from pxdesk.core.sync.filters import validate as validate_filters
from pxdesk.core.sync.mapping import ConversionError, convert

MAX_PAIRS = 6
MAX_RECONCILE_DAYS = 365  # a yearly check at the least
MAX_ALERT_PERCENT = 100.0
MAX_STALE_HOURS = 24 * 366  # a year and a day: past that, a stale job is a forgotten job
MAX_LONG_RUN_MINUTES = 7 * 24 * 60  # a week
_GSID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                      r"[0-9a-fA-F]{12}$")
_SYSTEM = {f.api_name for f in SYSTEM_FIELDS}


@dataclass(frozen=True)
class ConfigIssue:
    """field: where on the stage's page to show the message."""

    stage: Stage
    field: str
    message: str


def field_type_of(obj: str, api_name: str) -> str | None:
    """Type of a standard, system or custom field of `obj`; None if it has no such field."""
    std = standard_field(obj, api_name)
    if std is not None:
        return str(std.type)
    custom = custom_field(obj, api_name)
    return None if custom is None else str(custom.field_type)


def field_label(obj: str, api_name: str) -> str:
    """What the admin reads for a field: its label, else its api name."""
    std = standard_field(obj, api_name)
    if std is not None:
        return std.label
    custom = custom_field(obj, api_name)
    return api_name if custom is None else str(custom.label)


def target_objects(kind: str, multi_instance: bool) -> list[str]:
    """The objects a job writes, so the objects its (derived) mappings may target."""
    if kind == JobKind.COMPANY:
        objs = [TargetObject.COMPANY.value]
        return [*objs, TargetObject.COMPANY_INSTANCE.value] if multi_instance else objs
    return [TargetObject.PERSON.value, TargetObject.COMPANY_PERSON.value]


def self_object(kind: str) -> str:
    """What a self lookup searches: the job's main record (Company, or Person)."""
    return TargetObject.COMPANY.value if kind == JobKind.COMPANY else TargetObject.PERSON.value


def is_email(text: str) -> bool:
    try:
        return bool(convert(text, FieldType.EMAIL))
    except ConversionError:
        return False



def recipient_problems(key: str, label: str, addresses: list[str]) -> list[tuple[str, str]]:
    """(field, what to fix) per bad address of a notification list (a job's or a chain's)."""
    if len(addresses) > MAX_RECIPIENTS:
        return [(key, f"There are {len(addresses):,} {label} recipients: list at most "
                      f"{MAX_RECIPIENTS}")]
    problems = []
    for address in addresses:
        problem = text_problem(address, f"The {label} recipient {shown(address)}",
                               max_len=MAX_EMAIL, spaces=False)
        if problem is None and not is_email(address):
            problem = (f"{shown(address)} in the {label} recipients is not a valid email "
                       "address: fix or remove it")
        if problem is not None:
            problems.append((key, problem))
    return problems

class Validator:
    """Checks one job's configuration against the store (other jobs, fields, settings)."""

    def __init__(self, job: Job, config: JobConfig) -> None:
        self.job, self.config = job, config
        conn = Connection.get_or_none(Connection.id == job.connection_id)
        self.multi_instance = bool(conn.multi_instance) if conn is not None else False
        self.kind = str(job.kind)
        self.objects = target_objects(self.kind, self.multi_instance)
        self.issues: list[ConfigIssue] = []

    def add(self, stage: Stage, field: str, message: str) -> None:
        self.issues.append(ConfigIssue(stage, field, message))

    def run(self) -> list[ConfigIssue]:
        self.configuration()
        self.mappings()
        self.derived()
        self.filters()
        self.schedule()
        return self.issues

    # ---- stage 1 -----------------------------------------------------------------------

    def configuration(self) -> None:
        c, stage = self.config, Stage.CONFIGURATION
        if c.kind != self.kind:
            self.add(stage, "kind", f"This configuration is for {JobKind.label_of(c.kind)}"
                     f", but {self.job.name} is {JobKind.label_of(self.kind)}")
        name = c.name.strip()
        problem = text_problem(name, "The job name", max_len=MAX_JOB_NAME)
        if not name:
            self.add(stage, "name", "Enter a job name")
        elif problem is not None:  # before the name reaches a query
            self.add(stage, "name", problem)
        elif name != c.name:
            self.add(stage, "name", "The job name must not start or end with spaces")
        elif Job.select().where((Job.name == name) & (Job.id != self.job.id)).exists():
            self.add(stage, "name", f"Another job is already named '{name}': choose another name")
        if c.modification_type not in set(ModificationType):
            self.add(stage, "modification_type", "Choose the Data Modification Type: "
                     f"update or upsert (got '{c.modification_type}')")
        self.dependencies()
        self.recipients("success_recipients", "success", c.success_recipients)
        self.recipients("failure_recipients", "failure", c.failure_recipients)
        self.policies()

    def policies(self) -> None:
        """Deletion policy, reconcile interval and failure alert threshold."""
        c, stage = self.config, Stage.CONFIGURATION
        if c.deletion_policy not in set(DeletionPolicy):
            choices = " or ".join(p.value if p.label.lower() == p.value else
                                  f"{p.value} ({p.label})" for p in DeletionPolicy)
            self.add(stage, "deletion_policy", "Choose what happens to a record gone from PX: "
                     f"{choices}, not {shown(str(c.deletion_policy))}")
        if not 0 <= c.reconcile_days <= MAX_RECONCILE_DAYS:
            self.add(stage, "reconcile_days", "Check for records deleted in PX every 0 to "
                     f"{MAX_RECONCILE_DAYS} days (0 = only when asked), not {c.reconcile_days}")
        if not 0 <= c.alert_failure_percent <= MAX_ALERT_PERCENT:
            self.add(stage, "alert_failure_percent", "The failure alert threshold is a "
                     f"percentage from 0 to {MAX_ALERT_PERCENT:g}, not "
                     f"{c.alert_failure_percent:g}: enter a value in that range")

    def recipients(self, key: str, label: str, addresses: list[str]) -> None:
        for field, problem in recipient_problems(key, label, addresses):
            self.add(Stage.CONFIGURATION, field, problem)

    def dependencies(self) -> None:
        stage, names = Stage.CONFIGURATION, self.config.dependencies
        jobs = {j.name: j.id for j in Job.select(Job.id, Job.name)}
        own = {self.job.name, self.config.name}
        if len(set(names)) != len(names):
            self.add(stage, "dependencies", "A dependent job is listed twice: list each once")
        ids: list[int] = []
        for name in names:
            if name in own:
                self.add(stage, "dependencies", f"{shown(name)} is this job: a job cannot depend "
                         "on itself")
            elif name not in jobs:
                self.add(stage, "dependencies", f"There is no job named {shown(name)}: pick an "
                         "existing job")
            else:
                ids.append(jobs[name])
        graph: dict[int, list[int]] = {}
        for dep in JobDependency.select():
            graph.setdefault(dep.job_id, []).append(dep.depends_on_id)
        graph[self.job.id] = ids
        path = _cycle_from(self.job.id, graph)
        if path:
            by_id = {v: k for k, v in jobs.items()} | {self.job.id: self.config.name}
            chain = " → ".join(by_id.get(i, str(i)) for i in path)
            self.add(stage, "dependencies", f"These dependencies form a cycle ({chain}): remove "
                     "one of them")

    # ---- stage 2 -----------------------------------------------------------------------

    def _target(self, stage: Stage, where: str, obj: str, api_name: str) -> str | None:
        """The target field's type, or None after adding the issue that explains why not."""
        if obj not in self.objects:
            allowed = ", ".join(TargetObject.label_of(o) for o in self.objects)
            self.add(stage, where, f"{JobKind.label_of(self.kind)} writes {allowed}, not "
                     f"'{TargetObject.label_of(obj)}': choose a field of those objects")
            return None
        ftype = field_type_of(obj, api_name)
        if ftype is None:
            self.add(stage, where, f"{TargetObject.label_of(obj)} has no field '{api_name}': "
                     "pick an existing field or add a custom field first")
            return None
        if api_name in _SYSTEM:
            self.add(stage, where, f"{field_label(obj, api_name)} is a system field set by "
                     "pxdesk: it cannot be a target")
            return None
        return ftype

    def mappings(self) -> None:
        stage, seen = Stage.MAPPINGS, set()
        key = person_resolution_key() if self.kind == JobKind.COMPANY_PERSON else []
        for i, m in enumerate(self.config.mappings):
            where = f"mappings[{i}]"
            self._source_path(stage, f"{where}.source_path", f"Mapping {i + 1}", m.source_path)
            ftype = self._target(stage, f"{where}.target_field", m.target_object,
                                 m.target_field)
            if ftype is not None:
                self._mapping_type(i, m, ftype)
            if (m.target_object, m.target_field) in seen:
                self.add(stage, f"{where}.target_field", f"Two mappings write "
                         f"{field_label(m.target_object, m.target_field)}: remove one")
            seen.add((m.target_object, m.target_field))
            self._upsert_flag(i, m, key)
        self._required_fields()
        self._resolution_key_mapped(key)

    def _source_path(self, stage: Stage, where: str, label: str, path: str) -> None:
        problem = text_problem(path, f"{label}'s source field", max_len=MAX_FIELD_PATH)
        if not path.strip():
            problem = f"{label} has no source field: pick a PX field"
        if problem is not None:
            self.add(stage, where, problem)

    def _mapping_type(self, i: int, m: MappingConfig, ftype: str) -> None:
        where, label = f"mappings[{i}]", field_label(m.target_object, m.target_field)
        if ftype == FieldType.GSID:
            self.add(Stage.MAPPINGS, f"{where}.target_field", f"{label} holds a GSID: fill it with "
                     "a Derived Mapping instead of a field mapping")
        elif m.target_type != ftype:
            self.add(Stage.MAPPINGS, f"{where}.target_type", f"{label} is a {ftype} field, but the "
                     f"mapping converts to {m.target_type or 'nothing'}: set the type to {ftype}")

    def _upsert_flag(self, i: int, m: MappingConfig, key: list[str]) -> None:
        where = f"mappings[{i}].upsert_key"
        if not m.upsert_key:
            return
        if self.kind == JobKind.COMPANY_PERSON:
            in_key = m.target_object == TargetObject.PERSON and m.target_field in key
            if not in_key:
                self.add(Stage.MAPPINGS, where, "Company Person Sync's upsert keys come from the "
                         f"Person Resolution Key setting ({', '.join(key)}) and cannot be edited "
                         "in the job: change the setting instead")
        elif m.target_object != TargetObject.COMPANY:
            self.add(Stage.MAPPINGS, where, "Only a Company field can be the upsert key")

    def _resolution_key_mapped(self, key: list[str]) -> None:
        """`run_blockers`' rule for Company Person, applied before the save: a job whose Person
        Resolution Key field is unmapped would save and then fail every run. (Company Sync's
        missing upsert key stays saveable: the default job has none until the admin ticks it,
        and the jobs table says so; only its schedule is refused, below.)"""
        person = TargetObject.PERSON.value
        mapped = {m.target_field for m in self.config.mappings if m.target_object == person}
        for name in key:
            if name not in mapped:
                self.add(Stage.MAPPINGS, "mappings", f"The Person Resolution Key field "
                         f"{field_label(person, name)} is not mapped: map a PX field to it, or "
                         "the job cannot run")

    def _required_fields(self) -> None:
        """Upsert inserts records: the required standard fields of the main object need a value."""
        if self.config.modification_type != ModificationType.UPSERT:
            return
        obj = self_object(self.kind)
        mapped = {m.target_field for m in self.config.mappings if m.target_object == obj}
        required: Iterable[StandardField] = STANDARD_FIELDS.get(obj, [])
        for f in required:
            if f.required and f.type != FieldType.GSID and f.api_name not in mapped:
                self.add(Stage.MAPPINGS, "mappings", "Upsert inserts new "
                         f"{TargetObject.label_of(obj)} "
                         f"records, which need {f.label}: map a PX field to {f.label}")

    # ---- stage 3 -----------------------------------------------------------------------

    def derived(self) -> None:
        seen: set[tuple[str, str]] = set()
        mapped = {(m.target_object, m.target_field) for m in self.config.mappings}
        for i, d in enumerate(self.config.derived):
            where = f"derived[{i}]"
            ftype = self._target(Stage.DERIVED, f"{where}.target_field", d.target_object,
                                 d.target_field)
            label = field_label(d.target_object, d.target_field)
            if ftype is not None and ftype != FieldType.GSID:
                self.add(Stage.DERIVED, f"{where}.target_field", f"{label} is a {ftype} field; a "
                         "derived mapping writes a GSID: choose a GSID field")
            key = (d.target_object, d.target_field)
            if key in mapped or key in seen:
                self.add(Stage.DERIVED, f"{where}.target_field", f"{label} is already filled by "
                         "another mapping: remove one of them")
            seen.add(key)
            self._derived_lookup(where, d)
            self._derived_policies(where, d)

    def _derived_lookup(self, where: str, d: DerivedConfig) -> None:
        if d.lookup_object not in set(LookupObject):
            self.add(Stage.DERIVED, f"{where}.lookup_object", f"Unknown lookup object "
                     f"'{d.lookup_object}': choose Company, Person, Company Person or self")
            return
        obj = self_object(self.kind) if d.lookup_object == LookupObject.SELF else d.lookup_object
        if not 1 <= len(d.pairs) <= MAX_PAIRS:
            self.add(Stage.DERIVED, f"{where}.pairs", f"A derived mapping matches on 1 to "
                     f"{MAX_PAIRS} field pairs (it has {len(d.pairs)})")
        for j, pair in enumerate(d.pairs):
            self._source_path(Stage.DERIVED, f"{where}.pairs[{j}].source_path",
                              f"Match pair {j + 1}", pair.source_path)
            if field_type_of(obj, pair.lookup_field) is None:
                self.add(Stage.DERIVED, f"{where}.pairs[{j}].lookup_field",
                         f"{TargetObject.label_of(obj)} "
                         f"has no field '{pair.lookup_field}' to match on: pick one of its "
                         "fields")

    def _derived_policies(self, where: str, d: DerivedConfig) -> None:
        if d.on_multiple not in set(OnMultiple):
            self.add(Stage.DERIVED, f"{where}.on_multiple", "When several records match, choose "
                     "use_any (use any one match) or error (mark the record with an error)")
        if d.on_none not in set(OnNone):
            self.add(Stage.DERIVED, f"{where}.on_none", "When no record matches, choose error "
                     "(mark the record with an error) or default (use a default value)")
        if d.default_value is not None and d.on_none != OnNone.DEFAULT:
            self.add(Stage.DERIVED, f"{where}.default_value", "A default value applies only with "
                     "'Use default value' when no record matches: clear it or choose that option")
        elif d.default_value and not _GSID_RE.match(d.default_value.strip()):
            self.add(Stage.DERIVED, f"{where}.default_value", f"The default value "
                     f"'{d.default_value}' is not a GSID (36 characters, 8-4-4-4-12): leave it "
                     "empty or paste a record's GSID")

    # ---- stages 4 and 5 ----------------------------------------------------------------

    def filters(self) -> None:
        required = [default_email_filter()] if self.kind == JobKind.COMPANY_PERSON else []
        for issue in validate_filters(self.config.filters, required):
            self.add(Stage.FILTERS, issue.field, issue.message)
        for c in self.config.filters.conditions:
            self._text(Stage.FILTERS, f"{c.alias}.field", c.field, f"The field of condition "
                       f"{c.alias}", MAX_FIELD_PATH)
            values = c.value if isinstance(c.value, tuple) else (c.value,)
            for value in values:
                if isinstance(value, str):
                    self._text(Stage.FILTERS, f"{c.alias}.value", value, f"The value of "
                               f"condition {c.alias}", MAX_FILTER_VALUE)

    def _text(self, stage: Stage, field: str, value: str, label: str, max_len: int) -> None:
        """Record why a free text cannot be saved (control characters, length), if it cannot."""
        problem = text_problem(value, label, max_len=max_len)
        if problem is not None:
            self.add(stage, field, problem)

    def schedule(self) -> None:
        s = self.config.schedule
        for field, message in validate_schedule(s):
            self.add(Stage.SCHEDULE, f"schedule.{field}", message)
        self.stale_alerts()
        if s.enabled and self.kind == JobKind.COMPANY and not self.config.upsert_keys():
            self.add(Stage.SCHEDULE, "schedule.enabled", "Company Sync cannot be scheduled without "
                     "an upsert key: mark a mapping (normally id → PX Account ID) as the upsert "
                     "key, or disable the schedule")

    def stale_alerts(self) -> None:
        """The stale-data alerts of the Schedule page: whole hours / minutes, 0 = off."""
        c = self.config
        if not 0 <= c.stale_after_hours <= MAX_STALE_HOURS:
            self.add(Stage.SCHEDULE, "stale_after_hours", "Warn after 1 to "
                     f"{MAX_STALE_HOURS:,} hours without a successful run (0 = off), not "
                     f"{c.stale_after_hours}")
        if not 0 <= c.long_run_minutes <= MAX_LONG_RUN_MINUTES:
            self.add(Stage.SCHEDULE, "long_run_minutes", "Warn when a run takes longer than 1 "
                     f"to {MAX_LONG_RUN_MINUTES:,} minutes (0 = off), not {c.long_run_minutes}")


def _cycle_from(start: int, graph: dict[int, list[int]]) -> list[int]:
    """A dependency path start -> ... -> start, or [] when `start` is on no cycle."""
    stack: list[tuple[int, list[int]]] = [(d, [start, d]) for d in graph.get(start, [])]
    visited: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == start:
            return path
        if node in visited:
            continue
        visited.add(node)
        stack.extend((d, [*path, d]) for d in graph.get(node, []))
    return []


def validate_job_config(job: Job, config: JobConfig) -> list[ConfigIssue]:
    """Every issue of `config` as the configuration of `job`; [] when it can be saved."""
    return Validator(job, config).run()
