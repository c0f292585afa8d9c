"""Identity that survives key changes: a PX record keeps the row it wrote when its key value
(a user's email, an account's upsert key) changes in PX; a clash is a conflict, never a merge."""

from __future__ import annotations

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.enums import AuditAttribute
from pxdesk.core.store.models import (
    AuditLog,
    Company,
    CompanyPerson,
    FieldMapping,
    Job,
    Person,
    RecordError,
)
from pxdesk.core.store.sync_state import SourceLink
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB, FakeClock, mark_upsert_key


def _written_users(count: int) -> list[SourceLink]:
    job = Job.get(Job.name == PERSON_JOB)
    return list(SourceLink.select().where((SourceLink.job == job)
                                          & (SourceLink.target_object == "company_person"))
                .order_by(SourceLink.source_id).limit(count))


def test_users_whose_email_changed_keep_their_person(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(PERSON_JOB)
    people, memberships = Person.select().count(), CompanyPerson.select().count()
    links = _written_users(5)
    for i, link in enumerate(links):
        sim.update_user(link.source_id, email=f"renamed-{i}@example.org",
                        lastModifiedDate=clock.now + 1)
    clock.advance()
    result = clocked_engine.run_job(PERSON_JOB)
    assert Person.select().count() == people, "no second Person for a changed email"
    assert CompanyPerson.select().count() == memberships
    for i, link in enumerate(links):
        assert Person.get_by_id(link.person_gsid).email == f"renamed-{i}@example.org"
    audits = list(AuditLog.select().where(AuditLog.attribute == AuditAttribute.RECORD))
    assert len(audits) == 5
    assert {a.new_value for a in audits} == {f"renamed-{i}@example.org" for i in range(5)}
    assert all(a.old_value and "@" in a.old_value and a.sub_attribute == "Person: Email"
               for a in audits)
    assert result.counts.updated >= 5


def test_a_user_taking_another_persons_email_is_a_conflict_with_both_ids(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(PERSON_JOB)
    first, second = _written_users(2)
    taken = Person.get_by_id(second.person_gsid).email
    before = Person.get_by_id(first.person_gsid).email
    sim.update_user(first.source_id, email=taken, lastModifiedDate=clock.now + 1)
    clock.advance()
    result = clocked_engine.run_job(PERSON_JOB)
    error = RecordError.get((RecordError.run == result.run_id)
                            & (RecordError.source_id == first.source_id))
    assert "conflict" in error.reason and second.source_id in error.reason
    assert Person.get_by_id(first.person_gsid).email == before, "nothing of it written"


def test_an_account_whose_upsert_key_changed_keeps_its_company(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect(upsert_key=False)
    job = Job.get(Job.name == COMPANY_JOB)
    FieldMapping.create(job=job, position=9, source_path="sfdcId", target_object="company",
                        target_field="Industry", target_type="String")
    mark_upsert_key(COMPANY_JOB, "Industry")  # an upsert key that can change in PX
    for i, account in enumerate(sim.account_ids()):
        sim.update_account(account, sfdcId=f"SF-{i}", lastModifiedDate=clock.now - 1_000)
    clocked_engine.run_job(COMPANY_JOB)
    companies = Company.select().count()
    sim.update_account("acct-000004", sfdcId="SF-NEW", lastModifiedDate=clock.now + 1)
    clock.advance()
    clocked_engine.run_job(COMPANY_JOB)
    assert Company.select().count() == companies
    assert Company.get(Company.industry == "SF-NEW")
    assert AuditLog.select().where(AuditLog.attribute == AuditAttribute.RECORD).count() == 1
