"""Deletions: a reconcile lists every id PX has and marks (or deletes) the rows of the records
PX no longer has; one that cannot list everything changes nothing and says so."""

from __future__ import annotations

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.faults import Fault
from pxdesk.core.store.enums import DeletionPolicy
from pxdesk.core.store.models import Company, CompanyPerson, ExecutionRun, Job, Person, RunStatus
from pxdesk.core.store.sync_state import SourceLink
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB, FakeClock


def _links(job_name: str) -> dict[str, SourceLink]:
    job = Job.get(Job.name == job_name)
    return {link.source_id: link for link in SourceLink.select().where(SourceLink.job == job)}


def _marked(model: type[Company] | type[Person] | type[CompanyPerson]) -> set[str]:
    return {row.gsid for row in model.select().where(model.deleted_in_px_at.is_null(False))}


def test_accounts_deleted_in_px_are_marked_on_their_companies(
        connect, engine: SyncEngine, sim: PxSimulator) -> None:
    connect()
    engine.run_job(COMPANY_JOB)
    links = _links(COMPANY_JOB)
    assert len(links) == ACCOUNTS, "every written account is linked to its Company"
    gone = ["acct-000003", "acct-000007", "acct-000011"]
    for account in gone:
        sim.delete_account(account)
    result = engine.run_job(COMPANY_JOB, reconcile=True)
    assert result.status == RunStatus.SUCCESS, result.reason
    assert result.counts.deleted == 3
    assert ExecutionRun.get_by_id(result.run_id).deleted_count == 3
    assert _marked(Company) == {links[a].gsid for a in gone}
    assert Company.select().count() == ACCOUNTS, "kept: the default policy only marks"
    assert "3 accounts are no longer in PX: 3 marked deleted in PX" in (result.reason or "")
    assert set(_links(COMPANY_JOB)) == set(links) - set(gone)
    again = engine.run_job(COMPANY_JOB, reconcile=True)
    assert again.counts.deleted == 0 and _marked(Company) == {links[a].gsid for a in gone}


def test_a_record_back_in_px_loses_its_mark(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    record = sim.get_account("acct-000004")
    sim.delete_account("acct-000004")
    clock.advance()
    clocked_engine.run_job(COMPANY_JOB, reconcile=True)
    assert len(_marked(Company)) == 1
    clock.advance()
    sim.add_account({**record, "lastModifiedDate": clock.now - 1_000})
    clock.advance()
    clocked_engine.run_job(COMPANY_JOB)
    assert _marked(Company) == set()


def test_users_deleted_in_px_are_deleted_under_the_delete_policy(
        connect, engine: SyncEngine, sim: PxSimulator) -> None:
    connect()
    engine.run_job(PERSON_JOB)
    links = _links(PERSON_JOB)
    gone = sorted(sid for sid, link in links.items() if link.target_object == "company_person")[:4]
    persons = {links[sid].person_gsid for sid in gone}
    shared = {p for p in persons if sum(link.person_gsid == p for link in links.values()) > 1}
    Job.update(deletion_policy=DeletionPolicy.DELETE).where(Job.name == PERSON_JOB).execute()
    people, memberships = Person.select().count(), CompanyPerson.select().count()
    for uid in gone:
        sim.delete_user(uid)
    result = engine.run_job(PERSON_JOB, reconcile=True)
    assert result.counts.deleted == 4
    assert CompanyPerson.select().count() == memberships - 4
    assert not CompanyPerson.select().where(
        CompanyPerson.gsid.in_([links[sid].gsid for sid in gone])).exists()
    assert Person.select().count() == people - len(persons - shared)
    assert _marked(Person) == set() and _marked(CompanyPerson) == set()


def test_a_reconcile_that_cannot_list_everything_changes_nothing(
        connect, engine: SyncEngine, sim: PxSimulator) -> None:
    connect()
    engine.run_job(COMPANY_JOB)
    reconciled_at = Job.get(Job.name == COMPANY_JOB).reconciled_at
    sim.delete_account("acct-000005")
    # the run's own listing passes; the reconcile's listing misses 3 live accounts
    sim.inject(Fault("vanish", count=3, path="/v1/accounts", every=2, times=2))
    result = engine.run_job(COMPANY_JOB, reconcile=True)
    assert result.status == RunStatus.PARTIAL_SUCCESS
    assert (result.reason or "").startswith("could not check for records deleted in PX")
    assert result.counts.deleted == 0 and _marked(Company) == set()
    assert len(_links(COMPANY_JOB)) == ACCOUNTS
    assert Job.get(Job.name == COMPANY_JOB).reconciled_at == reconciled_at


def test_a_reconcile_comes_by_itself_once_the_jobs_interval_has_passed(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(COMPANY_JOB)  # the first run starts the interval
    sim.delete_account("acct-000009")
    clock.advance(6 * 86_400_000)
    assert clocked_engine.run_job(COMPANY_JOB).counts.deleted == 0, "not due yet"
    clock.advance(86_400_000)
    assert clocked_engine.run_job(COMPANY_JOB).counts.deleted == 1, "due after 7 days"
    Job.update(reconcile_days=0).where(Job.name == COMPANY_JOB).execute()
    sim.delete_account("acct-000010")
    clock.advance(30 * 86_400_000)
    assert clocked_engine.run_job(COMPANY_JOB).counts.deleted == 0, "0 days: on demand only"
