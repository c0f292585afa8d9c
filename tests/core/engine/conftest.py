"""Engine fixtures: a small simulator, a connection with its two jobs, and a SyncEngine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.data import FIXED_ANCHOR_MS
from pxdesk.core.store.models import (
    FieldMapping,
    Job,
)
from pxdesk.core.sync.engine import SyncEngine

ACCOUNTS = 30
USERS = 300
COMPANY_JOB = "Company Sync_PX"
PERSON_JOB = "Company Person Sync_PX"


@pytest.fixture
def sim() -> Iterator[PxSimulator]:
    # anchored before FakeClock's start, whatever day the tests run on
    with PxSimulator(accounts=ACCOUNTS, users=USERS, anchor_ms=FIXED_ANCHOR_MS) as simulator:
        yield simulator


def _create_connection(context: Any, sim: PxSimulator, multi_instance: bool) -> None:
    """The connection and its two default jobs, exactly as the admin gets them."""
    ConnectionService(context.secrets, user="tester").create(
        "PX", sim.api_key, base_url=sim.base_url, multi_instance=multi_instance)


def mark_upsert_key(job_name: str = COMPANY_JOB, field: str = "PX_Account_ID__gc") -> None:
    job = Job.get(Job.name == job_name)
    FieldMapping.update(is_upsert_key=True).where(
        (FieldMapping.job == job) & (FieldMapping.target_field == field)).execute()


@pytest.fixture
def connect(context: Any, sim: PxSimulator):  # type: ignore[no-untyped-def]
    """connect(multi_instance=False, upsert_key=True): create the connection and its jobs."""

    def make(multi_instance: bool = False, upsert_key: bool = True) -> None:
        _create_connection(context, sim, multi_instance)
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
