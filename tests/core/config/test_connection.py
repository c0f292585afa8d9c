"""ConnectionService: create with its jobs, the key only in the secret store, test, edit, delete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.config.connection import ConnectionService, plain_network_message
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.config.job_service import JobService
from pxdesk.core.errors import ConfigError
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.custom_fields import custom_field
from pxdesk.core.store.models import (
    AuditLog,
    Connection,
    ConnectionLog,
    CustomField,
    ExecutionRun,
    Job,
    JobDependency,
)
from pxdesk.core.store.settings import ADMIN_EMAIL, set_setting
from tests.core.config.conftest import COMPANY_JOB, PERSON_JOB, SECRET_KEY, job


def test_create_makes_the_two_default_jobs(service: ConnectionService, sim: PxSimulator) -> None:
    set_setting(ADMIN_EMAIL, "admin@example.com")
    conn = service.create("PX", SECRET_KEY, base_url=sim.base_url)
    assert conn.base_url == sim.base_url and conn.region is None
    assert [j.name for j in Job.select().order_by(Job.kind)] == [COMPANY_JOB, PERSON_JOB]
    company, person = load_job_config(job(COMPANY_JOB)), load_job_config(job(PERSON_JOB))
    assert [(m.source_path, m.target_object, m.target_field, m.upsert_key)
            for m in company.mappings] == [
        ("name", "company", "Name", False),
        ("numberOfUsers", "company", "Number_of_Users__gc", False),
        ("id", "company", "PX_Account_ID__gc", False),
    ]
    assert company.upsert_keys() == [], "Company Sync has no upsert key by default"
    assert [(m.source_path, m.target_object, m.target_field, m.upsert_key)
            for m in person.mappings] == [
        ("email", "person", "Email", True),
        ("firstName", "person", "FirstName", False),
        ("lastName", "person", "LastName", False),
        ("signUpDate", "company_person", "Sign_up_date__gc", False),
    ]
    (derived,) = person.derived
    assert (derived.target_object, derived.target_field, derived.lookup_object) == (
        "company_person", "Company_ID", "company")
    assert [(p.source_path, p.lookup_field) for p in derived.pairs] == [
        ("accountId", "PX_Account_ID__gc")]
    (condition,) = person.filters.conditions
    assert (condition.field, condition.operator, condition.locked) == (
        "email", "is_not_null", True)
    assert person.dependencies == [COMPANY_JOB] and company.dependencies == []
    assert JobDependency.select().count() == 1
    for config in (company, person):
        assert config.success_recipients == ["admin@example.com"]
        assert config.failure_recipients == ["admin@example.com"]
        assert (config.schedule.kind, config.schedule.every_hours) == ("hourly", 1)
        assert config.schedule.enabled is False, "nothing runs before the admin enables it"
    assert {(f.object, f.api_name, f.field_type) for f in CustomField.select()} == {
        ("company", "PX_Account_ID__gc", "String"),
        ("company", "Number_of_Users__gc", "Number"),
        ("company_person", "Sign_up_date__gc", "Date"),
    }
    creates = AuditLog.select().where(AuditLog.action == "Create")
    assert {a.attribute for a in creates} == {
        "Job Configuration", "Mapping", "Derived Mapping", "Filter", "Schedule"}


def test_only_one_connection(created: ConnectionService, sim: PxSimulator) -> None:
    with pytest.raises(ConfigError, match="Only one PX connection can exist; edit or delete 'PX'"):
        created.create("Other", SECRET_KEY, base_url=sim.base_url)
    assert Connection.select().count() == 1 and Job.select().count() == 2


def _db_bytes(context: Any) -> bytes:
    db_path = Path(context.paths.db_path)
    context.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))


@pytest.mark.sqlite_only("greps the SQLite file and its WAL for the key")
def test_the_key_lives_only_in_the_secret_store(created: ConnectionService,
                                                context: Any) -> None:
    conn = created.get()
    assert conn is not None
    assert conn.key_hint == "****" + SECRET_KEY[-4:]
    assert context.secrets.get(conn.key_ref) == SECRET_KEY
    assert created.api_key() == SECRET_KEY
    created.edit(api_key="sk-live-second-key-99887766")
    logs = list(ConnectionLog.select().where(ConnectionLog.attribute == "API Key"))
    assert [(r.old_value, r.new_value) for r in logs] == [
        (None, "****" + SECRET_KEY[-4:]), ("****" + SECRET_KEY[-4:], "****7766")]
    data = _db_bytes(context)
    assert SECRET_KEY.encode() not in data and b"second-key" not in data
    assert SECRET_KEY not in repr(created) and SECRET_KEY not in repr(conn.__data__)


def test_test_reports_good_and_bad_keys(service: ConnectionService, sim: PxSimulator) -> None:
    good = service.test(SECRET_KEY, base_url=sim.base_url)
    assert good.ok and good.users == 40 and good.message == "Connected: 40 users visible"
    bad = service.test("sk-wrong-key-000000", base_url=sim.base_url)
    assert not bad.ok and bad.users is None
    assert "API key rejected" in bad.message and "wrong-key" not in bad.message
    refused = service.test(SECRET_KEY, base_url="http://127.0.0.1:9/v1")
    assert not refused.ok and refused.message
    invalid = service.test(SECRET_KEY, base_url="http://example.com/v1")
    assert not invalid.ok and "plain http" in invalid.message


def test_test_of_the_saved_connection_is_recorded(created: ConnectionService) -> None:
    result = created.test()
    conn = created.get()
    assert result.ok and conn is not None
    assert conn.last_test_ok and conn.last_test_message == result.message
    assert conn.last_test_at is not None


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"name": "  "}, "name", "Enter a connection name"),
    ({"region": "asia"}, "region", "Unknown PX region"),
    ({"region": None, "base_url": "ftp://x"}, "base_url", "must start with https://"),
    ({"region": None, "base_url": "http://example.com/v1"}, "base_url", "plain http"),
    ({"region": "us", "base_url": "https://x.example/v1"}, "region", "exactly one"),
    ({"api_key": ""}, "api_key", "Enter the PX API key"),
])
def test_create_validation(service: ConnectionService, context: Any, kwargs: dict[str, Any],
                           field: str, message: str) -> None:
    args: dict[str, Any] = {"name": "PX", "api_key": SECRET_KEY, "region": "us"} | kwargs
    with pytest.raises(ConfigError, match=message) as info:
        service.create(args.pop("name"), args.pop("api_key"), **args)
    assert info.value.field == field
    assert Connection.select().count() == 0
    assert not context.paths.secrets_path.exists() or SECRET_KEY not in \
        context.paths.secrets_path.read_text()


def test_the_longest_connection_name_still_makes_valid_job_names(
        service: ConnectionService, sim: PxSimulator) -> None:
    service.create("P" * 60, SECRET_KEY, base_url=sim.base_url)
    jobs = JobService(user="tester")
    for made in jobs.jobs():
        assert len(made.name) <= 80
        assert jobs.validate(made, load_job_config(made)) == []
    with pytest.raises(ConfigError, match="61 characters long: use at most 60"):
        service.edit(name="P" * 61)


def test_create_is_all_or_nothing(service: ConnectionService, context: Any,
                                  sim: PxSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import pxdesk.core.config.connection as module

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ConfigError("boom")

    monkeypatch.setattr(module, "audit_config", broken)
    with pytest.raises(ConfigError, match="boom"):
        service.create("PX", SECRET_KEY, base_url=sim.base_url)
    assert Connection.select().count() == 0 and Job.select().count() == 0
    assert CustomField.select().count() == 0 and ConnectionLog.select().count() == 0
    assert json.loads(context.paths.secrets_path.read_text() or "{}") == {}


def test_edit_logs_each_change(created: ConnectionService) -> None:
    created.edit(region="eu", multi_instance=True)
    conn = created.get()
    assert conn is not None and (conn.region, conn.base_url, conn.multi_instance) == (
        "eu", None, True)
    edits = [(r.attribute, r.new_value) for r in
             ConnectionLog.select().where(ConnectionLog.action == "Edit")]
    assert edits == [("Region / Base URL", "EU"), ("Multi Instance", "True")]
    created.edit(multi_instance=True)  # no change, no row
    assert ConnectionLog.select().where(ConnectionLog.action == "Edit").count() == 2
    with pytest.raises(ConfigError, match="Unknown PX region"):
        created.edit(region="mars")


def test_rename_follows_default_job_names_only(created: ConnectionService,
                                              jobs: Any) -> None:
    company = job(COMPANY_JOB)
    config = load_job_config(company)
    config.name = "My accounts"
    jobs.save(company, config)
    created.edit(name="Prod")
    assert sorted(j.name for j in Job.select()) == ["Company Person Sync_Prod", "My accounts"]
    assert load_job_config(job("Company Person Sync_Prod")).dependencies == ["My accounts"]
    row = ConnectionLog.select().where(ConnectionLog.attribute == "Connection Name").get()
    assert (row.old_value, row.new_value, row.connection_name) == ("PX", "Prod", "Prod")
    renamed = AuditLog.select().where(AuditLog.sub_attribute == "Job Name",
                                      AuditLog.action == "Edit")
    assert [(a.old_value, a.new_value) for a in renamed] == [
        (COMPANY_JOB, "My accounts"), (PERSON_JOB, "Company Person Sync_Prod")]


def test_delete_says_what_it_removes_and_keeps_logs(created: ConnectionService,
                                                    context: Any) -> None:
    ref = created.get().key_ref  # type: ignore[union-attr]
    ExecutionRun.create(job=job(COMPANY_JOB), job_name=COMPANY_JOB, trigger="manual")
    text = created.describe_delete()
    assert "'PX'" in text and COMPANY_JOB in text and PERSON_JOB in text
    assert "1 runs" in text and "stay" in text
    summary = created.delete()
    assert summary.jobs == [COMPANY_JOB, PERSON_JOB] and summary.runs_kept == 1
    assert created.get() is None and Job.select().count() == 0
    run = ExecutionRun.get()
    assert run.job is None and run.job_name == COMPANY_JOB
    assert AuditLog.select().count() > 0 and AuditLog.get().job_name
    assert ConnectionLog.select().where(ConnectionLog.action == "Delete").count() == 1
    assert context.secrets.get(ref) is None
    assert custom_field("company", "PX_Account_ID__gc") is not None, "data fields stay"
    with pytest.raises(ConfigError, match="no PX connection"):
        created.delete()


def test_client_uses_the_saved_connection(created: ConnectionService) -> None:
    with created.client() as client:
        assert client.test_connection() == 40


def test_multi_instance_keeps_the_lookup_and_allows_instance_mappings(
    service: ConnectionService, sim: PxSimulator
) -> None:
    from pxdesk.core.config.job_config import MappingConfig
    from pxdesk.core.config.job_service import JobService

    service.create("PX", SECRET_KEY, base_url=sim.base_url, multi_instance=True)
    (derived,) = load_job_config(job(PERSON_JOB)).derived
    assert (derived.lookup_object, derived.pairs[0].lookup_field) == (
        "company", "PX_Account_ID__gc")
    company = job(COMPANY_JOB)
    config = load_job_config(company)
    config.mappings.append(MappingConfig("name", "STRING", "company_instance", "Name", "String"))
    assert JobService(user="t").validate(company, config) == []
    service.edit(multi_instance=False)
    issues = JobService(user="t").validate(company, config)
    assert [i.field for i in issues] == ["mappings[3].target_field"]


def test_the_connection_log_refuses_an_unmasked_key(context: Any) -> None:
    from pxdesk.core.logs.connection_log import log_connection_change

    with pytest.raises(ValueError, match="masked"):
        log_connection_change("PX", "t", "Edit", "API Key", None, SECRET_KEY)
    assert ConnectionLog.select().count() == 0


@pytest.mark.parametrize(("client_text", "plain"), [
    ("Cannot reach PX at px.example: connection failed ([Errno -2] Name or service not known) "
     "(after 2 attempts). Check the network and the region",
     "Cannot reach PX at px.example: the host name is unknown (check the base URL) (after 2 "
     "attempts). Check the network and the region"),
    ("Cannot reach PX at 127.0.0.1: connection failed ([Errno 111] Connection refused) (after 1 "
     "attempt). Check the network and the region",
     "Cannot reach PX at 127.0.0.1: the connection was refused (nothing answers on that port) "
     "(after 1 attempt). Check the network and the region"),
    ("Cannot reach PX at h: connection failed ([WinError 10065] Odd thing) (after 1 attempt)",
     "Cannot reach PX at h: the connection failed (Odd thing) (after 1 attempt)"),
    ("Cannot reach PX at h: no answer within 15 s (timeout) (after 2 attempts)",
     "Cannot reach PX at h: no answer within 15 s (timeout) (after 2 attempts)"),
])
def test_a_network_failure_reads_without_the_os_error_number(client_text: str, plain: str) -> None:
    assert plain_network_message(client_text) == plain
