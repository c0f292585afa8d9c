"""Rows of the execution, audit and connection logs and of the target objects, for CSV/tables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

from peewee import Database

from pxdesk.core.logs.csv_export import iso_timestamp
from pxdesk.core.store.custom_fields import list_custom_fields, table_for
from pxdesk.core.store.models import AuditLog, ConnectionLog, ExecutionRun
from pxdesk.core.store.standard_fields import STANDARD_FIELDS, SYSTEM_FIELDS

EXECUTION_HEADER = (
    "Date", "Job", "Calltype", "Status", "# Success", "# Failure", "Inserted", "Updated",
    "Start", "End", "Duration (s)", "Trigger", "Window From", "Window To", "Total Hits",
    "Pages", "Reason", "Error File", "Success File",
)
AUDIT_HEADER = ("Date", "User", "Job", "Attribute", "Sub-Attribute", "Action", "Old Value",
                "New Value", "Additional Info")
CONNECTION_HEADER = ("Connection Name", "User", "Action", "Modified On", "Attribute",
                     "Old Value", "New Value")
LOG_KINDS = ("execution", "audit", "connection")
DATA_OBJECTS = {"company": "company", "person": "person", "company-person": "company_person",
                "company-instance": "company_instance"}
_TIMESTAMP_COLUMNS = {"created_at", "modified_at"}


def _duration(run: ExecutionRun) -> str:
    if run.started_at is None or run.ended_at is None:
        return ""
    return f"{(run.ended_at - run.started_at) / 1000:.1f}"


def execution_rows(job: str | None = None, tz: tzinfo | None = None) -> Iterator[tuple[Any, ...]]:
    query = ExecutionRun.select().order_by(ExecutionRun.queued_at.desc(), ExecutionRun.id.desc())
    if job:
        query = query.where(ExecutionRun.job_name == job)
    for run in query.iterator():
        yield (
            iso_timestamp(run.started_at or run.queued_at, tz), run.job_name, run.calltype,
            run.status, run.success_count, run.failure_count, run.inserted_count,
            run.updated_count, iso_timestamp(run.started_at, tz), iso_timestamp(run.ended_at, tz),
            _duration(run), run.trigger, iso_timestamp(run.window_from, tz),
            iso_timestamp(run.window_to, tz), run.total_hits, run.pages, run.reason,
            run.error_file, run.success_file,
        )


def audit_rows(job: str | None = None, tz: tzinfo | None = None) -> Iterator[tuple[Any, ...]]:
    query = AuditLog.select().order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if job:
        query = query.where(AuditLog.job_name == job)
    for row in query.iterator():
        yield (iso_timestamp(row.at, tz), row.user, row.job_name, row.attribute,
               row.sub_attribute, row.action, row.old_value, row.new_value, row.additional_info)


def connection_rows(tz: tzinfo | None = None) -> Iterator[tuple[Any, ...]]:
    query = ConnectionLog.select().order_by(ConnectionLog.at.desc(), ConnectionLog.id.desc())
    for row in query.iterator():
        yield (row.connection_name, row.user, row.action, iso_timestamp(row.at, tz),
               row.attribute, row.old_value, row.new_value)


def log_table(kind: str, job: str | None = None,
              tz: tzinfo | None = None) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """(header, rows) of one log; `job` filters execution and audit logs."""
    if kind == "execution":
        return EXECUTION_HEADER, execution_rows(job, tz)
    if kind == "audit":
        return AUDIT_HEADER, audit_rows(job, tz)
    if kind == "connection":
        return CONNECTION_HEADER, connection_rows(tz)
    raise ValueError(f"unknown log {kind!r}; expected one of {', '.join(LOG_KINDS)}")


def data_table(db: Database, obj: str, tz: tzinfo | None = None,
               ) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows) of a target object: system, standard and custom fields as columns."""
    fields = [*SYSTEM_FIELDS, *STANDARD_FIELDS[obj]]
    customs = list_custom_fields(obj)
    header = [f.label for f in fields] + [c.label for c in customs]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [c.api_name for c in customs]
    stamps = [i for i, f in enumerate(fields) if f.column in _TIMESTAMP_COLUMNS]
    cursor = db.execute_sql(f'SELECT {columns}, custom FROM "{table_for(obj)}" ORDER BY rowid')

    def rows() -> Iterator[list[Any]]:
        for record in cursor:
            values = list(record[:-1])
            for i in stamps:
                values[i] = iso_timestamp(values[i], tz)
            custom = json.loads(record[-1] or "{}") if names else {}
            yield values + [custom.get(name) for name in names]

    return header, rows()
