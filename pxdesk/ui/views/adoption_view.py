"""Adoption tab: what the synced PX activity says about each customer, as of a day, for all
companies or one: figures, the companies table with trends, the at-risk list and charts.
Every figure is read by a worker (a busy bar shows meanwhile); the tab reads again when a
run tree ends (Company Person Sync writes the activity and the day's snapshot)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.adoption import dashboard
from pxdesk.core.adoption.dashboard import Dashboard
from pxdesk.core.adoption.figures import CompanyRow, Figures
from pxdesk.core.background import BackgroundCalls
from pxdesk.core.logs.csv_export import write_csv
from pxdesk.core.store.base import database_proxy
from pxdesk.core.sync.results import RunOutcome
from pxdesk.core.workers import RunListener
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.adoption_model import CSV_HEADER, CompaniesModel, CompaniesProxy
from pxdesk.ui.views.adoption_charts import ChartPanel
from pxdesk.ui.widgets import select_whole_rows

ALL_COMPANIES = "All companies"
TOP_INSTANCES = 20  # PX accounts in the Instances chart: the ones with the most users
SIZE_SAMPLE_ROWS = 40  # rows read to size the columns (all of them: a second at 10,000)
INSTANCES_TITLE = "Users per PX account (Multi Instance)"
NO_DATA = ("No adoption data yet: run Company Person Sync (Connectors tab). Each run keeps "
           "every user's activity and a daily snapshot, so trends build up from the first run.")
NO_LAST_SEEN = ("No user has a lastSeenDate yet: active users and DAU/MAU stay at 0 until "
                "PX reports visits (run Company Person Sync again later).")
# (parent, dialog title, suggested name, filter) -> chosen path, or None when cancelled.
AskPath = Callable[[QWidget, str, str, str], Path | None]


def ask_path(parent: QWidget, title: str, suggested: str, filters: str) -> Path | None:
    name, _chosen = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


FIGURES: list[tuple[str, Callable[[Figures], str]]] = [
    ("Users", lambda f: f"{f.users:,}"),
    ("Active 1 day", lambda f: f"{f.active_1:,}"),
    ("Active 7 days", lambda f: f"{f.active_7:,}"),
    ("Active 30 days", lambda f: f"{f.active_30:,}"),
    ("DAU/MAU", lambda f: _share(f.stickiness)),
    ("Visits", lambda f: f"{f.visits:,}"),
    ("Never seen", lambda f: _share(f.never_seen_share)),
    ("Users without a company", lambda f: f"{f.without_company:,}"),
]


def _name(row: CompanyRow) -> str:
    return row.name or row.company_gsid


class AdoptionView(QWidget, RunListener):
    """Company picker and as-of day on top; figures; companies and at-risk tables on the
    left, charts on the right."""

    def __init__(self, parent: QWidget | None = None, *, ask: AskPath = ask_path,
                 today: Callable[[], date] | None = None) -> None:
        super().__init__(parent)
        self._ask = ask
        self._calls = BackgroundCalls(self, database_proxy)
        self._stale = True  # read again when shown (or now, if shown)
        self._again = False  # a read was asked for while one ran
        self.shown: Dashboard | None = None

        self.company_combo = QComboBox(self)
        self.company_combo.setEditable(True)
        self.company_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.company_combo.setMinimumContentsLength(28)
        completer = self.company_combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.company_combo.addItem(ALL_COMPANIES, None)
        self.company_combo.setAccessibleName("Company")
        self.as_of_edit = QDateEdit(self)
        self.as_of_edit.setAccessibleName("As of")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        day = (today or (lambda: datetime.now(UTC).date()))()
        self.as_of_edit.setDate(QDate(day.year, day.month, day.day))
        self.as_of_edit.setToolTip("The day the last 1 / 7 / 30 days end on (UTC)")
        self.refresh_button = QPushButton(icon(Icon.REFRESH), "Refresh", self)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(120)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setAccessibleName("Computing adoption figures")
        self.busy_bar.hide()
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel("Company:", self))
        top.addWidget(self.company_combo)
        top.addWidget(QLabel("As of:", self))
        top.addWidget(self.as_of_edit)
        top.addWidget(self.refresh_button)
        top.addWidget(self.busy_bar)
        top.addStretch(1)

        self.figure_labels: dict[str, QLabel] = {}
        figures_grid = QGridLayout()
        for i, (title, _text) in enumerate(FIGURES):
            value = QLabel("-", self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.4)
            font.setBold(True)
            value.setFont(font)
            self.figure_labels[title] = value
            cell = QVBoxLayout()
            cell.addWidget(value)
            cell.addWidget(QLabel(title, self))
            figures_grid.addLayout(cell, 0, i)

        self.companies_model = CompaniesModel(self)
        self.companies_proxy = CompaniesProxy(self.companies_model, self)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter companies")
        self.filter_edit.setAccessibleName("Filter companies")
        self.filter_edit.setClearButtonEnabled(True)
        self.companies_table = self._table(self.companies_proxy)
        self.companies_table.setSortingEnabled(True)
        self.companies_table.setAccessibleName("Companies")
        self.companies_table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        self.export_companies_button = QPushButton(icon(Icon.EXPORT), "Export CSV…", self)
        self.export_companies_button.setAccessibleName("Export companies as CSV")
        self.at_risk_model = CompaniesModel(self)
        self.at_risk_table = self._table(self.at_risk_model)
        self.at_risk_table.setAccessibleName("At-risk companies")
        self.export_at_risk_button = QPushButton(icon(Icon.EXPORT), "Export CSV…", self)
        self.export_at_risk_button.setAccessibleName("Export at-risk companies as CSV")

        tables = QWidget(self)
        tables_layout = QVBoxLayout(tables)
        tables_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Companies</b>", self))
        row.addWidget(self.filter_edit, 1)
        row.addWidget(self.export_companies_button)
        tables_layout.addLayout(row)
        tables_layout.addWidget(self.companies_table, 3)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>At risk</b>: no active user in 30 days, or the largest "
                             "fall against the previous 30 days", self), 1)
        row.addWidget(self.export_at_risk_button)
        tables_layout.addLayout(row)
        tables_layout.addWidget(self.at_risk_table, 2)

        self.sign_ups_chart = ChartPanel("Sign-ups per week", self)
        self.active_chart = ChartPanel("Active users over time (daily snapshots)", self)
        self.top_chart = ChartPanel("Top 10 companies by 30-day active users", self)
        self.bottom_chart = ChartPanel("Bottom 10 companies by 30-day active users", self)
        # Top and bottom DAU/MAU apart: 20 bars in one chart get too little height at 1366x768
        # and QtCharts draws their names as "...".
        self.stickiness_chart = ChartPanel("Top 10 companies by DAU/MAU (%)", self)
        self.low_stickiness_chart = ChartPanel("Bottom 10 companies by DAU/MAU (%)", self)
        self.instances_chart = ChartPanel(INSTANCES_TITLE, self)
        self.charts = QTabWidget(self)
        self.charts.setAccessibleName("Adoption charts")
        for chart, title in ((self.sign_ups_chart, "Sign-ups"), (self.active_chart, "Active"),
                             (self.top_chart, "Top 10"), (self.bottom_chart, "Bottom 10"),
                             (self.stickiness_chart, "Top DAU/MAU"),
                             (self.low_stickiness_chart, "Bottom DAU/MAU"),
                             (self.instances_chart, "Instances")):
            self.charts.addTab(chart, title)
        self.export_chart_button = QPushButton(icon(Icon.EXPORT), "Export Chart PNG…", self)
        charts_box = QWidget(self)
        charts_layout = QVBoxLayout(charts_box)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.addWidget(self.charts, 1)
        charts_layout.addWidget(self.export_chart_button, 0, Qt.AlignmentFlag.AlignRight)
        # Tab in reading order: each Export button is above its table, the chart tabs above
        # the charts (made before them).
        for first, second in ((self.filter_edit, self.export_companies_button),
                              (self.export_companies_button, self.companies_table),
                              (self.companies_table, self.export_at_risk_button),
                              (self.export_at_risk_button, self.at_risk_table),
                              (self.at_risk_table, self.charts.tabBar()),
                              (self.instances_chart, self.export_chart_button)):
            QWidget.setTabOrder(first, second)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(tables)
        self.splitter.addWidget(charts_box)
        self._split = False  # the splitter gets half each on first show (the tables' size
        # hints would take nearly all)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message_label)
        layout.addLayout(figures_grid)
        layout.addWidget(self.splitter, 1)

        self.company_combo.activated.connect(self._on_company_combo_activated)
        self.as_of_edit.dateChanged.connect(self._on_as_of_edit_date_changed)
        self.refresh_button.clicked.connect(self.refresh)
        self.filter_edit.textChanged.connect(self.companies_proxy.setFilterFixedString)
        self.export_companies_button.clicked.connect(self._on_export_companies_button_clicked)
        self.export_at_risk_button.clicked.connect(self._on_export_at_risk_button_clicked)
        self.export_chart_button.clicked.connect(self._on_export_chart_button_clicked)
        self.companies_table.doubleClicked.connect(self._on_companies_table_double_clicked)

    def _table(self, model: CompaniesModel | CompaniesProxy) -> QTableView:
        table = QTableView(self)
        table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        table.setModel(model)
        table.verticalHeader().hide()
        select_whole_rows(table, QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
        return table

    # ---- reading ------------------------------------------------------------------------

    def as_of(self) -> date:
        return self.as_of_edit.date().toPython()  # type: ignore[no-any-return]

    def company_gsid(self) -> str | None:
        """The picked company; None for all (or a typed name that is no company)."""
        index = self.company_combo.findText(self.company_combo.currentText(),
                                            Qt.MatchFlag.MatchFixedString)
        data = self.company_combo.itemData(index) if index >= 0 else None
        return data if isinstance(data, str) else None

    def refresh(self) -> None:
        """Read every figure again in a worker (after the one running, if any)."""
        self._stale = False
        if self._calls.is_running():
            self._again = True
            return
        self.busy_bar.show()
        self.refresh_button.setEnabled(False)
        self._calls.start(partial(dashboard.load, database_proxy, self.as_of(),
                                  self.company_gsid()),
                          self._on_load_finished, self._on_load_failed)

    def is_busy(self) -> bool:
        return self._calls.is_running()

    def _on_load_finished(self, value: object) -> None:
        if isinstance(value, Dashboard):
            self.show_dashboard(value)
        self._load_ended()

    def _on_load_failed(self, message: str) -> None:
        self.message_label.setText(f"Could not read the adoption figures: {message}")
        self.message_label.show()
        self._load_ended()

    def _load_ended(self) -> None:
        if self._again:
            self._again = False
            self.refresh()
            return
        self.busy_bar.hide()
        self.refresh_button.setEnabled(True)

    # ---- showing ------------------------------------------------------------------------

    def show_dashboard(self, board: Dashboard) -> None:
        self.shown = board
        message = NO_DATA if board.is_empty else "" if board.has_last_seen else NO_LAST_SEEN
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))
        for title, text in FIGURES:
            self.figure_labels[title].setText(text(board.overview.figures))
        self._fill_picker(board.companies)
        self.companies_model.set_rows(board.companies)
        self.at_risk_model.set_rows(board.at_risk)
        for table in (self.companies_table, self.at_risk_table):
            table.resizeColumnsToContents()
        self._draw_charts(board)

    def _fill_picker(self, rows: list[CompanyRow]) -> None:
        """The companies with users, by name; the pick (and any typed text) stays."""
        current, text = self.company_gsid(), self.company_combo.currentText()
        names = [(_name(r), r.company_gsid) for r in rows]
        if [self.company_combo.itemData(i) for i in range(1, self.company_combo.count())] == [
                g for _n, g in names]:
            return
        self.company_combo.blockSignals(True)
        self.company_combo.clear()
        self.company_combo.addItem(ALL_COMPANIES, None)
        for name, gsid in names:
            self.company_combo.addItem(name, gsid)
        found = self.company_combo.findData(current) if current is not None else 0
        if found >= 0:
            self.company_combo.setCurrentIndex(found)
        else:
            self.company_combo.setEditText(text)
        self.company_combo.blockSignals(False)

    def _draw_charts(self, board: Dashboard) -> None:
        weeks = board.overview.sign_ups
        self.sign_ups_chart.set_bars([f"{w.week_start:%b} {w.week_start.day}" for w in weeks],
                                     [("Sign-ups", [w.sign_ups for w in weeks])])
        days = [s.day for s in board.history]
        self.active_chart.set_lines(days, [
            ("Active 30 days", [s.active_30 for s in board.history]),
            ("Active 7 days", [s.active_7 for s in board.history]),
            ("Active 1 day", [s.active_1 for s in board.history]),
        ])
        top, bottom = dashboard.top_and_bottom(board.companies)
        for chart, rows in ((self.top_chart, top), (self.bottom_chart, bottom)):
            shown = list(reversed(rows))  # a horizontal bar chart draws its first bar lowest
            chart.set_bars([_name(r) for r in shown],
                           [("Active 30 days", [r.figures.active_30 for r in shown])],
                           horizontal=True)
        sticky, loose = dashboard.by_stickiness(board.companies)
        for chart, rows in ((self.stickiness_chart, sticky), (self.low_stickiness_chart, loose)):
            shown = list(reversed(rows))
            chart.set_bars(
                [_name(r) for r in shown],
                [("DAU/MAU %", [round(100 * (r.figures.stickiness or 0.0), 1) for r in shown])],
                horizontal=True)
        instances = sorted(board.instances or [], key=lambda i: -i.figures.users)
        self.charts.setTabVisible(self.charts.indexOf(self.instances_chart),
                                  board.instances is not None)
        if len(instances) > TOP_INSTANCES:
            instances = instances[:TOP_INSTANCES]
            self.instances_chart.chart().setTitle(
                f"{INSTANCES_TITLE}: the {TOP_INSTANCES} with the most users")
        else:
            self.instances_chart.chart().setTitle(INSTANCES_TITLE)
        self.instances_chart.set_bars(
            [i.account_id or "(none)" for i in instances],
            [("Users", [i.figures.users for i in instances]),
             ("Active 30 days", [i.figures.active_30 for i in instances])])

    # ---- exports ------------------------------------------------------------------------

    def export_companies(self, rows: list[CompanyRow], suggested: str) -> Path | None:
        """The rows to CSV (Excel-safe, through the logs' CSV code)."""
        path = self._ask(self, "Export companies", suggested, "CSV (*.csv)")
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(".csv")
        write_csv(path, CSV_HEADER, self.companies_model.csv_rows(rows), bom=True)
        self.message_label.setText(f"Exported {len(rows):,} companies to {path}")
        self.message_label.show()
        return path

    def export_chart(self) -> Path | None:
        chart = self.charts.currentWidget()
        if not isinstance(chart, ChartPanel):
            return None
        path = self._ask(self, "Export chart", f"{chart.title}.png", "PNG image (*.png)")
        if path is None:
            return None
        if not path.suffix:
            path = path.with_suffix(".png")
        saved = chart.export_png(str(path))
        self.message_label.setText(f"Chart saved to {path}" if saved
                                   else f"Could not save the chart to {path}")
        self.message_label.show()
        return path if saved else None

    def _on_export_companies_button_clicked(self) -> None:
        self.export_companies(self.companies_proxy.shown_rows(), "adoption-companies.csv")

    def _on_export_at_risk_button_clicked(self) -> None:
        self.export_companies(self.at_risk_model.rows(), "adoption-at-risk.csv")

    def _on_export_chart_button_clicked(self) -> None:
        self.export_chart()

    # ---- choices and runs ---------------------------------------------------------------

    def _on_company_combo_activated(self, _index: int) -> None:
        self.refresh()

    def _on_as_of_edit_date_changed(self, _day: QDate) -> None:
        self.refresh()

    def _on_companies_table_double_clicked(self, index: QModelIndex) -> None:
        """Double-click a company: show its figures and charts."""
        rows = self.companies_proxy.shown_rows()
        if 0 <= index.row() < len(rows):
            found = self.company_combo.findData(rows[index.row()].company_gsid)
            if found >= 0:
                self.company_combo.setCurrentIndex(found)
                self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._split:
            self._split = True
            half = max(1, self.splitter.width() // 2)
            self.splitter.setSizes([half, half])
        if self._stale:
            self.refresh()

    def on_run_finished(self, job_name: str, outcome: RunOutcome) -> None:
        """A sync wrote activity (or company names): read again now, or when next shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
