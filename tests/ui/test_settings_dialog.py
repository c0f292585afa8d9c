"""Settings dialog additions: Start at login, catch-up of missed runs, Send test email, and an
Admin email that reaches every empty recipient list."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from pxdesk.core.autostart import Autostart
from pxdesk.core.config.chain_service import ChainConfig, ChainService
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.store import settings as st
from pxdesk.core.store.models import AuditLog, Job
from pxdesk.ui.theme import contrast, dark_palette
from pxdesk.ui.views.settings_dialog import SettingsDialog
from tests.core.notify.conftest import PASSWORD, USER, Inbox

LOGIN_ARGV = ["/opt/px desk/bin/pxdesk", "--home", "/srv/px", "--minimized"]
SEND_TIMEOUT_MS = 10_000


@pytest.fixture(autouse=True)
def _no_real_autostart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even a dialog built without an Autostart must not see the user's session folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def autostart(tmp_path: Path) -> Autostart:
    return Autostart(platform="linux", config_home=tmp_path / "cfg")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    """A plain SMTP server with AUTH on 127.0.0.1."""
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10,
                            authenticator=inbox.authenticate, auth_require_tls=False)
    controller.start()
    yield port, inbox
    controller.stop()


def _dialog(qtbot: QtBot, context: Any, autostart: Autostart) -> SettingsDialog:
    dialog = SettingsDialog(context.secrets, autostart=autostart, login_argv=LOGIN_ARGV)
    qtbot.addWidget(dialog)
    return dialog


def _fill_mail(dialog: SettingsDialog, port: int, password: str = PASSWORD) -> None:
    dialog.smtp_host_edit.setText("127.0.0.1")
    dialog.smtp_port_spin.setValue(port)
    dialog.smtp_security_combo.setCurrentIndex(dialog.smtp_security_combo.findData("none"))
    dialog.smtp_user_edit.setText(USER)
    dialog.smtp_password_edit.setText(password)
    dialog.smtp_from_edit.setText("pxdesk@example.com")
    dialog.admin_email_edit.setText("admin@example.com")


def _send(qtbot: QtBot, dialog: SettingsDialog) -> tuple[bool, str]:
    with qtbot.waitSignal(dialog.test_email_finished, timeout=SEND_TIMEOUT_MS) as blocker:
        dialog.test_email_button.click()
    ok, message = blocker.args
    assert dialog.test_email_button.isEnabled(), "enabled again once the send ended"
    assert dialog.test_email_label.text() == message
    return ok, message


# ---------------------------------------------------------------- start at login


def test_start_at_login_reads_the_entry_and_ok_writes_or_removes_it(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    entry = autostart.entry_path
    dialog = _dialog(qtbot, context, autostart)
    assert not dialog.start_at_login_check.isChecked()
    dialog.start_at_login_check.setChecked(True)
    dialog.reject()
    assert not entry.exists(), "Cancel writes nothing"

    dialog = _dialog(qtbot, context, autostart)
    dialog.start_at_login_check.setChecked(True)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert 'Exec="/opt/px desk/bin/pxdesk" --home /srv/px --minimized' in (
        entry.read_text().splitlines())

    dialog = _dialog(qtbot, context, autostart)
    assert dialog.start_at_login_check.isChecked(), "state comes from the entry itself"
    assert not st.get_setting("start_at_login", None), "not mirrored in a setting"
    dialog.start_at_login_check.setChecked(False)
    dialog.accept()
    assert not entry.exists() and not autostart.is_enabled()


def test_an_entry_switched_off_elsewhere_shows_unchecked(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    autostart.enable(["/usr/bin/pxdesk"])
    text = autostart.entry_path.read_text().replace("Hidden=false", "Hidden=true")
    autostart.entry_path.write_text(text)
    assert not _dialog(qtbot, context, autostart).start_at_login_check.isChecked()


def test_autostart_write_error_keeps_the_dialog_open_and_saves_nothing(
    qtbot: QtBot, context: Any, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the config folder should be")
    dialog = _dialog(qtbot, context, Autostart(platform="linux", config_home=blocker))
    dialog.show()
    dialog.start_at_login_check.setChecked(True)
    dialog.catch_up_check.setChecked(False)
    dialog.accept()
    assert dialog.isVisible() and dialog.result() != SettingsDialog.DialogCode.Accepted
    assert "Could not turn on Start at login" in dialog.error_label.text()
    assert "not-a-folder" in dialog.error_label.text(), "the reason names the path"
    assert st.get_setting(st.CATCH_UP_MISSED) is True, "settings are not half-saved"


def test_default_dialog_uses_the_xdg_folder_of_the_environment(
    qtbot: QtBot, context: Any, tmp_path: Path
) -> None:
    dialog = SettingsDialog(context.secrets)  # the call app.py makes today
    qtbot.addWidget(dialog)
    dialog.start_at_login_check.setChecked(True)
    dialog.accept()
    lines = (tmp_path / "xdg" / "autostart" / "pxdesk.desktop").read_text().splitlines()
    exec_line = next(line for line in lines if line.startswith("Exec="))
    assert exec_line.endswith(" --minimized")
    assert "--home" in exec_line, "$PXDESK_HOME of the test is written as --home"


# ---------------------------------------------------------------- catch-up


def test_catch_up_checkbox_is_saved_on_ok_only(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    dialog = _dialog(qtbot, context, autostart)
    assert dialog.catch_up_check.isChecked(), "on by default"
    dialog.catch_up_check.setChecked(False)
    dialog.reject()
    assert st.get_setting(st.CATCH_UP_MISSED) is True, "Cancel writes nothing"
    dialog = _dialog(qtbot, context, autostart)
    dialog.catch_up_check.setChecked(False)
    dialog.accept()
    assert st.get_setting(st.CATCH_UP_MISSED) is False
    assert not _dialog(qtbot, context, autostart).catch_up_check.isChecked()


def test_the_daily_request_budget_shows_the_saved_one_and_ok_saves_the_new_one(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    dialog = _dialog(qtbot, context, autostart)
    assert dialog.request_budget_spin.value() == 1_000_000, "PX's daily limit by default"
    assert dialog.request_budget_spin.minimum() == 1
    dialog.request_budget_spin.setValue(250_000)
    dialog.accept()
    assert st.get_setting(st.DAILY_REQUEST_BUDGET) == 250_000
    assert _dialog(qtbot, context, autostart).request_budget_spin.value() == 250_000


def test_the_retry_limit_shows_the_saved_one_and_ok_saves_the_new_one(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    dialog = _dialog(qtbot, context, autostart)
    assert dialog.retry_spin.value() == 5 and dialog.retry_spin.minimum() == 1
    dialog.retry_spin.setValue(9)
    dialog.accept()
    assert st.get_setting(st.RETRY_MAX_ATTEMPTS) == 9
    assert _dialog(qtbot, context, autostart).retry_spin.value() == 9


def test_the_run_files_cap_shows_the_saved_one_and_ok_saves_the_new_one(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    dialog = _dialog(qtbot, context, autostart)
    assert dialog.runs_size_spin.value() == 2048
    dialog.runs_size_spin.setValue(0)
    assert dialog.runs_size_spin.text() == "No size limit"
    dialog.accept()
    assert st.get_setting(st.RUNS_MAX_MB) == 0


# ---------------------------------------------------------------- test email


def test_test_email_reaches_the_admin_with_unsaved_fields(
    qtbot: QtBot, context: Any, autostart: Autostart, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    dialog = _dialog(qtbot, context, autostart)
    _fill_mail(dialog, port)
    ok, message = _send(qtbot, dialog)
    assert ok and message == "Test message sent to admin@example.com."
    assert inbox.logins == [USER]
    assert inbox.envelopes == [("pxdesk@example.com", ["admin@example.com"])]
    assert inbox.messages[0]["Subject"] == "[pxdesk] Test message"
    assert inbox.messages[0]["To"] == "admin@example.com"
    assert st.get_setting(st.SMTP_HOST) == "", "testing saves nothing"


def test_test_email_uses_the_saved_password_when_the_field_is_empty(
    qtbot: QtBot, context: Any, autostart: Autostart, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    st.set_setting(st.SMTP_PASSWORD_REF, context.secrets.put(PASSWORD, "smtp-password"))
    dialog = _dialog(qtbot, context, autostart)
    _fill_mail(dialog, port, password="")
    assert _send(qtbot, dialog)[0]
    assert inbox.logins == [USER]


def test_wrong_port_and_wrong_password_show_the_reason_without_the_password(
    qtbot: QtBot, context: Any, autostart: Autostart, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    dialog = _dialog(qtbot, context, autostart)
    closed_port = _free_port()
    _fill_mail(dialog, closed_port)
    ok, message = _send(qtbot, dialog)
    assert not ok
    assert message.startswith(f"Test email failed: Could not send mail through "
                              f"127.0.0.1:{closed_port} (none)")
    assert PASSWORD not in message
    dialog.smtp_port_spin.setValue(port)
    dialog.smtp_password_edit.setText("wrong-" + PASSWORD)
    ok, message = _send(qtbot, dialog)
    assert not ok and f"refused the login of {USER!r}" in message
    assert PASSWORD not in message and inbox.messages == []


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("smtp_host_edit", "", "No SMTP server is set"),
    ("smtp_from_edit", "pxdesk.example.com", "sender address (From) is missing or invalid"),
    ("admin_email_edit", "", "Enter the Admin email"),
    ("admin_email_edit", "admin@nowhere", "Admin email 'admin@nowhere' is not an email"),
    ("smtp_password_edit", "", "Enter the password of SMTP user 'mailer'"),
])
def test_an_invalid_field_says_what_to_fix_without_sending(
    qtbot: QtBot, context: Any, autostart: Autostart, smtp: tuple[int, Inbox],
    field: str, value: str, expected: str,
) -> None:
    port, inbox = smtp
    dialog = _dialog(qtbot, context, autostart)
    _fill_mail(dialog, port)
    getattr(dialog, field).setText(value)
    ok, message = _send(qtbot, dialog)  # emitted synchronously: no thread was started
    assert not ok and expected in message
    assert dialog._test_call is None and inbox.envelopes == []


def test_the_dialog_stays_open_while_sending(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    silent = socket.socket()  # accepts connections in its backlog but never greets
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    dialog = _dialog(qtbot, context, autostart)
    _fill_mail(dialog, silent.getsockname()[1])
    dialog.show()
    with qtbot.waitSignal(dialog.test_email_finished, timeout=SEND_TIMEOUT_MS) as blocker:
        dialog.test_email_button.click()
        assert not dialog.test_email_button.isEnabled(), "disabled while sending"
        assert dialog.test_email_label.text() == "Sending a test message to admin@example.com..."
        dialog.reject()
        dialog.accept()
        assert dialog.isVisible() and "Wait for the test email" in dialog.error_label.text()
        assert st.get_setting(st.SMTP_HOST) == "", "OK saves nothing while sending"
        silent.close()  # the pending connection is reset: the send fails at once
    assert blocker.args[0] is False
    dialog.reject()
    assert not dialog.isVisible()


# ---------------------------------------------------------------- one save


def _fill_all(dialog: SettingsDialog) -> None:
    dialog.admin_name_edit.setText("Ada Admin")
    dialog.admin_email_edit.setText("ada@example.com")
    dialog.retention_spin.setValue(30)
    dialog.catch_up_check.setChecked(False)
    dialog.smtp_host_edit.setText("smtp.example.com")
    dialog.smtp_user_edit.setText(USER)
    dialog.smtp_password_edit.setText(PASSWORD)


def _assert_input_kept(dialog: SettingsDialog) -> None:
    assert dialog.isVisible() and dialog.result() != SettingsDialog.DialogCode.Accepted
    assert dialog.admin_name_edit.text() == "Ada Admin"
    assert dialog.retention_spin.value() == 30 and not dialog.catch_up_check.isChecked()
    assert dialog.smtp_host_edit.text() == "smtp.example.com"
    assert dialog.smtp_password_edit.text() == PASSWORD, "the typed password is kept too"


def _assert_nothing_saved(context: Any) -> None:
    assert st.all_settings() == {key: st.get_setting(key) for key in st.DEFAULTS}, "no key"
    path = context.paths.secrets_path
    assert not path.exists() or json.loads(path.read_text()) == {}, "no secret"


def test_an_invalid_value_shows_its_line_and_keeps_the_dialog_open_with_the_input(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    dialog = _dialog(qtbot, context, autostart)
    dialog.show()
    _fill_all(dialog)
    dialog.timezone_combo.setCurrentText("Mars/Olympus_Mons")
    dialog.accept()
    assert dialog.error_label.text() == (
        "Default time zone: unknown time zone 'Mars/Olympus_Mons': pick one from the list.")
    _assert_input_kept(dialog)
    assert dialog.timezone_combo.currentText() == "Mars/Olympus_Mons"
    assert dialog.focusWidget() in (dialog.timezone_combo, dialog.timezone_combo.lineEdit()), (
        "the field to fix has the focus")
    _assert_nothing_saved(context)


def test_a_busy_store_shows_why_keeps_the_input_and_ok_again_saves_it_all(
    qtbot: QtBot, context: Any, autostart: Autostart, busy_store: Callable[[], None]
) -> None:
    dialog = _dialog(qtbot, context, autostart)
    dialog.show()
    _fill_all(dialog)
    dialog.start_at_login_check.setChecked(True)
    dialog.accept()
    assert dialog.error_label.text().startswith(
        "Settings not saved: the database is busy: another pxdesk (or program) is writing")
    _assert_input_kept(dialog)
    _assert_nothing_saved(context)
    assert not autostart.is_enabled(), "the login entry is put back as it was"
    assert dialog.start_at_login_check.isChecked(), "as the admin left it"

    busy_store()  # the other program ends
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted and not dialog.isVisible()
    assert st.get_setting(st.ADMIN_NAME) == "Ada Admin" and autostart.is_enabled()
    assert context.secrets.get(st.get_setting(st.SMTP_PASSWORD_REF)) == PASSWORD


def test_the_dialog_fits_a_1366x768_screen(qtbot: QtBot, context: Any,
                                           autostart: Autostart) -> None:
    dialog = _dialog(qtbot, context, autostart)
    assert dialog.sizeHint().height() <= 700 and dialog.width() <= 1326
    assert dialog.height() <= 708


# ---------------------------------------------------------------- admin email -> recipients


def _recipient_lists() -> dict[str, tuple[list[str], list[str]]]:
    lists = {job.name: (load_job_config(job).success_recipients,
                        load_job_config(job).failure_recipients)
             for job in Job.select().order_by(Job.kind)}
    chain = ChainService(user="tester").config()
    if chain is not None:
        lists[chain.name] = (chain.success_recipients, chain.failure_recipients)
    return lists


def test_ok_gives_the_admin_email_to_every_empty_list_of_jobs_and_chain(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    ConnectionService(context.secrets, user="tester").create(
        "PX", "k" * 32, base_url="http://127.0.0.1:1/v1")  # no Admin email: empty lists
    Job.update(success_recipients='["ops@example.com"]').where(
        Job.name == "Company Sync_PX").execute()
    ChainService(user="tester").save(ChainConfig(
        name="Nightly", members=["Company Sync_PX", "Company Person Sync_PX"]))
    audits = AuditLog.select().count()
    dialog = _dialog(qtbot, context, autostart)
    dialog.show()
    assert "empty" in dialog.admin_email_hint.text(), "the dialog says what saving does"
    dialog.admin_name_edit.setText("Ada Admin")
    dialog.admin_email_edit.setText("ada@example.com")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    admin = ["ada@example.com"]
    assert _recipient_lists() == {"Company Sync_PX": (["ops@example.com"], admin),
                                  "Company Person Sync_PX": (admin, admin),
                                  "Nightly": (admin, admin)}
    users = {row.user for row in AuditLog.select().where(AuditLog.id > audits)}
    assert users == {"Ada Admin"}, "audited as the admin who saved"


def test_hints_are_muted_and_readable_on_light_and_dark(
    qtbot: QtBot, context: Any, autostart: Autostart
) -> None:
    dialog = _dialog(qtbot, context, autostart)
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    light = QPalette(qapp.palette())
    try:
        for palette in (light, dark_palette()):
            qapp.setPalette(palette)
            window = palette.color(QPalette.ColorRole.Window)
            text = palette.color(QPalette.ColorRole.WindowText)
            hint = dialog.admin_email_hint
            hint.ensurePolished()
            ink = hint.palette().color(hint.foregroundRole())
            assert contrast(ink, window) >= 4.5, "readable"
            assert ink.name() != text.name(), "quieter than the labels"
    finally:
        qapp.setPalette(light)
