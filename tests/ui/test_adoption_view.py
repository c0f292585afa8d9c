"""The Adoption tab on a store filled directly: the figures, tables and charts it shows are the
core's; empty states; CSV and PNG exports; a new as-of day or company reads again."""

from __future__ import annotations

import csv
import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QGraphicsTextItem

from pxdesk.core.adoption.activity import activity_of, write_activity
from pxdesk.core.adoption.dashboard import Dashboard
from pxdesk.core.adoption.figures import (
    CompanyRow,
    Figures,
    InstanceRow,
    companies,
    day_end_ms,
    instances,
    overview,
)
from pxdesk.core.store.models import Company, Connection
from pxdesk.core.store.sync_state import AdoptionSnapshot
from pxdesk.ui.models.adoption_model import CompaniesModel
from pxdesk.ui.views.adoption_charts import ChartPanel, count_axis
from pxdesk.ui.views.adoption_view import (
    FIGURES,
    NO_DATA,
    NO_LAST_SEEN,
    TOP_INSTANCES,
    AdoptionView,
)

AS_OF = date(2026, 3, 10)
END = day_end_ms(AS_OF)
DAY = 86_400_000


def _user(uid: str, company: str | None, last_seen: int, sign_up: int = 0) -> Any:
    record = {"identifyId": uid, "accountId": "acc-1", "lastSeenDate": last_seen,
              "signUpDate": sign_up, "firstVisitDate": 0, "numberOfVisits": 3}
    return activity_of(uid, record, company)


@pytest.fixture
def store(context: Any) -> dict[str, str]:
    """12 companies, company i with i+1 users seen i days before the as-of day's end, a
    user with no company, a formula-looking name, and three daily snapshots for all."""
    gsids: dict[str, str] = {}
    rows = []
    for i in range(12):
        name = "=SUM(A1)" if i == 0 else f"Company {i:02d}"
        gsid = Company.create(name=name, created_by="t", modified_by="t").gsid
        gsids[name] = gsid
        rows += [_user(f"u{i}-{n}", gsid, END - i * 3 * DAY - 1,
                       sign_up=END - (i * 5 + n + 1) * DAY) for n in range(i + 1)]
    rows.append(_user("orphan", None, 0))
    write_activity(context.db, rows, now=1)
    for back, active in ((2, 50), (1, 60), (0, 70)):
        AdoptionSnapshot.create(day=(AS_OF - timedelta(days=back)).isoformat(),
                                company_gsid="", users=80, active_1=1, active_7=5,
                                active_30=active)
    return gsids


def _view(qtbot: Any, **kwargs: Any) -> AdoptionView:
    view = AdoptionView(today=lambda: AS_OF, **kwargs)
    qtbot.addWidget(view)
    view.refresh()
    qtbot.waitUntil(lambda: not view.is_busy() and view.shown is not None, timeout=10_000)
    return view


def _figures_text(view: AdoptionView) -> dict[str, str]:
    return {title: label.text() for title, label in view.figure_labels.items()}


def _expected(db: Any, day: date, gsid: str | None = None) -> dict[str, str]:
    figures = overview(db, day, gsid).figures
    return {title: text(figures) for title, text in FIGURES}


def test_the_tab_shows_the_core_figures_tables_and_charts(
        qtbot: Any, context: Any, store: dict[str, str]) -> None:
    view = _view(qtbot)
    assert _figures_text(view) == _expected(context.db, AS_OF)
    assert _figures_text(view)["Users without a company"] == "1"
    by_gsid = lambda rows: sorted(rows, key=lambda r: r.company_gsid)  # noqa: E731
    assert by_gsid(view.companies_model.rows()) == by_gsid(companies(context.db, AS_OF))
    assert view.message_label.isHidden()
    weeks = overview(context.db, AS_OF).sign_ups
    assert view.sign_ups_chart.series_values() == {"Sign-ups": [w.sign_ups for w in weeks]}
    assert view.active_chart.series_values()["Active 30 days"] == [50, 60, 70]
    ranked = sorted(companies(context.db, AS_OF), key=lambda r: -r.figures.active_30)
    top = view.top_chart.series_values()["Active 30 days"]
    assert sorted(top, reverse=True) == [r.figures.active_30 for r in ranked[:10]]
    sticky = (view.stickiness_chart.series_values()["DAU/MAU %"]
              + view.low_stickiness_chart.series_values()["DAU/MAU %"])
    assert sorted(sticky) == sorted(round(100 * (r.figures.stickiness or 0), 1)
                                    for r in ranked if r.figures.stickiness is not None)
    assert view.at_risk_model.rowCount() > 0
    assert all(r.figures.active_30 == 0 or r.trend < 0 for r in view.at_risk_model.rows())
    # the companies table sorts by value and filters by name
    view.companies_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    users = [r.figures.users for r in view.companies_proxy.shown_rows()]
    assert users == sorted(users, reverse=True)
    view.filter_edit.setText("company 1")
    assert {r.name for r in view.companies_proxy.shown_rows()} == {
        "Company 10", "Company 11"}


def test_a_new_as_of_day_and_a_picked_company_read_again(
        qtbot: Any, context: Any, store: dict[str, str]) -> None:
    view = _view(qtbot)
    before = _figures_text(view)
    earlier = AS_OF - timedelta(days=20)
    view.as_of_edit.setDate(QDate(earlier.year, earlier.month, earlier.day))
    qtbot.waitUntil(lambda: view.shown is not None and view.shown.overview.as_of == earlier
                    and not view.is_busy(), timeout=10_000)
    assert _figures_text(view) == _expected(context.db, earlier)
    assert _figures_text(view) != before

    gsid = store["Company 05"]
    view.company_combo.setCurrentIndex(view.company_combo.findData(gsid))
    view.company_combo.activated.emit(view.company_combo.currentIndex())
    qtbot.waitUntil(lambda: view.shown is not None
                    and view.shown.overview.company_gsid == gsid and not view.is_busy(),
                    timeout=10_000)
    assert _figures_text(view) == _expected(context.db, earlier, gsid)
    assert _figures_text(view)["Users"] == "6"


def test_an_empty_store_says_to_run_company_person_sync(qtbot: Any, context: Any) -> None:
    view = _view(qtbot)
    assert view.message_label.text() == NO_DATA
    assert not view.message_label.isHidden()
    assert view.figure_labels["Users"].text() == "0"


def test_no_lastseendate_is_said(qtbot: Any, context: Any) -> None:
    gsid = Company.create(name="Acme", created_by="t", modified_by="t").gsid
    write_activity(context.db, [_user("u1", gsid, 0)], now=1)
    view = _view(qtbot)
    assert view.message_label.text() == NO_LAST_SEEN


def test_tables_export_to_excel_safe_csv(qtbot: Any, context: Any, store: dict[str, str],
                                         tmp_path: Path) -> None:
    target = tmp_path / "companies"
    view = _view(qtbot, ask=lambda *_args: target)
    view.filter_edit.setText("SUM")
    view.export_companies_button.click()
    with (tmp_path / "companies.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:3] == ["Company", "Company GSID", "Users"]
    assert rows[1][:3] == ["'=SUM(A1)", store["=SUM(A1)"], "1"]
    assert len(rows) == 2


def test_a_chart_exports_to_png(qtbot: Any, context: Any, store: dict[str, str],
                                tmp_path: Path) -> None:
    target = tmp_path / "chart.png"
    view = _view(qtbot, ask=lambda *_args: target)
    view.resize(1200, 700)
    view.charts.setCurrentWidget(view.top_chart)
    view.export_chart_button.click()
    image = QImage(str(target))
    assert not image.isNull()
    assert image.width() > 100
    assert len({image.pixel(x, image.height() // 2) for x in range(0, image.width(), 5)}) > 2


def test_a_finished_run_reads_again_when_shown(qtbot: Any, context: Any,
                                               store: dict[str, str]) -> None:
    view = _view(qtbot)
    gsid = store["Company 03"]
    now = int(datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp() * 1000)
    write_activity(context.db, [_user("new", gsid, now)], now=2)
    view.on_run_finished("Company Person Sync_PX", None)  # type: ignore[arg-type]
    view.show()
    qtbot.waitUntil(lambda: not view.is_busy()
                    and view.figure_labels["Users"].text() == _expected(
                        context.db, AS_OF)["Users"], timeout=10_000)


def test_the_instance_breakdown_shows_with_multi_instance_only(
        qtbot: Any, context: Any, store: dict[str, str]) -> None:
    view = _view(qtbot)
    assert not view.charts.isTabVisible(view.charts.indexOf(view.instances_chart))
    Connection.create(name="PX", key_ref="k", multi_instance=True)
    view.refresh()
    qtbot.waitUntil(lambda: not view.is_busy() and view.charts.isTabVisible(
        view.charts.indexOf(view.instances_chart)), timeout=10_000)
    expected = instances(context.db, AS_OF)
    assert view.instances_chart.series_values()["Users"] == [i.figures.users for i in expected]
    assert view.instances_chart.categories() == ["acc-1"]


@pytest.mark.parametrize("top", [0, 0.4, 1, 3, 7, 42, 12_345])
def test_count_axes_label_whole_distinct_numbers(qtbot: Any, top: float) -> None:
    axis = count_axis(top)
    low, high, ticks = axis.min(), axis.max(), axis.tickCount()
    labels = [int(low + i * (high - low) / (ticks - 1)) for i in range(ticks)]
    assert high >= top and len(set(labels)) == len(labels), labels
    assert all(low + i * (high - low) / (ticks - 1) == label for i, label in enumerate(labels))


def _drawn_labels(chart: ChartPanel) -> list[str]:
    """The texts QtCharts drew in the chart (elided ones end with '...')."""
    items = (i.toGraphicsObject() for i in chart.scene().items())
    return [i.toPlainText() for i in items if isinstance(i, QGraphicsTextItem)]


@pytest.mark.parametrize("width", [1366, 1920])
def test_sign_up_weeks_are_labelled_whole(qtbot: Any, context: Any, store: dict[str, str],
                                          width: int) -> None:
    """At 1366x768 the chart has half the window: its 12 week labels are not elided."""
    view = _view(qtbot)
    view.resize(width, 700)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    labels = view.sign_ups_chart.categories()
    assert len(labels) == 12 and labels[-1] == AS_OF.replace(day=4).strftime("%b 4")
    drawn = _drawn_labels(view.sign_ups_chart)
    assert set(labels) <= set(drawn), drawn
    assert not [text for text in drawn if text.endswith(("...", "…"))]


def _big_board(view: AdoptionView, count: int) -> Dashboard:
    board = view.shown
    assert board is not None
    rows = [CompanyRow(f"g{i}", f"Company {i:05d}", Figures(100 + i % 7, i % 3, i % 11, i % 50,
                                                          500, 3, 0), i % 60, False)
            for i in range(count)]
    accounts = [InstanceRow(f"acct-{i:06d}", Figures(i % 97, 0, 0, i % 13, 0, 0, 0))
                for i in range(count)]
    return Dashboard(board.overview, rows, rows[:20], board.history, accounts, True)


def test_thousands_of_companies_are_not_read_row_by_row_on_the_gui_thread(
        qtbot: Any, context: Any, store: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        ) -> None:
    """Sorting and sizing the columns go through Python data() calls: for 10,000 companies
    that is seconds of frozen window when each row is visited (and more per comparison)."""
    calls = 0
    data = CompaniesModel.data

    def counting(self: CompaniesModel, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        return data(self, *args)

    monkeypatch.setattr(CompaniesModel, "data", counting)  # before PySide wraps the models
    view = _view(qtbot)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    board = _big_board(view, 10_000)
    QApplication.processEvents()
    calls = 0
    view.show_dashboard(board)
    view.companies_table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    QApplication.processEvents()
    assert calls < 10_000, calls  # painting and sizing read the rows in sight, a few more
    shown = view.companies_proxy.shown_rows()
    assert [r.figures.users for r in shown] == sorted(r.figures.users for r in board.companies)
    view.filter_edit.setText("Company 0999")
    assert sorted(r.name or "" for r in view.companies_proxy.shown_rows()) == [
        f"Company 0999{d}" for d in range(10)]


def test_the_instances_chart_shows_the_accounts_with_the_most_users(
        qtbot: Any, context: Any, store: dict[str, str]) -> None:
    view = _view(qtbot)
    board = _big_board(view, 300)
    view.show_dashboard(board)
    assert board.instances is not None
    users = view.instances_chart.series_values()["Users"]
    assert len(users) == TOP_INSTANCES
    assert sorted(users, reverse=True) == sorted(
        (i.figures.users for i in board.instances), reverse=True)[:TOP_INSTANCES]
    assert str(TOP_INSTANCES) in view.instances_chart.chart().title()


def test_every_company_bar_is_labelled_whole_at_1366x768(
        qtbot: Any, context: Any, store: dict[str, str]) -> None:
    """A category QtCharts cannot give a line's height is drawn as "..." (20 companies in
    one chart at 1366x768 were)."""
    view = _view(qtbot)
    view.resize(1366, 700)  # the tab in a 1366x768 window
    view.show()
    qtbot.waitExposed(view)
    view.show_dashboard(_big_board(view, 300))
    for chart in (view.top_chart, view.bottom_chart, view.stickiness_chart,
                  view.low_stickiness_chart):
        view.charts.setCurrentWidget(chart)
        QApplication.processEvents()
        assert len(chart.categories()) == 10
        drawn = _drawn_labels(chart)
        assert set(chart.categories()) <= set(drawn), (chart.title, drawn)


def test_the_active_chart_labels_distinct_days_and_several_counts(
        qtbot: Any, context: Any, store: dict[str, str]) -> None:
    view = _view(qtbot)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    board = view.shown
    assert board is not None
    for history in (board.history[-1:], board.history):  # one snapshot, then three
        big = [dataclasses.replace(s, active_30=2_599 + i) for i, s in enumerate(history)]
        view.show_dashboard(dataclasses.replace(board, history=big))
        view.charts.setCurrentWidget(view.active_chart)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the last axes' labels
        QApplication.processEvents()
        drawn = _drawn_labels(view.active_chart)
        days = [text for text in drawn if text[:3].isalpha() and text[-1].isdigit()]
        assert len(days) == len(set(days)) >= 2, drawn
        counts = [text for text in drawn if text.replace(",", "").isdigit()]
        assert len(counts) >= 4, drawn
