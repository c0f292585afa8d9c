"""peewee models of the local store: configuration, logs and the Gainsight-side target objects.

Design note (details in docs/store.md):
- Timestamps are INTEGER epoch milliseconds, UTC (`*_at` columns, `window_*`, `paused_until`).
  Date / DateTime *field values* (RenewalDate, custom dates) are ISO text ("2024-05-31",
  "2024-05-31T10:00:00.000Z") so they sort and read well in JSON.
- Target objects (Company, Person, CompanyPerson, CompanyInstance) have a TEXT `gsid` primary
  key (uuid4, 36 chars) that the writer supplies; peewee fills it when rows go through models.
  Raw-SQL writers (executemany) must pass gsid, created_at, modified_at themselves.
- Custom field values live in the `custom` TEXT column as a JSON object {api_name: value};
  expression indexes on json_extract make lookups fast (see custom_fields.py).
- Enumerated text columns carry CHECK constraints; use the StrEnums of enums.py (re-exported
  here), never literals. A bad value raises peewee.IntegrityError.
- Booleans are INTEGER 0/1. JSON columns are TEXT holding JSON (lists default to '[]').
- Foreign key columns are named `<field>_id` (peewee default), e.g. company_person.person_id.
  Each model declares the `<field>_id` attribute peewee adds for its foreign keys, and spells
  out the `id = AutoField()` primary key peewee would add, so mypy knows both (same schema).
- Timestamps and the store are UTC; BaseModel, database_proxy and now_ms live in base.py.
- The schema is frozen as SQL (schema_v1.py + later steps in migrations.py); a test checks
  these models create the same schema. Changing a model therefore needs a new migration.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from peewee import (
    SQL,
    AutoField,
    BooleanField,
    Check,
    FloatField,
    ForeignKeyField,
    IntegerField,
    NodeList,
    TextField,
)

from pxdesk.core.store.base import BaseModel, now_ms
from pxdesk.core.store.enums import (
    CALLTYPE_APPLICATION_DATA,
    AuditAction,
    AuditAttribute,
    DeletionPolicy,
    FieldType,
    JobKind,
    LookupObject,
    ModificationType,
    OnMultiple,
    OnNone,
    Region,
    RunStatus,
    ScheduleKind,
    SourceObject,
    TargetObject,
    Trigger,
)
from pxdesk.core.store.standard_fields import (
    STANDARD_FIELDS,
    SYSTEM_FIELDS,
    StandardField,
    standard_field,
)


def one_of(column: str, values: Iterable[str]) -> SQL | NodeList:
    """CHECK (column IN (...)) built from constants, so code and schema cannot drift."""
    items = ", ".join("'" + str(v) + "'" for v in values)
    return Check(f'"{column}" IN ({items})')


def new_gsid() -> str:
    """A fresh GSID: a 36-character uuid4 string."""
    return str(uuid.uuid4())


# ---------------------------------------------------------------- configuration


class Connection(BaseModel):
    """The PX connection; at most one row (the `singleton` column is UNIQUE and CHECKed = 1)."""

    id = AutoField()
    singleton = IntegerField(default=1, unique=True, constraints=[Check('"singleton" = 1')])
    name = TextField()
    region = TextField(null=True, constraints=[one_of("region", Region)])
    base_url = TextField(null=True)  # custom base URL (simulator, proxies); overrides region
    multi_instance = BooleanField(default=False)
    key_ref = TextField()  # keyring reference, never the key
    key_hint = TextField(default="")  # "****abcd": the last 4 characters only
    last_test_at = IntegerField(null=True)
    last_test_ok = BooleanField(null=True)
    last_test_message = TextField(null=True)
    created_at = IntegerField(default=now_ms)
    modified_at = IntegerField(default=now_ms)

    class Meta:
        table_name = "connection"


class Job(BaseModel):
    """One of the two out-of-the-box sync jobs of the connection."""

    id = AutoField()
    connection = ForeignKeyField(Connection, backref="jobs", on_delete="CASCADE", index=False)
    connection_id: int
    kind = TextField(constraints=[one_of("kind", JobKind)])
    name = TextField(unique=True)
    source_object = TextField(constraints=[one_of("source_object", SourceObject)])
    target_object = TextField(constraints=[one_of("target_object", JobKind)])
    modification_type = TextField(
        default=ModificationType.UPSERT, constraints=[one_of("modification_type", ModificationType)]
    )
    success_recipients = TextField(default="[]")  # JSON list of emails
    failure_recipients = TextField(default="[]")  # JSON list of emails
    window_end = IntegerField(null=True)  # epoch ms end of the last Success/Partial window
    created_at = IntegerField(default=now_ms)
    modified_at = IntegerField(default=now_ms)
    # Added by migration 4 (hence last, with database defaults): deletions and alerts.
    deletion_policy = TextField(default=DeletionPolicy.MARK, constraints=[
        SQL("DEFAULT 'mark'"), one_of("deletion_policy", DeletionPolicy)])
    reconcile_days = IntegerField(default=7, constraints=[SQL("DEFAULT 7")])  # 0 = on demand
    reconciled_at = IntegerField(null=True)  # epoch ms of the last complete reconcile
    alert_failure_percent = FloatField(default=5.0, constraints=[SQL("DEFAULT 5.0")])
    # Migration 7: stale-data alerts (0 = off) and the episode already alerted (mailed once).
    stale_after_hours = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    long_run_minutes = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    stale_alert_at = IntegerField(null=True)  # epoch ms the open no-success episode was alerted
    long_run_alert_run_id = IntegerField(null=True)  # the last run alerted as too long

    class Meta:
        table_name = "job"
        indexes = ((("connection", "kind"), True),)


class JobDependency(BaseModel):
    """`job` runs after `depends_on`; dependencies run in `position` order."""

    id = AutoField()
    job = ForeignKeyField(Job, backref="dependencies", on_delete="CASCADE", index=False)
    job_id: int
    depends_on = ForeignKeyField(Job, backref="dependents", on_delete="CASCADE")
    depends_on_id: int
    position = IntegerField(default=0)

    class Meta:
        table_name = "job_dependency"
        indexes = ((("job", "depends_on"), True),)
        constraints = (Check('"job_id" <> "depends_on_id"'),)


class FieldMapping(BaseModel):
    """Source PX field -> target field, with the upsert-key flag."""

    id = AutoField()
    job = ForeignKeyField(Job, backref="mappings", on_delete="CASCADE", index=False)
    job_id: int
    position = IntegerField(default=0)
    source_path = TextField()  # e.g. "name", "customAttributes.plan"
    source_type = TextField(default="")  # PX attribute type as listed by the metadata endpoint
    target_object = TextField(constraints=[one_of("target_object", TargetObject)])
    target_field = TextField()  # standard api name or custom api name (…__gc)
    target_type = TextField(constraints=[one_of("target_type", FieldType)])
    is_upsert_key = BooleanField(default=False)

    class Meta:
        table_name = "field_mapping"
        indexes = ((("job", "target_object", "target_field"), True),)


class DerivedMapping(BaseModel):
    """target_field <- GSID of a lookup-object record matched by up to 6 pairs (JSON)."""

    id = AutoField()
    job = ForeignKeyField(Job, backref="derived_mappings", on_delete="CASCADE", index=False)
    job_id: int
    position = IntegerField(default=0)
    target_object = TextField(constraints=[one_of("target_object", TargetObject)])
    target_field = TextField()
    lookup_object = TextField(constraints=[one_of("lookup_object", LookupObject)])
    match_pairs = TextField(default="[]")  # JSON [{"source_path": ..., "lookup_field": ...}]
    on_multiple = TextField(
        default=OnMultiple.USE_ANY, constraints=[one_of("on_multiple", OnMultiple)]
    )
    on_none = TextField(default=OnNone.ERROR, constraints=[one_of("on_none", OnNone)])
    default_value = TextField(null=True)

    class Meta:
        table_name = "derived_mapping"
        indexes = ((("job", "target_object", "target_field"), True),)


class JobFilter(BaseModel):
    """Sync filter of a job: conditions A, B, C… (JSON list) and the combining expression."""

    id = AutoField()
    job = ForeignKeyField(Job, backref="filters", unique=True, on_delete="CASCADE")
    job_id: int
    conditions = TextField(default="[]")
    expression = TextField(default="")  # "" = all conditions ANDed

    class Meta:
        table_name = "job_filter"


class Schedule(BaseModel):
    """When a job runs; wall-clock times in an IANA time zone."""

    id = AutoField()
    job = ForeignKeyField(Job, backref="schedules", unique=True, on_delete="CASCADE")
    job_id: int
    enabled = BooleanField(default=True)
    kind = TextField(default=ScheduleKind.HOURLY, constraints=[one_of("kind", ScheduleKind)])
    every_hours = IntegerField(default=1)
    time = TextField(null=True)  # "HH:MM" for daily_once / weekly / monthly
    start_time = TextField(null=True)  # "HH:MM" daily_repeat from (inclusive)
    end_time = TextField(null=True)  # "HH:MM" daily_repeat to (inclusive)
    days = TextField(default='"everyday"')  # JSON: [0..6] (Mon=0) or "weekdays" / "everyday"
    day_of_month = IntegerField(null=True)  # 1-31; past a month's end runs on its last day
    timezone = TextField(default="UTC")
    paused_until = IntegerField(null=True)

    class Meta:
        table_name = "schedule"


class JobChain(BaseModel):
    """The connection's two jobs run as one chain on the chain's own schedule and recipients
    (migration 5). Optional: without a row, or disabled, each job keeps its own schedule.
    The schedule columns are those of Schedule, so schedule.rules reads a chain as it reads
    a job's schedule; `enabled` turns the chain (and its schedule) on or off."""

    id = AutoField()
    connection = ForeignKeyField(Connection, backref="chains", unique=True, on_delete="CASCADE")
    connection_id: int
    name = TextField(unique=True)
    enabled = BooleanField(default=True)
    success_recipients = TextField(default="[]")  # JSON list of emails
    failure_recipients = TextField(default="[]")  # JSON list of emails
    kind = TextField(default=ScheduleKind.HOURLY, constraints=[one_of("kind", ScheduleKind)])
    every_hours = IntegerField(default=1)
    time = TextField(null=True)
    start_time = TextField(null=True)
    end_time = TextField(null=True)
    days = TextField(default='"everyday"')
    day_of_month = IntegerField(null=True)
    timezone = TextField(default="UTC")
    paused_until = IntegerField(null=True)
    created_at = IntegerField(default=now_ms)
    modified_at = IntegerField(default=now_ms)

    class Meta:
        table_name = "job_chain"


class JobChainMember(BaseModel):
    """A job of a chain at its place in the run order; a job belongs to one chain at most."""

    id = AutoField()
    chain = ForeignKeyField(JobChain, backref="members", on_delete="CASCADE", index=False)
    chain_id: int
    job = ForeignKeyField(Job, backref="chain_memberships", unique=True, on_delete="CASCADE")
    job_id: int
    position = IntegerField(default=0)

    class Meta:
        table_name = "job_chain_member"
        indexes = ((("chain", "position"), True),)


class Setting(BaseModel):
    """Application setting; value is JSON text. Use settings.py, not this model, to read."""

    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "setting"


class CustomField(BaseModel):
    """An admin-created field of a target object; create via custom_fields.create_custom_field."""

    id = AutoField()
    object = TextField(constraints=[one_of("object", TargetObject)])
    label = TextField()
    api_name = TextField()  # e.g. "PX_Account_ID__gc"
    field_type = TextField(constraints=[one_of("field_type", FieldType)])
    created_at = IntegerField(default=now_ms)
    created_by = TextField(default="")

    class Meta:
        table_name = "custom_field"
        indexes = ((("object", "api_name"), True),)


# ---------------------------------------------------------------- logs


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


# ---------------------------------------------------------------- target objects (Gainsight side)


class TargetRecord(BaseModel):
    """System fields shared by every target object."""

    gsid = TextField(primary_key=True, default=new_gsid, constraints=[Check("length(gsid) = 36")])
    created_at = IntegerField(default=now_ms)
    modified_at = IntegerField(default=now_ms)
    created_by = TextField(default="")
    modified_by = TextField(default="")
    custom = TextField(default="{}", constraints=[SQL("DEFAULT '{}'"), Check("json_valid(custom)")])


class Company(TargetRecord):
    name = TextField()
    industry = TextField(null=True)
    employees = IntegerField(null=True)
    arr = FloatField(null=True)
    mrr = FloatField(null=True)
    stage = TextField(null=True)
    status = TextField(null=True)
    renewal_date = TextField(null=True)  # ISO date
    original_contract_date = TextField(null=True)  # ISO date
    parent_company = ForeignKeyField(
        "self", backref="children", null=True, on_delete="SET NULL", column_name="parent_company_id"
    )
    parent_company_id: str | None
    csm = TextField(null=True)
    deleted_in_px_at = IntegerField(null=True)  # migration 4: gone from PX

    class Meta:
        table_name = "company"
        indexes = ((("name",), False),)


class Person(TargetRecord):
    email = TextField(null=True)
    first_name = TextField(null=True)
    last_name = TextField(null=True)
    name = TextField(null=True)
    location = TextField(null=True)
    timezone = TextField(null=True)
    linkedin_url = TextField(null=True)
    deleted_in_px_at = IntegerField(null=True)  # migration 4: gone from PX

    class Meta:
        table_name = "person"


# Case-insensitive email lookups: query with `lower(email) = lower(?)` (see PERSON_EMAIL_EXPR).
# Added by migration 2; declared here so models and migrations describe the same schema.
PERSON_EMAIL_EXPR = "lower(email)"
Person.add_index(SQL(f'CREATE INDEX "person_email_lower" ON "person" ({PERSON_EMAIL_EXPR})'))


class CompanyPerson(TargetRecord):
    person = ForeignKeyField(Person, backref="company_links", on_delete="CASCADE", index=False)
    person_id: str
    company = ForeignKeyField(Company, backref="people", on_delete="CASCADE")
    company_id: str
    title = TextField(null=True)
    role = TextField(null=True)
    phone = TextField(null=True)
    active = BooleanField(null=True)
    is_primary_company = BooleanField(null=True)
    deleted_in_px_at = IntegerField(null=True)  # migration 4: gone from PX

    class Meta:
        table_name = "company_person"
        indexes = ((("person", "company"), True),)


class CompanyInstance(TargetRecord):
    px_account_id = TextField(unique=True)
    name = TextField(null=True)
    company = ForeignKeyField(Company, backref="instances", null=True, on_delete="SET NULL")
    company_id: str | None
    deleted_in_px_at = IntegerField(null=True)  # migration 4: gone from PX

    class Meta:
        table_name = "company_instance"


# ---------------------------------------------------------------- lookup tables

TARGET_MODELS: dict[str, type[TargetRecord]] = {
    TargetObject.COMPANY: Company,
    TargetObject.PERSON: Person,
    TargetObject.COMPANY_PERSON: CompanyPerson,
    TargetObject.COMPANY_INSTANCE: CompanyInstance,
}

# Rows marked "Deleted in PX" are few: partial indexes answer "is any row marked?" at once.
# Added by migration 4; declared here so models and migrations describe the same schema.
for _model in (Company, Person, CompanyPerson, CompanyInstance):
    _table = _model._meta.table_name
    _model.add_index(SQL(f'CREATE INDEX "{_table}_deleted_in_px" ON "{_table}" '
                         '("deleted_in_px_at") WHERE deleted_in_px_at IS NOT NULL'))


# Re-exported so the engine and UI can import everything store-shaped from one module.
__all__ = [
    "CALLTYPE_APPLICATION_DATA", "PERSON_EMAIL_EXPR", "STANDARD_FIELDS",
    "SYSTEM_FIELDS", "TARGET_MODELS", "AuditAction", "AuditAttribute",
    "AuditLog", "BaseModel", "Company", "CompanyInstance", "CompanyPerson", "Connection",
    "ConnectionLog", "CustomField", "DerivedMapping", "ExecutionRun", "FieldMapping", "FieldType",
    "Job", "JobChain", "JobChainMember", "JobDependency", "JobFilter", "JobKind", "LookupObject",
    "ModificationType", "OnMultiple", "OnNone", "Person", "RecordError", "Region", "RequestLog",
    "RunStatus", "Schedule", "ScheduleKind", "Setting",
    "SourceObject", "StandardField", "TargetObject", "TargetRecord", "Trigger",
    "new_gsid",
    "now_ms", "standard_field",
]
