"""Derived lookup policies, filters, and what the engine writes per record."""

from __future__ import annotations

import csv
import json

from pxdesk.core.store.models import (
    Company,
    CompanyPerson,
    DerivedMapping,
    Job,
    JobFilter,
    Person,
    RunStatus,
)
from pxdesk.core.sync.filters import FilterCondition, default_email_filter
from tests.core.engine.conftest import PERSON_JOB, user_requests

ACCOUNT = "acct-000002"


def _users_of(sim, account):
    return [sim.get_user(i) for i in sim.user_ids()
            if sim.get_user(i).get("accountId") == account and sim.get_user(i).get("email")]


def _policy(on_multiple="use_any", on_none="error", default=None):
    DerivedMapping.update(on_multiple=on_multiple, on_none=on_none,
                          default_value=default).execute()


def _duplicate_company(account):
    """A second, newer Company with the same PX Account ID."""
    original = Company.get(Company.custom.contains(f'"{account}"'))
    twin = Company.create(name="Twin", custom=json.dumps({"PX_Account_ID__gc": account}),
                          created_at=original.created_at + 1)
    return original, twin


def test_use_any_takes_the_oldest_match(connect, engine, sim):
    connect()
    engine.run_job("Company Sync_PX")
    original, twin = _duplicate_company(ACCOUNT)
    _policy(on_multiple="use_any")
    result = engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.PARTIAL_SUCCESS  # users without account fail
    linked = {cp.company_id for cp in CompanyPerson.select().join(Person)
              .where(Person.email.in_([u["email"] for u in _users_of(sim, ACCOUNT)]))}
    assert linked & {original.gsid, twin.gsid} == {original.gsid}
    assert CompanyPerson.select().where(CompanyPerson.company == twin.gsid).count() == 0


def test_error_on_multiple_marks_those_records(connect, engine, sim):
    connect()
    engine.run_job("Company Sync_PX")
    _duplicate_company(ACCOUNT)
    _policy(on_multiple="error")
    result = engine.run_job(PERSON_JOB)
    with open(result.error_file, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    multi = [r for r in rows if "2 company records match" in r["Error Message"]]
    assert len(multi) == len(_users_of(sim, ACCOUNT)) > 0
    assert all(r["Field"] == "Company_ID" and r["Value"] == ACCOUNT for r in multi)


def test_no_match_error_and_default(connect, engine, sim):
    connect()
    engine.run_job("Company Sync_PX")
    _policy(on_none="error")
    first = engine.run_job(PERSON_JOB)
    no_account = [i for i in sim.user_ids()
                  if not sim.get_user(i).get("accountId") and sim.get_user(i).get("email")]
    assert first.counts.failure == len(no_account) > 0
    fallback = Company.select().first()
    _policy(on_none="default", default=fallback.gsid.upper())
    Job.update(window_end=None).execute()
    second = engine.run_job(PERSON_JOB)
    assert second.status == RunStatus.SUCCESS and second.counts.failure == 0
    assert CompanyPerson.select().where(CompanyPerson.company == fallback.gsid).count() >= \
        len(no_account)
    _policy(on_none="default", default=None)  # empty default: the Person only
    Job.update(window_end=None).execute()
    third = engine.run_job(PERSON_JOB)
    assert third.status == RunStatus.SUCCESS


def test_filters_pushed_down_and_local(connect, engine, sim):
    connect()
    engine.run_job("Company Sync_PX")
    job = Job.get(Job.name == PERSON_JOB)
    conditions = [default_email_filter(),
                  FilterCondition("B", "customAttributes.department", "STRING", "equals",
                                  "Marketing"),
                  FilterCondition("C", "lastName", "STRING", "not_equals", "Tanaka")]
    JobFilter.update(conditions=json.dumps([c.to_dict() for c in conditions])).where(
        JobFilter.job == job).execute()
    sim.clear_requests()
    result = engine.run_job(PERSON_JOB)
    sent = [v for r in user_requests(sim) for k, v in r.query if k == "filter"]
    assert sent and all("customAttributes.department==Marketing" in v for v in sent)
    assert not any("Tanaka" in v for v in sent)  # not_equals is never pushed
    expected = [u for u in (sim.get_user(i) for i in sim.user_ids())
                if u.get("email") and u.get("accountId")
                and (u.get("customAttributes") or {}).get("department") == "Marketing"
                and u.get("lastName") != "Tanaka"]
    assert result.counts.success == len(expected) > 0
    assert Person.select().where(Person.last_name == "Tanaka").count() == 0


def test_error_and_success_files(connect, engine, sim):
    connect()
    result = engine.run_job(PERSON_JOB)
    with open(result.success_file, encoding="utf-8") as handle:
        ok = list(csv.DictReader(handle))
    assert len(ok) == result.counts.success
    first = ok[0]
    assert first["Action"] == "Inserted"
    link = CompanyPerson.get_by_id(first["GSID"])
    user = sim.get_user(first["Source ID"])
    assert link.person.email == user["email"]
    with open(result.error_file, encoding="utf-8") as handle:
        errors = list(csv.DictReader(handle))
    assert len(errors) == result.counts.failure
    for row in errors:
        record = json.loads(row["Source Record"])
        assert record["identifyId"] == row["Source ID"] and record["accountId"] == ""
        assert row["Error Message"].startswith("no company matches")
