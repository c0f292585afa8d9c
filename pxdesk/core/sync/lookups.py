"""Derived mappings: the GSID of a lookup-object record matched by up to 6 field pairs.

A lookup answers a whole page at once: either from a map preloaded once per run (when the
lookup table is small and this job does not write it) or with one batched IN (...) query per
page. Keys are source values converted to the lookup field's type (emails folded like SQLite's
lower()), so `accountId` "acct-1" finds the company whose PX Account ID is "acct-1".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import Database

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.enums import LookupObject, OnMultiple, OnNone, TargetObject
from pxdesk.core.sync.fields import FieldRef, resolve_field
from pxdesk.core.sync.mapping import ConversionError, show_value
from pxdesk.core.sync.records import compile_path

PRELOAD_LIMIT = 200_000  # rows; above it each page queries instead
IN_CHUNK = 900
PX_ACCOUNT_ID_FIELD = "PX_Account_ID__gc"

Key = tuple[Any, ...]
Match = tuple[int, str]  # (created_at, gsid): the oldest record wins "use any one match"


@dataclass(frozen=True)
class LookupSource:
    """Where a lookup reads: FROM clause, the key expressions and the gsid/created columns."""

    from_sql: str
    gsid_sql: str
    created_sql: str
    key_sql: tuple[str, ...]


def _source(obj: str, refs: Sequence[FieldRef], via_instance: bool) -> LookupSource:
    if via_instance:
        # Multi Instance: a PX account id names a Company Instance; its Company is the match.
        return LookupSource(
            'company_instance AS i JOIN company AS t ON t.gsid = i.company_id',
            "t.gsid", "t.created_at", ('"i"."px_account_id"',) * len(refs))
    table = refs[0].table if refs else obj
    return LookupSource(f'"{table}" AS t', "t.gsid", "t.created_at",
                        tuple(ref.expr(alias="t") for ref in refs))


def query_matches(
    db: Database, source: LookupSource, key_fields: Sequence[FieldRef], keys: Iterable[Key],
    where_extra: str = "",
) -> dict[Key, list[Match]]:
    """Rows of `source` whose key equals one of `keys` (batched IN on the first key part)."""
    wanted = set(keys)
    firsts = sorted({k[0] for k in wanted}, key=repr)
    stored = [ref.stored_key for ref in key_fields]
    found: dict[Key, list[Match]] = {}
    select = (f"SELECT {source.gsid_sql}, {source.created_sql}, {', '.join(source.key_sql)} "
              f"FROM {source.from_sql} WHERE ")
    for i in range(0, len(firsts), IN_CHUNK):
        chunk = firsts[i:i + IN_CHUNK]
        sql = select + f"{source.key_sql[0]} IN ({', '.join('?' * len(chunk))}){where_extra}"
        for row in db.execute_sql(sql, chunk):
            key = tuple(fn(v) for fn, v in zip(stored, row[2:], strict=True))
            if key in wanted:
                found.setdefault(key, []).append((row[1], row[0]))
    return found


def table_source(refs: Sequence[FieldRef]) -> LookupSource:
    """Lookup by fields of one table (aliased t)."""
    return _source(refs[0].obj, refs, False)


class DerivedLookup:
    """One derived mapping, compiled: source getters, key normalisers, the SQL to answer it."""

    def __init__(
        self, db: Database, *, target_object: str, target_field: str, lookup_object: str,
        pairs: Sequence[tuple[str, str]], on_multiple: str, on_none: str,
        default_value: str | None, job_object: str, written: Iterable[str],
        multi_instance: bool = False,
    ) -> None:
        if not 1 <= len(pairs) <= 6:
            raise ConfigError(f"Derived mapping {target_field} needs 1 to 6 match pairs.")
        obj = job_object if lookup_object == LookupObject.SELF else lookup_object
        self.db = db
        self.target_object, self.target_field = target_object, target_field
        self.lookup_object = obj
        self.on_multiple, self.on_none = OnMultiple(on_multiple), OnNone(on_none)
        self.default_value = default_value or None
        self.source_paths = [path for path, _ in pairs]
        self._getters = [compile_path(path) for path, _ in pairs]
        self.refs = [resolve_field(obj, field) for _, field in pairs]
        self._normalisers = [ref.key_normaliser() for ref in self.refs]
        via_instance = (multi_instance and obj == TargetObject.COMPANY and len(self.refs) == 1
                        and self.refs[0].api_name == PX_ACCOUNT_ID_FIELD)
        self.via_instance = via_instance
        self._source = _source(obj, self.refs, via_instance)
        self._key_fields = self.refs if not via_instance else [
            resolve_field(TargetObject.COMPANY_INSTANCE, "PxAccountId")]
        self._cacheable = obj not in set(written) and not (
            via_instance and TargetObject.COMPANY_INSTANCE in set(written))
        self._preloaded: dict[Key, list[Match]] | None = None
        self.default_ok = True
        self.no_match = 0  # records it found no match for, and several (the quality report)
        self.multi_match = 0

    @property
    def key_fields(self) -> list[FieldRef]:
        """The fields the lookup query compares (a Company Instance field in Multi Instance)."""
        return list(self._key_fields)

    @property
    def read_object(self) -> str:
        """The object whose rows the lookup reads (Company Instance in Multi Instance)."""
        return TargetObject.COMPANY_INSTANCE.value if self.via_instance else self.lookup_object

    @property
    def label(self) -> str:
        pairs = ", ".join(f"{p} = {r.api_name}" for p, r in zip(self.source_paths, self.refs,
                                                                strict=True))
        return f"{self.lookup_object} where {pairs}"

    def prepare(self) -> None:
        """Once per run: preload a small lookup table; check the default value exists."""
        if self.default_value is not None:
            row = self.db.execute_sql(
                f'SELECT 1 FROM "{self.refs[0].table}" WHERE gsid = ?',
                (self.default_value.lower(),)).fetchone()
            self.default_ok = row is not None
        if not self._cacheable:
            return
        count_sql = f"SELECT count(*) FROM {self._source.from_sql}"
        if self.db.execute_sql(count_sql).fetchone()[0] > PRELOAD_LIMIT:
            return
        self._preloaded = self._collect(self._select_sql(""), ())

    def key_of(self, record: dict[str, Any]) -> tuple[Key | None, str | None, Any]:
        """(key, None, None), or (None, failing field, value) when a value does not convert;
        a key with an empty part is (None, None, None): it can match nothing."""
        if len(self._getters) == 1:  # the usual single pair, without the loop
            raw = self._getters[0](record)
            try:
                value = self._normalisers[0](raw)
            except ConversionError:
                return None, self.source_paths[0], raw
            return ((value,), None, None) if value is not None else (None, None, None)
        parts = []
        for getter, norm, path in zip(self._getters, self._normalisers, self.source_paths,
                                      strict=True):
            raw = getter(record)
            try:
                value = norm(raw)
            except ConversionError:
                return None, path, raw
            if value is None:
                return None, None, None
            parts.append(value)
        return tuple(parts), None, None

    def _select_sql(self, where: str) -> str:
        src = self._source
        keys = ", ".join(src.key_sql)
        return f"SELECT {src.gsid_sql}, {src.created_sql}, {keys} FROM {src.from_sql} {where}"

    def _collect(self, sql: str, params: Sequence[Any]) -> dict[Key, list[Match]]:
        found: dict[Key, list[Match]] = {}
        stored = [ref.stored_key for ref in self._key_fields]
        width = len(self._key_fields)
        for row in self.db.execute_sql(sql, params):
            if width == 1:
                key: Key = (stored[0](row[2]),)
            else:
                key = tuple(fn(v) for fn, v in zip(stored, row[2:], strict=True))
            found.setdefault(key, []).append((row[1], row[0]))
        return found

    def find(self, keys: set[Key]) -> dict[Key, list[Match]]:
        """Matches of every key of a page."""
        if self._preloaded is not None:
            return {k: self._preloaded[k] for k in keys if k in self._preloaded}
        return query_matches(self.db, self._source, self._key_fields, keys)

    def choose(
        self, key: Key | None, found: dict[Key, list[Match]],
    ) -> tuple[str | None, str | None]:
        """(gsid or default, None) or (None, reason) by the on-multiple / on-none policies."""
        matches = found.get(key) if key is not None else None
        if not matches:
            self.no_match += 1
            if self.on_none == OnNone.DEFAULT:
                if self.default_value is not None and not self.default_ok:
                    return None, (f"default value {show_value(self.default_value)} is not the "
                                  f"GSID of an existing {self.lookup_object}")
                return (self.default_value.lower() if self.default_value else None), None
            shown = "empty" if key is None else ", ".join(show_value(v) for v in key)
            return None, f"no {self.lookup_object} matches {self._pairs_text()} ({shown})"
        if len(matches) > 1:
            self.multi_match += 1
            if self.on_multiple == OnMultiple.ERROR:
                return None, (f"{len(matches)} {self.lookup_object} records match "
                              f"{self._pairs_text()}")
            return min(matches)[1], None
        return matches[0][1], None

    def _pairs_text(self) -> str:
        return " and ".join(f"{r.api_name} = {p}" for p, r in zip(self.source_paths, self.refs,
                                                                 strict=True))

