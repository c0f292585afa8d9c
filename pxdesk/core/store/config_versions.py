"""The saved versions of each job's and the connection's configuration (config history)."""

from __future__ import annotations

from peewee import AutoField, ForeignKeyField, IntegerField, TextField

from pxdesk.core.store.base import BaseModel, now_ms
from pxdesk.core.store.models import Connection, Job, one_of

SUBJECTS = ("job", "connection")


class ConfigVersion(BaseModel):
    """One saved change: the whole configuration as its JSON export gives it (no secret).

    Job versions go with their job, connection versions with the connection (deleting removes
    the configuration; the audit and connection logs keep what happened)."""

    id = AutoField()
    subject = TextField(constraints=[one_of("subject", SUBJECTS)])
    connection = ForeignKeyField(Connection, null=True, on_delete="CASCADE", index=False)
    connection_id: int | None
    job = ForeignKeyField(Job, null=True, on_delete="CASCADE", index=False)
    job_id: int | None
    number = IntegerField()
    at = IntegerField(default=now_ms)
    user = TextField(default="")
    action = TextField()
    summary = TextField(default="")
    config = TextField()

    class Meta:
        table_name = "config_version"
        indexes = ((("subject", "job", "number"), False),)
