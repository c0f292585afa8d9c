"""Connection wizard guidance: why Create is disabled, Enter tests, failures read as one styled
line, and a successful test in the wizard is the card's "Last test"."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Connection
from pxdesk.ui import queries
from pxdesk.ui.theme import Tone, colour
from pxdesk.ui.wizards.connection_wizard import ConnectionWizard


@pytest.fixture
def wizard(qtbot: QtBot, context: Any) -> ConnectionWizard:
    from pxdesk.core.config.connection import ConnectionService

    made = ConnectionWizard(ConnectionService(context.secrets, user="tester"), context.db)
    qtbot.addWidget(made)
    made.show()
    return made


def test_create_says_what_it_waits_for(wizard: ConnectionWizard, sim: PxSimulator) -> None:
    page = wizard.page
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert "connection name" in page.missing_label.text()
    assert "API key" in page.missing_label.text()
    wizard.prefill(name="PX", api_key=sim.api_key, base_url=sim.base_url)
    assert page.missing_label.text() == "Create is enabled once the connection test succeeds."


def test_enter_tests_and_success_is_the_cards_last_test(
    qtbot: QtBot, wizard: ConnectionWizard, sim: PxSimulator
) -> None:
    page = wizard.page
    wizard.prefill(name="PX", api_key=sim.api_key, base_url=sim.base_url)
    with qtbot.waitSignal(page.test_finished, timeout=10_000) as blocker:
        qtbot.keyClick(page.api_key_edit, Qt.Key.Key_Return)
    assert blocker.args[0], blocker.args[1]
    assert page.missing_label.isHidden()
    assert colour(Tone.ERROR).name() not in page.status_label.styleSheet()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    tested = queries.connection_card(Connection.get())["Last test"]
    assert tested.startswith("OK on ") and "users visible" in tested


def test_an_unreachable_host_fails_in_one_styled_line_without_errno(
    qtbot: QtBot, wizard: ConnectionWizard
) -> None:
    page = wizard.page
    wizard.prefill(name="PX", api_key="key-123456", base_url="http://127.0.0.1:9/v1")
    with qtbot.waitSignal(page.test_finished, timeout=20_000) as blocker:
        page.test_button.click()
    assert not blocker.args[0]
    text = page.status_label.text()
    assert "Errno" not in text and "\n" not in text
    assert "127.0.0.1" in text and "refused" in text
    assert colour(Tone.ERROR).name() in page.status_label.styleSheet()
