"""JobService: every validation rule says what to fix, saves are audited, export/import."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from pxdesk.core.config.job_config import (
    DerivedConfig,
    JobConfig,
    MappingConfig,
    MatchPair,
    ScheduleConfig,
    load_job_config,
)
from pxdesk.core.config.job_service import JobService
from pxdesk.core.errors import ConfigError
from pxdesk.core.store.models import AuditLog, FieldMapping
from pxdesk.core.store.settings import PERSON_RESOLUTION_KEY, set_setting
from pxdesk.core.sync.filters import FilterCondition, FilterSpec
from tests.core.config.conftest import COMPANY_JOB, PERSON_JOB, job

Edit = Callable[[JobConfig], JobConfig]


def _keyed(config: JobConfig) -> JobConfig:
    """Company Sync with id -> PX Account ID ticked as upsert key."""
    mappings = [dataclasses.replace(m, upsert_key=m.source_path == "id")
                for m in config.mappings]
    return dataclasses.replace(config, mappings=mappings)


def _messages(jobs: JobService, name: str, edit: Edit) -> list[tuple[str, str, str]]:
    j = job(name)
    issues = jobs.validate(j, edit(load_job_config(j)))
    return [(i.stage, i.field, i.message) for i in issues]


def test_default_jobs_are_valid(jobs: JobService) -> None:
    for name in (COMPANY_JOB, PERSON_JOB):
        assert _messages(jobs, name, lambda c: c) == []


def _m(source: str, obj: str, field: str, ftype: str, key: bool = False) -> MappingConfig:
    return MappingConfig(source, "STRING", obj, field, ftype, key)


def _add(*mappings: MappingConfig) -> Edit:
    return lambda c: dataclasses.replace(c, mappings=[*c.mappings, *mappings])


def _set(**values: Any) -> Edit:
    return lambda c: dataclasses.replace(c, **values)


def _sched(**values: Any) -> Edit:
    return lambda c: dataclasses.replace(_keyed(c), schedule=dataclasses.replace(
        c.schedule, **values))


def _derived(**values: Any) -> Edit:
    def edit(c: JobConfig) -> JobConfig:
        return dataclasses.replace(c, derived=[dataclasses.replace(c.derived[0], **values)])
    return edit


COMPANY_CASES: list[tuple[str, Edit, str, str]] = [
    ("empty name", _set(name=""), "name", "Enter a job name"),
    ("duplicate name", _set(name=PERSON_JOB), "name", "Another job is already named"),
    ("name with newline", _set(name="Company\nSync"), "name",
     "The job name contains the control character U+000A (line feed) at character 8: "
     "remove it"),
    ("name with bidi mark", _set(name="Company \u202eSync"), "name",
     "control character U+202E"),
    ("name not UTF-8", _set(name="Company Sync_\udcff"), "name", "not valid UTF-8"),
    ("long name", _set(name="J" * 10_000), "name", "10,000 characters long: use at most 80"),
    ("many recipients", _set(success_recipients=[f"u{i}@example.com" for i in range(101)]),
     "success_recipients", "101 success recipients: list at most 100"),
    ("long recipient", _set(failure_recipients=["a" * 250 + "@example.com"]),
     "failure_recipients", "at most 254"),
    ("recipient with newline", _set(failure_recipients=["a@example.com\nBcc: x@y.z"]),
     "failure_recipients", "control character U+000A"),
    ("source with tab", _add(_m("ind\tustry", "company", "Industry", "Picklist")),
     "mappings[3].source_path", "control character U+0009"),
    ("modification type", _set(modification_type="merge"), "modification_type",
     "update or upsert"),
    ("unknown dependency", _set(dependencies=["Nope"]), "dependencies", "no job named 'Nope'"),
    ("self dependency", _set(dependencies=[COMPANY_JOB]), "dependencies",
     "cannot depend on itself"),
    ("cycle", _set(dependencies=[PERSON_JOB]), "dependencies", "form a cycle"),
    ("recipient", _set(success_recipients=["bob@"]), "success_recipients",
     "'bob@' in the success recipients is not a valid email"),
    ("empty source", _add(_m(" ", "company", "Industry", "Picklist")), "mappings[3].source_path",
     "has no source field"),
    ("unknown target", _add(_m("plan", "company", "Plan__gc", "String")),
     "mappings[3].target_field", "Company has no field 'Plan__gc'"),
    ("wrong object", _add(_m("email", "person", "Email", "Email")), "mappings[3].target_field",
     "Company Sync writes Company, not 'Person'"),
    ("incompatible type", _add(_m("industry", "company", "Industry", "Number")),
     "mappings[3].target_type", "Industry is a Picklist field"),
    ("duplicate target", _add(_m("sfdcId", "company", "Name", "String")),
     "mappings[3].target_field", "Two mappings write Name"),
    ("system field", _add(_m("gsId", "company", "Gsid", "GSID")), "mappings[3].target_field",
     "system field"),
    ("gsid field", _add(_m("parentGroupId", "company", "ParentCompany", "GSID")),
     "mappings[3].target_field", "fill it with a Derived Mapping"),
    ("name required", lambda c: dataclasses.replace(c, mappings=c.mappings[1:]), "mappings",
     "which need Name"),
    ("scheduled without key", _set(schedule=ScheduleConfig(enabled=True)), "schedule.enabled",
     "cannot be scheduled without an upsert key"),
    ("every hours", _sched(every_hours=25), "schedule.every_hours", "1-24"),
    ("time format", _sched(kind="daily_once", time="9am"), "schedule.time", "HH:MM"),
    ("end before start", _sched(kind="daily_repeat", start_time="14:00", end_time="10:00"),
     "schedule.end_time", "end time must be the same as or later"),
    ("no weekday", _sched(kind="weekly", time="09:00", days=[]), "schedule.days",
     "at least one day"),
    ("bad day", _sched(kind="weekly", time="09:00", days=[7]), "schedule.days", "0 (Mon)"),
    ("day of month", _sched(kind="monthly", time="09:00", day_of_month=32),
     "schedule.day_of_month", "1-31"),
    ("timezone", _sched(timezone="Mars/Olympus"), "schedule.timezone", "Unknown time zone"),
    ("filter expression", _set(filters=FilterSpec(
        (FilterCondition("A", "name", "STRING", "equals", "x"),), "A AND (")), "expression",
     "Expression"),
    ("filter value control", _set(filters=FilterSpec(
        (FilterCondition("A", "name", "STRING", "equals", "Acme\nCorp"),), "A")), "A.value",
     "control character U+000A"),
    ("filter list control", _set(filters=FilterSpec(
        (FilterCondition("A", "name", "STRING", "in_list", ["ok", "bad\u202e"]),), "A")),
     "A.value", "right-to-left override"),
    ("filter field control", _set(filters=FilterSpec(
        (FilterCondition("A", "na\tme", "STRING", "equals", "x"),), "A")), "A.field",
     "control character U+0009"),
    ("deletion policy", _set(deletion_policy="purge"), "deletion_policy",
     "Choose what happens to a record gone from PX: mark (Keep and mark as deleted in PX) or "
     "delete, not 'purge'"),
    ("reconcile days above", _set(reconcile_days=366), "reconcile_days",
     "every 0 to 365 days (0 = only when asked), not 366"),
    ("reconcile days below", _set(reconcile_days=-1), "reconcile_days", "not -1"),
    ("alert percent above", _set(alert_failure_percent=100.5), "alert_failure_percent",
     "percentage from 0 to 100, not 100.5: enter a value in that range"),
    ("alert percent below", _set(alert_failure_percent=-0.1), "alert_failure_percent",
     "not -0.1"),
    ("alert percent NaN", _set(alert_failure_percent=float("nan")), "alert_failure_percent",
     "not nan"),
    ("filter value length", _set(filters=FilterSpec(
        (FilterCondition("A", "name", "STRING", "equals", "x" * 5000),), "A")), "A.value",
     "use at most"),
]


@pytest.mark.parametrize(("edit", "field", "message"),
                         [case[1:] for case in COMPANY_CASES],
                         ids=[case[0] for case in COMPANY_CASES])
def test_company_rules(jobs: JobService, edit: Edit, field: str, message: str) -> None:
    found = _messages(jobs, COMPANY_JOB, edit)
    assert any(f == field and message in m for _s, f, m in found), found


PERSON_CASES: list[tuple[str, Edit, str, str]] = [
    ("upsert flag is fixed", _add(_m("title", "company_person", "Title", "String", True)),
     "mappings[4].upsert_key", "come from the Person Resolution Key setting (Email)"),
    ("locked filter", _set(filters=FilterSpec()), "conditions", "cannot be removed"),
    ("locked filter ANDed", _set(filters=FilterSpec((
        FilterCondition("A", "email", "STRING", "is_not_null", locked=True),
        FilterCondition("B", "type", "STRING", "equals", "x")), "A OR B")), "expression",
     "must apply to every record"),
    ("no pairs", _derived(pairs=[]), "derived[0].pairs", "1 to 6 field pairs"),
    ("seven pairs", _derived(pairs=[MatchPair("accountId", "PX_Account_ID__gc")] * 7),
     "derived[0].pairs", "(it has 7)"),
    ("lookup object", _derived(lookup_object="account"), "derived[0].lookup_object",
     "Unknown lookup object"),
    ("lookup field", _derived(pairs=[MatchPair("accountId", "Nope__gc")]),
     "derived[0].pairs[0].lookup_field", "Company has no field 'Nope__gc'"),
    ("on multiple", _derived(on_multiple="newest"), "derived[0].on_multiple", "use_any"),
    ("on none", _derived(on_none="skip"), "derived[0].on_none", "default"),
    ("default needs option", _derived(default_value=""), "derived[0].default_value",
     "applies only with 'Use default value'"),
    ("default is gsid", _derived(on_none="default", default_value="acme"),
     "derived[0].default_value", "is not a GSID"),
    ("derived target type", _derived(target_field="Title"), "derived[0].target_field",
     "Title is a String field"),
    ("derived twice", lambda c: dataclasses.replace(c, derived=c.derived * 2),
     "derived[1].target_field", "already filled"),
]


@pytest.mark.parametrize(("edit", "field", "message"),
                         [case[1:] for case in PERSON_CASES],
                         ids=[case[0] for case in PERSON_CASES])
def test_person_rules(jobs: JobService, edit: Edit, field: str, message: str) -> None:
    found = _messages(jobs, PERSON_JOB, edit)
    assert any(f == field and message in m for _s, f, m in found), found


def test_self_lookup_and_default_value_are_accepted(jobs: JobService) -> None:
    gsid = "0b6e8f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
    edit = _derived(on_none="default", default_value=gsid)
    assert _messages(jobs, PERSON_JOB, edit) == []
    self_lookup = _derived(lookup_object="self", pairs=[MatchPair("email", "Email")])
    assert _messages(jobs, PERSON_JOB, self_lookup) == []


def test_save_refuses_invalid_and_writes_nothing(jobs: JobService) -> None:
    j = job(COMPANY_JOB)
    before = jobs.export_json(COMPANY_JOB)
    bad = dataclasses.replace(load_job_config(j), name="", dependencies=[PERSON_JOB])
    with pytest.raises(ConfigError) as info:
        jobs.save(j, bad)
    assert "Enter a job name" in str(info.value) and "form a cycle" in str(info.value)
    assert jobs.export_json(COMPANY_JOB) == before
    assert AuditLog.select().where(AuditLog.action != "Create").count() == 0


def _audit(since: int) -> list[tuple[str, str, str, str | None, str | None]]:
    rows = AuditLog.select().where(AuditLog.id > since).order_by(AuditLog.id)
    return [(a.attribute, a.sub_attribute, a.action, a.old_value, a.new_value) for a in rows]


def test_each_kind_of_change_is_audited(jobs: JobService) -> None:
    j = job(COMPANY_JOB)
    mark = AuditLog.select().count()
    config = _keyed(load_job_config(j))
    config.modification_type = "update"
    config.mappings = [m for m in config.mappings if m.source_path != "numberOfUsers"]
    config.mappings.append(_m("industry", "company", "Industry", "Picklist"))
    config.filters = FilterSpec((FilterCondition("A", "name", "STRING", "starts_with", "A"),))
    config.schedule = ScheduleConfig(enabled=True, kind="daily_once", time="10:00",
                                     timezone="Europe/Berlin")
    jobs.save(j, config)
    rows = _audit(mark)
    assert ("Job Configuration", "Data Modification Type", "Edit", "Upsert", "Update") in rows
    assert ("Mapping", "PX Account ID", "Edit", "id → PX Account ID (String)",
            "id → PX Account ID (String), upsert key") in rows
    assert ("Mapping", "Number of Users", "Delete",
            "numberOfUsers → Number of Users (Number)", None) in rows
    assert ("Mapping", "Industry", "Create", None, "industry → Industry (Picklist)") in rows
    assert ("Filter", "Condition A", "Create", None, "name starts with 'A'") in rows
    assert ("Filter", "Expression", "Create", None, "(all conditions ANDed)") in rows
    assert ("Schedule", "Enabled", "Edit", "No", "Yes") in rows
    assert ("Schedule", "Type", "Edit", "Hourly", "Daily Once") in rows
    assert ("Schedule", "Time", "Edit", "", "10:00") in rows
    assert len(rows) == 10, rows
    assert {a.user for a in AuditLog.select().where(AuditLog.id > mark)} == {"tester"}
    mark = AuditLog.select().count()
    jobs.save(j, load_job_config(j))
    assert _audit(mark) == [], "saving an unchanged job writes nothing"


def test_job_policies_are_saved_audited_and_exported(jobs: JobService) -> None:
    j = job(COMPANY_JOB)
    config = load_job_config(j)
    assert (config.deletion_policy, config.reconcile_days, config.alert_failure_percent) == (
        "mark", 7, 5.0), "the defaults of migration 4"
    mark = AuditLog.select().count()
    jobs.save(j, dataclasses.replace(config, deletion_policy="delete", reconcile_days=0,
                                     alert_failure_percent=12.5))
    assert _audit(mark) == [
        ("Job Configuration", "Deletion Policy", "Edit", "Keep and mark as deleted in PX",
         "Delete"),
        ("Job Configuration", "Reconcile Every N Days", "Edit", "7 days",
         "0 (only when asked)"),
        ("Job Configuration", "Failure Alert Threshold", "Edit", "5%", "12.5%"),
    ]
    saved = job(COMPANY_JOB)
    assert (saved.deletion_policy, saved.reconcile_days, saved.alert_failure_percent) == (
        "delete", 0, 12.5)
    exported = json.loads(jobs.export_json(COMPANY_JOB))
    assert (exported["deletion_policy"], exported["reconcile_days"],
            exported["alert_failure_percent"]) == ("delete", 0, 12.5)


def test_the_boundaries_of_the_policies_are_valid(jobs: JobService) -> None:
    for days, percent in ((0, 0.0), (365, 100.0)):
        edit = _set(reconcile_days=days, alert_failure_percent=percent)
        assert _messages(jobs, COMPANY_JOB, edit) == []


def test_derived_and_filter_edits_are_audited(jobs: JobService) -> None:
    j = job(PERSON_JOB)
    mark = AuditLog.select().count()
    config = load_job_config(j)
    config.derived[0].on_multiple = "error"
    config.filters = FilterSpec((*config.filters.conditions,
                                 FilterCondition("B", "type", "STRING", "equals", "admin")),
                                "A AND B")
    jobs.save(j, config)
    rows = _audit(mark)
    (derived,) = [r for r in rows if r[0] == "Derived Mapping"]
    assert derived[1:3] == ("Company ID", "Edit")
    assert "multiple: use_any" in str(derived[3]) and "multiple: error" in str(derived[4])
    assert ("Filter", "Condition B", "Create", None, "type equals 'admin'") in rows
    assert ("Filter", "Expression", "Edit", "(all conditions ANDed)", "A AND B") in rows
    mark = AuditLog.select().count()
    config.derived = []
    jobs.save(j, config)
    assert [r[2] for r in _audit(mark)] == ["Delete"]


def test_person_upsert_flags_follow_the_resolution_key(jobs: JobService) -> None:
    j = job(PERSON_JOB)
    config = load_job_config(j)
    config.mappings[0].upsert_key = False  # unticking is ignored: the setting decides
    jobs.save(j, config)
    assert FieldMapping.get(FieldMapping.job == j, FieldMapping.target_field == "Email") \
        .is_upsert_key
    set_setting(PERSON_RESOLUTION_KEY, ["Email", "LastName"])
    assert [m.target_field for m in load_job_config(j).upsert_keys()] == ["Email", "LastName"]


def test_run_blockers(jobs: JobService) -> None:
    company, person = job(COMPANY_JOB), job(PERSON_JOB)
    (blocker,) = jobs.run_blockers(company)
    assert "Mark" in blocker or "mark one mapping" in blocker
    assert "PX Account ID" in blocker
    jobs.save(company, _keyed(load_job_config(company)))
    assert jobs.run_blockers(company) == []
    assert jobs.run_blockers(person) == []
    set_setting(PERSON_RESOLUTION_KEY, ["Email", "Location"])
    (blocker,) = jobs.run_blockers(person)
    assert "Location is not mapped" in blocker


def test_export_import_round_trip(jobs: JobService) -> None:
    j = job(COMPANY_JOB)
    config = _keyed(load_job_config(j))
    config.schedule = ScheduleConfig(enabled=True, kind="weekly", time="08:30", days=[0, 2],
                                     timezone="America/New_York")
    jobs.save(j, config)
    text = jobs.export_json(COMPANY_JOB)
    assert list(json.loads(text))[:3] == ["format_version", "name", "kind"]
    edited = json.loads(text)
    edited["name"] = "Accounts"
    edited["mappings"].append({"source_path": "website", "source_type": "STRING",
                               "target_object": "company", "target_field": "CSM",
                               "target_type": "String", "upsert_key": False})
    imported = jobs.import_json(json.dumps(edited))
    assert imported.id == j.id and imported.name == "Accounts"
    assert load_job_config(imported).to_dict() == edited
    again = jobs.export_json("Accounts")
    assert json.loads(again) == edited
    jobs.import_json(text)
    assert jobs.export_json(COMPANY_JOB) == text


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not valid JSON"),
    ("[]", "the file: expected an object, got a list"),
    ('{"name": "x"}', "kind: missing"),
    ('{"name": "x", "kind": "company", "mappings": {}}', "mappings: expected a list"),
    ('{"name": "x", "kind": "company", "format_version": 9}', "format_version"),
    ('{"name": "x", "kind": "account"}', "no job of kind 'account'"),
])
def test_import_refuses_malformed_files(jobs: JobService, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        jobs.import_json(text)


def test_import_validates_like_save(jobs: JobService) -> None:
    data = json.loads(jobs.export_json(PERSON_JOB))
    data["filters"] = {"conditions": [], "expression": ""}
    data["derived"][0]["pairs"] = []
    before = jobs.export_json(PERSON_JOB)
    with pytest.raises(ConfigError) as info:
        jobs.import_json(json.dumps(data))
    assert "cannot be removed" in str(info.value) and "1 to 6" in str(info.value)
    assert jobs.export_json(PERSON_JOB) == before


def test_add_custom_field_for_the_mapping_stage(jobs: JobService) -> None:
    field = jobs.add_custom_field("company", "Plan", "Picklist")
    assert field.api_name == "Plan__gc" and field.created_by == "tester"
    assert _messages(jobs, COMPANY_JOB, _add(_m("plan", "company", "Plan__gc", "Picklist"))) \
        == []
    with pytest.raises(ConfigError, match="already has a field"):
        jobs.add_custom_field("company", "Plan", "Picklist")


def test_unknown_job(jobs: JobService) -> None:
    with pytest.raises(ConfigError, match="no job named 'X'"):
        jobs.get("X")


def test_derived_config_dict_round_trip() -> None:
    d = DerivedConfig("company_person", "Company_ID", "company",
                      [MatchPair("accountId", "PX_Account_ID__gc")], "error", "default", None)
    assert DerivedConfig.from_dict(d.to_dict()) == d


def test_a_person_job_that_run_blockers_would_stop_is_not_saved(jobs: JobService) -> None:
    person = job(PERSON_JOB)
    set_setting(PERSON_RESOLUTION_KEY, ["Email", "Location"])
    assert jobs.run_blockers(person), "the run refuses it"
    issues = jobs.validate(person, load_job_config(person))
    assert [(i.stage, i.field) for i in issues] == [("mappings", "mappings")]
    assert "Location is not mapped" in issues[0].message
    with pytest.raises(ConfigError, match="Location is not mapped"):
        jobs.save(person, load_job_config(person))
