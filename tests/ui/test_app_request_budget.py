"""The mapping picker's attribute list counts against today's PX request budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pxdesk.app import PxdeskApp
from pxdesk.core.logs.request_budget import requests_today
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.base import now_ms
from pxdesk.ui.wizards.job_wizard import JobWizard
from tests.ui.conftest import COMPANY_JOB, setup_jobs
from tests.ui.test_app_scheduling import make_app  # noqa: F401


def test_the_job_wizards_attribute_list_is_counted(
    qtbot: QtBot, make_app: Callable[..., PxdeskApp], context: Any,  # noqa: F811
    sim: PxSimulator,
) -> None:
    setup_jobs(context, sim)
    app = make_app()
    app.connectors.refresh()
    app.connectors.select_job(COMPANY_JOB)
    sim.clear_requests()
    app.connectors.edit_job_button.click()
    wizard = next(w for w in QApplication.topLevelWidgets() if isinstance(w, JobWizard))
    qtbot.waitUntil(lambda: not wizard.mapping_page.is_loading(), timeout=5000)
    assert len(sim.requests) == 1  # the account attribute list
    assert requests_today("PX", now_ms()) == 1
    wizard.reject()
