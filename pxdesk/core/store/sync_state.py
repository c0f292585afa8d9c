"""What syncs keep besides the target rows: which PX record wrote which row, the records to
fetch again, and each PX user's activity with its daily snapshots (the adoption figures)."""

from __future__ import annotations

from peewee import AutoField, BlobField, CompositeKey, ForeignKeyField, IntegerField, TextField

from pxdesk.core.store.base import BaseModel, now_ms
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.store.models import Job, one_of


class SourceLink(BaseModel):
    """Which PX record a job last wrote to which row: what a reconcile compares with PX's ids.

    `gsid` is the row the record is (its Company, or its Company Person, or its Person when it
    has no company); `person_gsid` is the Person a user wrote, for Company Person Sync."""

    job = ForeignKeyField(Job, on_delete="CASCADE", index=False)
    job_id: int
    source_id = TextField()
    target_object = TextField(constraints=[one_of("target_object", TargetObject)])
    gsid = TextField()
    person_gsid = TextField(null=True)
    run_id = IntegerField(null=True)

    class Meta:
        table_name = "source_link"
        primary_key = CompositeKey("job", "source_id")
        without_rowid = True  # one B-tree, keyed as it is read: a million links stay cheap


class RetryRecord(BaseModel):
    """A PX record that failed: fetched again by the job's next runs, even unchanged in PX,
    until it goes through or has failed the retry limit."""

    job = ForeignKeyField(Job, on_delete="CASCADE", index=False)
    job_id: int
    source_id = TextField()
    reason = TextField()
    attempts = IntegerField(default=1)
    first_failed_at = IntegerField(default=now_ms)
    last_run_id = IntegerField(null=True)

    class Meta:
        table_name = "retry_record"
        primary_key = CompositeKey("job", "source_id")
        without_rowid = True


class UserActivity(BaseModel):
    """One PX user's activity as PX last sent it, kept by Company Person Sync whatever the
    job maps: what the adoption figures count (migration 6). Dates are epoch ms; PX's 0
    ("never") is stored as NULL."""

    px_user_id = TextField(primary_key=True)
    account_id = TextField(null=True)
    company_gsid = TextField(null=True)  # the Company the user resolved to, NULL for none
    last_seen_date = IntegerField(null=True)
    sign_up_date = IntegerField(null=True)
    first_visit_date = IntegerField(null=True)
    number_of_visits = IntegerField()
    modified_at = IntegerField()

    class Meta:
        table_name = "user_activity"
        without_rowid = True
        indexes = ((("sign_up_date",), False),)


# Covering index of the adoption figures per company (migration 6 says why).
UserActivity.add_index(UserActivity.index(
    UserActivity.company_gsid, UserActivity.last_seen_date, UserActivity.first_visit_date,
    UserActivity.sign_up_date, UserActivity.number_of_visits, name="user_activity_company"))
# Covering, in PX account order: the figures per PX account (migration 8 says why).
UserActivity.add_index(UserActivity.index(
    UserActivity.account_id, UserActivity.company_gsid, UserActivity.last_seen_date,
    UserActivity.first_visit_date, UserActivity.sign_up_date, UserActivity.number_of_visits,
    name="user_activity_account"))


class AdoptionSnapshot(BaseModel):
    """Users and active users of one company ('' = all) on one UTC day, written at the end
    of each Company Person Sync run: the history trends compare with (migration 6)."""

    day = TextField()  # ISO date, UTC
    company_gsid = TextField()
    users = IntegerField()
    active_1 = IntegerField()
    active_7 = IntegerField()
    active_30 = IntegerField()

    class Meta:
        table_name = "adoption_snapshot"
        primary_key = CompositeKey("day", "company_gsid")
        without_rowid = True


class SourceRecord(BaseModel):
    """The raw PX record (zlib-compressed JSON) of a source link, as the last run that touched
    it received it: one per link, replaced on each write, dropped with the link (migration 10)."""

    job = ForeignKeyField(Job, on_delete="CASCADE", index=False)
    job_id: int
    source_id = TextField()
    px_record = BlobField()

    class Meta:
        table_name = "source_record"
        primary_key = CompositeKey("job", "source_id")
        without_rowid = True


class RowChange(BaseModel):
    """One field of a synced row that a run changed (old -> new, as text): the row's lineage.
    The newest ROW_CHANGE_LIMIT per row are kept (migration 10)."""

    id = AutoField()
    gsid = TextField(index=True)
    run_id = IntegerField()
    at = IntegerField()
    target_object = TextField()
    field = TextField()
    old_value = TextField(null=True)
    new_value = TextField(null=True)

    class Meta:
        table_name = "row_change"
