"""Models of the Gainsight-side target objects the syncs write: Company, Person, Company
Person, Company Instance (see models.py for the store's conventions)."""

from __future__ import annotations

import uuid

from peewee import (
    SQL,
    BooleanField,
    Check,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from pxdesk.core.store.base import BaseModel, now_ms
from pxdesk.core.store.enums import TargetObject


def new_gsid() -> str:
    """A fresh GSID: a 36-character uuid4 string."""
    return str(uuid.uuid4())


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
