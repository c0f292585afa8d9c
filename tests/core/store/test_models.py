"""Constraints of the schema: uniqueness, CHECKs, cascades and SET NULL."""

from __future__ import annotations

import pytest
from peewee import DataError, IntegrityError, SqliteDatabase

from pxdesk.core.store.models import (
    Company,
    CompanyPerson,
    Connection,
    DerivedMapping,
    ExecutionRun,
    FieldMapping,
    FieldType,
    Job,
    JobDependency,
    JobFilter,
    JobKind,
    Person,
    RecordError,
    RequestLog,
    RunStatus,
    Schedule,
    SourceObject,
    TargetObject,
    Trigger,
)


def _connection(name: str = "Prod") -> Connection:
    return Connection.create(name=name, key_ref="pxdesk:prod", key_hint="****abcd")


def _job(conn: Connection, kind: JobKind = JobKind.COMPANY, name: str | None = None) -> Job:
    return Job.create(
        connection=conn, kind=kind, name=name or f"{kind} Sync_{conn.name}",
        source_object=SourceObject.ACCOUNT if kind == JobKind.COMPANY else SourceObject.USER,
        target_object=kind,
    )


def _mapping(job: Job, field: str = "Name") -> FieldMapping:
    return FieldMapping.create(
        job=job, source_path="name", target_object=TargetObject.COMPANY, target_field=field,
        target_type=FieldType.STRING,
    )


def test_only_one_connection(store_db: SqliteDatabase) -> None:
    _connection()
    with pytest.raises(IntegrityError):
        _connection("Second")
    with pytest.raises(IntegrityError):
        Connection.create(name="x", key_ref="r", singleton=2)


def test_job_name_unique(store_db: SqliteDatabase) -> None:
    conn = _connection()
    _job(conn, JobKind.COMPANY, name="Sync")
    with pytest.raises(IntegrityError):
        _job(conn, JobKind.COMPANY_PERSON, name="Sync")


def test_enum_columns_are_checked(store_db: SqliteDatabase) -> None:
    job = _job(_connection())
    with pytest.raises(IntegrityError):
        ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.MANUAL, status="Done")
    with pytest.raises(IntegrityError):
        Job.update(modification_type="insert").where(Job.id == job.id).execute()
    run = ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.SCHEDULED)
    assert ExecutionRun.get_by_id(run.id).status == RunStatus.QUEUED


def test_dependency_pair_unique_and_not_self(store_db: SqliteDatabase) -> None:
    conn = _connection()
    company, person = _job(conn), _job(conn, JobKind.COMPANY_PERSON)
    JobDependency.create(job=person, depends_on=company)
    with pytest.raises(IntegrityError):
        JobDependency.create(job=person, depends_on=company, position=1)
    with pytest.raises(IntegrityError):
        JobDependency.create(job=company, depends_on=company)


def test_company_person_pair_unique(store_db: SqliteDatabase) -> None:
    company, person = Company.create(name="Acme"), Person.create(email="a@acme.test")
    CompanyPerson.create(person=person, company=company)
    with pytest.raises(IntegrityError):
        CompanyPerson.create(person=person, company=company)
    assert len(company.gsid) == 36


def test_custom_must_be_json(store_db: SqliteDatabase) -> None:
    with pytest.raises((IntegrityError, DataError)):  # a CHECK on SQLite, JSONB's type on PG
        Company.create(name="Acme", custom="{not json")
    store_db.execute_sql(
        "INSERT INTO company (gsid, created_at, modified_at, created_by, modified_by, name)"
        " VALUES ('00000000-0000-0000-0000-000000000009', 1, 1, '', '', 'Raw')"
    )
    assert Company.get(Company.name == "Raw").custom == "{}"  # SQL default for raw inserts


def test_deleting_connection_cascades_to_jobs_and_their_config(store_db: SqliteDatabase) -> None:
    conn = _connection()
    company, person = _job(conn), _job(conn, JobKind.COMPANY_PERSON)
    _mapping(company)
    DerivedMapping.create(
        job=person, target_object=TargetObject.COMPANY_PERSON, target_field="Company_ID",
        lookup_object="company",
    )
    JobFilter.create(job=person, conditions="[]")
    Schedule.create(job=company)
    JobDependency.create(job=person, depends_on=company)
    run = ExecutionRun.create(job=company, job_name=company.name, trigger=Trigger.MANUAL)

    conn.delete_instance()

    for model in (Job, FieldMapping, DerivedMapping, JobFilter, Schedule, JobDependency):
        assert model.select().count() == 0, model.__name__
    kept = ExecutionRun.get_by_id(run.id)  # the log survives, detached from the job
    assert kept.job_id is None
    assert kept.job_name == company.name


def test_deleting_run_cascades_to_errors_and_requests(store_db: SqliteDatabase) -> None:
    run = ExecutionRun.create(job=None, job_name="J", trigger=Trigger.MANUAL)
    other = ExecutionRun.create(job=None, job_name="J", trigger=Trigger.MANUAL)
    RecordError.create(run=run, source_id="a1", reason="bad email")
    RecordError.create(run=other, source_id="a2", reason="bad email")
    RequestLog.create(run=run, method="GET", url="/v1/accounts", status=200)

    run.delete_instance()

    assert [e.source_id for e in RecordError.select()] == ["a2"]
    assert RequestLog.select().count() == 0


def test_deleting_company_removes_its_links(store_db: SqliteDatabase) -> None:
    parent, company = Company.create(name="Parent"), Company.create(name="Child")
    Company.update(parent_company=parent).where(Company.gsid == company.gsid).execute()
    CompanyPerson.create(person=Person.create(email="a@x.test"), company=parent)

    parent.delete_instance()

    assert CompanyPerson.select().count() == 0
    assert Company.get_by_id(company.gsid).parent_company_id is None
    assert Person.select().count() == 1
