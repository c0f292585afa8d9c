"""Retry of failed rows: a record that failed is fetched again by id on the next runs, even
when PX did not change it, until it goes through or has failed the retry limit."""

from __future__ import annotations

from typing import Any

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import CompanyPerson, ExecutionRun, Person, RunStatus
from pxdesk.core.store.settings import RETRY_MAX_ATTEMPTS, set_setting
from pxdesk.core.store.sync_state import RetryRecord
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import PERSON_JOB, FakeClock

NEW_USER = "user-late-company"


def _orphan(sim: PxSimulator, clock: FakeClock, account: str = "acct-late") -> None:
    """A user of an account PX does not have yet (its Company ID lookup finds nothing),
    changed with one that goes through: the run is a Partial Success and its window moves.
    Both changed well before the run (beyond the window's look-back), so the next runs'
    listings no longer bring them: only a retry by id can."""
    changed = clock.now
    clock.advance(600_000)
    sim.add_user({"identifyId": NEW_USER, "email": "late@example.com", "firstName": "Late",
                  "accountId": account, "lastModifiedDate": changed})
    good = next(uid for uid in sim.user_ids() if sim.get_user(uid).get("email")
                and sim.get_user(uid).get("accountId") and uid not in _retry_ids())
    sim.update_user(good, firstName="Touched", lastModifiedDate=changed)


def _retry_ids() -> set[str]:
    return {r.source_id for r in RetryRecord.select()}


def _user_fetches(sim: PxSimulator) -> list[Any]:
    return [r for r in sim.requests if r.path == f"/v1/users/{NEW_USER}"]


def test_a_failed_row_goes_through_once_its_company_arrives_without_px_changing_it(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    first = clocked_engine.run_job(PERSON_JOB)
    already = _retry_ids()  # the simulator's own bad users (no email, no account...)
    assert len(already) == first.counts.failure
    clock.advance()
    _orphan(sim, clock)
    failed = clocked_engine.run_job(PERSON_JOB)
    assert failed.status == RunStatus.PARTIAL_SUCCESS
    assert _retry_ids() == already | {NEW_USER}

    clock.advance(3_600_000)  # the user is long out of the window: only a retry reads it
    sim.add_account({"id": "acct-late", "name": "Late Arrival Ltd",
                     "lastModifiedDate": clock.now - 1_000})
    sim.clear_requests()
    result = clocked_engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.PARTIAL_SUCCESS, "the others still fail"
    assert result.counts.retried == len(already) + 1
    assert len(_user_fetches(sim)) == 1, "fetched once, by id"
    person = Person.get(Person.email == "late@example.com")
    assert CompanyPerson.select().where(CompanyPerson.person == person).count() == 1
    assert _retry_ids() == already
    assert (f"fetched again {len(already) + 1} records that failed before: 1 went through, "
            f"{len(already)} still failing") in (result.reason or "")
    assert ExecutionRun.get_by_id(result.run_id).retried_count == len(already) + 1


def test_a_row_that_keeps_failing_stops_being_fetched_after_the_retry_limit(
        connect, context: Any, clocked_engine: SyncEngine, clock: FakeClock,
        sim: PxSimulator) -> None:
    connect()
    set_setting(RETRY_MAX_ATTEMPTS, 2)
    clocked_engine.run_job(PERSON_JOB)
    clock.advance()
    _orphan(sim, clock, account="acct-never")
    clocked_engine.run_job(PERSON_JOB)  # attempt 1
    reasons = []
    for _ in range(3):
        clock.advance(3_600_000)
        reasons.append(clocked_engine.run_job(PERSON_JOB).reason or "")
    assert len(_user_fetches(sim)) == 1, "attempt 2 only: then it waits for PX to change it"
    assert "still failing" in reasons[0] and "fetched again" not in reasons[1]
    assert RetryRecord.get(RetryRecord.source_id == NEW_USER).attempts == 2


def test_a_failed_row_gone_from_px_leaves_the_retry_list(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(PERSON_JOB)
    clock.advance()
    _orphan(sim, clock)
    clocked_engine.run_job(PERSON_JOB)
    sim.delete_user(NEW_USER)
    clock.advance(3_600_000)
    result = clocked_engine.run_job(PERSON_JOB)
    assert "1 records that failed before are no longer in PX" in (result.reason or "")
    assert NEW_USER not in _retry_ids()


def test_a_failed_row_in_the_listing_again_is_not_fetched_twice(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(PERSON_JOB)
    clock.advance()
    _orphan(sim, clock)
    clocked_engine.run_job(PERSON_JOB)
    clock.advance()
    sim.update_user(NEW_USER, firstName="Changed", lastModifiedDate=clock.now - 500)
    sim.clear_requests()
    result = clocked_engine.run_job(PERSON_JOB)
    assert _user_fetches(sim) == [], "read in the listing: not fetched again by id"
    assert RetryRecord.get(RetryRecord.source_id == NEW_USER).attempts == 2
    assert result.counts.retried == len(_retry_ids()) - 1
