"""One page through filter -> map and convert -> derived lookups -> write, atomically per record.

Each page is written with executemany in the runner's transaction (which may hold several
pages, each in its own savepoint). Should the database still refuse a statement (a constraint
nobody foresaw, text with a lone surrogate that SQLite cannot encode, an integer beyond 64
bits), the page's writes are rolled back and its records are written one by one, each in its
own savepoint, so only the offending record fails. Nothing is checked up front: a poison
record costs its page a slower path, every clean page keeps the fast one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from peewee import Database, IntegrityError

from pxdesk.core.adoption.activity import activity_of
from pxdesk.core.logs.run_files import safe_text, value_text
from pxdesk.core.store.enums import JobKind, TargetObject
from pxdesk.core.store.errors import store_error
from pxdesk.core.store.lineage import RecordPacker
from pxdesk.core.sync.fields import resolve_field
from pxdesk.core.sync.lookups import DerivedLookup, Key, Match
from pxdesk.core.sync.mapping import ConversionError, is_valid_text
from pxdesk.core.sync.plan import JobPlan
from pxdesk.core.sync.tracking import linked_by, linked_rows, stored_keys
from pxdesk.core.sync.write_target import WriteTarget
from pxdesk.core.sync.writer import (
    INSERTED,
    UNCHANGED,
    UPDATED,
    Failure,
    GsidSource,
    KeyChange,
    KeyedUpsert,
    PageResult,
    Row,
    Shape,
    required_missing,
)

# What SQLite refuses to bind or store for one record's values: the page goes row by row.
_UNSTORABLE = (IntegrityError, sqlite3.IntegrityError, sqlite3.OperationalError,
               UnicodeEncodeError, OverflowError)
_INT64 = range(-(2**63), 2**63)
_NOT_A_RECORD = "PX sent an item that is not a record: "


def unstorable_reason(exc: Exception, named: Iterable[tuple[str, Any]],
                      ) -> tuple[str | None, Any, str]:
    """(field, value, reason) for a record the database refused; `named` are its (field,
    value) pairs, searched for the culprit only now that something failed."""
    for name, value in named:
        if isinstance(exc, UnicodeEncodeError) and isinstance(value, str) \
                and not is_valid_text(value):
            return name, value, ("contains text that is not valid Unicode (a lone surrogate) "
                                 f"in field {name}")
        if isinstance(exc, OverflowError) and type(value) is int and value not in _INT64:
            return name, value, f"holds a number too large to store (over 64 bits) in field {name}"
    return None, None, f"database refused: {exc}"


def _item_text(item: Any) -> str:
    """A PX item that is not a JSON object, as JSON, short enough for a message."""
    text = json.dumps(item, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def values_factory(shapes: dict[str, Shape]) -> Callable[[], dict[str, list[Any]]]:
    """A maker of fresh per-object value lists: a dict display, not a comprehension per record."""
    blanks = [(obj, shape.blank()) for obj, shape in shapes.items()]
    if len(blanks) == 1:
        (o1, b1), = blanks
        return lambda: {o1: b1.copy()}
    if len(blanks) == 2:
        (o1, b1), (o2, b2) = blanks
        return lambda: {o1: b1.copy(), o2: b2.copy()}
    return lambda: {obj: blank.copy() for obj, blank in blanks}


class PageProcessor:
    """Turns pages of PX records into written rows, successes and failures."""

    def __init__(self, db: Database, plan: JobPlan, actor: str, clock: Callable[[], int],
                 window_match: Callable[[dict[str, Any]], bool] | None,
                 target: WriteTarget | None = None) -> None:
        self.db, self.plan, self.clock = db, plan, clock
        self._window = window_match
        self._target = target or WriteTarget()
        self._writers = {obj: self._target.writer(db, shape, actor)
                         for obj, shape in plan.shapes.items()}
        self._upserts: list[tuple[str, KeyedUpsert]] = []  # of the write attempt under way
        self.filtered = 0
        self.outside_window = 0  # of `filtered`: outside the run's window (read locally)
        self.removed_by: dict[str, int] = {}  # filter condition alias -> records it removed
        self._gsids = GsidSource()
        # The lineage's copy of each record, packed aside (a dry run keeps no lineage).
        self._packer = RecordPacker() if self._target.lineage else None
        # Per step: the key when the path is one name (a dict.get, no call), else the getter.
        self._steps = [(None if "." in st.source_path else st.source_path, st.getter,
                        st.convert, st.obj, st.index, st.target_field) for st in plan.steps]
        self._new_values = values_factory(plan.shapes)
        for lookup, _ in plan.lookups:
            lookup.prepare()
        # Rows this job wrote before, by PX id: a record keeps its row when its key changes.
        self._job_id = int(plan.job.id)
        self._has_links = bool(db.execute_sql(
            'SELECT EXISTS (SELECT 1 FROM "source_link" WHERE job_id = ?)',
            (self._job_id,)).fetchone()[0])

    # ---- map ----------------------------------------------------------------------------

    def map_page(self, records: Sequence[dict[str, Any]], failures: list[Failure], *,
                 windowed: bool = True) -> list[Row]:
        window, matches, id_path = self._window, self.plan.filter.matches, self.plan.id_path
        if not windowed:
            window = None
        steps, new_values = self._steps, self._new_values
        rows: list[Row] = []
        for record in records:
            if type(record) is not dict:  # null, text, a number: PX's item, not a record
                failures.append(Failure(Row(None, record, {}), None, None,
                                        _NOT_A_RECORD + _item_text(record)))
                continue
            if (window is not None and not window(record)) or not matches(record):
                self.filtered += 1
                self._count_removed(record, window)
                continue
            values = new_values()
            row = Row(record.get(id_path), record, values)
            for key, getter, convert, obj, index, target_field in steps:
                raw = record.get(key) if key is not None else getter(record)
                try:
                    values[obj][index] = convert(raw)
                except ConversionError as exc:
                    failures.append(Failure(row, target_field, raw, exc.reason))
                    break
            else:
                rows.append(row)
        return rows

    def _count_removed(self, record: dict[str, Any],
                       window: Callable[[dict[str, Any]], bool] | None) -> None:
        """Why a record was left out, for the quality report: the window, or the conditions
        it does not meet (only for left-out records, off the hot path)."""
        if window is not None and not window(record):
            self.outside_window += 1
            return
        removed = self.removed_by
        for alias in self.plan.filter.failed_conditions(record):
            removed[alias] = removed.get(alias, 0) + 1

    def derive(self, rows: list[Row], failures: list[Failure]) -> list[Row]:
        for lookup, index in self.plan.lookups:
            keyed: list[tuple[Row, Key | None]] = []
            key_of = lookup.key_of
            for row in rows:
                key, bad_path, bad_value = key_of(row.record)
                if bad_path is not None:
                    failures.append(Failure(row, bad_path, bad_value, (
                        f"cannot match {lookup.label}: {bad_value!r} does not convert")))
                    continue
                keyed.append((row, key))
            keys = {k for _, k in keyed if k is not None}
            try:
                found = lookup.find(keys)
            except _UNSTORABLE:
                keyed, found = self._find_each(lookup, keyed, failures)
            found = self._target.found(lookup, keys, found)  # a dry run adds its would-be rows
            obj = lookup.target_object
            kept: list[Row] = []
            for row, key in keyed:
                matches = found.get(key) if key is not None else None
                if matches is not None and len(matches) == 1:  # the common case, inline
                    row.values[obj][index] = matches[0][1]
                    kept.append(row)
                    continue
                gsid, reason = lookup.choose(key, found)
                if reason is not None:
                    value = key[0] if key and len(key) == 1 else key
                    failures.append(Failure(row, lookup.target_field, value, reason))
                    continue
                row.values[obj][index] = gsid
                kept.append(row)
            rows = kept
        return rows

    @staticmethod
    def _find_each(lookup: DerivedLookup, keyed: list[tuple[Row, Key | None]],
                   failures: list[Failure],
                   ) -> tuple[list[tuple[Row, Key | None]], dict[Key, list[Match]]]:
        """Key by key, after the page's query was refused: only the unqueryable rows fail."""
        kept: list[tuple[Row, Key | None]] = []
        found: dict[Key, list[Match]] = {}
        for row, key in keyed:
            try:
                found.update(lookup.find({key}) if key is not None else {})
            except _UNSTORABLE as exc:
                field, value, reason = unstorable_reason(
                    exc, zip(lookup.source_paths, key or (), strict=False))
                failures.append(Failure(row, field, value, f"cannot match {lookup.label}: "
                                                           f"{reason}"))
                continue
            kept.append((row, key))
        return kept, found

    # ---- write --------------------------------------------------------------------------

    def write(self, rows: list[Row], result: PageResult) -> None:
        """Write rows in the caller's transaction; on a database refusal, row by row."""
        try:
            with self.db.atomic():
                self._write_rows(rows, result)
        except _UNSTORABLE as exc:
            if store_error(exc) is not None:  # the store's failure (busy, full), no record's
                raise
            if len(rows) == 1:
                row = rows[0]
                result.failures.append(Failure(row, *unstorable_reason(exc, self._named(row))))
                return
            for row in rows:
                single = PageResult()
                self.write([row], single)
                result.merge(single)

    def _named(self, row: Row) -> Iterable[tuple[str, Any]]:
        shapes = self.plan.shapes
        for obj, values in row.values.items():
            yield from zip((f.api_name for f in shapes[obj].fields), values, strict=True)

    def _write_rows(self, rows: list[Row], result: PageResult) -> None:
        partial = PageResult()
        self._upserts = []
        for writer in self._writers.values():
            writer.clear()
        if self.plan.kind == JobKind.COMPANY:
            self._write_companies(rows, partial)
        else:
            self._write_people(rows, partial)
        for writer in self._writers.values():
            writer.flush()
            partial.field_changes += writer.changes
        self._target.written(self._upserts)
        result.merge(partial)

    def _keyed(self, obj: str, refs: Sequence[Any], label: str) -> KeyedUpsert:
        upsert = KeyedUpsert(self.db, self.plan.shapes[obj], refs,
                             update_only=self.plan.update_only, label=label, gsids=self._gsids)
        self._upserts.append((obj, upsert))
        return upsert

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
        self._load(upsert, obj, {k for _, k in keyed})
        return keyed

    def _load(self, upsert: KeyedUpsert, obj: str, keys: set[Key]) -> None:
        """The page's matches by key, and their stored values for the unchanged check."""
        upsert.load(keys)
        self._target.loaded(obj, upsert, keys)
        self._writers[obj].load_current(upsert.existing_gsids())

    def _write_companies(self, rows: list[Row], result: PageResult) -> None:
        company_obj, inst_obj = TargetObject.COMPANY.value, TargetObject.COMPANY_INSTANCE.value
        companies = self._keyed(company_obj, self.plan.key_refs, "company")
        keyed = self._keys(companies, rows, company_obj, result)
        instances = None
        if self.plan.multi_instance:
            instances = self._keyed(inst_obj, [resolve_field(inst_obj, "PxAccountId")],
                                    "company instance")
            shape = self.plan.shapes[inst_obj]
            id_i, name_i = shape.slot("PxAccountId"), shape.slot("Name")
            for row, _ in keyed:
                vals = row.values[inst_obj]
                vals[id_i] = row.source_id
                if vals[name_i] is None:
                    vals[name_i] = row.record.get("name")
            self._load(instances, inst_obj, {(r.source_id,) for r, _ in keyed if r.source_id})
        now = self.clock()
        put_company, put_instance = self._putter(company_obj, now), self._putter(inst_obj, now)
        shape = self.plan.shapes[company_obj]
        # With Multi Instance several accounts share a Company: its key is not theirs alone.
        linked = {} if instances is not None else self._identities(keyed, "gsid")
        for row, key in keyed:
            gsid, insert, reason = self._decide(companies, key, row, linked, "gsid", result)
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
            changed = put_company(gsid, insert, row.values[company_obj])
            if instances is not None and inst[0] is not None:
                inst_vals = row.values[inst_obj]
                inst_vals[self.plan.shapes[inst_obj].slot("Company_ID")] = gsid
                instances.commit((row.source_id,), inst[0], inst[1])
                changed = put_instance(inst[0], inst[1], inst_vals) or changed
            self._success(result, row, gsid, insert, changed, company_obj)

    def _write_people(self, rows: list[Row], result: PageResult) -> None:
        person_obj, cp_obj = TargetObject.PERSON.value, TargetObject.COMPANY_PERSON.value
        people = self._keyed(person_obj, self.plan.key_refs, "person")
        keyed = self._keys(people, rows, person_obj, result)
        cp_shape = self.plan.shapes[cp_obj]
        pid_i, cid_i = cp_shape.index("Person_ID"), cp_shape.index("Company_ID")
        assert pid_i is not None and cid_i is not None
        links = self._keyed(cp_obj, [cp_shape.fields[pid_i], cp_shape.fields[cid_i]],
                            "company person")
        linked = self._identities(keyed, "person_gsid")
        cp_keys = set()
        for row, key in keyed:
            found = people.existing.get(key)
            company = row.values[cp_obj][cid_i]
            if company is None:
                continue
            if found and len(found) == 1:
                cp_keys.add((found[0][1], company))
            mine = linked.get(safe_text(str(row.source_id))) if linked else None
            if mine is not None:  # its Person may keep its row under a changed key
                cp_keys.add((mine, company))
        self._load(links, cp_obj, cp_keys)
        now = self.clock()
        put_person, put_link = self._putter(person_obj, now), self._putter(cp_obj, now)
        activity = result.activity
        for row, key in keyed:
            pgsid, pinsert, reason = self._decide(people, key, row, linked, "person_gsid",
                                                  result)
            values = row.values
            cp_vals = values[cp_obj]
            company = cp_vals[cid_i]
            lgsid, linsert = None, False
            if reason is None and company is not None and pgsid is not None:
                lgsid, linsert, reason = links.decide((pgsid, company))
            if reason is not None or pgsid is None:
                result.failures.append(Failure(row, None, None, reason or ""))
                continue
            people.commit(key, pgsid, pinsert)
            changed = put_person(pgsid, pinsert, values[person_obj])
            if row.source_id is not None and row.source_id != "":  # whatever the job maps
                activity.append(activity_of(safe_text(str(row.source_id)), row.record,
                                            company if lgsid is not None else None))
            if lgsid is None:
                self._success(result, row, pgsid, pinsert, changed, person_obj, pgsid)
                continue
            cp_vals[pid_i] = pgsid
            links.commit((pgsid, company), lgsid, linsert)
            changed = put_link(lgsid, linsert, cp_vals) or changed
            self._success(result, row, lgsid, linsert, changed, cp_obj, pgsid)

    def _identities(self, keyed: list[tuple[Row, Key]], column: str) -> dict[str, str]:
        """PX id -> the row (`column` of its source link) each record of the page wrote
        before; empty for a job that has written nothing yet."""
        if not self._has_links:
            return {}
        return linked_rows(self.db, self._job_id,
                           (str(r.source_id) for r, _ in keyed if r.source_id not in (None, "")),
                           column)

    def _decide(self, upsert: KeyedUpsert, key: Key, row: Row, linked: dict[str, str],
                column: str, result: PageResult) -> tuple[str | None, bool, str | None]:
        """upsert.decide, knowing which row this PX record wrote before: when its key value
        changed to one no row has, that row is updated (and audited) instead of a second one
        inserted; when the new value belongs to another row, the record fails as a conflict."""
        gsid, insert, reason = upsert.decide(key)
        mine = linked.get(safe_text(str(row.source_id))) if linked else None
        if mine is None or gsid == mine:
            return gsid, insert, reason
        label = TargetObject(upsert.shape.obj).label
        if insert or (gsid is None and key not in upsert.existing):  # a value no row has
            old = stored_keys(self.db, upsert.key_refs, [mine]).get(mine)
            if old is None:  # the row it wrote is gone (deleted): an ordinary insert
                return gsid, insert, reason
            values = row.values[upsert.shape.obj]
            result.key_changes.append(KeyChange(
                safe_text(str(row.source_id)), upsert.shape.obj, mine,
                ", ".join(r.api_name for r in upsert.key_refs),
                ", ".join(value_text(v) or "" for v in old),
                ", ".join(value_text(values[i]) or "" for i in upsert.key_idx)))
            upsert.page_new[key] = mine  # later rows of the page with this value find it
            return mine, False, None
        if gsid is None:  # several rows match: the usual failure says so
            return gsid, insert, reason
        other = linked_by(self.db, self._job_id, gsid, column)
        shown = ", ".join(value_text(v) or "" for v in key)
        return None, False, (
            f"conflict: PX record {row.source_id} wrote {label} {mine} before, but its key "
            f"value {shown} now belongs to another {label} ({gsid}"
            + (f", written for PX record {other}" if other else "") + "): fix one of them in PX")

    def _putter(self, obj: str, now: int) -> Callable[[str, bool, list[Any]], bool]:
        """put(gsid, is_insert, values): queue the row's INSERT or UPDATE on obj's writer;
        False when an update would change nothing (then nothing is queued)."""
        writer = self._writers.get(obj)
        if writer is None:  # an object this plan does not write (Company Instance when off)
            return lambda gsid, is_insert, values: False
        insert, update = writer.insert, writer.update

        def put(gsid: str, is_insert: bool, values: list[Any]) -> bool:
            if is_insert:
                insert(gsid, values, now)
                return True
            return update(gsid, values, now)

        return put

    @staticmethod
    def _success(result: PageResult, row: Row, gsid: str, insert: bool, changed: bool,
                 obj: str, person_gsid: str | None = None) -> None:
        if row.source_id is not None and row.source_id != "":
            result.links.append((str(row.source_id), obj, gsid, person_gsid, row.record))
        if insert:
            result.successes.append((row.source_id, gsid, INSERTED))
            result.inserted += 1
        elif changed:
            result.successes.append((row.source_id, gsid, UPDATED))
            result.updated += 1
        else:
            result.successes.append((row.source_id, gsid, UNCHANGED))
            result.unchanged += 1

    def process(self, records: Sequence[dict[str, Any]], *, windowed: bool = True,
                rows_out: list[Row] | None = None) -> PageResult:
        """Map, derive and write one page (the caller holds the transaction); `windowed`
        False takes records outside the run's window too (failed records fetched again);
        `rows_out` receives the rows handed to the writer (a preview shows their values)."""
        packer = self._packer
        result = PageResult(packed=packer.submit(records, self.plan.id_path)
                            if packer is not None else None)
        rows = self.map_page(records, result.failures, windowed=windowed)
        rows = self.derive(rows, result.failures)
        if rows_out is not None:
            rows_out.extend(rows)
        if rows:
            self.write(rows, result)
        return result
