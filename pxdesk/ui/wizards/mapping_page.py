"""Stage 2, Data Source and Field Mappings: the mapping table, pickers and the upsert key."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Any

from peewee import Database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.background import BackgroundCall, detach
from pxdesk.core.config.stages import Stage
from pxdesk.core.errors import PxdeskError
from pxdesk.core.px.fields import SourceField, source_fields, standard_fields
from pxdesk.core.store.enums import JobKind
from pxdesk.core.store.settings import person_resolution_key
from pxdesk.ui.column_fit import ColumnFitter
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.mappings_model import MappingsTableModel
from pxdesk.ui.widgets import button_row, select_whole_rows
from pxdesk.ui.wizards.mapping_dialogs import CustomFieldDialog, MappingDialog, target_fields
from pxdesk.ui.wizards.stage_page import StagePage

ClientFactory = Callable[[], Any]
SOURCE_MIN = 160  # px the source path keeps when even the short columns fill the page
COMPANY_UPSERT_HELP = ("Tick the upsert key: the field that identifies a Company (normally "
                       "id → PX Account ID). Without one the job can neither run nor be "
                       "scheduled.")
PERSON_UPSERT_HELP = ("Upsert keys are fixed for Company Person Sync: the Person is matched on "
                      "the Person Resolution Key ({keys}, from Settings) and the Company Person "
                      "on (Person ID, Company ID). Map a PX field to each resolution key field.")


def fetch_source_fields(kind: str, client_factory: ClientFactory) -> list[SourceField]:
    """Runs in a worker thread: PX attribute metadata merged with the standard catalog."""
    client = client_factory()
    try:
        return source_fields(kind, client.attributes(kind))
    finally:
        client.close()


class MappingPage(StagePage):
    STAGE = Stage.MAPPINGS

    def __init__(self, kind: str, job_service: Any, client_factory: ClientFactory | None,
                 db: Database | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._service = job_service
        job_kind = JobKind(kind)
        self._source_kind = job_kind.source.value
        self._objects = [t.value for t in job_kind.targets]
        self.sources: list[SourceField] = standard_fields(self._source_kind)
        self._loader: BackgroundCall | None = None
        target = " and ".join(t.label for t in job_kind.targets)
        self.setSubTitle(f"Source object: {job_kind.source.label} (fixed). "
                         f"Target object: {target} (fixed).")
        # Made in reading order, which is Tab's order: the buttons sit above the table.
        self.add_button = QPushButton(icon(Icon.ADD), "Add Mapping…", self)
        self.edit_button = QPushButton(icon(Icon.EDIT), "Edit…", self)
        self.remove_button = QPushButton(icon(Icon.REMOVE), "Remove", self)
        self.custom_field_button = QPushButton(icon(Icon.ADD_CUSTOM_FIELD), "Add Custom Field…",
                                               self)
        self.model = MappingsTableModel(self)
        self.model.upsert_locked = kind == "company_person"
        self.table = QTableView(self)
        self.table.setObjectName("mappings_table")
        self.table.setAccessibleName("Field mappings")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        select_whole_rows(self.table, QHeaderView.ResizeMode.Interactive)
        # The source path is what tells mappings apart: it takes the room the short columns
        # (types, the upsert tick) leave. A path longer than that is elided in the middle
        # (its tooltip has it whole) so the upsert tick stays in view.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.column_fitter = ColumnFitter(self.table, fill_column=0, fill_cap=SOURCE_MIN)
        self.table.doubleClicked.connect(self._on_edit_button_clicked)
        self.sources_label = QLabel("Reading the PX field list…", self)
        self.sources_label.setWordWrap(True)
        keys = ", ".join(person_resolution_key())
        self.upsert_help = QLabel(COMPANY_UPSERT_HELP if kind == "company"
                                  else PERSON_UPSERT_HELP.format(keys=keys), self)
        self.upsert_help.setWordWrap(True)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.custom_field_button.clicked.connect(self._on_custom_field_button_clicked)
        buttons = button_row(self.add_button, self.edit_button, self.remove_button,
                             self.custom_field_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sources_label)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error_label("mappings"))
        layout.addWidget(self.upsert_help)
        layout.addWidget(self.issues_label)
        self._refresh_labels()
        self._start_loading(client_factory, db)

    # ---- source fields ------------------------------------------------------------------

    def _start_loading(self, client_factory: ClientFactory | None, db: Database | None) -> None:
        if client_factory is None:
            self._on_loader_failed("no PX connection")
            return
        kind = self._source_kind

        def call() -> list[SourceField]:
            return fetch_source_fields(kind, client_factory)

        self._loader = BackgroundCall(call, db, self)
        self._loader.finished.connect(self._on_loader_finished)
        self._loader.failed.connect(self._on_loader_failed)
        # However the page goes (its wizard closed, or deleted with its window), the load
        # ends on its own: a QThread destroyed while it runs aborts the process.
        self.destroyed.connect(partial(detach, self._loader))
        self._loader.start()

    def is_loading(self) -> bool:
        return self._loader is not None and self._loader.is_running()

    def stop_loading(self) -> None:
        """The wizard closes: a load still going ends on its own, unawaited."""
        if self._loader is not None:
            detach(self._loader)
            self._loader = None

    def _on_loader_finished(self, fields: list[SourceField]) -> None:
        self.sources = list(fields)
        custom = sum(1 for f in fields if f.custom)
        self.sources_label.setText(f"{len(fields)} PX fields available ({custom} custom), "
                                   "read from PX attribute metadata.")

    def _on_loader_failed(self, message: str) -> None:
        self.sources = standard_fields(self._source_kind)
        self.sources_label.setText(f"Could not read the PX attribute list ({message}); "
                                   "showing the standard PX fields only (no custom attributes).")

    # ---- load / store ---------------------------------------------------------------------

    def _refresh_labels(self) -> None:
        self.model.set_labels({(t.obj, t.api_name): t.label
                               for t in target_fields(self._objects)})

    def load(self, config: Any) -> None:
        self.model.set_rows(list(config.mappings))

    def store(self, config: Any) -> Any:
        return dataclasses.replace(config, mappings=self.model.rows())

    # ---- actions ----------------------------------------------------------------------------

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def open_mapping_dialog(self, row: int = -1) -> MappingDialog:
        current = self.model.row_at(row) if row >= 0 else None
        return MappingDialog(self.sources, target_fields(self._objects),
                             upsert_editable=not self.model.upsert_locked, current=current,
                             parent=self)

    def apply_mapping_dialog(self, dialog: MappingDialog, row: int = -1) -> None:
        choice = dialog.choice()
        if choice is None:
            return
        source, target, upsert = choice
        template = self.model.row_at(row) if row >= 0 else None
        mapping = self._make_mapping(template, source, target, upsert)
        if row >= 0:
            self.model.replace_row(row, mapping)
        else:
            self.table.selectRow(self.model.add_row(mapping))

    def _make_mapping(self, template: Any, source: SourceField, target: Any,
                      upsert: bool) -> Any:
        values = {"source_path": source.path, "source_type": source.type,
                  "target_object": target.obj, "target_field": target.api_name,
                  "target_type": target.type,
                  "upsert_key": upsert and not self.model.upsert_locked}
        if template is not None:
            return dataclasses.replace(template, **values)
        from pxdesk.core.config.job_config import MappingConfig

        return MappingConfig(**values)

    def _on_add_button_clicked(self) -> None:
        dialog = self.open_mapping_dialog()
        if dialog.exec() == MappingDialog.DialogCode.Accepted:
            self.apply_mapping_dialog(dialog)

    def _on_edit_button_clicked(self) -> None:
        row = self._selected_row()
        if row < 0:
            return
        dialog = self.open_mapping_dialog(row)
        if dialog.exec() == MappingDialog.DialogCode.Accepted:
            self.apply_mapping_dialog(dialog, row)

    def _on_remove_button_clicked(self) -> None:
        row = self._selected_row()
        if row >= 0:
            self.model.remove_row(row)

    def _on_custom_field_button_clicked(self) -> None:
        dialog = CustomFieldDialog(self._objects, self)
        if dialog.exec() == CustomFieldDialog.DialogCode.Accepted:
            self.add_custom_field(*dialog.values())

    def add_custom_field(self, obj: str, label: str, field_type: str) -> bool:
        """Created at once through JobService (it is an object change, not a job change)."""
        try:
            self._service.add_custom_field(obj, label, field_type)
        except PxdeskError as exc:
            QMessageBox.warning(self, "Cannot add the custom field", str(exc))
            return False
        self._refresh_labels()
        return True
