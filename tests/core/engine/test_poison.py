"""Poison records: text that is not valid Unicode, or items that are not records, fail alone."""

from __future__ import annotations

import csv
import json

from pxdesk.core.store.models import Company, Job, RecordError, RunStatus
from pxdesk.core.sync import lookups
from pxdesk.core.sync.pipeline import PageProcessor
from pxdesk.core.sync.plan import JobPlan
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB

SURROGATE_REASON = "contains text that is not valid Unicode (a lone surrogate) in field Name"


def test_lone_surrogate_in_a_name_fails_that_record_alone(connect, engine, sim):
    connect()
    sim.add_account({"id": "acct-poison", "name": "Bad \ud800 Ltd", "numberOfUsers": 1})
    result = engine.run_job(PERSON_JOB)
    company = result.dependencies[0]
    assert company.status == RunStatus.PARTIAL_SUCCESS, company.reason
    assert (company.counts.success, company.counts.failure) == (ACCOUNTS, 1)
    assert Company.select().count() == ACCOUNTS
    row = RecordError.get(RecordError.run == company.run_id)
    assert row.source_id == "acct-poison"
    assert SURROGATE_REASON in row.reason
    assert json.loads(row.source_record)["name"] == "Bad \ud800 Ltd"  # escaped, round-trips
    with open(company.error_file, encoding="utf-8") as handle:
        (line,) = list(csv.DictReader(handle))
    assert SURROGATE_REASON in line["Error Message"] and "\\ud800" in line["Source Record"]
    assert result.status != RunStatus.SKIPPED
    assert Job.get(Job.name == COMPANY_JOB).window_end is not None  # the window moved


def test_lone_surrogate_in_an_upsert_key_or_lookup_key_fails_alone(connect, engine, sim,
                                                                   monkeypatch):
    monkeypatch.setattr(lookups, "PRELOAD_LIMIT", 0)  # companies are queried page by page
    connect()
    sim.add_account({"id": "acct-\udfff", "name": "Key Ltd"})
    sim.add_user({"identifyId": "user-poison", "email": "p@example.com",
                  "accountId": "acct-\udc00"})
    result = engine.run_job(PERSON_JOB)
    company = result.dependencies[0]
    assert (company.status, company.counts.failure) == (RunStatus.PARTIAL_SUCCESS, 1)
    key_error = RecordError.get(RecordError.run == company.run_id)
    assert "not valid Unicode" in key_error.reason and "\\udfff" in key_error.source_id
    assert result.status == RunStatus.PARTIAL_SUCCESS
    user_error = RecordError.get((RecordError.run == result.run_id)
                                 & (RecordError.source_id == "user-poison"))
    assert "not valid Unicode" in user_error.reason


def test_items_that_are_not_records_fail_one_by_one(connect, engine, context):
    connect()
    job = Job.get(Job.name == COMPANY_JOB)
    plan = JobPlan.load(context.db, job, multi_instance=False)
    processor = PageProcessor(context.db, plan, "tester", lambda: 1, None)
    good = {"id": "acct-1", "name": "Good Ltd"}
    with context.db.atomic():
        result = processor.process([None, "text", 7, good, [1]])  # type: ignore[list-item]
    assert [s[0] for s in result.successes] == ["acct-1"]
    reasons = [f.reason for f in result.failures]
    assert reasons == ["PX sent an item that is not a record: null",
                       "PX sent an item that is not a record: \"text\"",
                       "PX sent an item that is not a record: 7",
                       "PX sent an item that is not a record: [1]"]
    assert processor.filtered == 0


def test_an_integer_beyond_64_bits_is_named_as_the_reason():
    from pxdesk.core.sync.pipeline import unstorable_reason

    named = [("Name", "Acme"), ("Employees", 2**70)]
    assert unstorable_reason(OverflowError("too big"), named) == (
        "Employees", 2**70, "holds a number too large to store (over 64 bits) in field Employees")
