"""The record reader both the Data tab and `data export` use: the same values by column key."""

from __future__ import annotations

import json

from peewee import SqliteDatabase

from pxdesk.core.store.custom_fields import create_custom_field
from pxdesk.core.store.models import Company
from pxdesk.core.store.records import RecordQuery, all_records, record_details


def _companies(db: SqliteDatabase) -> tuple[Company, Company]:
    create_custom_field("company", "Tier", "String", "test", api_name="Tier__gc")
    parent = Company.create(name="Parent", custom=json.dumps({"Tier__gc": "gold"}))
    child = Company.create(name="Child", parent_company=parent, employees=7)
    return parent, child


def test_pages_and_export_read_the_same_values_by_column(store_db: SqliteDatabase) -> None:
    parent, child = _companies(store_db)
    query = RecordQuery("company", sort_key="name")
    assert query.count() == 2
    page = query.fetch(0, 10)
    assert [r["name"] for r in page] == ["Child", "Parent"]
    columns, rows = all_records(store_db, "company")
    exported = [dict(zip([c.key for c in columns], row, strict=True)) for row in rows]
    assert [r["name"] for r in exported] == ["Parent", "Child"]  # stored order
    by_gsid = {r["gsid"]: r for r in exported}
    for row in page:
        for column in query.columns:
            assert row.get(column.key) == by_gsid[row["gsid"]][column.key], column.key
    assert by_gsid[child.gsid]["parent_company_id"] == parent.gsid
    assert by_gsid[parent.gsid]["custom:Tier__gc"] == "gold"


def test_search_counts_and_one_record(store_db: SqliteDatabase) -> None:
    parent, _child = _companies(store_db)
    assert RecordQuery("company", search="par").count() == 1
    details = dict(record_details("company", parent.gsid))
    assert details["Name"] == "Parent" and details["Tier"] == "gold"
    assert record_details("company", "0" * 36) == []
