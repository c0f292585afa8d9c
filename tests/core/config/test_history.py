"""Config history: versions of a job and of the connection, their diff, and restore."""

from __future__ import annotations

import dataclasses

import pytest

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_config import ScheduleConfig, load_job_config
from pxdesk.core.config.job_service import JobService
from pxdesk.core.errors import ConfigError
from pxdesk.core.store.config_versions import ConfigVersion
from pxdesk.core.store.models import AuditLog, ConnectionLog, FieldMapping
from tests.core.config.conftest import COMPANY_JOB, SECRET_KEY, job


def _save_keyed_weekly(jobs: JobService) -> None:
    j = job(COMPANY_JOB)
    config = load_job_config(j)
    config.mappings = [dataclasses.replace(m, upsert_key=m.target_field == "PX_Account_ID__gc")
                       for m in config.mappings]
    config.schedule = ScheduleConfig(enabled=True, kind="weekly", time="08:30", days=[0, 2],
                                     timezone="America/New_York")
    jobs.save(j, config)


def test_restoring_a_version_reproduces_its_export_exactly(jobs: JobService) -> None:
    created = jobs.export_json(COMPANY_JOB)
    _save_keyed_weekly(jobs)
    edited = jobs.export_json(COMPANY_JOB)
    assert edited != created

    history = jobs.history(COMPANY_JOB)
    assert [(v.number, v.action) for v in history] == [(2, "Edit"), (1, "Create")]
    assert history[1].config == created and history[0].config == edited
    assert history[0].user == "tester"
    assert history[0].summary == "6 changes: Mapping, Schedule (5)"

    restored = jobs.restore(COMPANY_JOB, 1)
    assert restored is not None and restored.number == 3 and restored.action == "Restore"
    assert jobs.export_json(COMPANY_JOB) == created
    assert restored.config == created
    assert restored.summary.startswith("restored version 1; 6 changes")
    # The restore is audited like any save, and every row names its version.
    rows = list(AuditLog.select().where(AuditLog.additional_info.startswith("Version 3: ")))
    assert len(rows) == 6 and {r.user for r in rows} == {"tester"}
    assert jobs.restore(COMPANY_JOB, 1) is None  # already current: nothing written
    assert len(jobs.history(COMPANY_JOB)) == 3


def test_every_audit_row_carries_its_version(jobs: JobService) -> None:
    _save_keyed_weekly(jobs)
    infos = {r.additional_info for r in AuditLog.select().where(AuditLog.job_name == COMPANY_JOB)}
    assert None not in infos
    assert any(i.startswith("Version 1: ") for i in infos)
    assert "Version 2: 6 changes: Mapping, Schedule (5)" in infos


def test_diff_of_two_versions(jobs: JobService) -> None:
    _save_keyed_weekly(jobs)
    lines = jobs.diff(COMPANY_JOB, 1, 2)
    assert lines[:2] == ["--- version 1", "+++ version 2"]
    assert '-    "kind": "hourly",' in lines and '+    "kind": "weekly",' in lines
    assert jobs.diff(COMPANY_JOB, 2, 2) == []
    with pytest.raises(ConfigError, match="has no version 9 \\(versions: 1 to 2\\)"):
        jobs.diff(COMPANY_JOB, 1, 9)


def test_a_job_saved_before_history_began_gets_a_baseline(jobs: JobService) -> None:
    ConfigVersion.delete().execute()  # as after migration 7 on an existing store
    before = jobs.export_json(COMPANY_JOB)
    _save_keyed_weekly(jobs)
    baseline, = (v for v in jobs.history(COMPANY_JOB) if v.action == "Baseline")
    assert baseline.number == 1 and baseline.config == before
    jobs.restore(COMPANY_JOB, 1)
    assert jobs.export_json(COMPANY_JOB) == before


def test_restore_is_validated_like_a_save(jobs: JobService) -> None:
    _save_keyed_weekly(jobs)  # version 2 has an enabled schedule: needs the upsert key
    j = job(COMPANY_JOB)
    FieldMapping.update(is_upsert_key=False).where(FieldMapping.job == j).execute()
    config = load_job_config(j)
    config.schedule = dataclasses.replace(config.schedule, enabled=False)
    jobs.save(j, config)
    version = jobs.history(COMPANY_JOB)[0].number
    stored = ConfigVersion.get((ConfigVersion.job == j) & (ConfigVersion.number == 2))
    stored.config = stored.config.replace('"upsert_key": true', '"upsert_key": false')
    stored.save()
    with pytest.raises(ConfigError, match="upsert key"):
        jobs.restore(COMPANY_JOB, 2)
    assert jobs.history(COMPANY_JOB)[0].number == version


def test_connection_versions_diff_and_restore(created: ConnectionService) -> None:
    created.edit(name="Acme", multi_instance=True)
    created.edit(api_key="sk-live-another-key-0000")  # the key is in no version
    history = created.history()
    assert [(v.number, v.action, v.summary) for v in history] == [
        (2, "Edit", "2 changes: Connection Name, Multi Instance"), (1, "Create", "created")]
    assert all(SECRET_KEY not in v.config and "another" not in v.config for v in history)
    assert '+  "name": "Acme",' in created.diff(1, 2)
    assert job("Company Sync_Acme")  # the default job names followed the rename

    restored = created.restore(1)
    assert restored is not None and restored.number == 3 and restored.config == history[1].config
    conn = created.get()
    assert conn is not None and conn.name == "PX" and not conn.multi_instance
    assert job(COMPANY_JOB)
    log = ConnectionLog.select().order_by(ConnectionLog.id.desc()).first()
    assert (log.action, log.old_value, log.new_value) == ("Restore", "version 1",
                                                          "saved as version 3")
    assert created.restore(3) is None
