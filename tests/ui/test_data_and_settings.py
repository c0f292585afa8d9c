"""Data tab (lazy paging, search, sort, record dialog) and the Settings dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pxdesk.core.secrets import SecretStore
from pxdesk.core.store import settings as st
from pxdesk.core.store.custom_fields import ensure_custom_field
from pxdesk.core.store.models import Company, CompanyPerson, Person
from pxdesk.ui.models.records_model import RecordsTableModel
from pxdesk.ui.views.data_view import DataView
from pxdesk.ui.views.settings_dialog import SettingsDialog


def _companies(count: int) -> None:
    ensure_custom_field("company", "PX Account ID", "String", "test")
    Company.insert_many([
        {"name": f"Company {i:03d}", "custom": f'{{"PX_Account_ID__gc": "acc-{i}"}}',
         "created_at": 1_700_000_000_000 + i}
        for i in range(count)
    ]).execute()


def test_records_model_pages_lazily_and_sorts_in_sql(qtbot: QtBot, context: object) -> None:
    _companies(45)
    from pxdesk.core.store.records import RecordQuery

    model = RecordsTableModel(page_size=20)
    with qtbot.waitSignal(model.loaded):  # read by a worker
        model.set_query(RecordQuery("company"))
    assert model.total == 45 and model.rowCount() == 20
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 40)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 45)
    assert not model.canFetchMore()
    name_col = [c.key for c in model.query.columns].index("name")
    with qtbot.waitSignal(model.loaded):
        model.sort(name_col, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, name_col)) == "Company 044", "sorted over all rows"
    custom_col = [c.key for c in model.query.columns].index("custom:PX_Account_ID__gc")
    assert model.headerData(custom_col, Qt.Orientation.Horizontal) == "PX Account ID"
    assert model.data(model.index(0, custom_col)) == "acc-44"
    assert model.headerData(44, Qt.Orientation.Vertical) == 45, "rows are numbered"
    assert model.columnCount() == len(model.query.columns)


def test_data_view_searches_and_opens_a_record_with_custom_fields(
    qtbot: QtBot, context: object
) -> None:
    _companies(5)
    person = Person.create(email="ada@example.com", first_name="Ada")
    company = Company.get(Company.name == "Company 003")
    CompanyPerson.create(person=person, company=company, title="CTO")
    view = DataView()
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.model.total == 5)
    view.search_edit.setText("003")
    qtbot.waitUntil(lambda: view.model.total == 1, timeout=2000)
    dialog = view.open_record(0)
    qtbot.addWidget(dialog)
    fields = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
              for r in range(dialog.table.rowCount())}
    assert fields["Name"] == "Company 003"
    assert fields["PX Account ID"] == "acc-3"
    assert len(fields["GSID"]) == 36
    view.search_edit.clear()
    view.object_combo.setCurrentIndex(view.object_combo.findData("company_person"))
    view.search_edit.setText("ada@")  # Company Person rows are found by the person's email
    qtbot.waitUntil(lambda: view.model.query.search == "ada@" and not view.model.is_busy(),
                    timeout=2000)
    assert view.model.total == 1


def test_settings_dialog_saves_every_field_and_the_password_in_the_secret_store(
    qtbot: QtBot, context: object
) -> None:
    secrets: SecretStore = context.secrets  # type: ignore[attr-defined]
    dialog = SettingsDialog(secrets)
    qtbot.addWidget(dialog)
    dialog.admin_email_edit.setText("not-an-email")
    dialog.accept()
    assert "not an email address" in dialog.error_label.text()
    assert st.get_setting(st.ADMIN_EMAIL) == "", "nothing saved while invalid"
    dialog.admin_email_edit.setText("admin@example.com")
    dialog.admin_name_edit.setText("Ada Admin")
    dialog.timezone_combo.setCurrentText("Europe/Berlin")
    dialog.smtp_host_edit.setText("smtp.example.com")
    dialog.smtp_port_spin.setValue(2525)
    assert dialog.retention_spin.value() == 180, "the default retention is shown"
    dialog.retention_spin.setValue(30)
    dialog.smtp_password_edit.setText("s3cret-password")
    for row in range(dialog.resolution_list.count()):  # Email + First Name
        item = dialog.resolution_list.item(row)
        if item.text().startswith("First Name"):
            item.setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert st.get_setting(st.ADMIN_EMAIL) == "admin@example.com"
    assert st.get_setting(st.DEFAULT_TIMEZONE) == "Europe/Berlin"
    assert st.get_setting(st.SMTP_PORT) == 2525
    assert st.retention_days() == 30
    assert st.person_resolution_key() == ["Email", "FirstName"]
    ref = st.get_setting(st.SMTP_PASSWORD_REF)
    assert ref and secrets.get(ref) == "s3cret-password"
    assert "s3cret" not in str(st.all_settings())
