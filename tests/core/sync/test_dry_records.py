"""A dry run's records: the first N in memory, the rest in a private temporary SQLite file
read a window at a time; closing deletes the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pxdesk.core.sync.dry_records import DryRecords
from pxdesk.core.sync.dry_run import (
    OUTCOMES,
    WOULD_FAIL,
    WOULD_INSERT,
    WOULD_STAY,
    WOULD_UPDATE,
    DryRecord,
)
from pxdesk.core.sync.recording_target import FieldChange


def _record(n: int) -> DryRecord:
    outcome = OUTCOMES[n % len(OUTCOMES)]
    if outcome == WOULD_FAIL:
        return DryRecord(f"id-{n}", outcome, field="Email", value=f"bad-{n}", reason="no @")
    return DryRecord(f"id-{n}", outcome, (FieldChange("Name", None if n % 2 else n, f"N{n}"),))


def _filled(tmp_path: Path, count: int, keep: int) -> DryRecords:
    records = DryRecords(keep=keep, directory=tmp_path)
    for n in range(count):
        records.append(_record(n))
    records.finish()
    return records


def test_spills_past_the_first_n_and_reads_back_in_order(tmp_path: Path) -> None:
    records = _filled(tmp_path, 103, keep=10)
    assert records.spilled and records.path is not None and records.path.exists()
    assert records.path.parent == tmp_path
    assert len(records) == records.count() == 103
    assert list(records) == [_record(n) for n in range(103)]
    assert records[5] == _record(5) and records[50] == _record(50)
    assert records[8:13] == [_record(n) for n in range(8, 13)]
    assert records[-1] == _record(102)
    with pytest.raises(IndexError):
        records[103]
    assert records.totals() == {WOULD_INSERT: 26, WOULD_UPDATE: 26, WOULD_STAY: 26,
                                WOULD_FAIL: 25}
    with sqlite3.connect(records.path) as conn:  # only what did not fit in memory
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 93
    records.close()


def test_windows_by_outcome_across_memory_and_file(tmp_path: Path) -> None:
    records = _filled(tmp_path, 60, keep=7)
    fails = [_record(n) for n in range(60) if n % 4 == 3]
    assert records.count(WOULD_FAIL) == len(fails) == 15
    assert list(records.iter(WOULD_FAIL)) == fails
    window = records.window(-1, 4, WOULD_FAIL)
    assert [r for _, r in window] == fails[:4]
    after = window[-1][0]
    assert [r for _, r in records.window(after, 100, WOULD_FAIL)] == fails[4:]
    assert records.window(59, 10) == []
    records.close()


def test_close_deletes_the_file_and_works_as_a_context_manager(tmp_path: Path) -> None:
    with _filled(tmp_path, 30, keep=3) as records:
        path = records.path
        assert path is not None and path.exists()
    assert not path.exists() and list(tmp_path.iterdir()) == []
    records.close()  # twice is harmless


def test_few_records_never_touch_the_disk(tmp_path: Path) -> None:
    records = _filled(tmp_path, 5, keep=10)
    assert not records.spilled and records.path is None and list(tmp_path.iterdir()) == []
    assert list(records) == [_record(n) for n in range(5)]
    records.close()


def test_a_dropped_result_deletes_its_file(tmp_path: Path) -> None:
    records = _filled(tmp_path, 30, keep=3)
    path = records.path
    del records
    assert path is not None and not path.exists()
