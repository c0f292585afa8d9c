"""A dialog's answer buttons (OK, Cancel, Save, Close, Skip…) carry words only, in every style:
no style's own icon beside the app's QtAwesome action icons (issue #12, one visual language).
The rule lives in one helper, widgets.dialog_buttons; every dialog's button box comes from it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QProxyStyle,
    QStyle,
    QStyleHintReturn,
    QStyleOption,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pxdesk.core.config.job_service import JobService
from pxdesk.core.pxsim import PxSimulator
from pxdesk.ui.views.admin_email_dialog import AdminEmailDialog
from pxdesk.ui.views.data_view import RecordDialog
from pxdesk.ui.views.history_dialog import HistoryDialog, JobVersions
from pxdesk.ui.views.import_dialog import ImportFromDateDialog
from pxdesk.ui.views.settings_dialog import SettingsDialog
from pxdesk.ui.widgets import ask_yes_no, dialog_buttons
from pxdesk.ui.wizards.mapping_dialogs import CustomFieldDialog, MappingDialog
from tests.ui.conftest import COMPANY_JOB, setup_jobs

Standard = QDialogButtonBox.StandardButton


class _IconsOnDialogButtons(QProxyStyle):
    """A style that puts its icons on dialog buttons (as Fusion does on a bare X server, or
    KDE's Breeze)."""

    def styleHint(self, hint: QStyle.StyleHint, option: QStyleOption | None = None,
                  widget: QWidget | None = None,
                  data: QStyleHintReturn | None = None) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 1
        return super().styleHint(hint, option, widget, data)


@pytest.fixture
def icon_style(qtbot: QtBot) -> Iterator[None]:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    name = qapp.style().name()
    QApplication.setStyle(_IconsOnDialogButtons(name))
    yield
    QApplication.setStyle(name)


def _icons(dialog: QDialog) -> dict[str, bool]:
    """Button text -> has an icon, for every button of the dialog's button boxes."""
    return {button.text(): not button.icon().isNull()
            for box in dialog.findChildren(QDialogButtonBox) for button in box.buttons()}


@pytest.mark.usefixtures("icon_style")
def test_the_style_would_add_icons_and_the_helper_takes_them_off(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    bare = QDialogButtonBox(Standard.Ok | Standard.Cancel, dialog)
    assert all(not b.icon().isNull() for b in bare.buttons()), "the test style adds icons"
    box = dialog_buttons(dialog, Standard.Save | Standard.Close)
    assert {b.text().replace("&", ""): b.icon().isNull() for b in box.buttons()} == {
        "Save": True, "Close": True}
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        box.button(Standard.Close).click()
    box.setStandardButtons(Standard.Ok | Standard.Cancel)  # re-made by Qt: shown plain too
    dialog.show()
    assert all(b.icon().isNull() for b in box.buttons())


@pytest.mark.usefixtures("icon_style")
def test_every_dialog_s_answer_buttons_carry_no_icon(
        qtbot: QtBot, context: Any, sim: PxSimulator) -> None:
    setup_jobs(context, sim)
    dialogs: list[QDialog] = [
        SettingsDialog(context.secrets),
        ImportFromDateDialog(COMPANY_JOB),
        RecordDialog("Company", [("Name", "Acme")]),
        HistoryDialog("History", JobVersions(JobService(user="tester"), COMPANY_JOB)),
        AdminEmailDialog("tester"),
        MappingDialog([], [], upsert_editable=False),
        CustomFieldDialog(["Company"]),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        icons = _icons(dialog)
        assert icons, type(dialog).__name__
        assert not any(icons.values()), (type(dialog).__name__, icons)


@pytest.mark.usefixtures("icon_style")
@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Yes,
                                    QMessageBox.StandardButton.No])
def test_a_yes_no_question_is_asked_in_words_only(qtbot: QtBot, answer: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, bool] = {}

    def answer_it() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.update({b.text().replace("&", ""): not b.icon().isNull() for b in box.buttons()})
        box.button(answer).click()

    QTimer.singleShot(0, answer_it)
    assert ask_yes_no(parent, "Restore version 1?", "Save version 1 again?") is (
        answer == QMessageBox.StandardButton.Yes)
    assert seen == {"Yes": False, "No": False}
