"""Dry run = run, also when the run's lookups find rows the same run writes on earlier pages
(a self lookup), on an empty store and on one with data; the store stays byte-identical."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.store.enums import LookupObject, OnNone, TargetObject
from pxdesk.core.store.models import Company, DerivedMapping, Job, RunStatus
from pxdesk.core.sync.dry_run import WOULD_FAIL, WOULD_INSERT
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB
from tests.core.engine.test_dry_run import assert_same
from tests.core.engine.test_dry_run import predict_then_run as predict_then_run_hot


def predict_then_run(context: Any, engine: SyncEngine, job: str) -> tuple[Any, Any]:
    """With 3 would-be rows per map in memory: the rest are read back from the file."""
    return predict_then_run_hot(context, engine, job, hot_rows=3)

PAGE = 10


def _engine(context: Any) -> SyncEngine:
    return SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir),
                      page_size=PAGE)


def _parent_lookup(on_none: str) -> None:
    """Company.ParentCompany <- the Company whose PX Account ID is the account's parentId."""
    DerivedMapping.create(
        job=Job.get(Job.name == COMPANY_JOB), target_object=TargetObject.COMPANY.value,
        target_field="ParentCompany", lookup_object=LookupObject.SELF.value,
        match_pairs=json.dumps([{"source_path": "parentId",
                                 "lookup_field": "PX_Account_ID__gc"}]),
        on_none=on_none)


def _parents(dry: Any) -> dict[str | None, bool]:
    """PX id -> whether the dry run would give the Company a parent."""
    return {r.source_id: any(c.field == "ParentCompany" and c.new for c in r.changes)
            for r in dry.records if r.outcome == WOULD_INSERT}


def _stored_parents() -> dict[str, bool]:
    return {json.loads(c.custom)["PX_Account_ID__gc"]: c.parent_company_id is not None
            for c in Company.select()}


@pytest.mark.parametrize("multi_instance", [False, True])
def test_self_lookup_on_an_empty_store_sees_earlier_pages(connect, context, sim, multi_instance):
    connect(multi_instance=multi_instance)  # Multi Instance: answered through the instances
    _parent_lookup(OnNone.DEFAULT.value)  # no match: empty, so every account is written
    sim.update_account("acct-000025", parentId="acct-000001")  # page 3 -> page 1
    sim.update_account("acct-000015", parentId="acct-000002")  # page 2 -> page 1
    sim.update_account("acct-000012", parentId="acct-000013")  # same page: no match
    engine = _engine(context)
    dry, real = predict_then_run(context, engine, COMPANY_JOB)
    assert_same(dry, real)
    assert real.counts.pages == ACCOUNTS // PAGE
    assert _parents(dry) == _stored_parents()
    assert {k for k, has in _parents(dry).items() if has} == {"acct-000025", "acct-000015"}


@pytest.mark.parametrize("multi_instance", [False, True])
def test_self_lookup_on_a_store_with_data_sees_earlier_pages(connect, context, sim,
                                                              multi_instance):
    connect(multi_instance=multi_instance)
    engine = _engine(context)
    assert engine.run_job(COMPANY_JOB).status == RunStatus.SUCCESS
    _parent_lookup(OnNone.ERROR.value)  # no match fails the account
    for account in list(sim.account_ids()):
        sim.update_account(account, parentId="acct-000000")  # in the store already
    sim.add_account({"id": "acct-parent", "name": "Parent", "parentId": "acct-000000"})
    for n in range(PAGE + 2):
        sim.add_account({"id": f"acct-filler-{n}", "name": "Filler", "parentId": "acct-000000"})
    sim.add_account({"id": "acct-child", "name": "Child", "parentId": "acct-parent"})
    sim.add_account({"id": "acct-orphan", "name": "Orphan", "parentId": "acct-nobody"})
    dry, real = predict_then_run(context, engine, COMPANY_JOB)
    assert_same(dry, real)
    outcomes = {r.source_id: r.outcome for r in dry.records}
    assert outcomes["acct-child"] == WOULD_INSERT
    assert outcomes["acct-orphan"] == WOULD_FAIL


def test_default_jobs_on_an_empty_store_then_with_data(connect, context, sim):
    connect()
    engine = _engine(context)
    for _ in range(2):  # first on the empty store, then on the data the first runs wrote
        for job in (COMPANY_JOB, PERSON_JOB):
            dry, real = predict_then_run(context, engine, job)
            assert_same(dry, real)
        sim.update_user(next(iter(sim.user_ids())), firstName="Changed")


def test_dry_run_packs_no_lineage(connect, engine, monkeypatch):
    """The lineage's packed copy of each record is the run's alone: a dry run skips it."""

    class NoPacker:
        def __init__(self) -> None:
            raise AssertionError("a dry run packed records for the lineage")

    monkeypatch.setattr("pxdesk.core.sync.pipeline.RecordPacker", NoPacker)
    connect()
    dry = engine.dry_run(COMPANY_JOB)
    assert dry.error is None and dry.totals()[WOULD_INSERT] == ACCOUNTS
