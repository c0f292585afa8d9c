"""Settings dialog: resolution key, time zone, admin, start-up and catch-up, mail (SMTP)."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.autostart import Autostart
from pxdesk.core.autostart import login_argv as default_login_argv
from pxdesk.core.background import BackgroundCall
from pxdesk.core.config.settings_service import check_settings, save_settings
from pxdesk.core.config.validation import is_email
from pxdesk.core.errors import ConfigError, StoreError
from pxdesk.core.notify.email import SmtpSettings, send_test_email
from pxdesk.core.paths import AppPaths
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store import settings as st
from pxdesk.core.store.custom_fields import list_custom_fields
from pxdesk.core.store.models import STANDARD_FIELDS, TargetObject
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.theme import Tone, set_tone
from pxdesk.ui.widgets import error_label, ok_cancel_buttons

MACHINE_ZONE = "(this machine's time zone)"
SMTP_SECURITY = (("starttls", "STARTTLS"), ("ssl", "SSL/TLS"), ("none", "None (plain)"))
TEST_EMAIL_TIMEOUT = 15.0  # seconds per SMTP step: the dialog cannot close while it sends


def _spin(parent: QWidget, low: int, high: int, suffix: str, tip: str, *,
          zero: str | None = None) -> QSpinBox:
    """A number setting: its range and unit, thousands shown grouped, what it does as a
    tooltip, and the words for 0 when 0 means "no limit"."""
    spin = QSpinBox(parent)
    spin.setRange(low, high)
    spin.setGroupSeparatorShown(True)
    spin.setSuffix(suffix)
    spin.setToolTip(tip)
    if zero is not None:
        spin.setSpecialValueText(zero)
    return spin


class SettingsDialog(QDialog):
    """Loads every setting on open and saves them all on OK; Cancel writes nothing.

    "Start at login" is not a setting: its state is the platform's autostart entry itself,
    read through `autostart` and written with `login_argv` only when the admin changes it.
    """

    test_email_finished = Signal(bool, str)  # sent?, the message shown to the admin

    def __init__(
        self, secrets: SecretStore, parent: QWidget | None = None, *,
        autostart: Autostart | None = None, login_argv: Sequence[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self._secrets = secrets
        self._autostart = autostart if autostart is not None else Autostart()
        # Default: this installation, with --home when $PXDESK_HOME is set (a --home given on
        # the command line is known only to the caller, which passes login_argv then).
        self._login_argv = (list(login_argv) if login_argv is not None
                            else default_login_argv(AppPaths.resolve()))
        self._autostart_enabled = False  # the entry's state as last read or written
        self._test_call: BackgroundCall | None = None
        self._test_password = ""  # of the message being sent: scrubbed from any failure text
        self._test_recipient = ""
        self.setWindowTitle("pxdesk settings")
        self.error_label = error_label(self)
        buttons = ok_cancel_buttons(self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        # Two columns fit a 1366x768 screen; the scroll area keeps every field reachable on a
        # smaller one.
        columns = QWidget(self)
        row = QHBoxLayout(columns)
        row.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(self._build_general())
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self._build_mail())
        right.addWidget(self._build_startup())
        right.addStretch(1)
        row.addLayout(left, 1)
        row.addLayout(right, 1)
        scroll = QScrollArea(self)
        scroll.setWidget(columns)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._load()
        self._fit_screen(columns)

    def _fit_screen(self, content: QWidget) -> None:
        """As large as the content wants, never larger than the screen's free area."""
        wanted = content.sizeHint()
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        width, height = wanted.width() + 40, wanted.height() + 90
        if screen is not None:
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 60)
        self.resize(width, height)

    def _build_general(self) -> QGroupBox:
        box = QGroupBox("General", self)
        form = QFormLayout(box)
        self.resolution_list = QListWidget(box)
        self.resolution_list.setMaximumHeight(140)
        person_fields = [(f.api_name, f.label) for f in STANDARD_FIELDS[TargetObject.PERSON]]
        person_fields += [(f.api_name, f.label) for f in list_custom_fields(TargetObject.PERSON)]
        for api_name, label in person_fields:
            item = QListWidgetItem(f"{label} ({api_name})", self.resolution_list)
            item.setData(Qt.ItemDataRole.UserRole, api_name)
            item.setCheckState(Qt.CheckState.Unchecked)
        form.addRow("Person Resolution Key", self.resolution_list)
        hint = QLabel("Fields that identify a Person across companies (all must match).", box)
        hint.setWordWrap(True)
        set_tone(hint, Tone.MUTED)
        form.addRow("", hint)
        self.timezone_combo = QComboBox(box)
        self.timezone_combo.setEditable(True)
        # One call, not 600: PySide6 6.12 on Python 3.11 drops a reference to None on each
        # void call, and 600 addItem calls per open would crash pxdesk after a few opens.
        self.timezone_combo.addItems([MACHINE_ZONE, *sorted(zoneinfo.available_timezones())])
        form.addRow("Default time zone", self.timezone_combo)
        self.admin_name_edit = QLineEdit(box)
        self.admin_email_edit = QLineEdit(box)
        form.addRow("Admin name", self.admin_name_edit)
        form.addRow("Admin email", self.admin_email_edit)
        self.admin_email_hint = QLabel(
            "Saving it also fills every empty job and job chain recipient list.", box)
        self.admin_email_hint.setWordWrap(True)
        set_tone(self.admin_email_hint, Tone.MUTED)
        form.addRow("", self.admin_email_hint)
        self.retention_spin = _spin(
            box, 0, 3650, " days", "Runs and their error/success files older than this are "
            "deleted at start-up; the last run of each job is always kept.",
            zero="Keep forever")
        form.addRow("Keep runs for", self.retention_spin)
        self.runs_size_spin = _spin(
            box, 0, 1_000_000, " MB of run files", "Beyond this, the oldest runs and their "
            "error/success files are deleted at start-up; the last run of each job is always "
            "kept.", zero="No size limit")
        form.addRow("Keep run files up to", self.runs_size_spin)
        self.request_budget_spin = _spin(
            box, 1, 100_000_000, " PX requests a day (UTC)", "PX allows about 1,000,000 "
            "requests a day per subscription. A run that would cross this budget does not "
            "start; it is logged as Skipped and says when it can run.")
        form.addRow("Daily PX request budget", self.request_budget_spin)
        self.retry_spin = _spin(
            box, 1, 100, " times", "A record that failed (say, a user whose company was not "
            "synced yet) is fetched again by the next runs, even unchanged in PX, until it goes "
            "through or has failed this many times; then it waits until PX changes it.")
        form.addRow("Retry failed records", self.retry_spin)
        return box

    def _build_startup(self) -> QGroupBox:
        box = QGroupBox("Start-up and schedules", self)
        layout = QVBoxLayout(box)
        self.start_at_login_check = QCheckBox("Start at login", box)
        self.start_at_login_check.setToolTip(" ".join(self._login_argv))
        login_hint = QLabel(
            "pxdesk starts minimised in the tray so schedules keep running.", box)
        login_hint.setWordWrap(True)
        login_hint.setIndent(20)
        set_tone(login_hint, Tone.MUTED)
        self.catch_up_check = QCheckBox(
            "Run missed scheduled jobs when pxdesk starts or the computer wakes", box)
        self.catch_up_check.setToolTip(
            "A job whose scheduled time passed while pxdesk was not running runs once, "
            "not once per missed slot.")
        for widget in (self.start_at_login_check, login_hint, self.catch_up_check):
            layout.addWidget(widget)
        return box

    def _build_mail(self) -> QGroupBox:
        box = QGroupBox("Notification mail", self)
        form = QFormLayout(box)
        self.smtp_from_edit = QLineEdit(box)
        self.smtp_host_edit = QLineEdit(box)
        self.smtp_port_spin = QSpinBox(box)
        self.smtp_port_spin.setRange(1, 65535)
        self.smtp_security_combo = QComboBox(box)
        for key, label in SMTP_SECURITY:
            self.smtp_security_combo.addItem(label, key)
        self.smtp_user_edit = QLineEdit(box)
        self.smtp_password_edit = QLineEdit(box)
        self.smtp_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Sender address", self.smtp_from_edit)
        form.addRow("SMTP server", self.smtp_host_edit)
        form.addRow("Port", self.smtp_port_spin)
        form.addRow("Security", self.smtp_security_combo)
        form.addRow("User name", self.smtp_user_edit)
        form.addRow("Password", self.smtp_password_edit)
        self.test_email_button = QPushButton(icon(Icon.SEND_TEST_EMAIL), "Send Test Email", box)
        self.test_email_button.setSizePolicy(QSizePolicy.Policy.Maximum,
                                             QSizePolicy.Policy.Fixed)  # a button, not a bar
        self.test_email_button.setToolTip(
            "Sends a test message to the Admin email with the settings above, saved or not.")
        self.test_email_button.clicked.connect(self._on_test_email_button_clicked)
        self.test_email_label = QLabel("", box)
        self.test_email_label.setWordWrap(True)
        self.test_email_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("", self.test_email_button)
        form.addRow("", self.test_email_label)
        return box

    def _load(self) -> None:
        keys = set(st.get_setting(st.PERSON_RESOLUTION_KEY))
        for row in range(self.resolution_list.count()):
            item = self.resolution_list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in keys
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        zone = st.get_setting(st.DEFAULT_TIMEZONE)
        index = self.timezone_combo.findText(zone) if zone else 0
        self.timezone_combo.setCurrentIndex(max(index, 0))
        self.admin_name_edit.setText(st.get_setting(st.ADMIN_NAME))
        self.admin_email_edit.setText(st.get_setting(st.ADMIN_EMAIL))
        self.retention_spin.setValue(int(st.get_setting(st.RETENTION_DAYS)))
        self.request_budget_spin.setValue(int(st.get_setting(st.DAILY_REQUEST_BUDGET)))
        self.retry_spin.setValue(int(st.get_setting(st.RETRY_MAX_ATTEMPTS)))
        self.runs_size_spin.setValue(int(st.get_setting(st.RUNS_MAX_MB)))
        self.smtp_from_edit.setText(st.get_setting(st.SMTP_FROM))
        self.smtp_host_edit.setText(st.get_setting(st.SMTP_HOST))
        self.smtp_port_spin.setValue(int(st.get_setting(st.SMTP_PORT)))
        self.smtp_security_combo.setCurrentIndex(
            max(self.smtp_security_combo.findData(st.get_setting(st.SMTP_SECURITY)), 0))
        self.smtp_user_edit.setText(st.get_setting(st.SMTP_USER))
        if st.get_setting(st.SMTP_PASSWORD_REF):
            self.smtp_password_edit.setPlaceholderText("(saved; type to replace)")
        self.catch_up_check.setChecked(bool(st.get_setting(st.CATCH_UP_MISSED)))
        try:
            self._autostart_enabled = self._autostart.is_enabled()
        except (OSError, ValueError) as exc:  # unreadable entry: show it off, say why
            self.error_label.setText(f"Could not read the Start at login entry: {exc}")
        self.start_at_login_check.setChecked(self._autostart_enabled)

    def resolution_keys(self) -> list[str]:
        items = (self.resolution_list.item(i) for i in range(self.resolution_list.count()))
        return [str(i.data(Qt.ItemDataRole.UserRole)) for i in items
                if i.checkState() == Qt.CheckState.Checked]

    def settings_values(self) -> dict[str, Any]:
        """The admin settings as typed (unsaved); the password travels apart from them."""
        zone = self.timezone_combo.currentText().strip()
        return {
            st.PERSON_RESOLUTION_KEY: self.resolution_keys(),
            st.DEFAULT_TIMEZONE: None if zone == MACHINE_ZONE else zone,
            st.ADMIN_NAME: self.admin_name_edit.text().strip(),
            st.ADMIN_EMAIL: self.admin_email_edit.text().strip(),
            st.RETENTION_DAYS: self.retention_spin.value(),
            st.DAILY_REQUEST_BUDGET: self.request_budget_spin.value(),
            st.RETRY_MAX_ATTEMPTS: self.retry_spin.value(),
            st.RUNS_MAX_MB: self.runs_size_spin.value(),
            st.CATCH_UP_MISSED: self.catch_up_check.isChecked(),
            st.SMTP_FROM: self.smtp_from_edit.text().strip(),
            st.SMTP_HOST: self.smtp_host_edit.text().strip(),
            st.SMTP_PORT: self.smtp_port_spin.value(),
            st.SMTP_SECURITY: str(self.smtp_security_combo.currentData()),
            st.SMTP_USER: self.smtp_user_edit.text().strip(),
        }

    def accept(self) -> None:
        """Check everything, set the login entry, then save in one call; on any failure the
        dialog stays open with the admin's input as typed and says what to fix."""
        if self._refuse_while_sending():
            return
        values = self.settings_values()
        try:
            check_settings(values)  # before the login entry changes: a typo must not touch it
        except ConfigError as exc:
            self._show_save_error(str(exc), exc.field)
            return
        was_enabled = self._autostart_enabled
        if not self._apply_autostart():
            return
        password = self.smtp_password_edit.text() or None  # empty = keep the saved one
        try:
            save_settings(values, self._secrets, smtp_password=password)
        except ConfigError as exc:
            self._restore_autostart(was_enabled)
            self._show_save_error(str(exc), exc.field)
            return
        except StoreError as exc:
            self._restore_autostart(was_enabled)
            self._show_save_error(f"Settings not saved: {exc}", None)
            return
        super().accept()

    def _show_save_error(self, message: str, field: str | None) -> None:
        self.error_label.setText(message)
        self._focus_field(field)

    def done(self, result: int) -> None:
        """OK, Cancel, Escape and the close button all end here."""
        if not self._refuse_while_sending():
            super().done(result)

    def _refuse_while_sending(self) -> bool:
        # The send runs in a thread owned by this dialog: it must end before the dialog does.
        if self._test_call is None:
            return False
        self.error_label.setText("Wait for the test email to finish before closing Settings.")
        return True

    def _apply_autostart(self) -> bool:
        """Write or remove the login entry when the checkbox changed; False on failure."""
        wanted = self.start_at_login_check.isChecked()
        if wanted == self._autostart_enabled:
            return True  # untouched: never rewrite an entry another pxdesk home may own
        try:
            if wanted:
                self._autostart.enable(self._login_argv)
            else:
                self._autostart.disable()
        except (OSError, ConfigError) as exc:
            action = "turn on" if wanted else "turn off"
            self.error_label.setText(f"Could not {action} Start at login: {exc}")
            return False
        self._autostart_enabled = wanted
        return True

    def _restore_autostart(self, enabled: bool) -> None:
        """Put the login entry back as it was when the settings it came with were not saved."""
        if enabled == self._autostart_enabled:
            return
        try:
            if enabled:
                self._autostart.enable(self._login_argv)
            else:
                self._autostart.disable()
        except (OSError, ConfigError):
            return  # the checkbox still shows what the admin asked for; OK tries again
        self._autostart_enabled = enabled

    # ------------------------------------------------------------ test email

    def smtp_settings(self) -> SmtpSettings:
        """The mail fields as typed (unsaved); an empty password means the saved one."""
        return SmtpSettings(
            host=self.smtp_host_edit.text().strip(), port=self.smtp_port_spin.value(),
            security=str(self.smtp_security_combo.currentData()),
            user=self.smtp_user_edit.text().strip(),
            password=self.smtp_password_edit.text() or self._saved_password(),
            sender=self.smtp_from_edit.text().strip(), timeout=TEST_EMAIL_TIMEOUT,
        )

    def _saved_password(self) -> str:
        ref = str(st.get_setting(st.SMTP_PASSWORD_REF) or "")
        try:
            return (self._secrets.get(ref) or "") if ref else ""
        except Exception as exc:  # a locked or broken keyring: ask for the password instead
            raise ConfigError(
                f"Could not read the saved SMTP password ({type(exc).__name__}); "
                "type it in the Password field.", field=st.SMTP_PASSWORD_REF) from None

    def _test_request(self) -> tuple[SmtpSettings, str]:
        """The settings and recipient of a test message; ConfigError says what to fix."""
        settings = self.smtp_settings()
        settings.validate()
        if not is_email(settings.sender):
            raise ConfigError(f"Sender address {settings.sender!r} is not an email address.",
                              field=st.SMTP_FROM)
        if settings.user and not settings.password:
            raise ConfigError(f"Enter the password of SMTP user {settings.user!r}, or clear "
                              "the user name.", field=st.SMTP_PASSWORD_REF)
        recipient = self.admin_email_edit.text().strip()
        if not recipient:
            raise ConfigError("Enter the Admin email: the test message is sent there.",
                              field=st.ADMIN_EMAIL)
        if not is_email(recipient):
            raise ConfigError(f"Admin email {recipient!r} is not an email address.",
                              field=st.ADMIN_EMAIL)
        return settings, recipient

    @Slot()
    def _on_test_email_button_clicked(self) -> None:
        if self._test_call is not None:
            return
        try:
            settings, recipient = self._test_request()
        except ConfigError as exc:
            self._show_test_result(False, str(exc))
            self._focus_field(exc.field)
            return
        self._test_password = settings.password
        self.test_email_button.setEnabled(False)
        self.test_email_label.setStyleSheet("")
        self.test_email_label.setText(f"Sending a test message to {recipient}...")
        call = BackgroundCall(functools.partial(send_test_email, settings, recipient), parent=self)
        call.finished.connect(self._on_test_call_finished)
        call.failed.connect(self._on_test_call_failed)
        self._test_recipient = recipient
        self._test_call = call
        call.start()

    @Slot(object)
    def _on_test_call_finished(self, _value: object) -> None:
        self._end_test_call(True, f"Test message sent to {self._test_recipient}.")

    @Slot(str)
    def _on_test_call_failed(self, message: str) -> None:
        if self._test_password:
            message = message.replace(self._test_password, "****")
        self._end_test_call(False, f"Test email failed: {message}")

    def _end_test_call(self, ok: bool, message: str) -> None:
        if self._test_call is not None:
            self._test_call.deleteLater()
        self._test_call = None
        self._test_password = ""
        self.test_email_button.setEnabled(True)
        if self.error_label.text().startswith("Wait for the test email"):
            self.error_label.setText("")
        self._show_test_result(ok, message)

    def _show_test_result(self, ok: bool, message: str) -> None:
        set_tone(self.test_email_label, Tone.OK if ok else Tone.ERROR)
        self.test_email_label.setText(message)
        self.test_email_finished.emit(ok, message)

    def _focus_field(self, field: str | None) -> None:
        widgets: dict[str, QWidget] = {
            st.PERSON_RESOLUTION_KEY: self.resolution_list,
            st.DEFAULT_TIMEZONE: self.timezone_combo, st.ADMIN_NAME: self.admin_name_edit,
            st.RETENTION_DAYS: self.retention_spin, st.SMTP_USER: self.smtp_user_edit,
            st.DAILY_REQUEST_BUDGET: self.request_budget_spin,
            st.RETRY_MAX_ATTEMPTS: self.retry_spin,
            st.RUNS_MAX_MB: self.runs_size_spin,
            st.SMTP_HOST: self.smtp_host_edit, st.SMTP_PORT: self.smtp_port_spin,
            st.SMTP_SECURITY: self.smtp_security_combo, st.SMTP_FROM: self.smtp_from_edit,
            st.SMTP_PASSWORD_REF: self.smtp_password_edit, st.ADMIN_EMAIL: self.admin_email_edit,
        }
        widget = widgets.get(field or "")
        if widget is not None:
            widget.setFocus()
