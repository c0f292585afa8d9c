"""One page through filter -> map and convert -> derived lookups -> write, atomically per record.

Each page is written in one transaction with executemany. Should the database still refuse a
statement (a constraint nobody foresaw), the page is rolled back and its records are written
one by one, each in its own savepoint, so only the offending record fails.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from peewee import Database, IntegrityError

from pxdesk.core.store.enums import JobKind, TargetObject
from pxdesk.core.sync.fields import resolve_field
from pxdesk.core.sync.lookups import Key
from pxdesk.core.sync.mapping import ConversionError
from pxdesk.core.sync.plan import JobPlan
from pxdesk.core.sync.writer import (
    INSERTED,
    UPDATED,
    Failure,
    GsidSource,
    KeyedUpsert,
    PageResult,
    Row,
    TableWriter,
    required_missing,
)


class PageProcessor:
    """Turns pages of PX records into written rows, successes and failures."""

    def __init__(self, db: Database, plan: JobPlan, actor: str, clock: Callable[[], int],
                 window_match: Callable[[dict[str, Any]], bool] | None) -> None:
        self.db, self.plan, self.clock = db, plan, clock
        self._window = window_match
        self._writers = {obj: TableWriter(db, shape, actor) for obj, shape in plan.shapes.items()}
        self.filtered = 0
        self._gsids = GsidSource()
        for lookup, _ in plan.lookups:
            lookup.prepare()

    # ---- map ----------------------------------------------------------------------------

    def map_page(self, records: Sequence[dict[str, Any]], failures: list[Failure]) -> list[Row]:
        plan, window, matches = self.plan, self._window, self.plan.filter.matches
        steps, id_path = plan.steps, plan.id_path
        shapes = [(obj, shape.blank()) for obj, shape in plan.shapes.items()]
        rows: list[Row] = []
        for record in records:
            if (window is not None and not window(record)) or not matches(record):
                self.filtered += 1
                continue
            values = {obj: list(blank) for obj, blank in shapes}
            row = Row(record.get(id_path), record, values)
            for step in steps:
                raw = step.getter(record)
                try:
                    values[step.obj][step.index] = step.convert(raw)
                except ConversionError as exc:
                    failures.append(Failure(row, step.target_field, raw, exc.reason))
                    break
            else:
                rows.append(row)
        return rows

    def derive(self, rows: list[Row], failures: list[Failure]) -> list[Row]:
        for lookup, index in self.plan.lookups:
            keyed: list[tuple[Row, Key | None]] = []
            kept: list[Row] = []
            for row in rows:
                key, bad_path, bad_value = lookup.key_of(row.record)
                if bad_path is not None:
                    failures.append(Failure(row, bad_path, bad_value, (
                        f"cannot match {lookup.label}: {bad_value!r} does not convert")))
                    continue
                keyed.append((row, key))
            found = lookup.find({k for _, k in keyed if k is not None})
            for row, key in keyed:
                gsid, reason = lookup.choose(key, found)
                if reason is not None:
                    value = key[0] if key and len(key) == 1 else key
                    failures.append(Failure(row, lookup.target_field, value, reason))
                    continue
                row.values[lookup.target_object][index] = gsid
                kept.append(row)
            rows = kept
        return rows

    # ---- write --------------------------------------------------------------------------

    def write(self, rows: list[Row], result: PageResult) -> None:
        """Write rows in the caller's transaction; on a database refusal, row by row."""
        try:
            with self.db.atomic():
                self._write_rows(rows, result)
        except (IntegrityError, sqlite3.IntegrityError, sqlite3.OperationalError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            if len(rows) == 1:
                result.failures.append(Failure(rows[0], None, None, f"database refused: {exc}"))
                return
            for row in rows:
                single = PageResult()
                self.write([row], single)
                result.successes += single.successes
                result.failures += single.failures
                result.inserted += single.inserted
                result.updated += single.updated

    def _write_rows(self, rows: list[Row], result: PageResult) -> None:
        partial = PageResult()
        for writer in self._writers.values():
            writer.clear()
        if self.plan.kind == JobKind.COMPANY:
            self._write_companies(rows, partial)
        else:
            self._write_people(rows, partial)
        for writer in self._writers.values():
            writer.flush()
        result.successes += partial.successes
        result.failures += partial.failures
        result.inserted += partial.inserted
        result.updated += partial.updated

    def _keyed(self, obj: str, refs: Sequence[Any], label: str) -> KeyedUpsert:
        return KeyedUpsert(self.db, self.plan.shapes[obj], refs,
                           update_only=self.plan.update_only, label=label, gsids=self._gsids)

    def _keys(self, upsert: KeyedUpsert, rows: list[Row], obj: str, result: PageResult,
              ) -> list[tuple[Row, Key]]:
        keyed = []
        for row in rows:
            key, reason = upsert.key(row.values[obj])
            if key is None:
                failures_field = upsert.key_refs[0].api_name
                result.failures.append(Failure(row, failures_field, None, reason or ""))
            else:
                keyed.append((row, key))
        upsert.load({k for _, k in keyed})
        return keyed

    def _write_companies(self, rows: list[Row], result: PageResult) -> None:
        company_obj, inst_obj = TargetObject.COMPANY.value, TargetObject.COMPANY_INSTANCE.value
        companies = self._keyed(company_obj, self.plan.key_refs, "company")
        keyed = self._keys(companies, rows, company_obj, result)
        instances = None
        if self.plan.multi_instance:
            instances = self._keyed(inst_obj, [resolve_field(inst_obj, "PxAccountId")],
                                    "company instance")
            shape = self.plan.shapes[inst_obj]
            id_i, name_i = shape.index("PxAccountId"), shape.index("Name")
            for row, _ in keyed:
                vals = row.values[inst_obj]
                vals[id_i] = row.source_id
                if vals[name_i] is None:
                    vals[name_i] = row.record.get("name")
            instances.load({(r.source_id,) for r, _ in keyed if r.source_id})
        now = self.clock()
        shape = self.plan.shapes[company_obj]
        for row, key in keyed:
            gsid, insert, reason = companies.decide(key)
            if reason is None and required_missing(row.values[company_obj], shape, "Name") \
                    and (insert or shape.index("Name") is not None):
                reason = "Name is required for a company and is empty"
            inst: tuple[str | None, bool, str | None] = (None, False, None)
            if reason is None and instances is not None:
                inst = instances.decide((row.source_id,))
                reason = inst[2]
            if reason is not None or gsid is None:
                result.failures.append(Failure(row, None, None, reason or ""))
                continue
            companies.commit(key, gsid, insert)
            self._put(company_obj, gsid, insert, row.values[company_obj], now)
            if instances is not None and inst[0] is not None:
                inst_vals = row.values[inst_obj]
                inst_vals[self.plan.shapes[inst_obj].index("Company_ID")] = gsid
                instances.commit((row.source_id,), inst[0], inst[1])
                self._put(inst_obj, inst[0], inst[1], inst_vals, now)
            self._success(result, row, gsid, insert)

    def _write_people(self, rows: list[Row], result: PageResult) -> None:
        person_obj, cp_obj = TargetObject.PERSON.value, TargetObject.COMPANY_PERSON.value
        people = self._keyed(person_obj, self.plan.key_refs, "person")
        keyed = self._keys(people, rows, person_obj, result)
        cp_shape = self.plan.shapes[cp_obj]
        pid_i, cid_i = cp_shape.index("Person_ID"), cp_shape.index("Company_ID")
        assert pid_i is not None and cid_i is not None
        links = self._keyed(cp_obj, [cp_shape.fields[pid_i], cp_shape.fields[cid_i]],
                            "company person")
        cp_keys = set()
        for row, key in keyed:
            found = people.existing.get(key)
            company = row.values[cp_obj][cid_i]
            if found and len(found) == 1 and company is not None:
                cp_keys.add((found[0][1], company))
        links.load(cp_keys)
        now = self.clock()
        for row, key in keyed:
            pgsid, pinsert, reason = people.decide(key)
            company = row.values[cp_obj][cid_i]
            link: tuple[str | None, bool, str | None] = (None, False, None)
            if reason is None and company is not None and pgsid is not None:
                link = links.decide((pgsid, company))
                reason = link[2]
            if reason is not None or pgsid is None:
                result.failures.append(Failure(row, None, None, reason or ""))
                continue
            people.commit(key, pgsid, pinsert)
            self._put(person_obj, pgsid, pinsert, row.values[person_obj], now)
            if link[0] is None:
                self._success(result, row, pgsid, pinsert)
                continue
            cp_vals = row.values[cp_obj]
            cp_vals[pid_i] = pgsid
            links.commit((pgsid, company), link[0], link[1])
            self._put(cp_obj, link[0], link[1], cp_vals, now)
            self._success(result, row, link[0], link[1])

    def _put(self, obj: str, gsid: str, insert: bool, values: list[Any], now: int) -> None:
        writer = self._writers[obj]
        if insert:
            writer.insert(gsid, values, now)
        else:
            writer.update(gsid, values, now)

    @staticmethod
    def _success(result: PageResult, row: Row, gsid: str, insert: bool) -> None:
        result.successes.append((row, gsid, INSERTED if insert else UPDATED))
        if insert:
            result.inserted += 1
        else:
            result.updated += 1

    def process(self, records: Sequence[dict[str, Any]]) -> PageResult:
        """Map, derive and write one page (the caller holds the transaction)."""
        result = PageResult()
        rows = self.map_page(records, result.failures)
        rows = self.derive(rows, result.failures)
        if rows:
            self.write(rows, result)
        return result
