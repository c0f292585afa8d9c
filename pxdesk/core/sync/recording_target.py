"""The dry run's write target: rows the page processor decided are recorded, never written.

A real run's later pages see what its earlier pages wrote. So that a dry run decides them the
same way, this target remembers across pages the keys of rows it would have inserted and the
values each row would hold after its (would-be) insert or update, and shows them to later
pages as if they were in the store: to the upserts' key matches, the writers' unchanged
check and the derived lookups that read an object the job writes (sync/dry_lookups.py). What
does not fit in memory waits in a temporary file (sync/dry_state.py). Statements are bound
against an in-memory SQLite instead of the store: a value SQLite refuses to bind (a lone
surrogate, an integer beyond 64 bits) fails the same record it would fail in a run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import Database

from pxdesk.core.sync.dry_lookups import LookupOverlay, Stored
from pxdesk.core.sync.dry_state import HOT_ENTRIES, SpillFile, SpillMap
from pxdesk.core.sync.lookups import DerivedLookup, Key, Match
from pxdesk.core.sync.write_target import WriteTarget
from pxdesk.core.sync.writer import KeyedUpsert, Shape, TableWriter


@dataclass(frozen=True)
class FieldChange:
    """One field a record would change: its old and new value (None is empty)."""

    field: str
    old: Any
    new: Any


class _Binder:
    """Binds statement parameters in a private in-memory database: what SQLite would refuse."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:")
        self._tables: set[int] = set()

    def check(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        width = len(rows[0])
        if width not in self._tables:
            columns = ", ".join(f"c{i}" for i in range(width))
            self._conn.execute(f"CREATE TABLE b{width} ({columns})")
            self._tables.add(width)
        marks = ", ".join("?" * width)
        self._conn.executemany(f"INSERT INTO b{width} VALUES ({marks})", rows)
        self._conn.execute(f"DELETE FROM b{width}")


class RecordingWriter(TableWriter):
    """A TableWriter whose flush records instead of executing; the deciding stays its own."""

    def __init__(self, db: Database, shape: Shape, actor: str, target: RecordingTarget) -> None:
        super().__init__(db, shape, actor)
        self._target = target
        self._pending: dict[str, Stored | None] = {}
        self._pending_created: dict[str, int] = {}
        self._pending_changes: list[tuple[str, list[FieldChange]]] = []
        self._std_at = {f.api_name: k for k, f in enumerate(f for f in shape.fields if f.column)}
        self._custom_names = {name for _, name in self._custom}

    def writes(self, api_name: str) -> bool:
        return api_name in self._std_at or api_name in self._custom_names

    def value_of(self, state: Stored, api_name: str) -> tuple[bool, Any]:
        """(True, value) of field `api_name` in a row state; (False, None) when the job does
        not write that field (the row keeps the value it had)."""
        k = self._std_at.get(api_name)
        if k is not None:
            return True, state[k]
        if api_name in self._custom_names:
            return True, state[-1].get(api_name)
        return False, None

    def _state(self, std: tuple[Any, ...], values: list[Any], before: Stored | None) -> Stored:
        if not self._custom:
            return std
        return self._after(before if before is not None else (*std, {}), std, values)

    def _known(self, gsid: str) -> Stored | None:
        if gsid in self._pending:
            return self._pending[gsid]
        return self._current.get(gsid)

    def load_current(self, gsids: Iterable[str]) -> None:
        wanted = list(gsids)
        super().load_current(wanted)
        # Newer than the store: an earlier page would have written them.
        self._current.update(self._target.rows(self.shape.obj).get_many(wanted))

    def insert(self, gsid: str, values: list[Any], now: int) -> None:
        super().insert(gsid, values, now)
        self._pending[gsid] = self._state(self._std(values), values, None)
        self._pending_created[gsid] = now
        self._pending_changes.append((gsid, self._changes(None, values)))

    def update(self, gsid: str, values: list[Any], now: int) -> bool:
        before = self._known(gsid)
        if not super().update(gsid, values, now):
            return False
        self._pending[gsid] = None if before is None else \
            self._state(self._std(values), values, before)
        self._pending_changes.append((gsid, self._changes(before, values)))
        return True

    def _changes(self, before: Stored | None, values: list[Any]) -> list[FieldChange]:
        std_i = [i for i, f in enumerate(self.shape.fields) if f.column]
        changes = []
        for k, i in enumerate(std_i):
            old = before[k] if before is not None else None
            if old != values[i] or (before is None and values[i] is not None):
                changes.append(FieldChange(self.shape.fields[i].api_name, old, values[i]))
        custom = before[-1] if before is not None and self._custom else {}
        for i, name in self._custom:
            old = custom.get(name)
            if old != values[i] or (before is None and values[i] is not None):
                changes.append(FieldChange(name, old, values[i]))
        return changes

    def clear(self) -> None:
        super().clear()
        self._pending, self._pending_created, self._pending_changes = {}, {}, []

    def flush(self) -> None:
        """Bind what a run would execute, so a refused value fails the same records."""
        self._target.binder.check(self.inserts)
        self._target.binder.check(self.updates)
        self.inserts, self.updates = [], []

    def commit(self) -> None:
        """Every writer of the attempt went through: keep its rows for later pages."""
        obj = self.shape.obj
        rows = self._target.rows(obj)
        for gsid, state in self._pending.items():
            if state is None:
                rows.pop(gsid)  # unknown now: later pages read the store's values
            else:
                rows[gsid] = state
        self._target.overlay.touched(obj, self._pending, self._pending_created)
        self._target.add_changes(self._pending_changes)
        self._pending, self._pending_created, self._pending_changes = {}, {}, []


class RecordingTarget(WriteTarget):
    """Remembers what a dry run would have written, for later pages and for the report."""

    lineage = False

    def __init__(self, hot: int = HOT_ENTRIES) -> None:
        self.binder = _Binder()
        self._hot = hot
        self.spill = SpillFile()  # what does not fit in memory, opened when needed
        self._rows: dict[str, SpillMap[str, Stored]] = {}
        self._keys: dict[str, SpillMap[Key, str]] = {}
        self._changes: dict[str, list[list[FieldChange]]] = {}
        self._writers: list[RecordingWriter] = []
        self.overlay = LookupOverlay(self)

    def writer(self, db: Database, shape: Shape, actor: str) -> TableWriter:
        writer = RecordingWriter(db, shape, actor, self)
        self._writers.append(writer)
        return writer

    def writer_of(self, obj: str) -> RecordingWriter | None:
        return next((w for w in self._writers if w.shape.obj == obj), None)

    def rows(self, obj: str) -> SpillMap[str, Stored]:
        """gsid -> the row's values after what this dry run would have written to it."""
        rows = self._rows.get(obj)
        if rows is None:
            rows = self._rows[obj] = SpillMap(self.spill, self._hot)
        return rows

    def close(self) -> None:
        """Delete the temporary file of what did not fit in memory (the dry run ended)."""
        self.spill.close()

    def created(self, obj: str) -> dict[str, int]:
        """gsid -> created_at of the rows this dry run would have inserted (kept only for
        the objects a derived lookup reads)."""
        return self.overlay.created(obj)

    def found(self, lookup: DerivedLookup, keys: set[Key],
              found: dict[Key, list[Match]]) -> dict[Key, list[Match]]:
        return self.overlay.found(lookup, keys, found)

    def loaded(self, obj: str, upsert: KeyedUpsert, keys: set[Key]) -> None:
        new = self._keys.get(obj)
        if new is None:
            return
        for key, gsid in new.get_many(k for k in keys if k not in upsert.existing).items():
            match: Match = (0, gsid)
            upsert.existing[key] = [match]

    def written(self, upserts: Sequence[tuple[str, KeyedUpsert]]) -> None:
        for writer in self._writers:
            writer.commit()
        for obj, upsert in upserts:
            if upsert.page_new:
                keys = self._keys.get(obj)
                if keys is None:
                    keys = self._keys[obj] = SpillMap(self.spill, self._hot)
                keys.update(upsert.page_new)

    def add_changes(self, changes: Iterable[tuple[str, list[FieldChange]]]) -> None:
        for gsid, fields in changes:
            self._changes.setdefault(gsid, []).append(fields)

    def take_changes(self, gsid: str | None) -> list[FieldChange]:
        """The changes of the next write of row `gsid` not yet reported, in write order."""
        queued = self._changes.get(gsid) if gsid is not None else None
        if not queued:
            return []
        fields = queued.pop(0)
        if not queued:
            del self._changes[gsid]  # type: ignore[arg-type]
        return fields
