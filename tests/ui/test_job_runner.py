"""JobRunner runs jobs in QThreads, re-emits progress and results, cancels, and cleans up."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from typing import Any

from pytestqt.qtbot import QtBot

from pxdesk.core.background import BackgroundCall
from pxdesk.core.logs.execution import RunCounts
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.sync.results import RunCrash, RunOutcome, RunProgress, RunResult, RunStart
from pxdesk.core.workers import RUN_SWITCH_INTERVAL_S, JobRunner


class FakeEngine:
    """Runs the tree `runs` (dependencies first, the job's own run id last) of `pages` pages
    each, as SyncEngine reports it: every run announced when its row is made (the job's own
    first), progress per page, each run ended; waits on `gate` per page so a test can cancel
    mid-run. The worker thread's name is kept in the reason."""

    def __init__(self, pages: int = 3, gate: threading.Event | None = None,
                 runs: tuple[int, ...] = (7,)) -> None:
        self.pages = pages
        self.gate = gate
        self.runs = runs

    def run_job(
        self, job_name: str, *, trigger: str, date_range: Any = None,
        progress: Callable[[RunProgress], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        on_start: Callable[[RunStart], None] | None = None,
        on_end: Callable[[RunResult], None] | None = None, note: str | None = None,
        reconcile: bool = False,
    ) -> RunResult:
        assert progress and cancel and on_start and on_end
        *deps, own = self.runs
        on_start(RunStart(own, job_name, RunStatus.QUEUED))
        ended = [self._run(run_id, f"dep-{run_id}", progress, cancel, on_start, on_end, note)
                 for run_id in deps]
        result = self._run(own, job_name, progress, cancel, None, on_end, note)
        result.dependencies = ended
        return result

    def _run(self, run_id: int, name: str, progress: Callable[[RunProgress], None],
             cancel: Callable[[], bool], on_start: Callable[[RunStart], None] | None,
             on_end: Callable[[RunResult], None], note: str | None) -> RunResult:
        if on_start is not None:
            on_start(RunStart(run_id, name, RunStatus.IN_PROGRESS))
        status, counts = RunStatus.SUCCESS, RunCounts()
        for _page in range(self.pages):
            if self.gate is not None:
                self.gate.wait(5)
            if cancel():
                status = RunStatus.CANCELLED
                break
            counts.success += 10
            progress(RunProgress(run_id, name, counts.pages, counts.success, counts.success,
                                 0, None, 1.0, 1.0))
        result = RunResult(run_id, name, status, note or threading.current_thread().name,
                           counts)
        on_end(result)
        return result


def test_runner_reports_progress_and_result_from_a_worker_thread(qtbot: QtBot) -> None:
    runner = JobRunner(lambda: FakeEngine(pages=3), progress_interval_s=0)
    progress: list[int] = []
    started: list[tuple[str, int]] = []
    runner.run_progress.connect(lambda p: progress.append(p.records))
    runner.run_started.connect(lambda s: started.append((s.job_name, s.run_id)))
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        assert runner.start("Company Sync_x", "manual")
        assert runner.is_running("Company Sync_x")
        assert not runner.start("Company Sync_x", "manual"), "one run of a job at a time"
    name, result = blocker.args
    assert name == "Company Sync_x"
    assert result.status == "Success" and result.counts.success == 30
    assert result.reason != threading.current_thread().name
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
    runner.run_started.connect(lambda s: started.append(s.run_id))
    with qtbot.waitSignal(runner.run_finished, timeout=5000):
        runner.start("Company Person Sync_x", "manual")
    assert seen == [(3, 10), (3, 500), (4, 10), (4, 500)]
    assert started == [4, 3]


def test_runs_hand_the_gil_to_the_gui_quickly_and_spare_it_full_collections(
    qtbot: QtBot
) -> None:
    """The click that starts a run must not pay for a full collection on the GUI thread
    (30-80 ms with the app's objects): only the young generations are collected, the rest
    is frozen for the run and handed back to the collector when no run is left."""
    idle = sys.getswitchinterval()
    gate = threading.Event()
    runner = JobRunner(lambda: FakeEngine(pages=1, gate=gate))
    collected: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected.append(info["generation"])

    gc.unfreeze()
    gc.callbacks.append(on_gc)
    try:
        runner.start("job", "manual")
    finally:
        gc.callbacks.remove(on_gc)
    try:
        assert 2 not in collected, "no full collection when a run starts"
        assert sys.getswitchinterval() == RUN_SWITCH_INTERVAL_S < idle
        assert gc.get_freeze_count() > 0, "the app's objects are out of the collector's way"
    finally:
        with qtbot.waitSignal(runner.run_finished, timeout=5000):
            gate.set()
    assert sys.getswitchinterval() == idle, "given back once no run is left"
    assert gc.get_freeze_count() == 0, "the frozen objects are collectable again"


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


def test_every_run_of_a_tree_is_announced_once_and_ended_once_in_order(qtbot: QtBot) -> None:
    """Views keep no bookkeeping of their own: the runner says when each run starts and ends,
    and which jobs are running, dependencies included."""
    gate = threading.Event()
    runner = JobRunner(lambda: FakeEngine(pages=2, gate=gate, runs=(3, 4)))
    events: list[tuple[str, int | str]] = []
    runner.run_started.connect(lambda s: events.append(("start", s.run_id)))
    runner.run_ended.connect(lambda o: events.append(("end", o.run_id)))
    runner.run_finished.connect(lambda name, _o: events.append(("finished", name)))
    runner.start("job", "manual", note="caught up")
    qtbot.waitUntil(lambda: len(events) == 2, timeout=5000)
    assert runner.is_running("job") and runner.is_running("dep-3")
    assert runner.running_jobs() == ["job", "dep-3"]
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        gate.set()
    assert events == [("start", 4), ("start", 3), ("end", 3), ("end", 4), ("finished", "job")]
    assert blocker.args[1].reason == "caught up", "the note reaches the engine"
    assert runner.running_jobs() == [] and not runner.is_running("dep-3")


def test_a_crash_ends_every_run_left_open(qtbot: QtBot) -> None:
    class Crashing(FakeEngine):
        def _run(self, run_id: int, name: str, *args: Any) -> RunResult:
            if run_id == 4:
                raise RuntimeError("engine bug")
            return super()._run(run_id, name, *args)

    runner = JobRunner(lambda: Crashing(pages=1, runs=(3, 4)))
    ended: list[RunOutcome] = []
    runner.run_ended.connect(ended.append)
    with qtbot.waitSignal(runner.run_finished, timeout=5000) as blocker:
        runner.start("job", "manual")
    assert [type(o).__name__ for o in ended] == ["RunResult", "RunCrash"]
    assert ended[1].job_name == "job" and "engine bug" in ended[1].message
    assert isinstance(blocker.args[1], RunCrash)
    assert runner.running_jobs() == []


def test_the_runner_knows_the_runs_it_ran_after_they_end(qtbot: QtBot) -> None:
    """What the store watch asks, to leave this window's own runs to its live signals."""
    runner = JobRunner(lambda: FakeEngine(pages=1, runs=(3, 4)))
    with qtbot.waitSignal(runner.run_finished, timeout=5000):
        runner.start("Company Person Sync_x", "manual")
    assert runner.started_here(3) and runner.started_here(4) and not runner.started_here(5)
