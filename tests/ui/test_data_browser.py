"""Issue 12 finding 4: the Data tab is a browser: names next to GSIDs, dates as dates,
columns sized to their content, and an export of what is shown to CSV and .xlsx."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from pxdesk.core.store.models import Company, CompanyPerson, Person
from pxdesk.ui.views.data_view import DataView

DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
GONE_AT = 1_700_000_000_000


def _view(qtbot: QtBot, obj: str, **kwargs: Any) -> DataView:
    view = DataView(**kwargs)
    qtbot.addWidget(view)
    view.object_combo.setCurrentIndex(view.object_combo.findData(obj))
    qtbot.waitUntil(lambda: view.model.query is not None and view.model.query.obj == obj
                    and not view.model.is_busy())
    return view


def _column(view: DataView, title: str) -> int:
    return view.model.titles.index(title)


def _cells(view: DataView, title: str) -> list[str]:
    col = _column(view, title)
    return [view.model.data(view.model.index(r, col)) for r in range(view.model.rowCount())]


def test_company_person_rows_show_the_person_and_the_company_by_name(
    qtbot: QtBot, context: object
) -> None:
    person = Person.create(email="ada@example.com", name="Ada Lovelace")
    company = Company.create(name="Analytical Engines Ltd")
    CompanyPerson.create(person=person, company=company, title="CTO")
    view = _view(qtbot, "company_person")
    assert _cells(view, "Person Email") == ["ada@example.com"]
    assert _cells(view, "Person Name") == ["Ada Lovelace"]
    assert _cells(view, "Company Name") == ["Analytical Engines Ltd"]
    dialog = view.open_record(0)
    qtbot.addWidget(dialog)
    fields = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
              for r in range(dialog.table.rowCount())}
    assert fields["Company Name"] == "Analytical Engines Ltd"


def test_record_dialog_and_deleted_in_px_read_as_dates(qtbot: QtBot, context: object) -> None:
    Person.create(email="gone@example.com", deleted_in_px_at=GONE_AT)
    view = _view(qtbot, "person")
    assert DATE.match(_cells(view, "Deleted in PX")[0])
    dialog = view.open_record(0)
    qtbot.addWidget(dialog)
    fields = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
              for r in range(dialog.table.rowCount())}
    assert DATE.match(fields["Created Date"]), fields["Created Date"]
    assert DATE.match(fields["Deleted in PX"]), fields["Deleted in PX"]


def test_columns_are_sized_to_their_content(qtbot: QtBot, context: object) -> None:
    long_email = "someone.with.a.rather.long.address@example-company.com"
    Person.insert_many([{"email": long_email, "name": f"P {i}"} for i in range(3)]).execute()
    view = _view(qtbot, "person")
    view.resize(1366, 600)
    header = view.table.horizontalHeader()
    metrics = view.table.fontMetrics()
    assert header.sectionSize(_column(view, "Email")) >= metrics.horizontalAdvance(long_email)
    created = _cells(view, "Created Date")[0]
    assert not view.table.wordWrap()
    assert header.sectionSize(_column(view, "Created Date")) >= metrics.horizontalAdvance(created)
    empty = header.sectionSize(_column(view, "LinkedIn URL"))
    assert empty < header.sectionSize(_column(view, "Email")) / 2, "an empty column is narrow"


def test_sizing_the_columns_reads_the_rows_not_the_models_qt_roles(
    qtbot: QtBot, context: object
) -> None:
    """Sizing comes as a run ends (the Data tab reloads): asking the model every role of every
    visible cell was a Python call each, each a turn at the GIL a sync holds (70-90 ms)."""
    long_email = "someone.with.a.rather.long.address@example-company.com"
    Person.insert_many([{"email": long_email, "name": "Long"}]
                       + [{"email": f"p{i}@x.io", "name": f"P {i}"} for i in range(60)]).execute()
    view = _view(qtbot, "person")
    view.resize(1366, 600)
    asked: list[str] = []

    def count(frame: Any, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code.co_name in ("data", "headerData"):
            asked.append(frame.f_code.co_name)

    sys.setprofile(count)
    try:
        view.size_columns()
    finally:
        sys.setprofile(None)
    assert asked == []
    header = view.table.horizontalHeader()
    metrics = view.table.fontMetrics()
    assert header.sectionSize(_column(view, "Email")) >= metrics.horizontalAdvance(long_email)
    assert header.sectionSize(_column(view, "Name")) >= metrics.horizontalAdvance("Name")


def test_export_writes_what_is_shown_to_csv_and_xlsx_in_a_worker(
    qtbot: QtBot, context: object, tmp_path: Path
) -> None:
    Person.create(email="ada@example.com", name="=HYPERLINK(\"http://x\")",
                  deleted_in_px_at=GONE_AT)
    Person.create(email="bob@example.com", name="Bob")
    paths = iter([tmp_path / "people.csv", tmp_path / "people.xlsx"])
    view = _view(qtbot, "person", ask_path=lambda *_: next(paths))
    view.search_edit.setText("ada")
    qtbot.waitUntil(lambda: view.model.total == 1)
    for suffix in ("csv", "xlsx"):
        view.export_button.click()
        assert view.message_label.text().startswith("Exporting"), "busy while it writes"
        assert not view.export_button.isEnabled()
        qtbot.waitUntil(lambda: view.message_label.text().startswith("Exported"))
        assert suffix in view.message_label.text()
    with (tmp_path / "people.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2, "the search applies to the export"
    header = rows[0]
    assert rows[1][header.index("Email")] == "ada@example.com"
    assert rows[1][header.index("Name")] == "'=HYPERLINK(\"http://x\")", "Excel-safe"
    assert rows[1][header.index("Deleted in PX")].startswith("2023-11-1")
    sheet = load_workbook(tmp_path / "people.xlsx", read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0] == header and len(cells) == 2
    assert cells[1][header.index("Name")] == "'=HYPERLINK(\"http://x\")"
    assert cells[1][header.index("Deleted in PX")].year == 2023, "a date cell"
