"""Benchmark: how long the GUI event loop stalls while the desktop app runs a big sync, then
while the admin opens the largest run, saves its error file and browses the Persons.

The simulator runs in a subprocess; the real PxdeskApp (main window with the Connectors, Data
and Logs tabs wired to its JobRunner) runs offscreen on a temporary PXDESK_HOME whose connection
and jobs are created through ConnectionService. Import Now of Company Person Sync (it runs
Company Sync first) is clicked in the Connectors tab while a 10 ms timer records the gap
between its ticks. Prints the stalls (gap beyond the interval), the progress signals the GUI
received per second and the users/s. Target: no stall over 50 ms.

After the sync, the same timer runs through these steps, each until its work is on screen:
the run with the most failures selected in the Logs tab (its error summary), its error file
saved, the Data tab switched to Person, sorted by Email, searched, and scrolled a few pages.
Target for each step: no stall over 50 ms.

    .venv/bin/python benchmarks/ui_bench.py --users 1000000 --accounts 10000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Before Qt loads: no display needed, and never the OS keyring (the store falls back to a file).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication
from sync_bench import KEY, start_simulator

from pxdesk.app import PxdeskApp
from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.context import open_context
from pxdesk.core.store.models import ExecutionRun, FieldMapping, Job, RecordError
from pxdesk.core.sync.results import RunResult

TICK_MS = 10
STEP_MAX_STALL_MS = 50.0
COMPANY_JOB = "Company Sync_PX"
PERSON_JOB = "Company Person Sync_PX"
MAX_STALL_MS = 50.0  # the target: no GUI-thread stall over 50 ms, in the sync too


class LoopProbe(QObject):
    """Ticks every TICK_MS on the GUI thread and keeps the gaps; counts progress signals."""

    def __init__(self, qapp: QApplication, deadline_s: float) -> None:
        super().__init__()
        self.qapp = qapp
        self.gaps_ms: list[float] = []
        self.worst: list[tuple[float, float]] = []  # (gap ms, seconds into the run)
        self.progress = 0
        self.result: Any = None
        self.phase = "sync"
        self.phase_max: dict[str, float] = {}
        self.phase_secs: dict[str, float] = {}
        self.after_sync: Any = None  # the steps to run once the sync is done
        self.largest = (0, 0)  # run id, failures of the run opened after the sync
        self.saved_mb = 0.0
        self.started = self.ended = 0.0
        self._last = 0.0
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.deadline = QTimer(self)
        self.deadline.setSingleShot(True)
        self.deadline.setInterval(int(deadline_s * 1000))
        self.deadline.timeout.connect(qapp.quit)

    def start(self) -> None:
        self.started = self._last = time.perf_counter()
        self.timer.start()
        self.deadline.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        if self.phase == "sync":
            self.gaps_ms.append(gap)
        stall = max(0.0, gap - TICK_MS)
        self.phase_max[self.phase] = max(self.phase_max.get(self.phase, 0.0), stall)
        if gap > 3 * TICK_MS:
            self.worst.append((gap, now - self.started))
        self._last = now

    def skip_gap(self) -> None:
        self._last = time.perf_counter()

    @Slot(object)
    def on_run_progress(self, _progress: object) -> None:
        self.progress += 1

    @Slot(str, object)
    def on_run_finished(self, job_name: str, result: object) -> None:
        if job_name == PERSON_JOB:
            self.ended = time.perf_counter()
            self.result = result
            # keep ticking a little: what the views do at the end of a run counts too
            QTimer.singleShot(10 * TICK_MS, self._on_after_finish)

    @Slot()
    def _on_after_finish(self) -> None:
        if self.after_sync is not None:
            self.after_sync.start()
            return
        self.timer.stop()
        self.qapp.quit()


class Steps(QObject):
    """The admin's steps after the sync, one at a time: each starts its action, then a poll
    on the GUI thread waits until what it shows is there; the probe records its stalls."""

    POLL_MS = 20

    def __init__(self, probe: LoopProbe, app: Any, save_to: Path,
                 prepare: Any) -> None:
        super().__init__()
        self.prepare = prepare  # runs between the sync and the steps (not measured)
        self.probe = probe
        self.app = app
        self.save_to = save_to
        self.largest: tuple[int, int] = (0, 0)  # run id, failures
        self.steps = [
            ("open the largest run", self._open_run, self._summary_shown),
            ("save its error file", self._save_errors, self._saved),
            ("Data: switch to Person", self._persons, self._data_loaded),
            ("Data: sort by Email", self._sort_email, self._data_loaded),
            ("Data: search 'anna.'", self._search, self._searched),
            ("Data: scroll 5 pages", self._scroll, self._scrolled),
        ]
        self._index = -1
        self._started = 0.0
        self._rows_before = 0
        self.poll = QTimer(self)
        self.poll.setInterval(self.POLL_MS)
        self.poll.timeout.connect(self._on_poll_timeout)

    def start(self) -> None:
        self.prepare()
        run = ExecutionRun.select().order_by(ExecutionRun.failure_count.desc()).first()
        self.largest = (run.id, RecordError.select().where(RecordError.run == run.id).count())
        self.probe.skip_gap()  # the preparation blocks on purpose: not a stall of the app
        self._next()

    def _next(self) -> None:
        if self._index >= 0:
            self.probe.phase_secs[self.probe.phase] = time.perf_counter() - self._started
        self._index += 1
        if self._index >= len(self.steps):
            self.poll.stop()
            self.probe.timer.stop()
            self.probe.qapp.quit()
            return
        name, action, _done = self.steps[self._index]
        self.probe.phase = name
        self._started = time.perf_counter()
        action()
        self.poll.start()

    @Slot()
    def _on_poll_timeout(self) -> None:
        if self.steps[self._index][2]():
            self._next()

    # ---- the steps --------------------------------------------------------------------

    def _open_run(self) -> None:
        run_id = self.largest[0]  # found (and its errors counted) before the clock started
        logs = self.app.logs_view
        self.app.window.tabs.setCurrentWidget(logs)
        logs.refresh()
        model = logs.models["execution"]
        row = next(r for r in range(model.rowCount()) if model.row_id(r) == run_id)
        logs.tables["execution"].selectRow(row)

    def _summary_shown(self) -> bool:
        table = self.app.logs_view.details.summary_table
        item = table.item(0, 0)
        return table.rowCount() > 0 and item is not None and "Counting" not in item.text()

    def _save_errors(self) -> None:
        details = self.app.logs_view.details
        details._ask = lambda *_: self.save_to  # stands in for the file dialog
        details.save_file("error")

    def _saved(self) -> bool:
        text = self.app.logs_view.details.message_label.text()
        return text.startswith(("Saved to", "Could not"))

    def _persons(self) -> None:
        view = self.app.data_view
        self.app.window.tabs.setCurrentWidget(view)
        view.object_combo.setCurrentIndex(view.object_combo.findData("person"))

    def _data_loaded(self) -> bool:
        model = self.app.data_view.model
        return not model.is_busy() and model.rowCount() > 0

    def _sort_email(self) -> None:
        view = self.app.data_view
        column = [c.key for c in view.model.query.columns].index("email")
        view.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)

    def _search(self) -> None:
        self.app.data_view.search_edit.setText("anna.")

    def _searched(self) -> bool:
        query = self.app.data_view.model.query
        model = self.app.data_view.model
        return query is not None and query.search == "anna." and not model.is_busy()

    def _scroll(self) -> None:
        self._rows_before = self.app.data_view.model.rowCount()
        self._scrolls = 0
        self._scroll_once()

    def _scroll_once(self) -> None:
        table = self.app.data_view.table
        table.scrollToBottom()
        self._scrolls += 1

    def _scrolled(self) -> bool:
        model = self.app.data_view.model
        if model.is_busy():
            return False
        if self._scrolls < 5 and model.canFetchMore():
            self._scroll_once()
            return False
        return True


def setup_connection(ctx: Any, base_url: str) -> None:
    """The connection and its two jobs as the wizard makes them, Company Sync's key marked."""
    ConnectionService(ctx.secrets, user="bench").create("PX", KEY, base_url=base_url)
    FieldMapping.update(is_upsert_key=True).where(
        (FieldMapping.job == Job.get(Job.name == COMPANY_JOB))
        & (FieldMapping.target_field == "PX_Account_ID__gc")).execute()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def top_up_failures(ctx: Any, failures: int) -> None:
    """Give the run with the most failures `failures` record errors (the simulator fails
    about 3 % of users; the issue's largest run had 617,000), spread over a few reasons."""
    run = ExecutionRun.select().order_by(ExecutionRun.failure_count.desc()).first()
    have = RecordError.select().where(RecordError.run == run.id).count()
    reasons = ["No Company with PX_Account_ID__gc", "Invalid email", "Duplicate key",
               "Value too long for Title"]
    rows = [(run.id, f"bench-{i}", reasons[i % len(reasons)]) for i in range(have, failures)]
    with ctx.db.atomic():
        ctx.db.connection().executemany(
            "INSERT INTO record_error (run_id, source_id, reason) VALUES (?, ?, ?)", rows)


def run(users: int, accounts: int, deadline_s: float, failures: int) -> dict[str, Any]:
    proc, url = start_simulator(users, accounts)
    try:
        with tempfile.TemporaryDirectory(prefix="pxdesk-uibench-") as tmp:
            home = Path(tmp) / "home"
            os.environ["PXDESK_HOME"] = str(home)
            ctx = open_context(home)
            setup_connection(ctx, url)
            qapp = QApplication.instance() or QApplication(sys.argv[:1])
            app = PxdeskApp(ctx, qapp)  # type: ignore[arg-type]
            app.show()
            app.window.grab()  # its first paint (fonts, icons) is start-up's, not the run's:
            qapp.processEvents()  # the admin clicks Import Now in a window already drawn
            probe = LoopProbe(qapp, deadline_s)  # type: ignore[arg-type]
            app.runner.run_progress.connect(probe.on_run_progress)
            app.runner.run_finished.connect(probe.on_run_finished)
            app.connectors.select_job(PERSON_JOB)
            steps = Steps(probe, app, Path(tmp) / "saved" / "errors.csv",
                          lambda: top_up_failures(ctx, failures))
            probe.after_sync = steps
            probe.start()
            app.connectors.import_now_button.click()
            qapp.exec()
            saved = Path(tmp) / "saved" / "errors.csv"
            probe.saved_mb = saved.stat().st_size / 1e6 if saved.exists() else 0.0
            probe.largest = steps.largest
            app.quit_now()  # the app's own shutdown: runs, scheduler, mail threads
            ctx.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return report(probe, users)


def report(probe: LoopProbe, users: int) -> dict[str, Any]:
    secs = (probe.ended or time.perf_counter()) - probe.started
    stalls = [max(0.0, gap - TICK_MS) for gap in probe.gaps_ms]
    result = probe.result if isinstance(probe.result, RunResult) else None
    return {
        "users": users, "status": str(result.status if result else "not finished"),
        "secs": secs,
        "success": result.counts.success if result else 0,
        "failure": result.counts.failure if result else 0,
        "dep_status": ", ".join(f"{d.job_name} {d.status}"
                                for d in (result.dependencies if result else [])),
        "ticks": len(probe.gaps_ms), "max": max(stalls, default=0.0),
        "p99": percentile(stalls, 0.99), "over": sum(s > MAX_STALL_MS for s in stalls),
        "p50": statistics.median(stalls) if stalls else 0.0,
        "progress_per_s": probe.progress / secs if secs else 0.0,
        "users_per_s": users / secs if secs else 0.0,
        "worst": sorted(probe.worst, reverse=True)[:5],
        "steps": [(name, probe.phase_max.get(name, 0.0), probe.phase_secs.get(name, 0.0))
                  for name in probe.phase_max if name != "sync"],
        "largest": probe.largest, "saved_mb": probe.saved_mb,
    }


def print_report(r: dict[str, Any]) -> None:
    verdict = "PASS" if r["max"] <= MAX_STALL_MS else "MISS"
    print(f"{r['users']:,} users: Company Person Sync {r['status']} "
          f"({r['success']:,} ok / {r['failure']:,} failed; {r['dep_status']}) "
          f"in {r['secs']:.1f} s = {r['users_per_s']:,.0f} users/s (both jobs)")
    print(f"  event-loop stall beyond the {TICK_MS} ms tick over {r['ticks']:,} ticks: "
          f"max {r['max']:.1f} ms, p99 {r['p99']:.1f} ms, p50 {r['p50']:.1f} ms, "
          f"{r['over']} over {MAX_STALL_MS:.0f} ms  [{verdict}: max <= {MAX_STALL_MS:.0f}]")
    print(f"  progress signals delivered to the GUI: {r['progress_per_s']:.1f}/s")
    worst = ", ".join(f"{gap:.0f} ms at {at:.1f} s" for gap, at in r["worst"])
    print(f"  longest gaps: {worst or 'none over ' + str(3 * TICK_MS) + ' ms'}")
    run_id, failures = r["largest"]
    print(f"  then, largest run {run_id} ({failures:,} record errors, error file saved: "
          f"{r['saved_mb']:.1f} MB); longest GUI-thread stall per step "
          f"[target <= {STEP_MAX_STALL_MS:.0f} ms]:")
    for name, stall, secs in r["steps"]:
        verdict = "PASS" if stall <= STEP_MAX_STALL_MS else "MISS"
        print(f"    {name:<28} max {stall:6.1f} ms  (done in {secs:5.2f} s)  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--failures", type=int, default=617_000,
                        help="record errors given to the largest run before it is opened")
    parser.add_argument("--deadline", type=float, default=1800.0,
                        help="give up after this many seconds")
    args = parser.parse_args()
    results = run(args.users, args.accounts, args.deadline, args.failures)
    print_report(results)
    return 0 if results["status"] != "not finished" else 1


if __name__ == "__main__":
    sys.exit(main())
