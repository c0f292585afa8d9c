"""One progress bar per running job: records read, rate, and an ETA from totalHits."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget


def progress_text(progress: Any) -> str:
    """'1,200 of 5,000 records · 850/s · ETA 0:04' (no ETA while totalHits is unknown)."""
    total = progress.total_hits
    records = progress.records
    parts = [f"{records:,} of {total:,} records" if total else f"{records:,} records",
             f"{progress.success:,} ok / {progress.failure:,} failed",
             f"{progress.rate_per_s:,.0f}/s"]
    if total and progress.rate_per_s > 0 and total > records:
        left = int((total - records) / progress.rate_per_s)
        parts.append(f"ETA {left // 60}:{left % 60:02d}")
    return " · ".join(parts)


# The widest line a run of up to tens of millions of records shows.
_WIDEST = progress_text(SimpleNamespace(total_hits=88_888_888, records=88_888_888,
                                        success=88_888_888, failure=88_888_888,
                                        rate_per_s=88_888.0))
_WIDEST_ETA = _WIDEST + " · ETA 8888:88"


class RunProgressPanel(QWidget):
    """Rows appear when a job starts and disappear when it ends."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._rows: dict[str, tuple[QLabel, QProgressBar, QLabel]] = {}

    def has(self, job_name: str) -> bool:
        return job_name in self._rows

    def bar(self, job_name: str) -> QProgressBar | None:
        row = self._rows.get(job_name)
        return row[1] if row else None

    def detail(self, job_name: str) -> str:
        row = self._rows.get(job_name)
        return row[2].text() if row else ""

    def begin(self, job_name: str) -> None:
        if job_name in self._rows:
            return
        name = QLabel(job_name, self)
        bar = QProgressBar(self)
        bar.setObjectName(f"progress:{job_name}")
        bar.setRange(0, 0)  # busy until totalHits is known
        detail = QLabel("Starting…", self)
        # Wide enough from the start: a column that grows with each page's text lags a
        # re-layout behind it (the text was cut to "1,000 of 5") and makes the bar jitter.
        detail.setMinimumWidth(detail.fontMetrics().horizontalAdvance(_WIDEST_ETA))
        line = self._grid.rowCount()
        self._grid.addWidget(name, line, 0)
        self._grid.addWidget(bar, line, 1)
        self._grid.addWidget(detail, line, 2)
        self._grid.setColumnStretch(1, 1)
        self._rows[job_name] = (name, bar, detail)

    def update_progress(self, progress: Any) -> None:
        job_name = str(progress.job_name)
        self.begin(job_name)
        _name, bar, detail = self._rows[job_name]
        if progress.total_hits:
            bar.setRange(0, max(int(progress.total_hits), 1))
            bar.setValue(min(int(progress.records), int(progress.total_hits)))
        detail.setText(progress_text(progress))

    def cancelling(self, job_name: str) -> None:
        row = self._rows.get(job_name)
        if row is not None:
            row[2].setText("Cancelling at the next page…")

    def end(self, job_name: str) -> None:
        row = self._rows.pop(job_name, None)
        if row is None:
            return
        for widget in row:
            self._grid.removeWidget(widget)
            widget.deleteLater()
