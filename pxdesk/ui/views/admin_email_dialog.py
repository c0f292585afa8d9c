"""First launch: ask once for the admin's email so run notifications reach someone."""

from __future__ import annotations

import contextlib

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.config.settings_service import save_admin_email, skip_admin_email
from pxdesk.core.config.validation import is_email
from pxdesk.core.errors import ConfigError, StoreError
from pxdesk.ui.widgets import dialog_buttons, error_label

INTRO = ("pxdesk mails the result of each import. Who should get these notifications? The "
         "address becomes the Admin email and fills every empty success and failure "
         "recipient list of the jobs and the job chain. You can change it later in "
         "File > Settings.")


class AdminEmailDialog(QDialog):
    """Non-modal: the app stays usable behind it. Save needs a valid address; Skip, Escape
    and the close button all mean "not now" and the question is not asked again."""

    def __init__(self, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self.setWindowTitle("Where should notifications go?")
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.email_edit = QLineEdit(self)
        self.email_edit.setPlaceholderText("admin@example.com")
        self.email_edit.textChanged.connect(self._on_email_edit_text_changed)
        self.error_label = error_label(self)
        self.buttons = dialog_buttons(self)
        self.save_button = self.buttons.addButton(
            "&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = self.buttons.addButton(
            "S&kip", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        form = QFormLayout()
        form.addRow("&Admin email", self.email_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._on_email_edit_text_changed("")
        self.resize(460, self.sizeHint().height())

    def _on_email_edit_text_changed(self, text: str) -> None:
        self.save_button.setEnabled(is_email(text.strip()))
        self.error_label.clear()

    def accept(self) -> None:
        """Save through the core (it checks the address again); a refusal stays on screen."""
        try:
            save_admin_email(self.email_edit.text(), user=self._user)
        except (ConfigError, StoreError) as exc:
            self.error_label.setText(str(exc))
            return
        super().accept()

    def reject(self) -> None:
        """Skip, Escape or the close button: not now, and not asked again."""
        with contextlib.suppress(StoreError):  # a busy store: asked again at the next launch
            skip_admin_email()
        super().reject()
