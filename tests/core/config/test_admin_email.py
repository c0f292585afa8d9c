"""Notifications reach someone by default: the Admin email asked once, saved, and given to the
seeded jobs and to every empty recipient list (audited); lists the admin filled stay."""

from __future__ import annotations

import pytest

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.config.settings_service import (
    SettingsError,
    default_recipients,
    needs_admin_email,
    save_admin_email,
    skip_admin_email,
)
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
