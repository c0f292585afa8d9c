"""Record lineage: the run that last wrote a row, its PX record, its field changes."""

from __future__ import annotations

from pxdesk.core.logs.queries import EXECUTION, LogFilter, log_query
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.base import database
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.store.lineage import ROW_CHANGE_LIMIT, pack_record, record_lineage, unpack_record
from pxdesk.core.store.models import Company, CompanyPerson, Job, Person, RunStatus
from pxdesk.core.store.sync_state import RowChange, SourceLink, SourceRecord
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB, FakeClock

USER = "user-0000003"


def _person_link() -> SourceLink:
    job = Job.get(Job.name == PERSON_JOB)
    return SourceLink.get((SourceLink.job == job) & (SourceLink.source_id == USER))


def test_lineage_names_the_run_the_execution_log_shows_after_a_changed_field(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    first = clocked_engine.run_job(PERSON_JOB)
    assert first.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS), first.reason
    link = _person_link()
    person = Person.get_by_id(link.person_gsid)
    old_name = person.first_name
    clock.advance()
    sim.update_user(USER, firstName="Renamed", lastModifiedDate=clock.now - 1000)
    clock.advance()
    second = clocked_engine.run_job(PERSON_JOB)
    assert second.counts.updated == 1, second.reason

    logged = [run.id for run in log_query(EXECUTION, LogFilter(job_name=PERSON_JOB))]
    assert logged[0] == second.run_id and first.run_id in logged

    lineage = record_lineage(database(), TargetObject.PERSON, person.gsid)
    assert lineage.last_run_id == second.run_id
    (source,) = lineage.sources
    assert (source.job_name, source.source_id, source.run_id) == (PERSON_JOB, USER,
                                                                  second.run_id)
    assert source.run_status == second.status
    assert source.record == sim.get_user(USER)  # as the last run received it
    (change,) = lineage.changes
    assert (change.run_id, change.field, change.old, change.new) == (
        second.run_id, "First Name", old_name, "Renamed")

    # The Company Person row: the same user and run, no field of its own changed.
    cp = CompanyPerson.get_by_id(link.gsid)
    cp_lineage = record_lineage(database(), TargetObject.COMPANY_PERSON, cp.gsid)
    assert cp_lineage.last_run_id == second.run_id and cp_lineage.changes == []
    # A Company: written by the Company Sync run, never changed since.
    company = Company.get_by_id(cp.company_id)
    company_lineage = record_lineage(database(), TargetObject.COMPANY, company.gsid)
    assert company_lineage.sources[0].job_name == COMPANY_JOB
    assert company_lineage.sources[0].record["id"] == company_lineage.sources[0].source_id


def test_one_kept_record_per_link_and_bounded_changes(
        connect, clocked_engine: SyncEngine, clock: FakeClock, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    clocked_engine.run_job(PERSON_JOB)
    assert SourceRecord.select().count() == SourceLink.select().count()
    person_gsid = _person_link().person_gsid
    for i in range(3):
        clock.advance()
        sim.update_user(USER, firstName=f"Name {i}", lastModifiedDate=clock.now - 1000)
        clock.advance()
        clocked_engine.run_job(PERSON_JOB)
    assert SourceRecord.select().count() == SourceLink.select().count()
    assert RowChange.select().where(RowChange.gsid == person_gsid).count() == 3
    RowChange.insert_many([{"gsid": person_gsid, "run_id": 1, "at": 1,
                            "target_object": "person", "field": "first_name",
                            "old_value": "a", "new_value": "b"}] * ROW_CHANGE_LIMIT).execute()
    clock.advance()
    sim.update_user(USER, firstName="Last", lastModifiedDate=clock.now - 1000)
    clock.advance()
    clocked_engine.run_job(PERSON_JOB)
    kept = RowChange.select().where(RowChange.gsid == person_gsid)
    assert kept.count() == ROW_CHANGE_LIMIT
    assert kept.order_by(RowChange.id.desc()).first().new_value == "Last"


def test_a_reconcile_drops_the_kept_record_with_its_link(
        connect, clocked_engine: SyncEngine, sim: PxSimulator) -> None:
    connect()
    clocked_engine.run_job(COMPANY_JOB)
    clocked_engine.run_job(PERSON_JOB)
    sim.delete_user(USER)
    clocked_engine.run_job(PERSON_JOB, reconcile=True)
    job = Job.get(Job.name == PERSON_JOB)
    assert not SourceRecord.select().where((SourceRecord.job == job)
                                           & (SourceRecord.source_id == USER)).exists()
    assert SourceRecord.select().count() == SourceLink.select().count()


def test_records_pack_and_unpack_whatever_json_holds() -> None:
    record = {"id": "u1", "big": 2**70, "text": "caf\u00e9 \ud800", "nested": {"a": [1, None]}}
    assert unpack_record(pack_record(record)) == {**record, "text": "caf\u00e9 \ud800"}
    small = {"identifyId": "user-1", "email": "a@example.org"}
    assert unpack_record(pack_record(small)) == small
