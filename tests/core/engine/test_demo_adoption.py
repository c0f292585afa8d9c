"""The demo: a fresh sync from the embedded simulator shows active users on the Adoption tab."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from pxdesk.core.adoption.figures import overview, utc_day
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import RunStatus
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB

# The simulator's clock: the demo's is the wall clock, so its data is anchored at "now".
NOW = int(datetime(2026, 6, 15, 9, 30, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def sim() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=40, users=1500, clock=lambda: NOW) as simulator:
        yield simulator


def test_a_fresh_demo_sync_has_active_users(
        connect: Any, engine: SyncEngine, context: Any) -> None:
    connect()
    engine.run_job(COMPANY_JOB)
    result = engine.run_job(PERSON_JOB)
    assert result.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS), result.reason
    figures = overview(context.db, utc_day(NOW)).figures
    assert figures.users > 1000
    assert 0 < figures.active_1 < figures.active_7 < figures.active_30 < figures.users
    assert figures.stickiness is not None and 0.05 < figures.stickiness < 0.5
    assert sum(w.sign_ups for w in overview(context.db, utc_day(NOW)).sign_ups) > 0
