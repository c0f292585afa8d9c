"""Live preview of a job being edited: a sample of PX records (the listing's first page) goes
through the run's own plan and page processor, built from the wizard's unsaved mappings,
derived mappings and filter, and comes back as the target rows a run would write, each with
its lookup results and filter verdict. Nothing is written (the dry run's recording target).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pxdesk.core.config.job_config import JobConfig
from pxdesk.core.errors import ConfigError
from pxdesk.core.px.client import PxClient
from pxdesk.core.store.base import database, now_ms
from pxdesk.core.store.enums import JobKind, ModificationType
from pxdesk.core.store.models import Connection, Job
from pxdesk.core.sync.dry_run import WOULD_FAIL, WOULD_INSERT, WOULD_STAY, WOULD_UPDATE
from pxdesk.core.sync.pipeline import PageProcessor
from pxdesk.core.sync.plan import DerivedSpec, JobPlan, MappingSpec
from pxdesk.core.sync.recording_target import RecordingTarget
from pxdesk.core.sync.writer import INSERTED, UNCHANGED, UPDATED, Failure, Row

SAMPLE_SIZE = 50
KEPT = "Kept"
_OUTCOME_OF = {INSERTED: WOULD_INSERT, UPDATED: WOULD_UPDATE, UNCHANGED: WOULD_STAY}


@dataclass(frozen=True)
class PreviewRow:
    """One sample record as the run would treat it."""

    source_id: str | None
    verdict: str  # Kept, or "Removed by A, B" (the filter conditions it does not meet)
    outcome: str  # Would insert / Would update / Unchanged / Would fail; "" when removed
    values: tuple[tuple[str, str, Any], ...] = ()  # (object, field, value) as written
    lookups: tuple[tuple[str, str], ...] = ()  # (target field, GSID / empty / why it failed)
    reason: str | None = None


def fetch_sample(client: PxClient, job_name: str, size: int = SAMPLE_SIZE) -> list[Any]:
    """The first page of the job's listing (no window, no filter): the preview's sample."""
    job = _job(job_name)
    kind: Literal["accounts", "users"] = "accounts" if job.kind == JobKind.COMPANY else "users"
    for page in client.list(kind, page_size=size):
        return list(page.records)[:size]
    return []


def plan_of(job: Job, config: JobConfig, *, multi_instance: bool) -> JobPlan:
    """The plan of `job` as `config` (unsaved edits included) describes it."""
    mappings = [MappingSpec(m.source_path, m.target_object, m.target_field,
                            m.target_type or None, m.upsert_key) for m in config.mappings]
    derived = [DerivedSpec(d.target_object, d.target_field, d.lookup_object,
                           [(p.source_path, p.lookup_field) for p in d.pairs],
                           d.on_multiple, d.on_none, d.default_value) for d in config.derived]
    return JobPlan.build(database(), job, mappings, derived, config.filters,
                         update_only=config.modification_type == ModificationType.UPDATE,
                         multi_instance=multi_instance)


def preview(job_name: str, config: JobConfig, sample: Sequence[Any],
            clock: Callable[[], int] = now_ms) -> list[PreviewRow]:
    """Every sample record through the run's pipeline with `config`; raises ConfigError when
    the configuration cannot be planned (an unknown field, an invalid filter)."""
    job = _job(job_name)
    conn = Connection.get_or_none()
    plan = plan_of(job, config, multi_instance=bool(conn and conn.multi_instance))
    processor = PageProcessor(database(), plan, job.name, clock, None, RecordingTarget())
    rows: list[Row] = []
    result = processor.process(list(sample), rows_out=rows)
    outcome_of = {str(sid): _OUTCOME_OF[action] for sid, _gsid, action in result.successes}
    failed: dict[int, Failure] = {id(f.row.record): f for f in result.failures}
    written = {id(row.record): row for row in rows}
    shown = []
    for record in sample:
        if type(record) is not dict:
            continue
        source_id = None if record.get(plan.id_path) is None else str(record.get(plan.id_path))
        if not plan.filter.matches(record):
            removed = ", ".join(plan.filter.failed_conditions(record))
            shown.append(PreviewRow(source_id, f"Removed by {removed}", ""))
            continue
        failure = failed.get(id(record))
        row = written.get(id(record)) or (failure.row if failure is not None else None)
        shown.append(PreviewRow(
            source_id, KEPT, WOULD_FAIL if failure is not None else outcome_of.get(
                str(source_id), ""),
            _values(plan, row), _lookups(plan, row, failure),
            failure.reason if failure is not None else None))
    return shown


def _values(plan: JobPlan, row: Row | None) -> tuple[tuple[str, str, Any], ...]:
    if row is None or not row.values:
        return ()
    return tuple((obj, ref.api_name, value) for obj, shape in plan.shapes.items()
                 for ref, value in zip(shape.fields, row.values[obj], strict=True))


def _lookups(plan: JobPlan, row: Row | None, failure: Failure | None,
             ) -> tuple[tuple[str, str], ...]:
    found = []
    for lookup, index in plan.lookups:
        if failure is not None and failure.field == lookup.target_field:
            found.append((lookup.target_field, failure.reason))
        elif row is not None and row.values:
            value = row.values[lookup.target_object][index]
            found.append((lookup.target_field, "empty" if value is None else str(value)))
    return tuple(found)


def _job(job_name: str) -> Job:
    job = Job.get_or_none(Job.name == job_name)
    if job is None:
        raise ConfigError(f"There is no job named {job_name!r}.", field="job")
    return job
