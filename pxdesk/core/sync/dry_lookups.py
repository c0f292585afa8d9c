"""A dry run's derived lookups see the rows it would have written on earlier pages.

A run's derived mapping that reads an object the job itself writes (a self lookup such as
Company.ParentCompany by PX Account ID) finds on page N the rows pages before it wrote. A dry
run wrote nothing, so the store's answer is corrected here: a row the dry run would have
written is answered by its would-be values (it may gain, keep or lose the key), every other
row by the store. Each lookup keeps an index key -> rows, brought up to date from the log of
rows written since it last answered, so a page costs what it wrote, not the run so far.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from pxdesk.core.store.custom_fields import table_for
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.sync.dry_state import SpillMap
from pxdesk.core.sync.fields import ascii_lower
from pxdesk.core.sync.lookups import IN_CHUNK, DerivedLookup, Key, Match

Stored = tuple[Any, ...]  # a row as TableWriter compares it: standard values, then custom


class RecordingWriter(Protocol):
    """What the index reads of a recording writer (sync/recording_target.py)."""

    def writes(self, api_name: str) -> bool: ...
    def value_of(self, state: Stored, api_name: str) -> tuple[bool, Any]: ...


class RecordingTarget(Protocol):
    """What the index reads of the recording target (sync/recording_target.py)."""

    def writer_of(self, obj: str) -> RecordingWriter | None: ...
    def rows(self, obj: str) -> SpillMap[str, Stored]: ...
    def created(self, obj: str) -> dict[str, int]: ...


class _Index:
    """One lookup's would-be keys of the rows the dry run wrote to the object it reads."""

    def __init__(self, lookup: DerivedLookup, writer: RecordingWriter,
                 target: RecordingTarget) -> None:
        self.lookup, self.writer, self.target = lookup, writer, target
        self.obj = lookup.read_object
        # Multi Instance: the match is the instance's Company, the key its PX account id.
        self.match_obj = TargetObject.COMPANY.value if lookup.via_instance else self.obj
        self.by_key: dict[Key, dict[str, None]] = {}  # key -> written rows (ordered set)
        self.key_of: dict[str, Key | None] = {}  # written row -> its would-be key
        self._created: dict[str, int] = {}  # created_at read from the store

    def update(self, gsids: Iterable[str]) -> None:
        rows, inserted = self.target.rows(self.obj), self.target.created(self.obj)
        unknown: list[tuple[str, Stored]] = []
        wanted = list(gsids)
        states = rows.get_many(wanted)
        for gsid in wanted:
            old = self.key_of.pop(gsid, None)
            if old is not None:
                self.by_key.get(old, {}).pop(gsid, None)
            state = states.get(gsid)
            if state is None:
                continue  # not known after all: the store answers for it
            key, complete = self._key(state, {})
            if not complete and gsid not in inserted:
                unknown.append((gsid, state))  # keeps a field the job does not write
            else:
                self._put(gsid, key if complete else None)
        if unknown:
            stored = self._stored_values([g for g, _ in unknown])
            for gsid, state in unknown:
                key, _ = self._key(state, stored.get(gsid, {}))
                self._put(gsid, key)

    def _put(self, gsid: str, key: Key | None) -> None:
        self.key_of[gsid] = key
        if key is not None:
            self.by_key.setdefault(key, {})[gsid] = None

    def _key(self, state: Stored, stored: dict[str, Any]) -> tuple[Key | None, bool]:
        """(would-be key, True), (None, True) with an empty part, (None, False) when a part
        is a field the job does not write and `stored` lacks it."""
        parts = []
        for ref in self.lookup.key_fields:
            known, value = self.writer.value_of(state, ref.api_name)
            if not known:
                if ref.api_name not in stored:
                    return None, False
                value = stored[ref.api_name]
            elif ref.is_email and isinstance(value, str):
                value = ascii_lower(value)
            if value is None:
                return None, True
            parts.append(ref.stored_key(value))
        return tuple(parts), True

    def _stored_values(self, gsids: list[str]) -> dict[str, dict[str, Any]]:
        """The store's values of the key fields the job does not write, by row."""
        refs = [ref for ref in self.lookup.key_fields
                if not self.writer.writes(ref.api_name)]
        select = ", ".join(ref.expr(alias="t") for ref in refs)
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(gsids):
            sql = (f'SELECT t.gsid, {select} FROM "{table_for(self.obj)}" AS t '
                   f"WHERE t.gsid IN ({', '.join('?' * len(chunk))})")
            for row in self.lookup.db.execute_sql(sql, chunk):
                out[row[0]] = {ref.api_name: v for ref, v in zip(refs, row[1:], strict=True)}
        return out

    def answer(self, keys: set[Key], found: dict[Key, list[Match]]) -> dict[Key, list[Match]]:
        if not self.key_of:
            return found
        out = dict(found)
        mine: dict[Key, list[str]] = {}
        for key in keys:
            store = found.get(key, [])
            written = self.by_key.get(key)
            if self.lookup.via_instance:
                if written:  # its PX account id is the instance's key: the row answers
                    mine[key] = self._companies(written)
                    out[key] = []
                continue
            kept = [m for m in store if m[1] not in self.key_of]
            if written or len(kept) != len(store):
                self._created.update({gsid: created for created, gsid in store})
                out[key] = kept
                mine[key] = list(written or ())
        created = self._created_of({g for gsids in mine.values() for g in gsids})
        for key, gsids in mine.items():
            out[key] = out[key] + [(created[g], g) for g in gsids]
            if not out[key]:
                del out[key]
        return out

    def _companies(self, instances: dict[str, None]) -> list[str]:
        states = self.target.rows(self.obj).get_many(instances)
        found = (self.writer.value_of(state, "Company_ID")[1] for state in states.values())
        return [gsid for gsid in found if gsid is not None]

    def _created_of(self, gsids: set[str]) -> dict[str, int]:
        """created_at of each row: its would-be insert's, else the store's."""
        inserted = self.target.created(self.match_obj)
        out = {g: inserted[g] for g in gsids if g in inserted}
        out |= {g: self._created[g] for g in gsids if g not in out and g in self._created}
        wanted = [g for g in gsids if g not in out]
        for chunk in _chunks(wanted):
            sql = (f'SELECT gsid, created_at FROM "{table_for(self.match_obj)}" '
                   f"WHERE gsid IN ({', '.join('?' * len(chunk))})")
            for gsid, created in self.lookup.db.execute_sql(sql, chunk):
                out[gsid] = self._created[gsid] = created
        return {g: out.get(g, 0) for g in gsids}


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), IN_CHUNK):
        yield items[i:i + IN_CHUNK]


class LookupOverlay:
    """The derived lookups of one dry run, answered as after its would-be writes."""

    def __init__(self, target: RecordingTarget) -> None:
        self._target = target
        self._log: dict[str, list[str]] = {}  # obj -> rows written since the indexes read
        self._created: dict[str, dict[str, int]] = {}  # obj -> inserted row -> created_at
        self._indexes: dict[int, _Index] = {}

    def touched(self, obj: str, gsids: Iterable[str], created: dict[str, int]) -> None:
        """Rows of `obj` a write attempt went through with, and the created_at of those it
        inserted (kept only once a lookup reads `obj`: a job without one pays nothing)."""
        log = self._log.get(obj)
        if log is not None:
            log.extend(gsids)
        inserted = self._created.get(obj)
        if inserted is not None:
            inserted.update(created)

    def created(self, obj: str) -> dict[str, int]:
        return self._created.get(obj, {})

    def found(self, lookup: DerivedLookup, keys: set[Key],
              found: dict[Key, list[Match]]) -> dict[Key, list[Match]]:
        obj = lookup.read_object
        writer = self._target.writer_of(obj)
        if writer is None:  # the job does not write what the lookup reads
            return found
        index = self._indexes.get(id(lookup))
        if index is None:
            index = self._indexes[id(lookup)] = _Index(lookup, writer, self._target)
            index.update(list(self._target.rows(obj)))
            self._log.setdefault(obj, [])
            for watched in (obj, index.match_obj):
                self._created.setdefault(watched, {})
        self._catch_up(obj)
        return index.answer(keys, found)

    def _catch_up(self, obj: str) -> None:
        log = self._log[obj]
        if not log:
            return
        for index in self._indexes.values():
            if index.obj == obj:
                index.update(log)
        log.clear()
