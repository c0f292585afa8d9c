"""The job chain service: optional, validated (members, order, schedule), audited, deletable."""

from __future__ import annotations

import pytest

from pxdesk.core.config.chain_service import (
    AUDIT_SUB_ATTRIBUTE,
    ChainConfig,
    ChainService,
    chain_of_job,
    chain_recipients,
)
from pxdesk.core.config.job_config import ScheduleConfig
from pxdesk.core.errors import ConfigError
from pxdesk.core.logs.audit import audit_entries
from pxdesk.core.store.models import Job, JobChain, JobChainMember
from tests.core.config.conftest import COMPANY_JOB, PERSON_JOB


def _config(**changes: object) -> ChainConfig:
    config = ChainConfig(name="Nightly", members=[COMPANY_JOB, PERSON_JOB],
                         success_recipients=["ok@example.com"],
                         failure_recipients=["ops@example.com"],
                         schedule=ScheduleConfig(kind="daily_once", time="02:00",
                                                 timezone="Europe/Berlin"))
    for key, value in changes.items():
        setattr(config, key, value)
    return config


def test_no_chain_by_default(jobs):
    service = ChainService(user="tester")
    assert service.get() is None
    assert chain_of_job(Job.get(Job.name == PERSON_JOB).id) is None
    proposal = service.proposal()
    assert proposal.members == [COMPANY_JOB, PERSON_JOB]


def test_create_stores_members_in_order_schedule_recipients_and_audits(jobs):
    service = ChainService(user="tester")
    chain = service.save(_config())
    assert [m.job.name for m in JobChainMember.select().order_by(JobChainMember.position)] == [
        COMPANY_JOB, PERSON_JOB]
    assert service.config() == _config(schedule=ScheduleConfig(
        kind="daily_once", time="02:00", timezone="Europe/Berlin"))
    assert chain_of_job(Job.get(Job.name == PERSON_JOB).id) == chain
    assert chain_recipients("Nightly") == (["ok@example.com"], ["ops@example.com"])
    rows = [e for e in audit_entries() if e.sub_attribute == AUDIT_SUB_ATTRIBUTE]
    assert {(e.job_name, e.action, e.user) for e in rows} == {
        (COMPANY_JOB, "Create", "tester"), (PERSON_JOB, "Create", "tester")}
    assert "Nightly" in (rows[0].new_value or "")


def test_edit_is_audited_once_and_unchanged_save_not_at_all(jobs):
    service = ChainService(user="tester")
    service.save(_config())
    service.save(_config())
    service.save(_config(enabled=False))
    actions = [e.action for e in audit_entries(COMPANY_JOB)
               if e.sub_attribute == AUDIT_SUB_ATTRIBUTE]
    assert actions == ["Create", "Edit"]
    assert chain_of_job(Job.get(Job.name == PERSON_JOB).id) is None  # disabled: not in force


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"members": [PERSON_JOB, COMPANY_JOB]}, "members", "must come before"),
    ({"members": [COMPANY_JOB, COMPANY_JOB]}, "members", "twice"),
    ({"members": [COMPANY_JOB, "Nope"]}, "members", "no job named"),
    ({"members": [COMPANY_JOB]}, "members", "at least two"),
    ({"name": "  "}, "name", "name"),
    ({"failure_recipients": ["not-an-email"]}, "failure_recipients", "not a valid email"),
    ({"schedule": ScheduleConfig(kind="daily_once", time="25:00")}, "schedule.time", "HH:MM"),
])
def test_invalid_chain_is_refused_and_nothing_is_written(jobs, changes, field, words):
    service = ChainService(user="tester")
    with pytest.raises(ConfigError, match=words) as err:
        service.save(_config(**changes))
    assert err.value.field == field
    assert JobChain.select().count() == 0
    assert not [e for e in audit_entries() if e.sub_attribute == AUDIT_SUB_ATTRIBUTE]


def test_delete_restores_the_classic_model_and_is_audited(jobs):
    service = ChainService(user="tester")
    service.save(_config())
    assert service.delete() is True
    assert service.delete() is False
    assert JobChain.select().count() == JobChainMember.select().count() == 0
    assert chain_recipients("Nightly") is None
    actions = [e.action for e in audit_entries(PERSON_JOB)
               if e.sub_attribute == AUDIT_SUB_ATTRIBUTE]
    assert actions == ["Create", "Delete"]
