"""A job compiled for running: mappings with converters, lookups, filter, keys and shapes.

Read straight from the store rows (FieldMapping, DerivedMapping, JobFilter), so a run always
uses the saved configuration. Company Person upsert keys come from the Person Resolution Key
setting; Company keys from the mappings ticked as upsert key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from peewee import Database

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.enums import JobKind, ModificationType, TargetObject
from pxdesk.core.store.models import Connection, DerivedMapping, FieldMapping, Job, JobFilter
from pxdesk.core.store.settings import person_resolution_key
from pxdesk.core.sync.fields import FieldRef, resolve_field
from pxdesk.core.sync.filters import CompiledFilter, FilterSpec, compile_filter, pushdown
from pxdesk.core.sync.lookups import DerivedLookup
from pxdesk.core.sync.mapping import compile_converter
from pxdesk.core.sync.records import compile_path
from pxdesk.core.sync.writer import Shape


@dataclass(frozen=True, slots=True)
class MappingStep:
    """source path -> converter -> slot `index` of object `obj`'s values."""

    getter: Callable[[dict[str, Any]], Any]
    convert: Callable[[Any], Any]
    obj: str
    index: int
    target_field: str
    source_path: str


@dataclass(frozen=True)
class MappingSpec:
    """One field mapping as a plan needs it."""

    source_path: str
    target_object: str
    target_field: str
    target_type: str | None  # None: the target field's own type
    upsert_key: bool


@dataclass(frozen=True)
class DerivedSpec:
    """One derived mapping as a plan needs it; pairs are (source path, lookup field)."""

    target_object: str
    target_field: str
    lookup_object: str
    pairs: list[tuple[str, str]]
    on_multiple: str
    on_none: str
    default_value: str | None


def run_blockers(job: Job) -> list[str]:
    """Why the job cannot run as saved (empty when it can): the one rule that the run, the
    job service (wizard, jobs table) and `pxdesk-cli jobs list` all apply."""
    if Connection.get_or_none(Connection.id == job.connection_id) is None:
        return ["There is no PX connection: create it first"]
    mappings = list(FieldMapping.select(FieldMapping.target_object, FieldMapping.target_field,
                                        FieldMapping.is_upsert_key)
                    .where(FieldMapping.job == job))
    if job.kind == JobKind.COMPANY:
        if not any(m.is_upsert_key and m.target_object == TargetObject.COMPANY
                   for m in mappings):
            return ["No upsert key: mark one mapping (normally id -> PX Account ID) as the "
                    "upsert key before running this job"]
        return []
    mapped = {m.target_field for m in mappings if m.target_object == TargetObject.PERSON}
    keys = person_resolution_key()
    blockers = [f"The Person Resolution Key field {name} is not mapped: map a PX field to it"
                for name in keys if name not in mapped]
    for name in keys:
        try:
            resolve_field(TargetObject.PERSON, name)
        except ConfigError:
            blockers.append(f"The Person Resolution Key names {name}, which Person does not "
                            "have: fix the setting")
    return blockers


def _objects(kind: str, multi_instance: bool) -> list[str]:
    if kind == JobKind.COMPANY:
        objs = [TargetObject.COMPANY.value]
        return [*objs, TargetObject.COMPANY_INSTANCE.value] if multi_instance else objs
    return [TargetObject.PERSON.value, TargetObject.COMPANY_PERSON.value]


@dataclass
class JobPlan:
    job: Job
    kind: str
    update_only: bool
    multi_instance: bool
    shapes: dict[str, Shape]
    steps: list[MappingStep]
    lookups: list[tuple[DerivedLookup, int]]  # lookup and the slot of its target field
    filter: CompiledFilter
    pushdown: list[str]
    key_refs: list[FieldRef]  # Company keys, or the Person resolution key

    @property
    def listing(self) -> Literal["accounts", "users"]:
        return "accounts" if self.kind == JobKind.COMPANY else "users"

    @property
    def id_path(self) -> str:
        return "id" if self.kind == JobKind.COMPANY else "identifyId"

    @property
    def objects(self) -> list[str]:
        return list(self.shapes)

    @property
    def read_fields(self) -> set[tuple[str, str]]:
        """(object, field) pairs of the written objects that a run queries: the upsert keys
        and the lookup fields (their indexes must stay while it writes)."""
        refs = [*self.key_refs]
        for lookup, _ in self.lookups:
            refs += [*lookup.refs, *lookup.key_fields]
        return {(ref.obj, ref.api_name) for ref in refs if ref.obj in self.shapes}

    @classmethod
    def load(cls, db: Database, job: Job, *, multi_instance: bool) -> JobPlan:
        """The job as saved (a run always uses the saved configuration)."""
        mappings = [MappingSpec(m.source_path, m.target_object, m.target_field,
                                m.target_type or None, bool(m.is_upsert_key))
                    for m in FieldMapping.select().where(FieldMapping.job == job).order_by(
                        FieldMapping.position, FieldMapping.id)]
        derived = [DerivedSpec(d.target_object, d.target_field, d.lookup_object,
                               [(p["source_path"], p["lookup_field"])
                                for p in json.loads(d.match_pairs)],
                               d.on_multiple, d.on_none, d.default_value)
                   for d in DerivedMapping.select().where(DerivedMapping.job == job).order_by(
                       DerivedMapping.position, DerivedMapping.id)]
        return cls.build(db, job, mappings, derived, cls._filter_spec(job),
                         update_only=job.modification_type == ModificationType.UPDATE,
                         multi_instance=multi_instance)

    @classmethod
    def build(cls, db: Database, job: Job, mappings: list[MappingSpec],
              derived: list[DerivedSpec], spec: FilterSpec, *, update_only: bool,
              multi_instance: bool) -> JobPlan:
        """The plan of `job` with these mappings and filter (saved, or a wizard's edits)."""
        kind = JobKind(job.kind).value
        objs = _objects(kind, multi_instance)
        shapes = {obj: Shape(obj, []) for obj in objs}
        steps: list[MappingStep] = []
        keys: list[FieldRef] = []
        for m in mappings:
            if m.target_object not in shapes:
                continue  # e.g. Company Instance mappings while Multi Instance is off
            ref = resolve_field(m.target_object, m.target_field)
            index = shapes[m.target_object].add(ref)
            steps.append(MappingStep(compile_path(m.source_path),
                                     compile_converter(m.target_type or ref.field_type),
                                     m.target_object, index, m.target_field, m.source_path))
            if m.upsert_key and kind == JobKind.COMPANY \
                    and m.target_object == TargetObject.COMPANY:
                keys.append(ref)
        if kind == JobKind.COMPANY_PERSON:
            keys = [resolve_field(TargetObject.PERSON, name) for name in person_resolution_key()]
            for ref in keys:
                shapes[TargetObject.PERSON].add(ref)
            for name in ("Person_ID", "Company_ID"):
                shapes[TargetObject.COMPANY_PERSON].add(
                    resolve_field(TargetObject.COMPANY_PERSON, name))
        elif multi_instance:
            for name in ("PxAccountId", "Name", "Company_ID"):
                shapes[TargetObject.COMPANY_INSTANCE].add(
                    resolve_field(TargetObject.COMPANY_INSTANCE, name))
        lookups = cls._lookups(db, derived, kind, shapes, objs, multi_instance)
        return cls(job, kind, update_only, multi_instance, shapes, steps, lookups,
                   compile_filter(spec), pushdown(spec), keys)

    @staticmethod
    def _lookups(db: Database, derived: list[DerivedSpec], kind: str, shapes: dict[str, Shape],
                 objs: list[str], multi_instance: bool) -> list[tuple[DerivedLookup, int]]:
        found = []
        for d in derived:
            if d.target_object not in shapes:
                continue
            main = TargetObject.COMPANY if kind == JobKind.COMPANY else TargetObject.PERSON
            lookup = DerivedLookup(
                db, target_object=d.target_object, target_field=d.target_field,
                lookup_object=d.lookup_object, pairs=d.pairs, on_multiple=d.on_multiple,
                on_none=d.on_none, default_value=d.default_value, job_object=main,
                written=objs, multi_instance=multi_instance)
            index = shapes[d.target_object].add(resolve_field(d.target_object, d.target_field))
            found.append((lookup, index))
        return found

    @staticmethod
    def _filter_spec(job: Job) -> FilterSpec:
        row = JobFilter.get_or_none(JobFilter.job == job)
        if row is None:
            return FilterSpec()
        return FilterSpec.from_dict({"conditions": json.loads(row.conditions or "[]"),
                                     "expression": row.expression or ""})
