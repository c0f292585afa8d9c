"""Engine fixtures: a small simulator, a connection with its two jobs, and a SyncEngine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.custom_fields import ensure_custom_field
from pxdesk.core.store.models import (
    Connection,
    DerivedMapping,
    FieldMapping,
    Job,
    JobDependency,
    JobFilter,
)
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.filters import default_email_filter

ACCOUNTS = 30
USERS = 300
COMPANY_JOB = "Company Sync_PX"
PERSON_JOB = "Company Person Sync_PX"


@pytest.fixture
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=ACCOUNTS, users=USERS) as simulator:
        yield simulator


def _manual_setup(context: Any, sim: PxSimulator, multi_instance: bool) -> None:
    """Rows as the connection service creates them (used until/unless it is importable)."""
    ref = context.secrets.put(sim.api_key)
    conn = Connection.create(name="PX", base_url=sim.base_url, key_ref=ref,
                             multi_instance=multi_instance)
    ensure_custom_field("company", "PX Account ID", "String", "test")
    ensure_custom_field("company", "Number of Users", "Number", "test")
    ensure_custom_field("company_person", "Sign up date", "Date", "test")
    company = Job.create(connection=conn, kind="company", name=COMPANY_JOB,
                         source_object="account", target_object="company")
    person = Job.create(connection=conn, kind="company_person", name=PERSON_JOB,
                        source_object="user", target_object="company_person")
    for pos, (src, stype, field, ftype) in enumerate([
        ("name", "STRING", "Name", "String"),
        ("numberOfUsers", "NUMBER", "Number_of_Users__gc", "Number"),
        ("id", "STRING", "PX_Account_ID__gc", "String"),
    ]):
        FieldMapping.create(job=company, position=pos, source_path=src, source_type=stype,
                            target_object="company", target_field=field, target_type=ftype)
    for pos, (src, obj, field, ftype) in enumerate([
        ("email", "person", "Email", "Email"),
        ("firstName", "person", "FirstName", "String"),
        ("lastName", "person", "LastName", "String"),
        ("signUpDate", "company_person", "Sign_up_date__gc", "Date"),
    ]):
        FieldMapping.create(job=person, position=pos, source_path=src, source_type="STRING",
                            target_object=obj, target_field=field, target_type=ftype)
    DerivedMapping.create(
        job=person, target_object="company_person", target_field="Company_ID",
        lookup_object="company",
        match_pairs=json.dumps([{"source_path": "accountId",
                                 "lookup_field": "PX_Account_ID__gc"}]))
    JobFilter.create(job=person, conditions=json.dumps([default_email_filter().to_dict()]))
    JobDependency.create(job=person, depends_on=company, position=0)


def mark_upsert_key(job_name: str = COMPANY_JOB, field: str = "PX_Account_ID__gc") -> None:
    job = Job.get(Job.name == job_name)
    FieldMapping.update(is_upsert_key=True).where(
        (FieldMapping.job == job) & (FieldMapping.target_field == field)).execute()


@pytest.fixture
def connect(context: Any, sim: PxSimulator):  # type: ignore[no-untyped-def]
    """connect(multi_instance=False, upsert_key=True): create the connection and its jobs."""

    def make(multi_instance: bool = False, upsert_key: bool = True) -> None:
        _manual_setup(context, sim, multi_instance)
        if upsert_key:
            mark_upsert_key()

    return make


@pytest.fixture
def engine(context: Any) -> SyncEngine:
    return SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir))


class FakeClock:
    """Epoch ms the test moves forward; starts after every generated PX date."""

    def __init__(self, start: int = 1_800_000_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int = 60_000) -> int:
        self.now += ms
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def clocked_engine(context: Any, clock: FakeClock) -> SyncEngine:
    return SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir),
                      clock=clock)


def user_requests(sim: PxSimulator, path: str = "/v1/users") -> list[Any]:
    return [r for r in sim.requests if r.path == path]
