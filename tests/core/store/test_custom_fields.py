"""Custom fields: api names, SQL safety, expression indexes that lookups really use."""

from __future__ import annotations

import json

import pytest
from peewee import SqliteDatabase

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.custom_fields import (
    api_name_for,
    create_custom_field,
    custom_field_expr,
    ensure_custom_field,
    ensure_custom_field_indexes,
    index_name,
    list_custom_fields,
    person_email_expr,
)
from pxdesk.core.store.models import Company, Person


def _plan(db: SqliteDatabase, sql: str, *params: object) -> str:
    return " ".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize(
    ("label", "api_name"),
    [
        ("PX Account ID", "PX_Account_ID__gc"),
        ("Number of Users", "Number_of_Users__gc"),
        ("  Sign-up date ", "Sign_up_date__gc"),
        ("Größe (€)", "Groe__gc"),
        ("2nd plan", "F_2nd_plan__gc"),
    ],
)
def test_api_name_for(label: str, api_name: str) -> None:
    assert api_name_for(label) == api_name


def test_api_name_for_rejects_empty_label() -> None:
    with pytest.raises(ConfigError):
        api_name_for(" -- ")


@pytest.mark.parametrize("bad", ["x') OR 1=1 --", "a.b", "a b", "$.x", "", "_x", "1abc"])
def test_unsafe_api_names_are_rejected(bad: str) -> None:
    with pytest.raises(ConfigError):
        custom_field_expr("company", bad)


def test_unknown_object_is_rejected() -> None:
    with pytest.raises(ConfigError):
        custom_field_expr("account", "X__gc")


@pytest.mark.sqlite_only("reads SQLite's EXPLAIN QUERY PLAN")
def test_lookup_by_custom_field_uses_its_index(store_db: SqliteDatabase) -> None:
    field = create_custom_field("company", "PX Account ID", "String", "admin")
    assert field.api_name == "PX_Account_ID__gc"
    for i in range(50):
        Company.create(name=f"C{i}", custom=json.dumps({"PX_Account_ID__gc": f"acc-{i}"}))

    expr = custom_field_expr("company", field.api_name)
    sql = f"SELECT gsid, name FROM company WHERE {expr} = ?"
    assert index_name("company", field.api_name) in _plan(store_db, sql, "acc-7")
    assert store_db.execute_sql(sql, ("acc-7",)).fetchall()[0][1] == "C7"

    aliased = custom_field_expr("company", field.api_name, alias="c")
    sql = f"SELECT c.gsid FROM company AS c WHERE {aliased} = ?"
    assert index_name("company", field.api_name) in _plan(store_db, sql, "acc-7")


@pytest.mark.sqlite_only("reads SQLite's EXPLAIN QUERY PLAN")
def test_email_lookup_is_case_insensitive_and_indexed(store_db: SqliteDatabase) -> None:
    Person.create(email="Ann@Example.COM")
    sql = f"SELECT gsid FROM person WHERE {person_email_expr()} = lower(?)"
    assert "person_email_lower" in _plan(store_db, sql, "ann@example.com")
    assert len(store_db.execute_sql(sql, ("ANN@example.com",)).fetchall()) == 1


def test_duplicate_field_is_refused_and_ensure_is_idempotent(store_db: SqliteDatabase) -> None:
    first = create_custom_field("company", "PX Account ID", "String", "admin")
    with pytest.raises(ConfigError, match="already has"):
        create_custom_field("company", "PX account id", "String", "admin", api_name=first.api_name)
    assert ensure_custom_field("company", "PX Account ID", "String", "sync").id == first.id
    with pytest.raises(ConfigError, match="type"):
        ensure_custom_field("company", "PX Account ID", "Number", "sync")
    # Same api name on another object is a different field.
    create_custom_field("company_instance", "PX Account ID", "String", "admin")
    assert [f.object for f in list_custom_fields()] == ["company", "company_instance"]


def test_bad_type_and_standard_name_are_refused(store_db: SqliteDatabase) -> None:
    with pytest.raises(ConfigError):
        create_custom_field("company", "Plan", "Text", "admin")
    with pytest.raises(ConfigError, match="standard field"):
        create_custom_field("company", "Name", "String", "admin", api_name="Name")
    assert list_custom_fields() == []


@pytest.mark.sqlite_only("reads sqlite_master")
def test_indexes_can_be_recreated(store_db: SqliteDatabase) -> None:
    field = create_custom_field("person", "Plan", "Picklist", "admin")
    name = index_name("person", field.api_name)
    store_db.execute_sql(f'DROP INDEX "{name}"')
    assert ensure_custom_field_indexes() == 1
    indexes = {r[0] for r in store_db.execute_sql("SELECT name FROM sqlite_master")}
    assert name in indexes
