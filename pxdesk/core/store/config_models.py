"""Models of what the admin configures: connection, jobs and their stages, chains, settings,
custom fields (see models.py for the store's conventions)."""

from __future__ import annotations

from peewee import (
    SQL,
    AutoField,
    BooleanField,
    Check,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from pxdesk.core.store.base import BaseModel, now_ms, one_of
from pxdesk.core.store.enums import (
    DeletionPolicy,
    FieldType,
    JobKind,
    LookupObject,
    ModificationType,
    OnMultiple,
    OnNone,
    Region,
    ScheduleKind,
    SourceObject,
    TargetObject,
)


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
