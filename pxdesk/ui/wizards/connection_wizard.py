"""Connection wizard: name, key, region or base URL, Multi Instance, Test, then Create / Save."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from peewee import Database
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from pxdesk.core.background import ConnectionTestWorker, detach
from pxdesk.core.errors import PxdeskError
from pxdesk.core.store.enums import Region
from pxdesk.ui.theme import Tone, set_tone

CUSTOM = "custom"
MULTI_INSTANCE_HELP = (
    "Multi Instance: several PX accounts (for example a production and a sandbox instance of "
    "one customer) roll up to one Company; each PX account becomes a Company Instance."
)


class ConnectionServiceLike(Protocol):
    def test(self, api_key: str | None = ..., region: str | None = ...,
             base_url: str | None = ...) -> Any: ...
    def create(self, name: str, api_key: str, **kwargs: Any) -> Any: ...
    def edit(self, **kwargs: Any) -> Any: ...
    def record_test(self, result: Any) -> None: ...


@dataclass(frozen=True)
class ConnectionInputs:
    """What the admin typed; the test result is valid only for exactly these inputs."""

    name: str
    api_key: str  # "" when editing and keeping the stored key
    region: str | None
    base_url: str | None
    multi_instance: bool

    def test_key(self) -> tuple[str, str | None, str | None]:
        return (self.api_key, self.region, self.base_url)


class ConnectionPage(QWizardPage):
    """The single page; complete only after a successful test of the current inputs."""

    test_finished = Signal(bool, str)

    def __init__(self, service: ConnectionServiceLike, db: Database | None,
                 existing: Any | None = None) -> None:
        super().__init__()
        self._service = service
        self._db = db
        self._editing = existing is not None
        self._tested: tuple[str, str | None, str | None] | None = None
        self.tested_result: Any = None  # the successful test of `_tested`, for the card
        self._worker: ConnectionTestWorker | None = None
        self._worker_inputs: ConnectionInputs | None = None
        self.setTitle("Edit the PX connection" if self._editing else "Connect to Gainsight PX")
        self.setSubTitle("pxdesk reads accounts and users with a PX REST API key "
                         "(Administration > REST API in PX; Read permission is enough).")
        self._build()
        if existing is not None:
            self._load(existing)

    # ---- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. Production")
        form.addRow("Connection &name", self.name_edit)
        self.api_key_edit = QLineEdit(self)
        self.api_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_key_button = QPushButton("S&how", self)
        self.show_key_button.setAccessibleName("Show the API key")
        self.show_key_button.setCheckable(True)
        self.show_key_button.toggled.connect(self._on_show_key_button_toggled)
        key_row = QHBoxLayout()
        key_row.addWidget(self.api_key_edit, 1)
        key_row.addWidget(self.show_key_button)
        key_label = QLabel("API secret &key", self)
        key_label.setBuddy(self.api_key_edit)  # the row is a layout: addRow sets no buddy
        form.addRow(key_label, key_row)
        form.addRow("Region", self._build_regions())
        self.base_url_edit = QLineEdit(self)
        self.base_url_edit.setPlaceholderText("https://… or http://127.0.0.1:port/v1")
        form.addRow("Custom &base URL", self.base_url_edit)
        self.multi_instance_check = QCheckBox("&Multi Instance", self)
        help_label = QLabel(MULTI_INSTANCE_HELP, self)
        help_label.setWordWrap(True)
        form.addRow("", self.multi_instance_check)
        form.addRow("", help_label)
        self.test_button = QPushButton("&Test Connection", self)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.status_label = QLabel("", self)  # the last test; missing_label says what is next
        self.status_label.setObjectName("connection_status_label")
        self.status_label.setWordWrap(True)
        self.missing_label = QLabel("", self)
        self.missing_label.setObjectName("create_missing_label")
        self.missing_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.test_button)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        layout.addWidget(self.missing_label)
        for edit in (self.name_edit, self.api_key_edit, self.base_url_edit):
            edit.textChanged.connect(self._on_input_changed)
            edit.returnPressed.connect(self._on_edit_return_pressed)
        self.multi_instance_check.toggled.connect(self._on_input_changed)
        self._on_region_changed()

    def _build_regions(self) -> QWidget:
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.region_group = QButtonGroup(self)
        self.region_buttons: dict[str, QRadioButton] = {}
        for key, label in (*((r.value, r.label) for r in Region), (CUSTOM, "Custom base URL")):
            button = QRadioButton(label, box)
            self.region_buttons[key] = button
            self.region_group.addButton(button)
            row.addWidget(button)
        self.region_buttons["us"].setChecked(True)
        # Not the same name as the base URL field itself.
        self.region_buttons[CUSTOM].setAccessibleName("Use a custom base URL")
        for button in self.region_buttons.values():  # connected once every widget exists
            button.toggled.connect(self._on_region_changed)
        row.addStretch(1)
        return box

    def _load(self, conn: Any) -> None:
        self.name_edit.setText(conn.name)
        self.api_key_edit.setPlaceholderText(
            f"{conn.key_hint or '****'} (leave empty to keep the current key)")
        if conn.base_url:
            self.region_buttons[CUSTOM].setChecked(True)
            self.base_url_edit.setText(conn.base_url)
        elif conn.region in self.region_buttons:
            self.region_buttons[conn.region].setChecked(True)
        self.multi_instance_check.setChecked(bool(conn.multi_instance))

    # ---- state --------------------------------------------------------------------------

    def inputs(self) -> ConnectionInputs:
        custom = self.region_buttons[CUSTOM].isChecked()
        region = next((k for k, b in self.region_buttons.items() if b.isChecked()), "us")
        return ConnectionInputs(
            name=self.name_edit.text().strip(), api_key=self.api_key_edit.text().strip(),
            region=None if custom else region,
            base_url=self.base_url_edit.text().strip() if custom else None,
            multi_instance=self.multi_instance_check.isChecked(),
        )

    def isComplete(self) -> bool:
        current = self.inputs()
        has_key = bool(current.api_key) or self._editing
        return bool(current.name) and has_key and self._tested == current.test_key()

    def missing(self) -> str:
        """Why Create / Save is disabled, in one line ("" when it is enabled)."""
        if self.isComplete():
            return ""
        current = self.inputs()
        needs = [what for what, given in (("a connection name", current.name),
                                          ("the API key", current.api_key or self._editing))
                 if not given]
        action = "Save" if self._editing else "Create"
        if needs:
            return f"{action} needs {' and '.join(needs)}, then a successful connection test."
        return f"{action} is enabled once the connection test succeeds."

    def is_testing(self) -> bool:
        return self._worker is not None

    def _on_region_changed(self) -> None:
        self.base_url_edit.setEnabled(self.region_buttons[CUSTOM].isChecked())
        self._on_input_changed()

    def _on_input_changed(self) -> None:
        current = self.inputs()
        if self._tested is not None and self._tested != current.test_key():
            self._tested = self.tested_result = None
            self.status_label.setText("The inputs changed: test the connection again.")
            self.status_label.setStyleSheet("")
        self.test_button.setEnabled(self._worker is None and (bool(current.api_key)
                                                               or self._editing))
        missing = self.missing()
        self.missing_label.setText(missing)
        self.missing_label.setVisible(bool(missing))
        self.completeChanged.emit()

    def _on_edit_return_pressed(self) -> None:
        """Enter tests what was typed (once tested, Enter is Create, the wizard's default)."""
        if not self.isComplete() and self.test_button.isEnabled():
            self.test_button.click()

    def _on_show_key_button_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.api_key_edit.setEchoMode(mode)
        self.show_key_button.setText("H&ide" if shown else "S&how")
        self.show_key_button.setAccessibleName("Hide the API key" if shown
                                               else "Show the API key")

    # ---- test ---------------------------------------------------------------------------

    def _on_test_button_clicked(self) -> None:
        current = self.inputs()
        self._worker_inputs = current
        self._worker = ConnectionTestWorker(
            self._service.test, api_key=current.api_key or None, region=current.region,
            base_url=current.base_url, db=self._db, parent=self)
        self._worker.finished.connect(self._on_worker_finished)
        self._worker.failed.connect(self._on_worker_failed)
        self.test_button.setEnabled(False)
        self.status_label.setText("Testing the connection…")
        self._worker.start()

    def _on_worker_finished(self, result: Any) -> None:
        ok = bool(getattr(result, "ok", False))
        message = str(getattr(result, "message", "") or ("Connected." if ok else "Failed."))
        self._end_test(ok, message, result)

    def _on_worker_failed(self, message: str) -> None:
        self._end_test(False, message)

    def _end_test(self, ok: bool, message: str, result: Any = None) -> None:
        tested = self._worker_inputs
        self._worker = self._worker_inputs = None
        self.tested_result = None
        if ok and tested is not None and tested.test_key() == self.inputs().test_key():
            self._tested = tested.test_key()
            self.tested_result = result
            self.status_label.setText(f"✔ {message}")
        else:
            self._tested = None
            self.status_label.setText(f"✘ {message}" if not ok else
                                      "The inputs changed during the test: test again.")
        set_tone(self.status_label, None if ok else Tone.ERROR)
        self._on_input_changed()
        self.test_finished.emit(ok, message)

    def stop_test(self) -> None:
        """The wizard closes: a test still going ends on its own, unawaited."""
        if self._worker is not None:
            detach(self._worker)
            self._worker = None


class ConnectionWizard(QWizard):
    """Creates the one PX connection, or edits it; saving happens only on Create / Save."""

    saved = Signal()

    def __init__(self, service: ConnectionServiceLike, db: Database | None = None,
                 existing: Any | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._existing = existing
        self.setWindowTitle("PX connection")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.page = ConnectionPage(service, db, existing)
        self.addPage(self.page)
        self.setButtonText(QWizard.WizardButton.FinishButton,
                           "Save" if existing is not None else "Create")
        self.resize(640, 520)

    def prefill(self, *, name: str, api_key: str, base_url: str) -> None:
        """Demo mode: the simulator's base URL and key."""
        self.page.name_edit.setText(name)
        self.page.api_key_edit.setText(api_key)
        self.page.region_buttons[CUSTOM].setChecked(True)
        self.page.base_url_edit.setText(base_url)

    def accept(self) -> None:
        current = self.page.inputs()
        try:
            if self._existing is None:
                self._service.create(current.name, current.api_key, region=current.region,
                                     base_url=current.base_url,
                                     multi_instance=current.multi_instance)
            else:
                self._service.edit(name=current.name, api_key=current.api_key or None,
                                   region=current.region, base_url=current.base_url,
                                   multi_instance=current.multi_instance)
            if self.page.tested_result is not None:
                self._service.record_test(self.page.tested_result)
        except PxdeskError as exc:
            QMessageBox.warning(self, "Cannot save the connection", str(exc))
            return
        self.saved.emit()
        super().accept()

    def done(self, result: int) -> None:
        self.page.stop_test()
        super().done(result)
