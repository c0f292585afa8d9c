"""Error files stay bounded: the full source record is kept for the first failures of each
kind of error, the id, field, value and reason for every one."""

from __future__ import annotations

import csv

from pxdesk.core.logs.run_files import RECORDS_PER_KIND, error_kind
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import RecordError
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB


def test_error_kinds_ignore_the_values_in_a_reason() -> None:
    assert error_kind("Email", "'bob@' is not a valid email address") == \
        error_kind("Email", "'ann@x' is not a valid email address")
    assert error_kind("Email", "x") != error_kind("Phone", "x")
    assert error_kind(None, "3 person records match the upsert key 'a'") == \
        error_kind(None, "12 person records match the upsert key 'b'")


def test_only_the_first_failures_of_a_kind_keep_their_source_record(
        connect, engine: SyncEngine, sim: PxSimulator) -> None:
    connect()
    engine.run_job(COMPANY_JOB)
    bad = RECORDS_PER_KIND + 25
    for i, uid in enumerate(list(sim.user_ids())[:bad]):
        sim.update_user(uid, email=f"not-an-email-{i}")
    result = engine.run_job(PERSON_JOB)
    with open(result.error_file, encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if "not-an-email" in (r["Value"] or "")]
    assert len(rows) == bad, "every failure is listed"
    assert sum(1 for r in rows if r["Source Record"]) == RECORDS_PER_KIND
    assert all(r["Source ID"] and r["Error Message"] for r in rows)
    stored = RecordError.select().where((RecordError.run == result.run_id)
                                        & RecordError.value.startswith("not-an-email"))
    assert stored.count() == bad
    assert stored.where(RecordError.source_record.is_null(False)).count() == RECORDS_PER_KIND
