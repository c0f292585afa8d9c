"""UI fixtures: a small PX simulator, a connection with its two jobs, engine and runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.background import wait_detached
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import (
    Connection,
    FieldMapping,
    Job,
)
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.workers import JobRunner

ACCOUNTS = 12
USERS = 120
COMPANY_JOB = "Company Sync_PX"
PERSON_JOB = "Company Person Sync_PX"


@pytest.fixture(autouse=True)
def _detached_calls_end() -> Iterator[None]:
    """A dialog closed mid-load leaves its load to end on its own (background.detach); the
    test waits for it as the app does at quit, so no thread outlives the test."""
    yield
    wait_detached()


@pytest.fixture
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=ACCOUNTS, users=USERS) as simulator:
        yield simulator


class StoredConnection:
    """The read side of ConnectionService the jobs table needs (get only)."""

    def get(self) -> Connection | None:
        return Connection.get_or_none()


def setup_jobs(context: Any, sim: PxSimulator) -> None:
    """The connection and its default jobs, with Company Sync's upsert key marked."""
    ConnectionService(context.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url)
    mark_upsert_key()


def mark_upsert_key() -> None:
    """Company Sync's id -> PX Account ID mapping as its upsert key (none by default)."""
    FieldMapping.update(is_upsert_key=True).where(
        (FieldMapping.job == Job.get(Job.name == COMPANY_JOB))
        & (FieldMapping.target_field == "PX_Account_ID__gc")).execute()


@pytest.fixture
def engine(context: Any) -> SyncEngine:
    return SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir))


@pytest.fixture
def runner(context: Any, engine: SyncEngine) -> Iterator[JobRunner]:
    job_runner = JobRunner(lambda: engine, context.db)
    yield job_runner
    job_runner.cancel_all_and_wait(10_000)
