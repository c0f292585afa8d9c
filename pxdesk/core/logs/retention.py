"""Log retention: delete runs (and their files) older than the retention setting at start-up."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import Function, fn

from pxdesk.core.store.base import database, now_ms
from pxdesk.core.store.models import ExecutionRun, RunStatus
from pxdesk.core.store.rows import tuple_rows
from pxdesk.core.store.settings import retention_days, runs_max_mb

DAY_MS = 86_400_000
_BATCH = 500  # ids per DELETE: stays under SQLite's bound-parameter limit
_OPEN = (RunStatus.QUEUED, RunStatus.IN_PROGRESS)


@dataclass(frozen=True)
class RetentionResult:
    """What one pass removed."""

    runs_deleted: int = 0
    folders_deleted: int = 0


def _run_date() -> Function:
    """The moment a run counts from: its end, else its start, else when it was queued."""
    date: Function = fn.COALESCE(ExecutionRun.ended_at, ExecutionRun.started_at,
                                 ExecutionRun.queued_at)
    return date


def expired_run_ids(cutoff_ms: int) -> list[int]:
    """Closed runs dated before `cutoff_ms`, except the newest run of each job (by name, so a
    deleted job's last run stays too)."""
    newest = (ExecutionRun.select(fn.MAX(ExecutionRun.id)).group_by(ExecutionRun.job_name))
    query = (ExecutionRun.select(ExecutionRun.id)
             .where((_run_date() < cutoff_ms) & ExecutionRun.status.not_in(list(_OPEN))
                    & ExecutionRun.id.not_in(newest))
             .order_by(ExecutionRun.id))
    return [run_id for (run_id,) in tuple_rows(query)]


def _remove_folder(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def _orphan_folders(runs_dir: Path, cutoff_ms: int) -> list[Path]:
    """Numbered run folders with no run row left and older than the cutoff (left by a crash
    or an earlier pass that could not delete them)."""
    if not runs_dir.is_dir():
        return []
    numbered = {int(p.name): p for p in runs_dir.iterdir() if p.is_dir() and p.name.isdigit()}
    if not numbered:
        return []
    known = {run_id for (run_id,) in tuple_rows(ExecutionRun.select(ExecutionRun.id)
             .where(ExecutionRun.id.in_(list(numbered))))}
    return [p for run_id, p in numbered.items()
            if run_id not in known and p.stat().st_mtime * 1000 < cutoff_ms]


def _folder_bytes(folder: Path) -> int:
    if not folder.is_dir():
        return 0
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def over_cap_run_ids(runs_dir: Path, max_bytes: int) -> list[int]:
    """The oldest closed runs whose folders must go for the rest to fit in `max_bytes` (the
    newest run of each job always stays, whatever its size)."""
    keep = set(tuple_rows(ExecutionRun.select(fn.MAX(ExecutionRun.id))
                          .group_by(ExecutionRun.job_name)))
    closed = [run_id for (run_id,) in tuple_rows(
        ExecutionRun.select(ExecutionRun.id).where(ExecutionRun.status.not_in(list(_OPEN)))
        .order_by(ExecutionRun.id))]
    sizes = {run_id: _folder_bytes(runs_dir / str(run_id)) for run_id in closed}
    total = _folder_bytes(runs_dir) if runs_dir.is_dir() else 0
    doomed = []
    for run_id in closed:  # oldest first
        if total <= max_bytes:
            break
        if (run_id,) in keep or not sizes[run_id]:
            continue
        doomed.append(run_id)
        total -= sizes[run_id]
    return doomed


def _delete_runs(ids: list[int], runs_dir: Path) -> int:
    """Their rows (record errors and PX requests go with them) and folders; folders removed."""
    db = database()
    for start in range(0, len(ids), _BATCH):
        batch = ids[start:start + _BATCH]
        with db.atomic():
            ExecutionRun.delete().where(ExecutionRun.id.in_(batch)).execute()
    return sum(_remove_folder(runs_dir / str(run_id)) for run_id in ids)


def apply_retention(now: int, days: int, runs_dir: Path, *, max_bytes: int = 0,
                    ) -> RetentionResult:
    """Delete runs older than `days` before `now` (epoch ms), then the oldest runs until their
    files fit in `max_bytes`: rows, record errors and PX requests (ON DELETE CASCADE) and
    folders under `runs_dir`. `days <= 0` keeps any age, `max_bytes <= 0` any size."""
    ids: list[int] = []
    folders = 0
    if days > 0:
        cutoff = now - days * DAY_MS
        ids = expired_run_ids(cutoff)
        folders = _delete_runs(ids, runs_dir)
        folders += sum(_remove_folder(p) for p in _orphan_folders(runs_dir, cutoff))
    if max_bytes > 0:
        capped = over_cap_run_ids(runs_dir, max_bytes)
        folders += _delete_runs(capped, runs_dir)
        ids += capped
    return RetentionResult(runs_deleted=len(ids), folders_deleted=folders)


def apply_retention_setting(runs_dir: Path, clock: Callable[[], int] = now_ms,
                            ) -> RetentionResult:
    """The start-up pass: the stored retention (default 180 days, 2 GB of run files) from the
    current time."""
    return apply_retention(clock(), retention_days(), runs_dir,
                           max_bytes=runs_max_mb() * 1024 * 1024)
