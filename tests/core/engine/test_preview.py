"""Live preview: the sample's rows are what a run writes for them; unsaved edits show."""

from __future__ import annotations

import json
from typing import Any

from pxdesk.core.config.job_config import MappingConfig, load_job_config
from pxdesk.core.store.base import database
from pxdesk.core.store.models import ExecutionRun, Job
from pxdesk.core.sync.dry_run import WOULD_FAIL, WOULD_INSERT
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.fields import resolve_field
from pxdesk.core.sync.filters import FilterCondition, FilterSpec
from pxdesk.core.sync.preview import KEPT, fetch_sample, preview
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB
from tests.core.engine.test_dry_run import store_digest


def _sample(engine: SyncEngine, job: str) -> list[Any]:
    client = engine.make_client(lambda _event: None)
    try:
        return fetch_sample(client, job)
    finally:
        client.close()


def _stored(obj: str, gsid: str) -> dict[str, Any]:
    """A stored row by its fields' api names (standard columns and custom values)."""
    cursor = database().execute_sql(f'SELECT * FROM "{obj}" WHERE gsid = ?', (gsid,))
    row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    custom = json.loads(row.pop("custom") or "{}")
    return {"__column__" + k: v for k, v in row.items()} | custom


def _value(stored: dict[str, Any], obj: str, api_name: str) -> Any:
    column = resolve_field(obj, api_name).column
    return stored.get("__column__" + column) if column else stored.get(api_name)


def _links(job_name: str) -> dict[str, tuple[str, str | None]]:
    job = Job.get(Job.name == job_name)
    rows = database().execute_sql('SELECT source_id, gsid, person_gsid FROM "source_link" '
                                  "WHERE job_id = ?", (job.id,))
    return {sid: (gsid, person) for sid, gsid, person in rows}


def _assert_written_as_previewed(job_name: str, rows: list[Any]) -> int:
    links, checked = _links(job_name), 0
    for row in rows:
        if row.verdict != KEPT or row.outcome == WOULD_FAIL:
            assert row.source_id not in links
            continue
        gsid, person = links[row.source_id]
        for obj, api_name, value in row.values:
            if api_name == "Person_ID":  # a new Person's GSID is made when it is written
                continue
            target = person if obj == "person" else gsid
            assert _value(_stored(obj, target), obj, api_name) == value, (row.source_id,
                                                                          api_name)
            checked += 1
    return checked


def test_company_preview_rows_are_what_the_run_writes(connect, engine, context):
    connect()
    sample = _sample(engine, COMPANY_JOB)
    assert len(sample) == ACCOUNTS
    before = store_digest(context)
    rows = preview(COMPANY_JOB, load_job_config(Job.get(Job.name == COMPANY_JOB)), sample)
    assert store_digest(context) == before
    assert {r.outcome for r in rows} == {WOULD_INSERT}
    engine.run_job(COMPANY_JOB)
    assert _assert_written_as_previewed(COMPANY_JOB, rows) >= 3 * ACCOUNTS


def test_person_preview_rows_lookups_and_verdicts_match_the_run(connect, engine, context,
                                                                  sim):
    connect()
    engine.run_job(COMPANY_JOB)
    sim.update_user(next(iter(sim.user_ids())), email=None)
    sample = _sample(engine, PERSON_JOB)
    rows = preview(PERSON_JOB, load_job_config(Job.get(Job.name == PERSON_JOB)), sample)
    verdicts = {r.verdict for r in rows}
    assert KEPT in verdicts and "Removed by A" in verdicts  # users without an email
    failed = [r for r in rows if r.outcome == WOULD_FAIL]
    assert failed and all(r.lookups[0][0] == "Company_ID" and "no company" in r.lookups[0][1]
                          for r in failed)
    kept = [r for r in rows if r.outcome == WOULD_INSERT]
    assert kept and all(len(r.lookups[0][1]) == 36 for r in kept)  # a Company GSID
    engine.run_job(PERSON_JOB)
    assert _assert_written_as_previewed(PERSON_JOB, rows) > 0


def test_preview_uses_unsaved_mappings_and_filters(connect, engine, context, sim):
    connect()
    job = Job.get(Job.name == COMPANY_JOB)
    config = load_job_config(job)
    config.mappings.append(MappingConfig("industry", "STRING", "company", "Industry",
                                         "Picklist"))
    config.filters = FilterSpec((FilterCondition("A", "id", "STRING", "equals",
                                                 "acct-000001"),))
    sample = _sample(engine, COMPANY_JOB)
    before = store_digest(context)
    rows = preview(COMPANY_JOB, config, sample)
    assert store_digest(context) == before and ExecutionRun.select().count() == 0
    (kept,) = [r for r in rows if r.verdict == KEPT]
    assert kept.source_id == "acct-000001"
    assert ("company", "Industry", sim.get_account("acct-000001")["industry"]) in kept.values
    assert {r.verdict for r in rows if r is not kept} == {"Removed by A"}
