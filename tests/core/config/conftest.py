"""Config fixtures: a small simulator with a distinctive key, and a created connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_service import JobService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Job

SECRET_KEY = "sk-live-7f3a9c2e41d84b6f"  # distinctive, so byte searches cannot hit by chance
COMPANY_JOB = "Company Sync_PX"
PERSON_JOB = "Company Person Sync_PX"


@pytest.fixture(scope="module")
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=5, users=40, api_key=SECRET_KEY) as simulator:
        yield simulator


@pytest.fixture
def service(context: Any) -> ConnectionService:
    return ConnectionService(context.secrets, user="tester")


@pytest.fixture
def created(service: ConnectionService, sim: PxSimulator) -> ConnectionService:
    service.create("PX", SECRET_KEY, base_url=sim.base_url)
    return service


@pytest.fixture
def jobs(created: ConnectionService) -> JobService:
    return JobService(user="tester")


def job(name: str) -> Job:
    return Job.get(Job.name == name)
