"""Live Preview, opened from the job wizard: the wizard's unsaved mappings, derived mappings
and filter applied to a sample of PX records (the listing's first page, fetched once), shown
as the rows a run would write with each row's lookup results and filter verdict. Refreshed
off the GUI thread whenever the wizard's configuration changes; nothing is written."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from peewee import Database
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pxdesk.core.background import BackgroundCalls
from pxdesk.core.errors import PxdeskError
from pxdesk.core.sync.mapping import show_value
from pxdesk.core.sync.preview import PreviewRow, fetch_sample, preview
from pxdesk.ui.column_fit import ColumnFitter
from pxdesk.ui.icons import Icon, icon
from pxdesk.ui.models.table_model import Column, ListTableModel
from pxdesk.ui.widgets import button_row, error_label, select_whole_rows

POLL_MS = 1000  # how often the wizard's configuration is compared with the one shown
ClientFactory = Callable[[], Any]


def _row_text(row: PreviewRow) -> str:
    return "; ".join(f"{field} = {'empty' if value is None else show_value(value)}"
                     for _obj, field, value in row.values)


def _lookups_text(row: PreviewRow) -> str:
    return "; ".join(f"{field}: {result}" for field, result in row.lookups)


COLUMNS: list[Column[PreviewRow]] = [
    Column("PX id", lambda r: r.source_id),
    Column("Filter", lambda r: r.verdict),
    Column("Outcome", lambda r: f"{r.outcome}: {r.reason}" if r.reason else r.outcome),
    Column("Lookups", _lookups_text),
    Column("Target row", _row_text),
]


class PreviewModel(ListTableModel[PreviewRow]):
    """The preview's rows, one per sample record."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)


@dataclass(frozen=True)
class _Computed:
    """What the worker hands back: the sample (kept for the next refresh) and its rows."""

    key: str
    sample: list[Any]
    rows: list[PreviewRow]


def _compute(job_name: str, config: Any, key: str, sample: list[Any] | None,
             client_factory: ClientFactory) -> _Computed:
    """In a worker: fetch the sample the first time, then run it through the pipeline."""
    if sample is None:
        client = client_factory()
        try:
            sample = fetch_sample(client, job_name)
        finally:
            client.close()
    return _Computed(key, sample, preview(job_name, config, sample))


class LivePreviewDialog(QDialog):
    """Non-modal beside the wizard; `collect()` returns the wizard's configuration now."""

    def __init__(self, job_name: str, collect: Callable[[], Any],
                 client_factory: ClientFactory, db: Database | None,
                 parent: QWidget | None = None, *, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Live Preview: {job_name}")
        self.resize(1000, 520)
        self.job_name = job_name
        self._collect, self._client_factory = collect, client_factory
        self._calls = BackgroundCalls(self, db)
        self._sample: list[Any] | None = None
        self._shown_key: str | None = None  # the configuration the table shows
        self._asked_key: str | None = None  # the one being computed
        intro = QLabel("The first page of PX records as the job, with the changes made in the "
                       "wizard, would write them. Nothing is saved or written.", self)
        intro.setWordWrap(True)
        self.status_label = QLabel("Reading a sample from PX…", self)
        self.error_label = error_label(self)
        self.model = PreviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        select_whole_rows(self.table, QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)  # one line a record: the tooltip holds the rest
        self.column_fitter = ColumnFitter(self.table, fill_column=len(COLUMNS) - 1)
        self.refresh_button = QPushButton(icon(Icon.REFRESH), "Read a New Sample", self)
        self.refresh_button.setToolTip("Fetch the first page from PX again")
        self.refresh_button.clicked.connect(self._on_refresh_button_clicked)
        layout = QVBoxLayout(self)
        for widget in (intro, self.status_label, self.error_label):
            layout.addWidget(widget)
        layout.addWidget(self.table, 1)
        layout.addLayout(button_row(self.refresh_button))
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self._on_timer_timeout()

    def is_busy(self) -> bool:
        return self._calls.is_running()

    def _on_timer_timeout(self) -> None:
        """Start a refresh when the wizard's configuration differs from the one shown."""
        if self._calls.is_running():
            return
        try:
            config = copy.deepcopy(self._collect())  # the worker must not share the pages'
        except (PxdeskError, ValueError) as exc:
            self.error_label.setText(f"The preview waits for a valid configuration: {exc}")
            return
        key = json.dumps(config.to_dict(), sort_keys=True, default=str)
        if key == self._shown_key or key == self._asked_key:
            return
        self._asked_key = key
        self._calls.start(partial(_compute, self.job_name, config, key, self._sample,
                                  self._client_factory),
                          self._on_compute_finished, self._on_compute_failed)

    def _on_compute_finished(self, value: object) -> None:
        assert isinstance(value, _Computed)
        self._sample, self._shown_key = value.sample, value.key
        self.model.set_rows(value.rows)
        kept = sum(1 for r in value.rows if r.outcome)
        self.status_label.setText(f"{len(value.rows):,} sample records: {kept:,} kept by the "
                                  f"filter, {len(value.rows) - kept:,} removed.")
        self.error_label.clear()
        self._on_timer_timeout()  # edited again meanwhile: show that too

    def _on_compute_failed(self, message: str) -> None:
        self.error_label.setText(f"The preview waits for a valid configuration: {message}")

    def _on_refresh_button_clicked(self) -> None:
        self._sample, self._shown_key, self._asked_key = None, None, None
        self.status_label.setText("Reading a sample from PX…")
        self._on_timer_timeout()

    def done(self, result: int) -> None:
        self._timer.stop()
        super().done(result)
