"""The one reader of the synced records (Data tab and `pxdesk-cli data export`): columns, a
search-and-sort page reader with counts, one record by GSID, and every row for an export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from peewee import JOIN, SQL, Database, Expression, Field, ModelSelect

from pxdesk.core.store.custom_fields import custom_field_expr, list_custom_fields, table_for
from pxdesk.core.store.models import (
    STANDARD_FIELDS,
    TARGET_MODELS,
    Company,
    CompanyPerson,
    Person,
    TargetObject,
    TargetRecord,
)
from pxdesk.core.store.standard_fields import SYSTEM_FIELDS

# Epoch-ms columns: readers show them as dates.
TIMESTAMP_COLUMNS = frozenset({"created_at", "modified_at", "deleted_in_px_at"})
# Text columns searched with LIKE (kept to indexed or short columns on purpose).
_SEARCH_COLUMNS = {
    TargetObject.COMPANY: ("name",),
    TargetObject.PERSON: ("email", "first_name", "last_name", "name"),
    TargetObject.COMPANY_PERSON: ("title", "role"),
    TargetObject.COMPANY_INSTANCE: ("px_account_id", "name"),
}
# peewee names a foreign key by its field; readers name it by its column.
_FOREIGN_KEYS = ("person", "company", "parent_company")
CUSTOM_PREFIX = "custom:"
# Company Person rows read with who and where, not only two GSIDs: key -> joined field.
_LINKED: dict[str, Field] = {"person_email": Person.email, "person_name": Person.name,
           "company_name": Company.name}
_LINKED_LABELS = {"person_email": "Person Email", "person_name": "Person Name",
                  "company_name": "Company Name"}
# No sort key: the stored order (rowid), which needs no sort over a million rows.
STORED_ORDER = ""


@dataclass(frozen=True)
class Column:
    key: str  # column name, or "custom:<api_name>"
    label: str


def display_value(key: str, value: Any) -> str:
    """A value as the Data tab shows it: dates (epoch ms) in local time, booleans Yes/No."""
    if value is None:
        return ""
    if key in TIMESTAMP_COLUMNS and isinstance(value, int):
        return datetime.fromtimestamp(value / 1000).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _expand(row: dict[str, Any]) -> dict[str, Any]:
    """A peewee row dict keyed by column, the custom JSON spread into "custom:<api>" keys."""
    custom = json.loads(row.pop("custom") or "{}")
    for key in _FOREIGN_KEYS:
        if key in row:
            row[f"{key}_id"] = row.pop(key)
    row.update({f"{CUSTOM_PREFIX}{k}": v for k, v in custom.items()})
    return row


class RecordQuery:
    """One object's records filtered by `search` and sorted by one column."""

    def __init__(self, obj: str, search: str = "", sort_key: str = STORED_ORDER,
                 descending: bool = False) -> None:
        self.obj = TargetObject(obj)
        self.model = TARGET_MODELS[self.obj]
        self.search = search.strip()
        self.custom = list_custom_fields(self.obj)
        self.columns = self._columns()
        keys = {c.key for c in self.columns}
        self.sort_key = sort_key if sort_key in keys else STORED_ORDER
        self.descending = descending

    def _columns(self) -> list[Column]:
        cols = [Column(f.column, f.label) for f in STANDARD_FIELDS[self.obj]]
        if self.obj == TargetObject.COMPANY_PERSON:
            cols = [Column(k, label) for k, label in _LINKED_LABELS.items()] + cols
        cols += [Column(f"{CUSTOM_PREFIX}{f.api_name}", f.label) for f in self.custom]
        return [*cols, Column("created_at", "Created Date"), Column("modified_at", "Modified Date"),
                Column("deleted_in_px_at", "Deleted in PX"), Column("gsid", "GSID")]

    def _sort_expr(self) -> Any:
        if self.sort_key == STORED_ORDER:
            expr: Any = SQL('"t1".rowid')
        elif self.sort_key in _LINKED:
            expr = _LINKED[self.sort_key]
        elif self.sort_key.startswith(CUSTOM_PREFIX):
            api_name = self.sort_key.removeprefix(CUSTOM_PREFIX)
            expr = SQL(custom_field_expr(self.obj, api_name, alias="t1"))
        else:
            expr = self.model._meta.columns[self.sort_key]
        return expr.desc() if self.descending else expr.asc()

    def _base(self) -> ModelSelect[TargetRecord]:
        query = self.model.select()
        if self.obj == TargetObject.COMPANY_PERSON:
            linked = (CompanyPerson.select(CompanyPerson, *(f.alias(k) for k, f in _LINKED.items()))
                      .join(Person, JOIN.LEFT_OUTER, on=CompanyPerson.person == Person.gsid)
                      .switch(CompanyPerson)
                      .join(Company, JOIN.LEFT_OUTER, on=CompanyPerson.company == Company.gsid))
            query = cast("ModelSelect[TargetRecord]", linked)
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

    def _ordered(self) -> ModelSelect[TargetRecord]:
        return self._base().order_by(self._sort_expr(), self.model.gsid)

    def fetch(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Rows as {column: value} with the custom JSON expanded to "custom:<api>" keys."""
        query = self._ordered().offset(offset).limit(limit)
        # .dicts() yields plain dicts; peewee's stubs still type the rows as models.
        return [_expand(cast(dict[str, Any], row)) for row in query.dicts()]

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """Every row of the query in its order, streamed from one cursor (an export)."""
        for row in self._ordered().dicts().iterator():
            yield _expand(cast(dict[str, Any], row))


def record_details(obj: str, gsid: str) -> list[tuple[str, str]]:
    """Every field of one record, labelled, custom fields included (for the record dialog)."""
    query = RecordQuery(obj)
    model = query.model
    row = query._base().where(model.gsid == gsid).dicts().first()
    if row is None:
        return []
    values = _expand(row)
    shown = [(c.label, display_value(c.key, values.get(c.key))) for c in query.columns]
    known = {c.key for c in query.columns}
    shown += [(k.removeprefix(CUSTOM_PREFIX), display_value(k, v)) for k, v in values.items()
              if k.startswith(CUSTOM_PREFIX) and k not in known]
    return shown


def all_records(db: Database, obj: str) -> tuple[list[Column], Iterator[list[Any]]]:
    """(columns, rows) of every record in stored order: system, standard and custom fields.

    Streams one SQLite cursor with the stored values as they are (no peewee conversion), so an
    export of a million rows neither holds them in memory nor changes how a value is written.
    """
    fields = [*SYSTEM_FIELDS, *STANDARD_FIELDS[obj]]
    customs = list_custom_fields(obj)
    columns = [Column(f.column, f.label) for f in fields]
    columns += [Column(f"{CUSTOM_PREFIX}{c.api_name}", c.label) for c in customs]
    names = [c.api_name for c in customs]
    selected = ", ".join(f'"{f.column}"' for f in fields)
    sql = f'SELECT {selected}, custom FROM "{table_for(obj)}" ORDER BY rowid'
    cursor = db.execute_sql(sql)

    def rows() -> Iterator[list[Any]]:
        for record in cursor:
            custom = json.loads(record[-1] or "{}") if names else {}
            yield [*record[:-1], *(custom.get(name) for name in names)]

    return columns, rows()
