"""Notifications reach someone by default: the Admin email asked once (or saved in Settings),
and given to the seeded jobs and to every empty recipient list of the jobs and the job chain
(audited, one transaction); lists the admin filled stay."""

from __future__ import annotations

from typing import Any

import pytest

from pxdesk.core.config.chain_service import AUDIT_SUB_ATTRIBUTE, ChainConfig, ChainService
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.config.settings_service import (
    SettingsError,
    default_recipients,
    needs_admin_email,
    save_admin_email,
    save_settings,
    skip_admin_email,
)
from pxdesk.core.errors import StoreError
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store import settings as st
from pxdesk.core.store.models import AuditLog, Job
from tests.core.config.conftest import COMPANY_JOB, PERSON_JOB, SECRET_KEY, job

ADMIN = "ada@example.com"


def _lists(name: str) -> tuple[list[str], list[str]]:
    config = load_job_config(job(name))
    return config.success_recipients, config.failure_recipients


@pytest.mark.usefixtures("context")
def test_a_first_launch_asks_until_answered_or_skipped() -> None:
    assert needs_admin_email()
    skip_admin_email()
    assert not needs_admin_email()
    assert st.get_setting(st.ADMIN_EMAIL) == "", "Skip saves no address"


@pytest.mark.usefixtures("context")
def test_an_admin_email_set_in_settings_before_the_question_ends_it() -> None:
    st.set_setting(st.ADMIN_EMAIL, ADMIN)
    assert not needs_admin_email()
    assert default_recipients() == [ADMIN]


@pytest.mark.usefixtures("context")
@pytest.mark.parametrize("typed", ["", "  ", "not-an-address", "a@b"])
def test_an_empty_or_invalid_answer_is_refused_and_writes_nothing(typed: str) -> None:
    with pytest.raises(SettingsError) as caught:
        save_admin_email(typed, user="tester")
    assert caught.value.field == st.ADMIN_EMAIL
    assert caught.value.problems[0].startswith("Admin email: ")
    assert st.get_setting(st.ADMIN_EMAIL) == "" and needs_admin_email()


def test_the_answer_seeds_both_lists_of_the_jobs_created_after_it(
    service: ConnectionService, sim: PxSimulator
) -> None:
    assert save_admin_email(f"  {ADMIN} ", user="tester") == [], "no job yet"
    assert st.get_setting(st.ADMIN_EMAIL) == ADMIN and not needs_admin_email()
    service.create("PX", SECRET_KEY, base_url=sim.base_url)
    assert _lists(COMPANY_JOB) == ([ADMIN], [ADMIN])
    assert _lists(PERSON_JOB) == ([ADMIN], [ADMIN])


def test_the_answer_fills_every_empty_list_and_keeps_the_filled_ones(
    service: ConnectionService, sim: PxSimulator
) -> None:
    service.create("PX", SECRET_KEY, base_url=sim.base_url)  # no Admin email: empty lists
    assert _lists(COMPANY_JOB) == ([], [])
    Job.update(success_recipients='["ops@example.com"]').where(
        Job.name == PERSON_JOB).execute()
    audits = AuditLog.select().count()
    assert save_admin_email(ADMIN, user="ada") == [COMPANY_JOB, PERSON_JOB]
    assert _lists(COMPANY_JOB) == ([ADMIN], [ADMIN])
    assert _lists(PERSON_JOB) == (["ops@example.com"], [ADMIN])
    rows = list(AuditLog.select().where(AuditLog.id > audits).order_by(AuditLog.id))
    assert [(r.job_name, r.attribute, r.sub_attribute, r.user) for r in rows] == [
        (COMPANY_JOB, "Job Configuration", "Success Recipients", "ada"),
        (COMPANY_JOB, "Job Configuration", "Failure Recipients", "ada"),
        (PERSON_JOB, "Job Configuration", "Failure Recipients", "ada"),
    ]
    assert save_admin_email("other@example.com", user="ada") == [], "no list is empty now"
    assert _lists(COMPANY_JOB) == ([ADMIN], [ADMIN])


def _chain(success: list[str], failure: list[str]) -> None:
    ChainService(user="tester").save(ChainConfig(
        name="Nightly", members=[COMPANY_JOB, PERSON_JOB], success_recipients=success,
        failure_recipients=failure))


def _chain_lists() -> tuple[list[str], list[str]]:
    config = ChainService(user="tester").config()
    assert config is not None
    return config.success_recipients, config.failure_recipients


def _chain_audits(after: int) -> list[tuple[str, str, str, str]]:
    rows = AuditLog.select().where((AuditLog.id > after)
                                   & (AuditLog.sub_attribute == AUDIT_SUB_ATTRIBUTE))
    return sorted((r.job_name, r.action, r.user, r.new_value) for r in rows)


def test_the_answer_fills_the_job_chain_s_empty_lists_too(
    service: ConnectionService, sim: PxSimulator
) -> None:
    service.create("PX", SECRET_KEY, base_url=sim.base_url)
    _chain([], ["ops@example.com"])
    audits = AuditLog.select().count()
    assert save_admin_email(ADMIN, user="ada") == [COMPANY_JOB, PERSON_JOB, "Nightly"]
    assert _chain_lists() == ([ADMIN], ["ops@example.com"]), "the filled list stays"
    rows = _chain_audits(audits)
    assert [(job_name, action, user) for job_name, action, user, _new in rows] == [
        (PERSON_JOB, "Edit", "ada"), (COMPANY_JOB, "Edit", "ada")]
    assert f"success mail {ADMIN}" in rows[0][3]
    assert save_admin_email("other@example.com", user="ada") == [], "no list is empty now"


def test_settings_saving_an_admin_email_fills_every_empty_list_of_jobs_and_chain(
    service: ConnectionService, sim: PxSimulator, context: Any
) -> None:
    service.create("PX", SECRET_KEY, base_url=sim.base_url)
    Job.update(failure_recipients='["ops@example.com"]').where(Job.name == COMPANY_JOB).execute()
    _chain(["team@example.com"], [])
    audits = AuditLog.select().count()
    save_settings({st.ADMIN_EMAIL: f" {ADMIN} "}, context.secrets, user="ada")
    assert st.get_setting(st.ADMIN_EMAIL) == ADMIN
    assert _lists(COMPANY_JOB) == ([ADMIN], ["ops@example.com"])
    assert _lists(PERSON_JOB) == ([ADMIN], [ADMIN])
    assert _chain_lists() == (["team@example.com"], [ADMIN])
    rows = list(AuditLog.select().where(AuditLog.id > audits))
    assert rows and {r.user for r in rows} == {"ada"}
    assert {(r.job_name, r.sub_attribute) for r in rows} >= {
        (COMPANY_JOB, "Success Recipients"), (PERSON_JOB, "Failure Recipients"),
        (COMPANY_JOB, AUDIT_SUB_ATTRIBUTE), (PERSON_JOB, AUDIT_SUB_ATTRIBUTE)}


def test_settings_without_an_admin_email_fill_nothing(
    service: ConnectionService, sim: PxSimulator, context: Any
) -> None:
    service.create("PX", SECRET_KEY, base_url=sim.base_url)
    save_settings({st.ADMIN_EMAIL: "", st.SMTP_HOST: "smtp.example.com"}, context.secrets,
                  user="ada")
    save_settings({st.SMTP_HOST: "smtp.example.com"}, context.secrets, user="ada")
    assert _lists(COMPANY_JOB) == ([], []) and _lists(PERSON_JOB) == ([], [])


def test_a_failed_fill_saves_neither_the_setting_nor_any_list(
    service: ConnectionService, sim: PxSimulator, context: Any,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    service.create("PX", SECRET_KEY, base_url=sim.base_url)
    _chain([], [])

    def broken(self: ChainService, recipients: list[str]) -> list[str]:
        raise StoreError("the database is busy: try again")

    monkeypatch.setattr(ChainService, "fill_empty_recipients", broken)
    audits = AuditLog.select().count()
    with pytest.raises(StoreError):
        save_settings({st.ADMIN_EMAIL: ADMIN}, context.secrets, user="ada")
    with pytest.raises(StoreError):
        save_admin_email(ADMIN, user="ada")
    assert st.get_setting(st.ADMIN_EMAIL) == ""
    assert _lists(COMPANY_JOB) == ([], []), "the jobs filled first were rolled back"
    assert AuditLog.select().count() == audits
