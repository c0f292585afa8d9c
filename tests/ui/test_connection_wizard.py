"""Connection wizard: Create only after a successful test of the current inputs; PX reasons."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Connection, Job
from pxdesk.ui.wizards.connection_wizard import ConnectionWizard


@pytest.fixture
def service(context: Any) -> Any:
    from pxdesk.core.config.connection import ConnectionService

    return ConnectionService(context.secrets, user="tester")


def _wizard(qtbot: QtBot, service: Any, context: Any, existing: Any = None) -> ConnectionWizard:
    wizard = ConnectionWizard(service, context.db, existing)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _finish(wizard: ConnectionWizard) -> Any:
    return wizard.button(QWizard.WizardButton.FinishButton)


def _test(qtbot: QtBot, wizard: ConnectionWizard) -> tuple[bool, str]:
    with qtbot.waitSignal(wizard.page.test_finished, timeout=10_000) as blocker:
        wizard.page.test_button.click()
    return blocker.args[0], blocker.args[1]


def test_create_is_enabled_only_after_a_successful_test_of_the_current_inputs(
    qtbot: QtBot, service: Any, context: Any, sim: PxSimulator
) -> None:
    wizard = _wizard(qtbot, service, context)
    wizard.prefill(name="PX", api_key=sim.api_key, base_url=sim.base_url)
    assert not _finish(wizard).isEnabled(), "no test yet"
    ok, _message = _test(qtbot, wizard)
    assert ok and _finish(wizard).isEnabled()
    assert _finish(wizard).text() == "Create"
    wizard.page.base_url_edit.setText(sim.base_url + "/")
    assert not _finish(wizard).isEnabled(), "changed inputs need a new test"
    wizard.page.base_url_edit.setText(sim.base_url)
    assert not _finish(wizard).isEnabled()
    wizard.page.multi_instance_check.setChecked(True)  # not part of what the test proves
    _test(qtbot, wizard)
    assert Connection.select().count() == 0, "nothing saved before Create"
    _finish(wizard).click()
    conn = Connection.get()
    assert conn.name == "PX" and conn.multi_instance and conn.base_url == sim.base_url
    assert Job.select().count() == 2, "creating the connection creates its two jobs"


def test_a_bad_key_shows_the_px_reason_and_keeps_create_disabled(
    qtbot: QtBot, service: Any, context: Any, sim: PxSimulator
) -> None:
    wizard = _wizard(qtbot, service, context)
    wizard.prefill(name="PX", api_key="wrong-key-123456", base_url=sim.base_url)
    ok, message = _test(qtbot, wizard)
    assert not ok
    shown = wizard.page.status_label.text()
    assert message in shown and ("401" in shown or "key" in shown.lower())
    assert "wrong-key-123456" not in shown
    assert not _finish(wizard).isEnabled()


def test_the_key_is_masked_until_shown(qtbot: QtBot, service: Any, context: Any) -> None:
    wizard = _wizard(qtbot, service, context)
    page = wizard.page
    assert page.api_key_edit.echoMode() == page.api_key_edit.EchoMode.Password
    page.show_key_button.click()
    assert page.api_key_edit.echoMode() == page.api_key_edit.EchoMode.Normal


def test_cancel_writes_nothing(qtbot: QtBot, service: Any, context: Any,
                               sim: PxSimulator) -> None:
    wizard = _wizard(qtbot, service, context)
    wizard.prefill(name="PX", api_key=sim.api_key, base_url=sim.base_url)
    _test(qtbot, wizard)
    wizard.reject()
    assert Connection.select().count() == 0


def test_the_wizard_refuses_bad_text_with_the_core_rules(
    qtbot: QtBot, service: Any, context: Any, sim: PxSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pxdesk.ui.wizards.connection_wizard as module

    warnings: list[str] = []
    monkeypatch.setattr(module.QMessageBox, "warning",
                        lambda _parent, _title, text: warnings.append(text))
    wizard = _wizard(qtbot, service, context)
    wizard.prefill(name="PX", api_key=sim.api_key, base_url=sim.base_url.replace("/v1", "/\tv1"))
    ok, message = _test(qtbot, wizard)
    assert not ok and message.startswith("The base URL contains the control character U+0009")
    wizard.page.base_url_edit.setText(sim.base_url)
    wizard.page.name_edit.setText("PX \u202eProd")  # a pasted right-to-left override
    assert _test(qtbot, wizard)[0] and _finish(wizard).isEnabled()
    _finish(wizard).click()
    assert warnings == ["The connection name contains the control character U+202E "
                        "(right-to-left override) at character 4: remove it"]
    assert Connection.select().count() == 0 and wizard.isVisible()
