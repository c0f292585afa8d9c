"""Retention: old runs, their rows and folders go; the last run of each job and open runs stay."""

from __future__ import annotations

import os
from pathlib import Path

from pxdesk.core.logs.retention import DAY_MS, apply_retention, apply_retention_setting
from pxdesk.core.store.models import ExecutionRun, RecordError, RequestLog
from pxdesk.core.store.settings import RETENTION_DAYS, RUNS_MAX_MB, set_setting

NOW = 1_800_000_000_000


def _run(job: str, age_days: float, runs_dir: Path, status: str = "Success") -> ExecutionRun:
    at = NOW - int(age_days * DAY_MS)
    run = ExecutionRun.create(job_name=job, trigger="scheduled", status=status, queued_at=at,
                              started_at=at, ended_at=at + 1000)
    folder = runs_dir / str(run.id)
    folder.mkdir(parents=True)
    (folder / "errors.csv").write_text("x", encoding="utf-8")
    run.error_file = str(folder / "errors.csv")
    run.save()
    RecordError.create(run=run, source_id="s", reason="r")
    RequestLog.create(run=run, method="GET", url="https://x/v1/users", status=200)
    return run


def test_old_runs_and_files_go_last_per_job_stays(context: object, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    old_a = _run("A", 200, runs_dir)
    last_a = _run("A", 190, runs_dir)  # old, but the newest run of A
    new_b = _run("B", 10, runs_dir)
    old_b = _run("B", 181, runs_dir)
    stuck = _run("B", 300, runs_dir, status="In Progress")  # open runs are never removed
    result = apply_retention(NOW, 180, runs_dir)
    left = {r.id for r in ExecutionRun.select()}
    assert left == {last_a.id, new_b.id, stuck.id}
    assert old_a.id not in left and old_b.id not in left
    assert result.runs_deleted == 2 and result.folders_deleted == 2
    assert not (runs_dir / str(old_a.id)).exists() and (runs_dir / str(last_a.id)).exists()
    # Record errors and requests went with their runs (ON DELETE CASCADE).
    assert {e.run_id for e in RecordError.select()} == left
    assert {r.run_id for r in RequestLog.select()} == left


def test_orphan_folders_are_removed_only_when_old(context: object, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    (runs_dir / "locks").mkdir(parents=True)
    orphan_old, orphan_new = runs_dir / "9001", runs_dir / "9002"
    orphan_old.mkdir()
    orphan_new.mkdir()
    old = (NOW - 200 * DAY_MS) / 1000
    os.utime(orphan_old, (old, old))
    os.utime(orphan_new, (NOW / 1000, NOW / 1000))
    assert apply_retention(NOW, 180, runs_dir).folders_deleted == 1
    assert not orphan_old.exists() and orphan_new.exists() and (runs_dir / "locks").exists()


def test_zero_days_keeps_everything(context: object, tmp_path: Path) -> None:
    _run("A", 1000, tmp_path)
    _run("A", 999, tmp_path)
    assert apply_retention(NOW, 0, tmp_path).runs_deleted == 0
    assert ExecutionRun.select().count() == 2


def test_setting_drives_the_startup_pass(context: object, tmp_path: Path) -> None:
    _run("A", 40, tmp_path)
    _run("A", 1, tmp_path)
    assert apply_retention_setting(tmp_path, clock=lambda: NOW).runs_deleted == 0  # 180 d
    set_setting(RETENTION_DAYS, 30)
    assert apply_retention_setting(tmp_path, clock=lambda: NOW).runs_deleted == 1


def test_run_files_beyond_the_size_cap_go_oldest_first(context: object, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    runs = [_run("A", 30 - day, runs_dir) for day in range(6)]  # oldest first
    big = 400_000
    for run in runs:
        Path(run.error_file).write_bytes(b"e" * big)
    result = apply_retention(NOW, 180, runs_dir, max_bytes=3 * big + 1000)
    left = [r.id for r in ExecutionRun.select().order_by(ExecutionRun.id)]
    assert left == [r.id for r in runs[3:]], "the three newest fit under the cap"
    assert result.runs_deleted == 3
    assert sum(f.stat().st_size for f in runs_dir.rglob("*") if f.is_file()) <= 3 * big + 1000
    apply_retention(NOW, 180, runs_dir, max_bytes=1)
    assert [r.id for r in ExecutionRun.select()] == [runs[-1].id], "a job's last run stays"


def test_the_size_cap_is_a_setting(context: object, tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    runs = [_run("A", 10 - day, runs_dir) for day in range(3)]
    for run in runs:
        Path(run.error_file).write_bytes(b"e" * 700_000)
    set_setting(RUNS_MAX_MB, 1)
    apply_retention_setting(runs_dir, clock=lambda: NOW)
    assert [r.id for r in ExecutionRun.select()] == [runs[-1].id]
