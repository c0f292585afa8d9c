"""JobRunner runs jobs in QThreads, re-emits progress and results, cancels, and cleans up."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytestqt.qtbot import QtBot

from pxdesk.core.jobs import RUN_SWITCH_INTERVAL_S, BackgroundCall, JobRunner, RunCrash


@dataclass
class FakeProgress:
    run_id: int
    job_name: str
    records: int


@dataclass
class FakeResult:
    job_name: str
    status: str
    records: int
    thread: str


class FakeEngine:
    """Reports `pages` pages; waits on `gate` per page so a test can cancel mid-run."""

    def __init__(self, pages: int = 3, gate: threading.Event | None = None,
                 runs: tuple[int, ...] = (7,)) -> None:
        self.pages = pages
        self.gate = gate
        self.runs = runs  # run ids reported in turn: dependencies first, as the engine does

    def run_job(
        self, job_name: str, *, trigger: str, date_range: Any = None,
        progress: Callable[[Any], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> FakeResult:
        done = 0
        for run_id in self.runs:
            done = 0
            for _page in range(self.pages):
                if self.gate is not None:
                    self.gate.wait(5)
                if cancel is not None and cancel():
                    return FakeResult(job_name, "Cancelled", done,
                                      threading.current_thread().name)
                done += 10
                if progress is not None:
                    progress(FakeProgress(run_id, job_name, done))
        return FakeResult(job_name, "Success", done, threading.current_thread().name)


def test_runner_reports_progress_and_result_from_a_worker_thread(qtbot: QtBot) -> None:
    runner = JobRunner(lambda: FakeEngine(pages=3), progress_interval_s=0)
    progress: list[int] = []
    started: list[tuple[str, int]] = []
    runner.run_progress.connect(lambda p: progress.append(p.records))
    runner.run_started.connect(lambda name, run_id: started.append((name, run_id)))
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        assert runner.start("Company Sync_x", "manual")
        assert runner.is_running("Company Sync_x")
        assert not runner.start("Company Sync_x", "manual"), "one run of a job at a time"
    name, result = blocker.args
    assert name == "Company Sync_x"
    assert result.status == "Success" and result.records == 30
    assert result.thread != threading.current_thread().name
    assert progress == [10, 20, 30]
    assert started == [("Company Sync_x", 7)]
    assert not runner.is_running("Company Sync_x")


def test_progress_is_throttled_but_every_run_reports_its_first_and_last_page(
    qtbot: QtBot
) -> None:
    """A fast engine must not flood the GUI thread: one report per interval per run."""
    runner = JobRunner(lambda: FakeEngine(pages=50, runs=(3, 4)), progress_interval_s=60)
    seen: list[tuple[int, int]] = []
    started: list[int] = []
    runner.run_progress.connect(lambda p: seen.append((p.run_id, p.records)))
    runner.run_started.connect(lambda _name, run_id: started.append(run_id))
    with qtbot.waitSignal(runner.run_finished, timeout=5000):
        runner.start("Company Person Sync_x", "manual")
    assert seen == [(3, 10), (3, 500), (4, 10), (4, 500)]
    assert started == [3, 4]


def test_runs_hand_the_gil_to_the_gui_quickly_and_spare_it_full_collections(
    qtbot: QtBot
) -> None:
    idle = sys.getswitchinterval()
    gate = threading.Event()
    runner = JobRunner(lambda: FakeEngine(pages=1, gate=gate))
    runner.start("job", "manual")
    try:
        assert sys.getswitchinterval() == RUN_SWITCH_INTERVAL_S < idle
        assert gc.get_freeze_count() > 0, "the app's objects are out of the collector's way"
    finally:
        with qtbot.waitSignal(runner.run_finished, timeout=5000):
            gate.set()
    assert sys.getswitchinterval() == idle, "given back once no run is left"


def test_cancel_stops_the_run_at_the_next_page(qtbot: QtBot) -> None:
    gate = threading.Event()
    runner = JobRunner(lambda: FakeEngine(pages=5, gate=gate))
    runner.start("job", "manual")
    assert runner.cancel("job")
    assert not runner.cancel("other")
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        gate.set()
    assert blocker.args[1].status == "Cancelled"


def test_cancel_all_and_wait_ends_every_run_before_returning(qtbot: QtBot) -> None:
    gate = threading.Event()
    runner = JobRunner(lambda: FakeEngine(pages=50, gate=gate))
    finished: list[str] = []
    runner.run_finished.connect(lambda name, result: finished.append(result.status))
    runner.start("a", "manual")
    runner.start("b", "manual")
    gate.set()
    runner.cancel_all_and_wait(5000)
    assert sorted(finished) == ["Cancelled", "Cancelled"]
    assert runner.running_jobs() == []


def test_a_crashing_engine_still_finishes_the_run(qtbot: QtBot) -> None:
    def broken() -> FakeEngine:
        raise RuntimeError("engine exploded")

    runner = JobRunner(broken)
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        runner.start("job", "manual")
    result = blocker.args[1]
    assert isinstance(result, RunCrash)
    assert "engine exploded" in result.message


def test_background_call_returns_value_or_error_in_the_gui_thread(qtbot: QtBot) -> None:
    ok = BackgroundCall(lambda: threading.current_thread().name)
    with qtbot.waitSignal(ok.finished, timeout=5000) as blocker:
        ok.start()
    assert blocker.args[0] != threading.current_thread().name

    def fail() -> None:
        raise ValueError("bad key")

    bad = BackgroundCall(fail)
    with qtbot.waitSignal(bad.failed, timeout=5000) as blocker:
        bad.start()
    assert blocker.args == ["bad key"]


def test_a_store_failure_before_the_run_is_one_line_without_a_class_name(qtbot: QtBot) -> None:
    from pxdesk.core.store.errors import DatabaseBusyError

    def busy() -> FakeEngine:
        raise DatabaseBusyError("the database is busy: let it finish, then try again")

    runner = JobRunner(busy)
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        runner.start("job", "manual")
    assert blocker.args[1].message == "the database is busy: let it finish, then try again"
