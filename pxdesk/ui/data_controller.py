"""Read-only paging over the target objects for the Data tab: columns, search, sort, pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from peewee import SQL, Expression, Field, ModelSelect

from pxdesk.core.store.custom_fields import custom_field_expr, list_custom_fields
from pxdesk.core.store.models import (
    STANDARD_FIELDS,
    TARGET_MODELS,
    Company,
    CompanyPerson,
    Person,
    TargetObject,
)

OBJECT_LABELS = {TargetObject.COMPANY: "Company", TargetObject.PERSON: "Person",
                 TargetObject.COMPANY_PERSON: "Company Person",
                 TargetObject.COMPANY_INSTANCE: "Company Instance"}
# Text columns searched with LIKE (kept to indexed or short columns on purpose).
_SEARCH_COLUMNS = {
    TargetObject.COMPANY: ("name",),
    TargetObject.PERSON: ("email", "first_name", "last_name", "name"),
    TargetObject.COMPANY_PERSON: ("title", "role"),
    TargetObject.COMPANY_INSTANCE: ("px_account_id", "name"),
}


@dataclass(frozen=True)
class Column:
    key: str  # column name, or "custom:<api_name>"
    label: str


class RecordQuery:
    """One object's records filtered by `search` and sorted by one column."""

    def __init__(self, obj: str, search: str = "", sort_key: str = "created_at",
                 descending: bool = False) -> None:
        self.obj = TargetObject(obj)
        self.model = TARGET_MODELS[self.obj]
        self.search = search.strip()
        self.custom = list_custom_fields(self.obj)
        self.columns = self._columns()
        keys = {c.key for c in self.columns}
        self.sort_key = sort_key if sort_key in keys else "created_at"
        self.descending = descending

    def _columns(self) -> list[Column]:
        cols = [Column(f.column, f.label) for f in STANDARD_FIELDS[self.obj]]
        cols += [Column(f"custom:{f.api_name}", f.label) for f in self.custom]
        return [*cols, Column("created_at", "Created Date"), Column("modified_at", "Modified Date"),
                Column("gsid", "GSID")]

    def _sort_expr(self) -> Any:
        if self.sort_key.startswith("custom:"):
            expr: Any = SQL(custom_field_expr(self.obj, self.sort_key[7:], alias="t1"))
        else:
            expr = self.model._meta.columns[self.sort_key]
        return expr.desc() if self.descending else expr.asc()

    def _base(self) -> ModelSelect:
        query = self.model.select()
        if not self.search:
            return query
        pattern = f"%{self.search}%"
        cond: Expression | None = None
        for column in _SEARCH_COLUMNS[self.obj]:
            field: Field = self.model._meta.columns[column]
            term = field ** pattern  # case-insensitive LIKE
            cond = term if cond is None else (cond | term)
        if self.obj == TargetObject.COMPANY_PERSON:
            people = Person.select(Person.gsid).where(Person.email ** pattern)
            companies = Company.select(Company.gsid).where(Company.name ** pattern)
            cond = cond | CompanyPerson.person.in_(people) | CompanyPerson.company.in_(companies)
        return query.where(cond)

    def count(self) -> int:
        return int(self._base().count())

    def fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Rows as {column: value} with the custom JSON expanded to "custom:<api>" keys."""
        query = self._base().order_by(self._sort_expr(), self.model.gsid).offset(offset)
        rows = []
        for row in query.limit(limit).dicts():
            custom = json.loads(row.pop("custom") or "{}")
            for key in list(row):
                if key in ("person", "company", "parent_company"):
                    row[f"{key}_id"] = row.pop(key)
            row.update({f"custom:{k}": v for k, v in custom.items()})
            rows.append(row)
        return rows


def record_details(obj: str, gsid: str) -> list[tuple[str, str]]:
    """Every field of one record, labelled, custom fields included (for the record dialog)."""
    query = RecordQuery(obj)
    model = query.model
    row = model.select().where(model.gsid == gsid).dicts().first()
    if row is None:
        return []
    custom = json.loads(row.pop("custom") or "{}")
    for key in ("person", "company", "parent_company"):
        if key in row:
            row[f"{key}_id"] = row.pop(key)
    values = {**row, **{f"custom:{k}": v for k, v in custom.items()}}
    shown = [(c.label, values.get(c.key)) for c in query.columns]
    known = {c.key for c in query.columns}
    shown += [(k[7:], v) for k, v in values.items() if k.startswith("custom:") and k not in known]
    return [(label, "" if value is None else str(value)) for label, value in shown]
