"""What the 1366x768 screenshots showed clipped or gapped, checked on real widgets: a text is
whole when its label is at least as wide as the text; a gap is a layout geometry check."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget
from pytestqt.qtbot import QtBot

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.sync.results import RunProgress
from pxdesk.core.workers import JobRunner
from pxdesk.ui.views.connectors_view import ConnectorsView
from tests.ui.conftest import PERSON_JOB, StoredConnection, setup_jobs

SCREEN = (1366, 700)  # 1366x768 less the title bar, menu and status bar
LOGS_TAB_HEIGHT = 650  # and less the tab bar and its frame


def _whole(label: QLabel) -> bool:
    return label.width() >= label.fontMetrics().horizontalAdvance(label.text())


def _progress(records: int, total: int) -> Any:
    return RunProgress(run_id=1, job_name=PERSON_JOB, pages=1, records=records,
                       success=records, failure=0, total_hits=total, rate_per_s=850.0,
                       elapsed_s=1.0)


def test_run_progress_text_is_whole_at_1366(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    setup_jobs(context, sim)
    view = ConnectorsView(StoredConnection(), runner, None)
    qtbot.addWidget(view)
    view.resize(*SCREEN)
    view.show()
    panel = view.progress_panel
    panel.begin(PERSON_JOB)
    qtbot.wait(10)
    detail = panel.findChildren(QLabel)[-1]
    # Whole as soon as it is set, before any re-layout: the column is wide enough from the
    # start (the grabbed screenshot kept the width of "Starting…": "1,000 of 5").
    for records, total in ((1_000, 5_000), (1_234_567, 9_876_543)):
        panel.update_progress(_progress(records, total))
        assert f"{records:,} of {total:,} records" in detail.text()
        assert _whole(detail), (detail.width(), detail.text())



def _form_rows_bottom(page: Any) -> int:
    """The bottom of the schedule stack's visible kind panel, in the stack's coordinates."""
    panel = page.stack.currentWidget()
    return max(child.geometry().bottom() for child in panel.findChildren(QWidget)
               if child.isVisible())


def test_schedule_kind_panel_has_no_gap_under_it(qtbot: QtBot, context: Any,
                                                 sim: PxSimulator) -> None:
    from pxdesk.core.config.chain_service import ChainService
    from pxdesk.core.store.enums import ScheduleKind
    from pxdesk.ui.wizards.schedule_page import SchedulePage
    setup_jobs(context, sim)
    page = SchedulePage()
    qtbot.addWidget(page)
    page.load(ChainService(user="tester").proposal())
    page.resize(900, 640)
    page.show()
    for kind in (ScheduleKind.HOURLY, ScheduleKind.DAILY_ONCE):
        page.kind_combo.setCurrentIndex(page.kind_combo.findData(kind.value))
        qtbot.wait(10)
        gap = page.stack.height() - _form_rows_bottom(page)
        # the "Time zone" row follows right under the last field, not 3 rows further down
        assert gap <= page.style().layoutSpacing(
            QSizePolicy.ControlType.DefaultType, QSizePolicy.ControlType.DefaultType,
            Qt.Orientation.Vertical) + 8, (kind, gap)


def test_wizard_action_buttons_carry_icons(qtbot: QtBot, context: Any,
                                           sim: PxSimulator) -> None:
    from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QWizard

    from pxdesk.core.px.client import PxClient
    from pxdesk.ui.wizards.job_wizard import JobWizard
    from tests.ui.conftest import COMPANY_JOB
    setup_jobs(context, sim)
    wizard = JobWizard(COMPANY_JOB, user="tester", db=context.db,
                       client_factory=lambda: PxClient(sim.base_url, sim.api_key))
    qtbot.addWidget(wizard)
    answers = {wizard.button(which) for which in (
        QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
        QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton,
        QWizard.WizardButton.CommitButton, QWizard.WizardButton.HelpButton)}
    actions = [button for button in wizard.findChildren(QPushButton)
               if button not in answers and not isinstance(button.parent(), QDialogButtonBox)]
    texts = {button.text() for button in actions}
    assert {"Add Mapping…", "Edit…", "Remove", "Add Custom Field…", "Live Preview…"} <= texts
    assert [b.text() for b in actions if b.icon().isNull()] == []
    assert all(wizard.button(which).icon().isNull() for which in (
        QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton)), "words only"


def test_one_arrow_for_source_to_target_everywhere(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    from pxdesk.core.config.changes import mapping_text
    from pxdesk.core.config.job_config import MappingConfig
    from pxdesk.ui.models.jobs_model import COLUMNS
    from pxdesk.ui.wizards.job_wizard import JobWizard
    from tests.ui.conftest import COMPANY_JOB
    setup_jobs(context, sim)
    assert COLUMNS[1].title == "Source \u2192 Target"
    view = ConnectorsView(StoredConnection(), runner, None)
    qtbot.addWidget(view)
    model = view.jobs_model
    assert model.data(model.index(model.row_of(COMPANY_JOB), 1)) == "PX Account \u2192 Company"
    wizard = JobWizard(COMPANY_JOB, user="tester", db=context.db)
    qtbot.addWidget(wizard)
    config_page = wizard.config_page
    assert config_page.source_label.text() == "PX Account \u2192 Company"
    shown = [label.text() for label in wizard.findChildren(QLabel)]
    assert not [text for text in shown if "->" in text]
    assert "->" not in wizard.mapping_page.subTitle()
    mapping = MappingConfig(source_path="id", source_type="string", target_object="company",
                            target_field="px_id", target_type="String")
    assert "id \u2192 " in mapping_text(mapping)
    from pxdesk.core.config.chain_service import ChainService
    chain = ChainService(user="tester").proposal()
    assert "->" not in chain.name and "->" not in chain.summary()


def _logs_view(qtbot: QtBot, context: Any, tmp_path: Any) -> Any:
    from pathlib import Path

    from pxdesk.ui.views.logs_view import LogsView
    view = LogsView(Path(context.paths.runs_dir), ask_save_path=lambda *_a: None)
    qtbot.addWidget(view)
    view.resize(SCREEN[0], LOGS_TAB_HEIGHT)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_no_run_selected_says_so_instead_of_an_empty_clipped_form(
    qtbot: QtBot, context: Any, tmp_path: Any
) -> None:
    view = _logs_view(qtbot, context, tmp_path)
    details = view.details
    assert details.placeholder_label.isVisible()
    assert details.placeholder_label.text() == "Select a run to see its details"
    assert _whole(details.placeholder_label)
    assert not details.fields_area.isVisible()


def test_a_selected_runs_quality_lines_show_without_scrolling_at_1366x768(
    qtbot: QtBot, context: Any, sim: PxSimulator, engine: Any, tmp_path: Any
) -> None:
    setup_jobs(context, sim)
    result = engine.run_job(PERSON_JOB)
    view = _logs_view(qtbot, context, tmp_path)
    view.select_job(PERSON_JOB)
    view.refresh()
    view.tables["execution"].selectRow(0)
    details = view.details
    assert details.run_id == result.run_id
    assert details.fields_area.isVisible() and not details.placeholder_label.isVisible()
    quality = details.value_labels["Quality"]
    assert quality.text().count("\n") >= 2
    area = details.fields_area
    qtbot.waitUntil(lambda: quality.height() >= quality.heightForWidth(quality.width()),
                    timeout=2000)
    qtbot.wait(50)
    bottom = quality.mapTo(area.widget(), quality.rect().bottomLeft()).y()
    assert area.verticalScrollBar().value() == 0
    assert bottom <= area.viewport().height(), (bottom, area.viewport().height())


def test_chain_dialog_form_and_schedule_share_one_label_column(
    qtbot: QtBot, context: Any, runner: JobRunner, sim: PxSimulator
) -> None:
    from pxdesk.core.config.chain_service import ChainService
    from pxdesk.ui.views.chain_dialog import ChainDialog
    setup_jobs(context, sim)
    dialog = ChainDialog(ChainService(user="tester"), runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    page = dialog.schedule_page

    def left(widget: QWidget) -> int:
        return widget.mapTo(dialog, widget.rect().topLeft()).x()

    fields = [dialog.name_edit, dialog.success_edit, page.kind_combo, page.timezone_combo,
              page.preview_list]
    assert {left(field) for field in fields} == {left(dialog.name_edit)}, \
        [(type(f).__name__, left(f)) for f in fields]


def test_stale_hours_read_one_hour_not_one_hours(qtbot: QtBot) -> None:
    from pxdesk.ui.wizards.stale_alerts_box import StaleAlertsBox
    box = StaleAlertsBox(lambda: None)
    qtbot.addWidget(box)
    spin = box.stale_hours_spin
    spin.setValue(1)
    assert spin.text() == "1 hour"
    spin.setValue(12)
    assert spin.text() == "12 hours"
    box.long_run_spin.setValue(1)
    assert box.long_run_spin.text() == "1 minute"
    spin.setEnabled(True)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "12")
    assert spin.value() == 12 and spin.text() == "12 hours"
