"""Models of the logs: execution runs, their record errors and PX requests, audit and
connection logs (see models.py for the store's conventions)."""

from __future__ import annotations

from peewee import (
    SQL,
    AutoField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from pxdesk.core.store.base import BaseModel, now_ms, one_of
from pxdesk.core.store.config_models import Job
from pxdesk.core.store.enums import (
    CALLTYPE_APPLICATION_DATA,
    AuditAction,
    AuditAttribute,
    RunStatus,
    Trigger,
)


class ExecutionRun(BaseModel):
    """One row per run; survives job deletion through job_name (job set to NULL)."""

    id = AutoField()
    job = ForeignKeyField(Job, backref="runs", null=True, on_delete="SET NULL", index=False)
    job_id: int | None
    job_name = TextField()
    connection_name = TextField(default="")
    calltype = TextField(default=CALLTYPE_APPLICATION_DATA)
    trigger = TextField(constraints=[one_of("trigger", Trigger)])
    status = TextField(default=RunStatus.QUEUED, constraints=[one_of("status", RunStatus)])
    success_count = IntegerField(default=0)
    failure_count = IntegerField(default=0)
    inserted_count = IntegerField(default=0)
    updated_count = IntegerField(default=0)
    queued_at = IntegerField(default=now_ms)
    started_at = IntegerField(null=True)
    ended_at = IntegerField(null=True)
    window_from = IntegerField(null=True)
    window_to = IntegerField(null=True)
    total_hits = IntegerField(null=True)
    pages = IntegerField(default=0)
    reason = TextField(null=True)  # failure / skip / cancel reason
    error_file = TextField(null=True)
    success_file = TextField(null=True)
    # Added by migration 3, hence last and with a database default (ALTER TABLE needs one).
    unchanged_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    # Added by migration 4: rows a reconcile found gone from PX; failed records fetched again.
    deleted_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    retried_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    chain_name = TextField(null=True)  # migration 5: the job chain this run was part of
    quality = TextField(null=True)  # migration 9: the run's quality report (JSON)

    class Meta:
        table_name = "execution_run"
        indexes = (
            (("job", "started_at"), False),
            (("started_at",), False),
            (("status",), False),
        )


class RecordError(BaseModel):
    """A failed source record of a run; the error file is built from these rows."""

    id = AutoField()
    run = ForeignKeyField(ExecutionRun, backref="record_errors", on_delete="CASCADE")
    run_id: int
    source_id = TextField(null=True)
    field = TextField(null=True)
    value = TextField(null=True)
    reason = TextField()
    source_record = TextField(null=True)  # JSON of the PX record

    class Meta:
        table_name = "record_error"


class RequestLog(BaseModel):
    """One PX HTTP request of a run (the "PX requests" drill-down); never holds the key."""

    id = AutoField()
    run = ForeignKeyField(ExecutionRun, backref="requests", on_delete="CASCADE")
    run_id: int
    method = TextField()
    url = TextField()
    status = IntegerField(null=True)  # None: no HTTP answer (network error)
    elapsed_ms = IntegerField(default=0)
    attempt = IntegerField(default=1)
    at = IntegerField(default=now_ms)
    error = TextField(null=True)

    class Meta:
        table_name = "request_log"


class AuditLog(BaseModel):
    """One change to a job's configuration."""

    id = AutoField()
    at = IntegerField(default=now_ms, index=True)
    user = TextField(default="")
    job = ForeignKeyField(Job, backref="audit_entries", null=True, on_delete="SET NULL")
    job_id: int | None
    job_name = TextField(default="")
    attribute = TextField(constraints=[one_of("attribute", AuditAttribute)])
    sub_attribute = TextField(default="")
    action = TextField(constraints=[one_of("action", AuditAction)])
    old_value = TextField(null=True)
    new_value = TextField(null=True)
    additional_info = TextField(null=True)

    class Meta:
        table_name = "audit_log"


class ConnectionLog(BaseModel):
    """One change to the connection; key values are always masked before they get here."""

    id = AutoField()
    connection_name = TextField()
    user = TextField(default="")
    action = TextField()
    at = IntegerField(default=now_ms, index=True)
    attribute = TextField(default="")
    old_value = TextField(null=True)
    new_value = TextField(null=True)

    class Meta:
        table_name = "connection_log"
