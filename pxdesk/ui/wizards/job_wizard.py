"""The job wizard: five stage pages over one JobConfig; Finish saves it all, Cancel nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peewee import Database
from PySide6.QtWidgets import (
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from pxdesk.core.config.job_config import load_job_config
from pxdesk.core.config.job_service import JobService
from pxdesk.core.config.stages import Stage
from pxdesk.core.config.validation import ConfigIssue
from pxdesk.core.errors import ConfigError, PxdeskError
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.views.dry_run_dialog import DryRunDialog, DryRunner
from pxdesk.ui.widgets import button_row, plain_buttons
from pxdesk.ui.wizards.derived_page import DerivedPage
from pxdesk.ui.wizards.filters_page import FiltersPage
from pxdesk.ui.wizards.job_config_page import JobConfigPage
from pxdesk.ui.wizards.mapping_page import MappingPage
from pxdesk.ui.wizards.preview_dialog import LivePreviewDialog
from pxdesk.ui.wizards.schedule_page import SchedulePage
from pxdesk.ui.wizards.stage_page import StagePage

ClientFactory = Callable[[], Any]


class JobWizard(QWizard):
    """Edits one of the two jobs. Pages validate through JobService.validate before Next."""

    def __init__(self, job_name: str, *, user: str = "", db: Database | None = None,
                 client_factory: ClientFactory | None = None,
                 parent: QWidget | None = None, dry_runner: DryRunner | None = None) -> None:
        super().__init__(parent)
        self.service = JobService(user=user)
        self.job = self.service.get(job_name)
        self.config = load_job_config(self.job)
        self.saved_config: Any = None
        self.setWindowTitle(f"Edit job — {job_name}")
        self.setOption(QWizard.WizardOption.HaveFinishButtonOnEarlyPages, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Save")
        others = [j.name for j in self.service.jobs() if j.name != job_name]
        kind = str(self.config.kind)
        self.config_page = JobConfigPage(self._connection_name(), others)
        self.mapping_page = MappingPage(kind, self.service, client_factory, db)
        self.derived_page = DerivedPage(kind, self._sources)
        self.filters_page = FiltersPage(self._sources)
        self.schedule_page = SchedulePage()
        self.stages: list[StagePage] = [self.config_page, self.mapping_page, self.derived_page,
                                        self.filters_page, self.schedule_page]
        for page in self.stages:
            page.setFinalPage(True)  # Save is available on every page (free navigation)
            self.addPage(page)
            page.load(self.config)
        self.stage_list = QListWidget(self)
        self.stage_list.setAccessibleName("Stages")
        self.stage_list.addItems([page.title() for page in self.stages])
        self.stage_list.setFixedWidth(self.stage_list.sizeHintForColumn(0)
                                      + 2 * self.stage_list.frameWidth() + 12)
        self.stage_list.currentRowChanged.connect(self._on_stage_list_row_changed)
        self.setSideWidget(self.stage_list)
        # Reading order: the stage list (left), the page, then the wizard's buttons. The list,
        # made last, would come after the buttons; Cancel is the last button Tab reaches.
        QWidget.setTabOrder(self.button(QWizard.WizardButton.CancelButton), self.stage_list)
        self.currentIdChanged.connect(self._on_current_id_changed)
        self.stage_list.setCurrentRow(0)
        self.resize(1040, 720)
        self._loaded = self.collect().to_dict()  # what Cancel compares with before asking
        self._add_dry_run_button(dry_runner, db)
        self._client_factory = client_factory
        self.preview_dialog: LivePreviewDialog | None = None
        if client_factory is not None:  # the preview reads its sample from PX
            self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
            self.setButtonText(QWizard.WizardButton.CustomButton1, "Live Preview…")
            self.button(QWizard.WizardButton.CustomButton1).setIcon(icon(Icon.LIVE_PREVIEW))
            self.customButtonClicked.connect(self._on_custom_button_clicked)
        self.discard_box: QMessageBox | None = None

    def _add_dry_run_button(self, dry_runner: DryRunner | None, db: Database | None) -> None:
        """Dry Run on the last page: the saved job's next run, predicted record by record."""
        self._dry_runner, self._db = dry_runner, db
        self.dry_run_dialog: DryRunDialog | None = None
        self.dry_run_button = QPushButton(icon(Icon.DRY_RUN), "Dry Run…", self.schedule_page)
        self.dry_run_button.setToolTip("Read PX and show what the saved job's next run would "
                                       "do with each record, writing nothing")
        self.dry_run_button.clicked.connect(self._on_dry_run_button_clicked)
        if dry_runner is None:
            self.dry_run_button.hide()
        layout = self.schedule_page.layout()
        assert isinstance(layout, QVBoxLayout)
        # Above the page's closing stretch, left-aligned like the other button rows.
        layout.insertLayout(layout.count() - 1, button_row(self.dry_run_button))

    def _on_dry_run_button_clicked(self) -> None:
        if self._dry_runner is None:
            return
        unsaved = self.collect().to_dict() != self._loaded
        note = ("The dry run uses the job as saved: the changes made in this wizard are not "
                "in it. Save them first to see their effect.") if unsaved else None
        self.dry_run_dialog = DryRunDialog(self.job.name, self._dry_runner, self._db, self,
                                           note=note)
        self.dry_run_dialog.setModal(True)
        self.dry_run_dialog.show()

    def _on_custom_button_clicked(self, which: int) -> None:
        """Live Preview: beside the wizard, following its edits until closed."""
        if which != QWizard.WizardButton.CustomButton1.value or self._client_factory is None:
            return
        if self.preview_dialog is None:
            self.preview_dialog = LivePreviewDialog(self.job.name, self.collect,
                                                    self._client_factory, self._db, self)
        self.preview_dialog.show()
        self.preview_dialog.raise_()

    def _connection_name(self) -> str:
        conn = getattr(self.job, "connection", None)
        return str(getattr(conn, "name", "")) or "Gainsight PX"

    def _sources(self) -> list[Any]:
        return list(self.mapping_page.sources)

    # ---- configuration ------------------------------------------------------------------

    def collect(self) -> Any:
        """The configuration as the pages show it now (nothing saved)."""
        config = self.config
        for page in self.stages:
            config = page.store(config)
        return config

    def issues(self) -> list[ConfigIssue]:
        return list(self.service.validate(self.job, self.collect()))

    def validate_stage(self, page: StagePage) -> bool:
        """Next / Finish on `page`: its own stage's issues block it, shown next to the fields."""
        try:
            mine = [i for i in self.issues() if i.stage is page.STAGE]
        except ConfigError as exc:  # shown like an issue of the page, not as a crash
            page.show_issues([ConfigIssue(page.STAGE, exc.field or "", str(exc))])
            return False
        page.show_issues(mine)
        return not mine

    def accept(self) -> None:
        """Finish: every stage must be valid; then one save through JobService."""
        issues = self.issues()
        for page in self.stages:
            mine = [i for i in issues if i.stage is page.STAGE]
            page.show_issues(mine)
            if mine:
                self._go_to(self.stages.index(page))
                return
        config = self.collect()
        try:
            self.service.save(self.job, config)
        except PxdeskError as exc:
            QMessageBox.warning(self, "Cannot save the job", str(exc))
            return
        self.saved_config = config
        super().accept()

    def reject(self) -> None:
        """Cancel, Escape or the close box: edits on any page are only discarded when the
        admin says so (asked window-modally); with nothing changed it closes at once."""
        if self.collect().to_dict() == self._loaded:
            super().reject()
            return
        if self.discard_box is None:
            box = QMessageBox(QMessageBox.Icon.Question, "Discard your changes?",
                              f"You changed {self.job.name} in this wizard. Discard the "
                              "changes?", QMessageBox.StandardButton.Discard
                              | QMessageBox.StandardButton.Cancel, self)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Cancel).setText("Keep Editing")
            plain_buttons(box.buttons())
            box.finished.connect(self._on_discard_box_finished)
            self.discard_box = box
        self.discard_box.open()

    def _on_discard_box_finished(self, answer: int) -> None:
        if answer == QMessageBox.StandardButton.Discard:
            super().reject()

    def done(self, result: int) -> None:
        self.mapping_page.stop_loading()
        if self.preview_dialog is not None:
            self.preview_dialog.close()
        super().done(result)

    # ---- free navigation ----------------------------------------------------------------

    def show_stage(self, stage: Stage) -> None:
        """Open at `stage`'s page (e.g. Field Mappings, where a missing upsert key is set)."""
        self._go_to(next(i for i, page in enumerate(self.stages) if page.STAGE is stage))

    def _go_to(self, index: int) -> None:
        """Back moves freely; forward validates each page on the way (stops at a bad one)."""
        while self.currentId() > index:
            self.back()
        while self.currentId() < index:
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                break
        self.stage_list.blockSignals(True)
        self.stage_list.setCurrentRow(self.currentId())
        self.stage_list.blockSignals(False)

    def _on_stage_list_row_changed(self, row: int) -> None:
        if row >= 0 and row != self.currentId():
            self._go_to(row)

    def _on_current_id_changed(self, page_id: int) -> None:
        self.stage_list.blockSignals(True)
        self.stage_list.setCurrentRow(page_id)
        self.stage_list.blockSignals(False)
