"""Company Person Sync keeps each user's activity and a daily snapshot, whatever it maps."""

from __future__ import annotations

from typing import Any

from pxdesk.core.adoption.figures import utc_day
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import CompanyPerson, Job, RunStatus
from pxdesk.core.store.sync_state import AdoptionSnapshot, SourceLink, UserActivity
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB, FakeClock


def _links() -> dict[str, SourceLink]:
    job = Job.get(Job.name == PERSON_JOB)
    return {link.source_id: link for link in SourceLink.select().where(SourceLink.job == job)}


def _date(value: Any) -> int | None:
    return value if value else None


def test_every_written_user_has_its_activity_from_the_px_record(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    result = clocked_engine.run_job(PERSON_JOB)
    assert result.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS), result.reason
    links = _links()
    activity = {a.px_user_id: a for a in UserActivity.select()}
    assert set(activity) == set(links) and len(activity) > 100
    never = 0
    for uid, row in activity.items():
        record = sim.get_user(uid)
        assert row.account_id == record["accountId"]
        assert row.last_seen_date == _date(record["lastSeenDate"])
        assert row.sign_up_date == _date(record["signUpDate"])
        assert row.first_visit_date == _date(record["firstVisitDate"])
        assert row.number_of_visits == record["numberOfVisits"]
        link = links[uid]
        expected = CompanyPerson.get_by_id(link.gsid).company_id \
            if link.target_object == "company_person" else None
        assert row.company_gsid == expected
        never += record["lastSeenDate"] == 0
    assert never > 0, "the simulator has users never seen (lastSeenDate 0)"
    assert any(row.company_gsid is not None for row in activity.values())

    snapshot = AdoptionSnapshot.get(AdoptionSnapshot.day == utc_day(clock.now).isoformat(),
                                    AdoptionSnapshot.company_gsid == "")
    assert snapshot.users == len(activity)


def test_a_changed_user_is_updated_in_place(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    clocked_engine.run_job(PERSON_JOB)
    uid = next(iter(_links()))
    count = UserActivity.select().count()
    changed = clock.advance()
    sim.update_user(uid, lastSeenDate=changed - 5_000, numberOfVisits=777,
                    lastModifiedDate=changed)
    clock.advance()
    clocked_engine.run_job(PERSON_JOB)
    row = UserActivity.get_by_id(uid)
    assert (row.last_seen_date, row.number_of_visits) == (changed - 5_000, 777)
    assert UserActivity.select().count() == count


def test_users_gone_from_px_leave_the_activity(
        connect, engine: SyncEngine, sim: PxSimulator) -> None:
    connect()
    engine.run_job(COMPANY_JOB)
    engine.run_job(PERSON_JOB)
    gone = sorted(_links())[:3]
    for uid in gone:
        sim.delete_user(uid)
    result = engine.run_job(PERSON_JOB, reconcile=True)
    assert result.counts.deleted == 3
    assert not UserActivity.select().where(UserActivity.px_user_id.in_(gone)).exists()
    assert UserActivity.select().count() == len(_links())


def test_company_sync_keeps_no_activity(connect, engine: SyncEngine) -> None:
    connect()
    engine.run_job(COMPANY_JOB)
    assert UserActivity.select().count() == 0 and AdoptionSnapshot.select().count() == 0
