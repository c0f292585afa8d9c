"""Raw-SQL page writers: match by key, plan inserts/updates, then executemany in one go.

Planning happens before any write so a record that fails (no existing record in Update mode,
an ambiguous key, a missing required value) leaves nothing behind: a record is atomic.
An update compares the mapped values with the stored row first and is skipped when nothing
differs: the window's lookback reads records again, and those count as unchanged.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson
from peewee import Database

from pxdesk.core.adoption.activity import Activity
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.sync.fields import FieldRef, ascii_lower
from pxdesk.core.sync.lookups import IN_CHUNK, Key, Match, query_matches, table_source
from pxdesk.core.sync.mapping import show_value

INSERTED = "Inserted"
UPDATED = "Updated"
UNCHANGED = "Unchanged"


@dataclass(slots=True)
class Row:
    """A mapped record: values per target object, in that object's Shape order."""

    source_id: str | None
    record: Any  # the PX record (a dict), or the item PX sent in its place when it was not one
    values: dict[str, list[Any]]


@dataclass(frozen=True, slots=True)
class Failure:
    row: Row
    field: str | None
    value: Any
    reason: str


# A written PX record: (PX id, the row's object, the row's GSID, the Person's GSID or None,
# the PX record as received: its lineage keeps it).
Link = tuple[str, str, str, str | None, Any]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field an update changed on a stored row (for the row's lineage)."""

    gsid: str
    obj: str
    field: str  # api name
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class KeyChange:
    """A row kept its identity while its key value changed in PX (for the audit log)."""

    source_id: str
    obj: str
    gsid: str
    fields: str  # the key field names, comma separated
    old: str
    new: str


@dataclass
class PageResult:
    successes: list[tuple[str | None, str, str]] = field(default_factory=list)  # id, gsid, action
    failures: list[Failure] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    links: list[Link] = field(default_factory=list)  # what each written PX record became
    key_changes: list[KeyChange] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)  # Company Person Sync's users
    field_changes: list[FieldChange] = field(default_factory=list)
    packed: Future[dict[str, bytes]] | None = None  # the page's PX records, packed aside

    def merge(self, other: PageResult) -> None:
        self.successes += other.successes
        self.field_changes += other.field_changes
        self.activity += other.activity
        self.links += other.links
        self.key_changes += other.key_changes
        self.failures += other.failures
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged


class Shape:
    """The fields a job writes on one object, in a fixed order."""

    def __init__(self, obj: str, fields: Sequence[FieldRef]) -> None:
        self.obj = obj
        self.fields = list(fields)
        self._index = {f.api_name: i for i, f in enumerate(self.fields)}

    def index(self, api_name: str) -> int | None:
        return self._index.get(api_name)

    def slot(self, api_name: str) -> int:
        """The index of a field the plan always adds to this shape (a system field)."""
        return self._index[api_name]

    def add(self, ref: FieldRef) -> int:
        if ref.api_name not in self._index:
            self._index[ref.api_name] = len(self.fields)
            self.fields.append(ref)
        return self._index[ref.api_name]

    def blank(self) -> list[Any]:
        return [None] * len(self.fields)


def compact_json(data: dict[str, Any]) -> str:
    """JSON text of a custom-values map; orjson when it can (ten times faster), the json
    module for what orjson refuses (integers over 64 bits, lone surrogates)."""
    try:
        return orjson.dumps(data).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _picker(indexes: Sequence[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """values -> tuple of values[i] for i in indexes (itemgetter, shaped for 0 or 1 index)."""
    if not indexes:
        return lambda values: ()
    if len(indexes) == 1:
        (only,) = indexes
        return lambda values: (values[only],)
    return itemgetter(*indexes)


class TableWriter:
    """INSERT / UPDATE statements for one object's Shape; custom values merge via json_patch."""

    def __init__(self, db: Database, shape: Shape, actor: str) -> None:
        self.db, self.shape, self.actor = db, shape, actor
        table = shape.fields[0].table if shape.fields else shape.obj
        std = [(i, f.column) for i, f in enumerate(shape.fields) if f.column]
        self._std = _picker([i for i, _ in std])
        self._custom = [(i, f.api_name) for i, f in enumerate(shape.fields) if not f.column]
        cols = ", ".join(f'"{c}"' for _, c in std)
        marks = ", ".join("?" for _ in std)
        self.insert_sql = (
            f'INSERT INTO "{table}" (gsid, created_at, modified_at, created_by, modified_by, '
            f"custom{', ' + cols if cols else ''}) VALUES (?, ?, ?, ?, ?, ?"
            f"{', ' + marks if marks else ''})")
        current_cols = "".join(f', "{c}"' for _, c in std) + (", custom" if self._custom else "")
        self._current_sql = f'SELECT gsid{current_cols} FROM "{table}" WHERE gsid IN '
        self._current: dict[str, tuple[Any, ...]] = {}
        sets = "".join(f', "{c}" = ?' for _, c in std)
        patch = ", custom = json_patch(custom, ?)" if self._custom else ""
        self.update_sql = (f'UPDATE "{table}" SET modified_at = ?, modified_by = ?{sets}{patch} '
                           "WHERE gsid = ?")
        self._std_fields = [(k, shape.fields[i].api_name) for k, (i, _) in enumerate(std)]
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []
        self.changes: list[FieldChange] = []  # of the queued updates, for the lineage

    def _custom_json(self, values: list[Any], keep_nulls: bool) -> str:
        data = {name: values[i] for i, name in self._custom
                if keep_nulls or values[i] is not None}
        return compact_json(data)

    def insert(self, gsid: str, values: list[Any], now: int) -> None:
        custom = self._custom_json(values, False) if self._custom else "{}"
        actor = self.actor
        self.inserts.append((gsid, now, now, actor, actor, custom, *self._std(values)))

    def load_current(self, gsids: Iterable[str]) -> None:
        """The stored values of the rows this page may update, for `update` to compare:
        standard columns in Shape order, then the custom values as a dict."""
        wanted = list(gsids)
        current = self._current
        for i in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[i:i + IN_CHUNK]
            sql = f"{self._current_sql}({', '.join('?' * len(chunk))})"
            for row in self.db.execute_sql(sql, chunk):
                if self._custom:
                    current[row[0]] = (*row[1:-1], orjson.loads(row[-1] or "{}"))
                else:
                    current[row[0]] = row[1:]

    def _unchanged(self, stored: tuple[Any, ...], std: tuple[Any, ...],
                   values: list[Any]) -> bool:
        if not self._custom:
            return stored == std
        custom = stored[-1]  # absent and null both mean empty
        return stored[:-1] == std and all(custom.get(name) == values[i]
                                          for i, name in self._custom)

    def _after(self, stored: tuple[Any, ...], std: tuple[Any, ...],
               values: list[Any]) -> tuple[Any, ...]:
        """The row once this update ran (json_patch drops nulls): what the next update of the
        same row in this page compares with."""
        if not self._custom:
            return std
        custom = dict(stored[-1])
        for i, name in self._custom:
            if values[i] is None:
                custom.pop(name, None)
            else:
                custom[name] = values[i]
        return (*std, custom)

    def update(self, gsid: str, values: list[Any], now: int) -> bool:
        """Queue the row's UPDATE; False (nothing queued) when it would change nothing."""
        std = self._std(values)
        stored = self._current.get(gsid)
        if stored is not None:
            if self._unchanged(stored, std, values):
                return False
            self._note_changes(gsid, stored, std, values)
            self._current[gsid] = self._after(stored, std, values)
        if self._custom:  # a null removes the key: the field becomes empty
            self.updates.append((now, self.actor, *std, self._custom_json(values, True), gsid))
        else:
            self.updates.append((now, self.actor, *std, gsid))
        return True

    def _note_changes(self, gsid: str, stored: tuple[Any, ...], std: tuple[Any, ...],
                      values: list[Any]) -> None:
        """Which fields this update changes, old -> new: only rows that really change pay."""
        obj, changes = self.shape.obj, self.changes
        changes.extend(FieldChange(gsid, obj, name, stored[k], std[k])
                       for k, name in self._std_fields if stored[k] != std[k])
        if self._custom:
            custom = stored[-1]
            changes.extend(FieldChange(gsid, obj, name, custom.get(name), values[i])
                           for i, name in self._custom if custom.get(name) != values[i])

    def clear(self) -> None:
        self.inserts, self.updates, self._current, self.changes = [], [], {}, []

    def flush(self) -> None:
        cursor = self.db.cursor()
        if self.inserts:
            cursor.executemany(self.insert_sql, self.inserts)
        if self.updates:
            cursor.executemany(self.update_sql, self.updates)
        self.inserts, self.updates = [], []


def key_of(row_values: list[Any], indexes: Sequence[int], refs: Sequence[FieldRef],
           ) -> tuple[Key | None, int]:
    """The upsert key of a row, or (None, position of the first empty part)."""
    parts = []
    for pos, (i, ref) in enumerate(zip(indexes, refs, strict=True)):
        value = row_values[i]
        if value is None:
            return None, pos
        parts.append(ascii_lower(value) if ref.is_email and isinstance(value, str) else value)
    return tuple(parts), -1


_VARIANT = bytes((b & 0x3F) | 0x80 for b in range(256))  # byte -> 10xxxxxx (RFC 9562 variant)


def gsid_batch(count: int) -> list[str]:
    """`count` time-ordered UUIDs (version 7, RFC 9562) from one urandom call.

    Still 36-character UUIDs, but new rows land at the end of the gsid and person_id B-trees
    instead of at random pages: at a million rows that keeps inserts out of cache misses.
    48 bits of milliseconds, version 7, a 12-bit counter (ordered within a batch of up to
    4096), the variant, then 62 random bits; one hex() for the whole batch.
    """
    stamp = f"{time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF:012x}"
    head = f"{stamp[:8]}-{stamp[8:]}-7"
    tail = bytearray(os.urandom(8 * count))
    tail[0::8] = tail[0::8].translate(_VARIANT)
    hx = tail.hex()
    return [f"{head}{seq & 0xFFF:03x}-{hx[k:k + 4]}-{hx[k + 4:k + 16]}"
            for seq, k in enumerate(range(0, 16 * count, 16))]


class GsidSource:
    """Hands out fresh GSIDs, generated a batch at a time."""

    def __init__(self, batch: int = 1024) -> None:
        self._batch = batch
        self._pool: list[str] = []

    def __call__(self) -> str:
        if not self._pool:
            self._pool = gsid_batch(self._batch)[::-1]
        return self._pool.pop()


class KeyedUpsert:
    """Plans inserts/updates of one object matched by key fields, with page-local dedupe."""

    def __init__(self, db: Database, shape: Shape, key_refs: Sequence[FieldRef], *,
                 update_only: bool, label: str, gsids: GsidSource | None = None) -> None:
        self._gsids = gsids or GsidSource()
        self.db, self.shape, self.key_refs = db, shape, list(key_refs)
        idx = [shape.index(r.api_name) for r in self.key_refs]
        if any(i is None for i in idx):
            raise ValueError("every key field must be in the shape")
        self.key_idx: list[int] = [i for i in idx if i is not None]
        self.update_only, self.label = update_only, label
        self._single = (self.key_idx[0], self.key_refs[0].is_email) \
            if len(self.key_idx) == 1 else None
        self._source = table_source(self.key_refs)
        self.existing: dict[Key, list[Match]] = {}
        self.page_new: dict[Key, str] = {}

    def load(self, keys: set[Key]) -> None:
        self.existing = query_matches(self.db, self._source, self.key_refs, keys) if keys \
            else {}
        self.page_new = {}

    def existing_gsids(self) -> list[str]:
        return [gsid for matches in self.existing.values() for _, gsid in matches]

    def key(self, values: list[Any]) -> tuple[Key | None, str | None]:
        if self._single is not None:  # one key field, the usual case: no loop
            index, fold = self._single
            value = values[index]
            if value is not None:
                return (ascii_lower(value) if fold and isinstance(value, str) else value,), None
        key, empty = key_of(values, self.key_idx, self.key_refs)
        if key is None:
            return None, (f"the upsert key {self.key_refs[empty].api_name} is empty")
        return key, None

    def decide(self, key: Key) -> tuple[str | None, bool, str | None]:
        """(gsid, is_insert, None) or (None, False, reason)."""
        matches = self.existing.get(key)
        if matches:
            if len(matches) > 1:
                return None, False, (f"{len(matches)} {self.label} records match the upsert "
                                     f"key {', '.join(show_value(v) for v in key)}")
            return matches[0][1], False, None
        if key in self.page_new:
            return self.page_new[key], False, None
        if self.update_only:
            return None, False, f"no existing {self.label} record (Update mode never inserts)"
        return self._gsids(), True, None

    def commit(self, key: Key, gsid: str, is_insert: bool) -> None:
        if is_insert:
            self.page_new[key] = gsid


def required_missing(values: list[Any], shape: Shape, api_name: str) -> bool:
    i = shape.index(api_name)
    return i is None or values[i] is None


def is_company_object(obj: str) -> bool:
    return obj == TargetObject.COMPANY
