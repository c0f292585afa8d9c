"""Settings dialog: Person Resolution Key, default time zone, admin, notification mail (SMTP)."""

from __future__ import annotations

import contextlib
import re
import zoneinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.errors import ConfigError
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store import settings as st
from pxdesk.core.store.custom_fields import list_custom_fields
from pxdesk.core.store.models import STANDARD_FIELDS, TargetObject

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MACHINE_ZONE = "(this machine's time zone)"
SMTP_SECURITY = (("starttls", "STARTTLS"), ("ssl", "SSL/TLS"), ("none", "None (plain)"))


class SettingsDialog(QDialog):
    """Loads every setting on open and saves them all on OK; Cancel writes nothing."""

    def __init__(self, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._secrets = secrets
        self.setWindowTitle("pxdesk settings")
        self.error_label = QLabel("", self)
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_general())
        layout.addWidget(self._build_mail())
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self._load()
        self.resize(620, 720)

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
        form.addRow("", hint)
        self.timezone_combo = QComboBox(box)
        self.timezone_combo.setEditable(True)
        self.timezone_combo.addItem(MACHINE_ZONE, None)
        for name in sorted(zoneinfo.available_timezones()):
            self.timezone_combo.addItem(name, name)
        form.addRow("Default time zone", self.timezone_combo)
        self.admin_name_edit = QLineEdit(box)
        self.admin_email_edit = QLineEdit(box)
        form.addRow("Admin name", self.admin_name_edit)
        form.addRow("Admin email", self.admin_email_edit)
        self.retention_spin = QSpinBox(box)
        self.retention_spin.setRange(0, 3650)
        self.retention_spin.setSuffix(" days")
        self.retention_spin.setSpecialValueText("Keep forever")
        self.retention_spin.setToolTip(
            "Runs and their error/success files older than this are deleted at start-up; "
            "the last run of each job is always kept."
        )
        form.addRow("Keep runs for", self.retention_spin)
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
        return box

    def _load(self) -> None:
        keys = set(st.get_setting(st.PERSON_RESOLUTION_KEY))
        for row in range(self.resolution_list.count()):
            item = self.resolution_list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in keys
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        zone = st.get_setting(st.DEFAULT_TIMEZONE)
        index = self.timezone_combo.findData(zone) if zone else 0
        self.timezone_combo.setCurrentIndex(max(index, 0))
        self.admin_name_edit.setText(st.get_setting(st.ADMIN_NAME))
        self.admin_email_edit.setText(st.get_setting(st.ADMIN_EMAIL))
        self.retention_spin.setValue(int(st.get_setting(st.RETENTION_DAYS)))
        self.smtp_from_edit.setText(st.get_setting(st.SMTP_FROM))
        self.smtp_host_edit.setText(st.get_setting(st.SMTP_HOST))
        self.smtp_port_spin.setValue(int(st.get_setting(st.SMTP_PORT)))
        self.smtp_security_combo.setCurrentIndex(
            max(self.smtp_security_combo.findData(st.get_setting(st.SMTP_SECURITY)), 0))
        self.smtp_user_edit.setText(st.get_setting(st.SMTP_USER))
        if st.get_setting(st.SMTP_PASSWORD_REF):
            self.smtp_password_edit.setPlaceholderText("(saved; type to replace)")

    def resolution_keys(self) -> list[str]:
        items = (self.resolution_list.item(i) for i in range(self.resolution_list.count()))
        return [str(i.data(Qt.ItemDataRole.UserRole)) for i in items
                if i.checkState() == Qt.CheckState.Checked]

    def problems(self) -> list[str]:
        found = []
        if not self.resolution_keys():
            found.append("Tick at least one Person Resolution Key field.")
        zone = self.timezone_combo.currentText().strip()
        if zone != MACHINE_ZONE and zone not in zoneinfo.available_timezones():
            found.append(f"Unknown time zone {zone!r}: pick one from the list.")
        for label, edit in (("Admin email", self.admin_email_edit),
                            ("Sender address", self.smtp_from_edit)):
            text = edit.text().strip()
            if text and not _EMAIL_RE.match(text):
                found.append(f"{label} {text!r} is not an email address.")
        return found

    def accept(self) -> None:
        issues = self.problems()
        if issues:
            self.error_label.setText("\n".join(issues))
            return
        zone = self.timezone_combo.currentText().strip()
        values = {
            st.PERSON_RESOLUTION_KEY: self.resolution_keys(),
            st.DEFAULT_TIMEZONE: None if zone == MACHINE_ZONE else zone,
            st.ADMIN_NAME: self.admin_name_edit.text().strip(),
            st.ADMIN_EMAIL: self.admin_email_edit.text().strip(),
            st.RETENTION_DAYS: self.retention_spin.value(),
            st.SMTP_FROM: self.smtp_from_edit.text().strip(),
            st.SMTP_HOST: self.smtp_host_edit.text().strip(),
            st.SMTP_PORT: self.smtp_port_spin.value(),
            st.SMTP_SECURITY: str(self.smtp_security_combo.currentData()),
            st.SMTP_USER: self.smtp_user_edit.text().strip(),
        }
        try:
            for key, value in values.items():
                st.set_setting(key, value)
            self._save_password()
        except ConfigError as exc:
            self.error_label.setText(str(exc))
            return
        super().accept()

    def _save_password(self) -> None:
        password = self.smtp_password_edit.text()
        if not password:
            return  # empty = keep the saved one
        old_ref = st.get_setting(st.SMTP_PASSWORD_REF)
        ref = self._secrets.put(password, old_ref or "smtp-password")
        st.set_setting(st.SMTP_PASSWORD_REF, ref)
        if old_ref and old_ref != ref:
            with contextlib.suppress(Exception):
                self._secrets.delete(old_ref)
