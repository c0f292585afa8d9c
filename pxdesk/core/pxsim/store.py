"""One entity's records: generated base rows plus an overlay of changes, and listing queries.

Record ``i`` is the overlay entry if there is one, else the generator's row ``i``; added
records get indexes past the generated count; deletions are a set of indexes. Overlay
entries are replaced, never mutated, so a listing snapshot only needs a shallow copy of the
overlay to serve a consistent point-in-time view while the data keeps changing.
"""

from __future__ import annotations

import copy
import json
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from pxdesk.core.pxsim.filters import (
    ORDER_OPS,
    Filter,
    SortKey,
    Term,
    get_path,
    sort_indexes,
)

Record = dict[str, Any]


class Generator(Protocol):
    """What a store needs from a data generator (see data.py and users.py)."""

    kind: str
    id_field: str
    count: int
    columns: dict[str, array[int]]

    def record(self, i: int) -> Record: ...
    def id_of(self, i: int) -> str: ...
    def index_of(self, record_id: str) -> int | None: ...


@dataclass(frozen=True)
class Snapshot:
    """The fixed result of one listing: matching indexes in order, and the overlay then."""

    indexes: array[int]
    overlay: dict[int, Record]



def set_path(record: Record, dotted: str, value: Any) -> None:
    """Set ``a.b.c`` in a record, creating (or replacing non-object) parents as needed."""
    parts = dotted.split(".")
    target = record
    for part in parts[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = {}
            target[part] = child
        target = child
    target[parts[-1]] = value


class RecordStore:
    """Thread-safe records of one kind (accounts or users) with PX-style queries."""

    def __init__(
        self, generator: Generator, finalize: Callable[[Record], Record] | None = None,
        *, ascii_json: bool = False,
    ) -> None:
        self.gen = generator
        self.kind = generator.kind
        self.id_field = generator.id_field
        # finalize derives read-only fields at read time (numberOfUsers of accounts)
        self._finalize = finalize
        fast = getattr(generator, "record_json", None)
        self._fast_json: Callable[[int], str] | None = None if finalize else fast
        self._ascii = ascii_json
        self._lock = threading.RLock()
        self._overlay: dict[int, Record] = {}
        self._deleted: set[int] = set()
        self._added: dict[str, int] = {}
        self._next = generator.count

    # ---- single records -------------------------------------------------------------------

    def index_of(self, record_id: str) -> int:
        with self._lock:
            i = self.gen.index_of(record_id)
            if i is None:
                i = self._added.get(record_id)
            if i is None or i in self._deleted:
                raise KeyError(record_id)
            return i

    def _current(self, i: int) -> Record:
        rec = self._overlay.get(i)
        return rec if rec is not None else self.gen.record(i)

    def get(self, record_id: str) -> Record:
        """A deep copy of the current record (KeyError if missing or deleted)."""
        with self._lock:
            rec = self._current(self.index_of(record_id))
            return copy.deepcopy(self._finalize(rec) if self._finalize else rec)

    def update(self, record_id: str, changes: dict[str, Any]) -> tuple[Record, Record]:
        """Apply dot-path changes; returns (old, new) records. The id cannot change."""
        if self.id_field in changes:
            raise ValueError(f"{self.id_field} cannot be changed")
        with self._lock:
            i = self.index_of(record_id)
            old = self._current(i)
            new = copy.deepcopy(old)
            for path, value in changes.items():
                set_path(new, path, copy.deepcopy(value))
            self._overlay[i] = new
            return old, copy.deepcopy(new)

    def add(self, record: Record) -> None:
        record_id = record.get(self.id_field)
        if not isinstance(record_id, str) or not record_id:
            raise ValueError(f"record needs a non-empty string {self.id_field}")
        with self._lock:
            try:
                self.index_of(record_id)
            except KeyError:
                pass
            else:
                raise ValueError(f"{self.kind} record {record_id!r} already exists")
            i = self.gen.index_of(record_id)  # re-adding a deleted generated record
            if i is None:
                i = self._next
                self._next += 1
                self._added[record_id] = i
            self._deleted.discard(i)
            self._overlay[i] = copy.deepcopy(record)

    def delete(self, record_id: str) -> Record:
        with self._lock:
            i = self.index_of(record_id)
            old = self._current(i)
            self._deleted.add(i)
            self._overlay.pop(i, None)
            return old

    def ids(self) -> Iterator[str]:
        """Current ids in insertion order (a snapshot taken when iteration starts)."""
        with self._lock:
            deleted = set(self._deleted)
            added = {i: rid for rid, i in self._added.items()}
            end = self._next
        for i in range(end):
            if i not in deleted:
                yield added.get(i) or self.gen.id_of(i)

    @property
    def count(self) -> int:
        with self._lock:
            return self._next - len(self._deleted)

    # ---- listings -------------------------------------------------------------------------

    def snapshot(self, flt: Filter, sort: tuple[SortKey, ...]) -> Snapshot:
        """Fix the matching records and their order, as a PX scroll does on its first page."""
        with self._lock:
            overlay = dict(self._overlay)
            deleted = set(self._deleted)
            end = self._next
        base_end = self.gen.count
        if not flt.groups:
            if deleted:
                matched = array("l", (i for i in range(end) if i not in deleted))
            else:
                matched = array("l", range(end))
        else:
            matched = self._match(flt, overlay, deleted, end)
        if sort:
            cache: dict[int, Record] = {}

            def value_of(i: int, key: SortKey) -> Any:
                col = self.gen.columns.get(".".join(key.path))
                if col is not None and i < base_end and i not in overlay:
                    return col[i]
                rec = cache.get(i)
                if rec is None:
                    rec = cache[i] = self.record_at(i, overlay)
                return get_path(rec, key.path)

            matched = array("l", sort_indexes(list(matched), sort, value_of))
        return Snapshot(matched, overlay)

    def _match(
        self, flt: Filter, overlay: dict[int, Record], deleted: set[int], end: int
    ) -> array[int]:
        base_end = self.gen.count
        columns = self.gen.columns
        hits: set[int] = set()
        plain = [i for i in range(base_end, end) if i not in deleted] + [
            i for i in overlay if i < base_end and i not in deleted]
        for i in plain:  # changed and added records: always the full record
            if flt.matches(self.record_at(i, overlay)):
                hits.add(i)
        skip = deleted | overlay.keys()
        if flt.fields <= columns.keys():
            for group in flt.groups:
                hits.update(self._match_columns(group, skip))
        else:
            for i in range(base_end):
                if i not in skip and flt.matches(self.record_at(i, overlay)):
                    hits.add(i)
        return array("l", sorted(hits))

    def _match_columns(self, group: tuple[Term, ...], skip: set[int]) -> list[int]:
        """Generated records matching an AND group using only the compact columns."""
        columns = self.gen.columns
        first, rest = group[0], group[1:]
        col = columns[first.field]
        if first.op in ORDER_OPS and first.number is not None:  # the incremental fast path
            cmp, x = ORDER_OPS[first.op], first.number
            found = [i for i, v in enumerate(col) if cmp(v, x)]
        else:
            found = [i for i, v in enumerate(col) if first.matches_value(v)]
        for term in rest:
            tcol = columns[term.field]
            found = [i for i in found if term.matches_value(tcol[i])]
        return [i for i in found if i not in skip] if skip else found

    def record_at(self, i: int, overlay: dict[int, Record]) -> Record:
        rec = overlay.get(i)
        if rec is None:
            rec = self.gen.record(i)
        return self._finalize(rec) if self._finalize else rec

    def json_at(self, i: int, overlay: dict[int, Record]) -> str:
        """Record ``i`` of a snapshot as JSON text; generated users take the fast path."""
        if self._fast_json is not None and i not in overlay:
            return self._fast_json(i)
        record = self.record_at(i, overlay)
        text = json.dumps(record, ensure_ascii=self._ascii, separators=(",", ":"))
        if not self._ascii:
            try:
                text.encode()
            except UnicodeEncodeError:  # a lone surrogate: legal JSON only as a \ud800 escape
                text = json.dumps(record, ensure_ascii=True, separators=(",", ":"))
        return text
