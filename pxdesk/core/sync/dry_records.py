"""A dry run's per-record outcomes, bounded in memory whatever the number of records.

The first `keep` records stay in a list; the rest go to a private temporary SQLite file (not
the store: mode 0600 in the temp directory, journal off) and are read back a window at a time,
by position and optionally by outcome. `close()` (or the end of a `with`, or the object being
dropped) deletes the file. Written by the dry run's thread, then read by one reader at a time
(the CLI, or the dialog on the GUI thread) once `finish()` was called.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from pxdesk.core.logs.run_files import value_text
from pxdesk.core.sync.mapping import show_value
from pxdesk.core.sync.recording_target import FieldChange

WOULD_INSERT = "Would insert"
WOULD_UPDATE = "Would update"
WOULD_STAY = "Unchanged"
WOULD_FAIL = "Would fail"
OUTCOMES = (WOULD_INSERT, WOULD_UPDATE, WOULD_STAY, WOULD_FAIL)
KEEP_IN_MEMORY = 20_000  # records; a few MB, and the dialog's first screens without the disk
_BATCH = 2_000  # spilled records written per executemany
_WINDOW = 1_000  # records read per query when iterating
_COLUMNS = "pos, source_id, outcome, field, value, reason, changes"


@dataclass(frozen=True, slots=True)
class DryRecord:
    """What the run would do with one PX record."""

    source_id: str | None
    outcome: str
    changes: tuple[FieldChange, ...] = ()
    field: str | None = None  # a failure's field
    value: str | None = None  # a failure's value
    reason: str | None = None  # a failure's reason

    @property
    def detail(self) -> str:
        """Why it fails, or what it changes (field: old -> new)."""
        if self.reason is not None:
            return self.reason
        if self.outcome == WOULD_INSERT:
            return "; ".join(f"{c.field} = {_shown(c.new)}" for c in self.changes)
        return "; ".join(f"{c.field}: {_shown(c.old)} -> {_shown(c.new)}" for c in self.changes)

    def csv_row(self) -> list[Any]:
        return [self.source_id, self.outcome, self.field, self.value, self.detail]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source_id": self.source_id, "outcome": self.outcome}
        if self.outcome == WOULD_FAIL:
            data.update(field=self.field, value=self.value, reason=self.reason)
        elif self.changes:
            data["changes"] = [{"field": c.field, "old": _jsonable(c.old),
                                "new": _jsonable(c.new)} for c in self.changes]
        return data


def _shown(value: Any) -> str:
    return "empty" if value is None else show_value(value)


def _jsonable(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, float, str)) \
        else value_text(value)


_Row = tuple[int, str | None, str, str | None, str | None, str | None, bytes | None]


def _row(pos: int, record: DryRecord) -> _Row:
    """A record as a row of the spill file; its changes pickled as plain tuples (several
    times smaller and faster than the dataclasses; the values keep their types)."""
    changes = pickle.dumps(tuple((c.field, c.old, c.new) for c in record.changes),
                           pickle.HIGHEST_PROTOCOL) if record.changes else None
    return (pos, record.source_id, record.outcome, record.field, record.value, record.reason,
            changes)


def _record(row: tuple[Any, ...]) -> tuple[int, DryRecord]:
    pos, source_id, outcome, field, value, reason, changes = row
    return pos, DryRecord(source_id, outcome,
                          tuple(FieldChange(*c) for c in pickle.loads(changes))
                          if changes is not None else (), field, value, reason)


def _remove(conn: sqlite3.Connection | None, path: Path | None) -> None:
    if conn is not None:
        conn.close()
    if path is not None:
        path.unlink(missing_ok=True)


class DryRecords:
    """The records of one dry run in the order decided: a sequence read in windows."""

    def __init__(self, keep: int = KEEP_IN_MEMORY, directory: Path | None = None) -> None:
        self._keep = max(0, keep)
        self._directory = directory
        self._head: list[DryRecord] = []
        self._buffer: list[_Row] = []
        self._count = 0
        self._totals = dict.fromkeys(OUTCOMES, 0)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()  # the dialog's table and its export read at once
        self.path: Path | None = None  # the spill file, once records went past `keep`
        self._finalizer: weakref.finalize[Any, DryRecords] | None = None

    # ---- writing (the dry run's thread) --------------------------------------------------

    def append(self, record: DryRecord) -> None:
        self._totals[record.outcome] += 1
        if self._count < self._keep:
            self._head.append(record)
        else:
            self._buffer.append(_row(self._count, record))
            if len(self._buffer) >= _BATCH:
                self._flush()
        self._count += 1

    def finish(self) -> None:
        """Every record is in: write what is still buffered (readers call it too)."""
        self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        conn = self._conn if self._conn is not None else self._open()
        with conn:
            conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", self._buffer)
        self._buffer = []

    def _open(self) -> sqlite3.Connection:
        handle, name = tempfile.mkstemp(prefix="pxdesk-dry-run-", suffix=".sqlite",
                                        dir=self._directory)
        os.close(handle)
        self.path = Path(name)
        # Written by the dry run's thread, read later by another one: never both at once.
        conn = sqlite3.connect(name, check_same_thread=False)
        self._conn = conn
        self._finalizer = weakref.finalize(self, _remove, conn, self.path)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("CREATE TABLE records (pos INTEGER PRIMARY KEY, source_id TEXT, "
                     "outcome TEXT NOT NULL, field TEXT, value TEXT, reason TEXT, changes BLOB)")
        conn.execute("CREATE INDEX records_outcome ON records (outcome, pos)")
        return conn

    # ---- reading ------------------------------------------------------------------------

    @property
    def spilled(self) -> bool:
        return self.path is not None

    def __len__(self) -> int:
        return self._count

    def count(self, outcome: str | None = None) -> int:
        """Records with `outcome` (every record with None)."""
        return self._count if outcome is None else self._totals.get(outcome, 0)

    def totals(self) -> dict[str, int]:
        """Records per outcome, every outcome present."""
        return dict(self._totals)

    def window(self, after: int, limit: int,
               outcome: str | None = None) -> list[tuple[int, DryRecord]]:
        """Up to `limit` (position, record) after position `after` (-1: from the start), of
        one outcome or all: a keyset read, as cheap at the millionth record as at the first."""
        out: list[tuple[int, DryRecord]] = []
        head = self._head
        for pos in range(after + 1, len(head)):
            if len(out) >= limit:
                return out
            record = head[pos]
            if outcome is None or record.outcome == outcome:
                out.append((pos, record))
        if len(out) >= limit or self._count <= len(head):
            return out
        start = max(after, len(head) - 1)
        with self._lock:
            self.finish()
            if self._conn is None:
                raise ValueError("the dry run's records were closed")
            if outcome is None:
                rows = self._conn.execute(f"SELECT {_COLUMNS} FROM records WHERE pos > ? "
                                          "ORDER BY pos LIMIT ?", (start, limit - len(out)))
            else:
                rows = self._conn.execute(f"SELECT {_COLUMNS} FROM records WHERE outcome = ? "
                                          "AND pos > ? ORDER BY pos LIMIT ?",
                                          (outcome, start, limit - len(out)))
            found = rows.fetchall()
        out += [_record(row) for row in found]
        return out

    def iter(self, outcome: str | None = None) -> Iterator[DryRecord]:
        """Every record (of one outcome), streamed a window at a time."""
        after = -1
        while True:
            window = self.window(after, _WINDOW, outcome)
            if not window:
                return
            yield from (record for _, record in window)
            after = window[-1][0]

    def __iter__(self) -> Iterator[DryRecord]:
        return self.iter()

    @overload
    def __getitem__(self, index: int) -> DryRecord: ...
    @overload
    def __getitem__(self, index: slice) -> list[DryRecord]: ...

    def __getitem__(self, index: int | slice) -> DryRecord | list[DryRecord]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                raise ValueError("dry run records are read in contiguous windows")
            return [r for _, r in self.window(start - 1, max(0, stop - start))]
        pos = index + self._count if index < 0 else index
        if not 0 <= pos < self._count:
            raise IndexError("dry run record index out of range")
        return self.window(pos - 1, 1)[0][1]

    def __repr__(self) -> str:
        return f"DryRecords({self._count} records, spilled={self.spilled})"

    # ---- the end ------------------------------------------------------------------------

    def close(self) -> None:
        """Delete the spill file (the records in memory stay readable)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            self._conn = None
            self._buffer = []

    def __enter__(self) -> DryRecords:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
