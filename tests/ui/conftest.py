"""UI fixtures: a small PX simulator, a connection with its two jobs, engine and runner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.jobs import JobRunner
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

ACCOUNTS = 12
USERS = 120
COMPANY_JOB = "Company Sync_PX"
PERSON_JOB = "Company Person Sync_PX"


@pytest.fixture
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=ACCOUNTS, users=USERS) as simulator:
        yield simulator


class StoredConnection:
    """The read side of ConnectionService the jobs table needs (get only)."""

    def get(self) -> Connection | None:
        return Connection.get_or_none()


def setup_jobs(context: Any, sim: PxSimulator) -> None:
    """The rows the connection service creates, with the upsert key already marked."""
    ref = context.secrets.put(sim.api_key)
    conn = Connection.create(name="PX", base_url=sim.base_url, key_ref=ref, key_hint="****-key")
    ensure_custom_field("company", "PX Account ID", "String", "test")
    ensure_custom_field("company", "Number of Users", "Number", "test")
    company = Job.create(connection=conn, kind="company", name=COMPANY_JOB,
                         source_object="account", target_object="company")
    person = Job.create(connection=conn, kind="company_person", name=PERSON_JOB,
                        source_object="user", target_object="company_person")
    for pos, (src, field, ftype, key) in enumerate([
        ("name", "Name", "String", False),
        ("numberOfUsers", "Number_of_Users__gc", "Number", False),
        ("id", "PX_Account_ID__gc", "String", True),
    ]):
        FieldMapping.create(job=company, position=pos, source_path=src, source_type="STRING",
                            target_object="company", target_field=field, target_type=ftype,
                            is_upsert_key=key)
    for pos, (src, field) in enumerate([("email", "Email"), ("firstName", "FirstName")]):
        FieldMapping.create(job=person, position=pos, source_path=src, source_type="STRING",
                            target_object="person", target_field=field,
                            target_type="Email" if field == "Email" else "String")
    DerivedMapping.create(
        job=person, target_object="company_person", target_field="Company_ID",
        lookup_object="company",
        match_pairs=json.dumps([{"source_path": "accountId",
                                 "lookup_field": "PX_Account_ID__gc"}]))
    JobFilter.create(job=person, conditions=json.dumps([default_email_filter().to_dict()]))
    JobDependency.create(job=person, depends_on=company, position=0)


@pytest.fixture
def engine(context: Any) -> SyncEngine:
    return SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir))


@pytest.fixture
def runner(context: Any, engine: SyncEngine) -> Iterator[JobRunner]:
    job_runner = JobRunner(lambda: engine, context.db)
    yield job_runner
    job_runner.cancel_all_and_wait(10_000)
