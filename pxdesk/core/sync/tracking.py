"""What a job remembers of PX records between runs: the row each one became, and which failed.

Each page also keeps the rows' lineage (the PX record as received, per source link, and the
fields updates changed), in the same savepoint.

Source links (PX id -> row) are what a reconcile compares with PX's ids to find the records PX
no longer has. The retry list holds records that failed, so the next runs fetch them again by
id even when PX did not change them (a Company Person whose company arrives later). Both are
written in the savepoint of the page that produced them: as atomic as the rows themselves
(so is each user's adoption activity, written here and dropped with the user at a reconcile).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import Database

from pxdesk.core.adoption.activity import forget_users, write_activity
from pxdesk.core.logs.run_files import safe_text, value_text
from pxdesk.core.store.custom_fields import custom_field_expr
from pxdesk.core.store.enums import DeletionPolicy, TargetObject
from pxdesk.core.store.lineage import pack_record, write_lineage
from pxdesk.core.store.models import AuditAction, AuditAttribute, AuditLog, Job
from pxdesk.core.sync.fields import FieldRef
from pxdesk.core.sync.writer import PageResult

RETRY_FETCH_LIMIT = 1000  # records fetched again by id per run, the oldest failures first
_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit

_LINK_SQL = (
    'INSERT INTO "source_link" (job_id, source_id, target_object, gsid, person_gsid, run_id) '
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, source_id) DO UPDATE SET "
    "target_object = excluded.target_object, gsid = excluded.gsid, "
    "person_gsid = excluded.person_gsid, run_id = excluded.run_id")
_FAILED_SQL = (
    'INSERT INTO "retry_record" (job_id, source_id, reason, attempts, first_failed_at, '
    "last_run_id) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (job_id, source_id) DO UPDATE SET "
    'reason = excluded.reason, attempts = "retry_record".attempts + 1, '
    "last_run_id = excluded.last_run_id")
_TABLES = {obj.value: obj.value for obj in TargetObject}  # object -> table (same names)


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def linked_rows(db: Database, job_id: int, source_ids: Iterable[str],
                column: str = "gsid") -> dict[str, str]:
    """PX id -> the row it wrote before (`gsid`, or `person_gsid` for a user's Person), for
    the ids this job has written, when that row still exists."""
    if column not in ("gsid", "person_gsid"):
        raise ValueError(column)
    ids = sorted({safe_text(str(sid)) for sid in source_ids})
    found: dict[str, str] = {}
    for chunk in _chunks(ids):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute_sql(
            f'SELECT source_id, {column}, target_object FROM "source_link" WHERE job_id = ? '
            f"AND {column} IS NOT NULL AND source_id IN ({marks})", (job_id, *chunk))
        found.update((sid, gsid) for sid, gsid, _obj in rows)
    return found


def stored_keys(db: Database, refs: Sequence[FieldRef], gsids: Iterable[str],
                ) -> dict[str, tuple[Any, ...]]:
    """The key values rows hold now (only rows that exist), for the audit of a key change."""
    obj = refs[0].obj
    columns = ", ".join(f'"{r.column}"' if r.column else custom_field_expr(obj, r.api_name)
                        for r in refs)
    found: dict[str, tuple[Any, ...]] = {}
    wanted = sorted(set(gsids))
    for chunk in _chunks(wanted):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute_sql(f'SELECT gsid, {columns} FROM "{_TABLES[obj]}" '
                              f"WHERE gsid IN ({marks})", tuple(chunk))
        found.update((row[0], tuple(row[1:])) for row in rows)
    return found


def linked_by(db: Database, job_id: int, gsid: str, column: str = "gsid") -> str | None:
    """A PX id this job linked to the row `gsid` (for a conflict message)."""
    row = db.execute_sql(f'SELECT source_id FROM "source_link" WHERE job_id = ? AND {column} = ? '
                         "LIMIT 1", (job_id, gsid)).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class Reconciled:
    """What a reconcile found: PX records gone, and what became of their rows."""

    gone: int
    marked: int
    deleted: int
    kept_referenced: int  # rows the delete policy kept (marked) because others point to them


class JobMemory:
    """Source links and the retry list of one job, for one run."""

    def __init__(self, db: Database, job: Job, run_id: int, objects: Iterable[str],
                 clock: Callable[[], int], actor: str) -> None:
        self.db, self.job_id, self.run_id = db, int(job.id), run_id
        self._clock, self._actor = clock, actor
        self._objects = [obj for obj in objects if obj in _TABLES]
        self._has_retries = self._scalar(
            'SELECT EXISTS (SELECT 1 FROM "retry_record" WHERE job_id = ?)', self.job_id)
        self._has_marks = any(self._scalar(
            f'SELECT EXISTS (SELECT 1 FROM "{_TABLES[obj]}" WHERE deleted_in_px_at IS NOT NULL)')
            for obj in self._objects)

    def _scalar(self, sql: str, *params: Any) -> bool:
        return bool(self.db.execute_sql(sql, params).fetchone()[0])

    # ---- retries ------------------------------------------------------------------------

    def due_retries(self, max_attempts: int, limit: int = RETRY_FETCH_LIMIT) -> list[str]:
        """Ids of failed records to fetch again, the oldest failures first."""
        if not self._has_retries:
            return []
        rows = self.db.execute_sql(
            'SELECT source_id FROM "retry_record" WHERE job_id = ? AND attempts < ? '
            "ORDER BY first_failed_at, source_id LIMIT ?", (self.job_id, max_attempts, limit))
        return [row[0] for row in rows]

    def forget(self, source_ids: Iterable[str]) -> None:
        """Take records off the retry list (gone from PX, or filtered out now)."""
        ids = list(source_ids)
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            self.db.execute_sql(f'DELETE FROM "retry_record" WHERE job_id = ? AND source_id '
                                f"IN ({marks})", (self.job_id, *chunk))

    # ---- per page -----------------------------------------------------------------------

    def page_written(self, result: PageResult) -> None:
        """In the page's savepoint: link what was written, list what failed, take what went
        through off the retry list, and clear "Deleted in PX" on rows PX sends again."""
        cursor = self.db.cursor()
        if result.links:
            run_id, job_id = self.run_id, self.job_id
            cursor.executemany(_LINK_SQL, [(job_id, safe_text(sid), obj, gsid, person, run_id)
                                           for sid, obj, gsid, person, _ in result.links])
        if result.links or result.field_changes:
            packed = result.packed.result() if result.packed is not None else {}
            write_lineage(self.db, self.job_id, self.run_id, self._clock(),
                          [(safe_text(link[0]), packed.get(link[0]) or pack_record(link[4]))
                           for link in result.links],
                          [(c.gsid, c.obj, c.field, value_text(c.old), value_text(c.new))
                           for c in result.field_changes])
        if self._has_retries and result.links:
            self.forget([safe_text(link[0]) for link in result.links])
        failed = [(self.job_id, safe_text(str(f.row.source_id)), safe_text(f.reason or "failed"),
                   self._clock(), self.run_id)
                  for f in result.failures if f.row.source_id not in (None, "")]
        if failed:
            cursor.executemany(_FAILED_SQL, failed)
            self._has_retries = True
        if self._has_marks and result.links:
            self._unmark(result)
        if result.activity:
            write_activity(self.db, result.activity, self._clock())
        if result.key_changes:
            self._audit_key_changes(result)

    def _audit_key_changes(self, result: PageResult) -> None:
        """One audit row per synced row whose key value changed in PX: the same row was
        updated (its identity is the PX record), not a second one inserted."""
        now, job = self._clock(), Job.get_by_id(self.job_id)
        AuditLog.insert_many([{
            "at": now, "user": self._actor, "job": self.job_id, "job_name": job.name,
            "attribute": AuditAttribute.RECORD, "action": AuditAction.EDIT,
            "sub_attribute": f"{TargetObject(change.obj).label}: {change.fields}",
            "old_value": safe_text(change.old), "new_value": safe_text(change.new),
            "additional_info": safe_text(f"PX record {change.source_id} changed its key "
                                         f"value; the same {TargetObject(change.obj).label} "
                                         f"{change.gsid} was updated"),
        } for change in result.key_changes]).execute()

    def _unmark(self, result: PageResult) -> None:
        rows: dict[str, set[str]] = {}
        for _sid, obj, gsid, person, _record in result.links:
            rows.setdefault(obj, set()).add(gsid)
            if person is not None:
                rows.setdefault(TargetObject.PERSON.value, set()).add(person)
        for obj, gsids in rows.items():
            self.db.cursor().executemany(
                f'UPDATE "{_TABLES[obj]}" SET deleted_in_px_at = NULL '
                "WHERE gsid = ? AND deleted_in_px_at IS NOT NULL", [(g,) for g in gsids])

    # ---- reconcile ----------------------------------------------------------------------

    def gone_links(self, in_px: Callable[[str], bool]) -> list[str]:
        """PX ids this job wrote that PX no longer lists."""
        rows = self.db.execute_sql(
            'SELECT source_id FROM "source_link" WHERE job_id = ?', (self.job_id,))
        return [sid for (sid,) in rows if not in_px(sid)]

    def reconcile(self, gone: Sequence[str], policy: str) -> Reconciled:
        """Mark (or delete) the rows whose every PX record is gone, then drop those links;
        the caller holds the transaction."""
        db, job_id = self.db, self.job_id
        db.execute_sql('CREATE TEMP TABLE IF NOT EXISTS "gone_ids" (source_id TEXT PRIMARY KEY)')
        db.execute_sql('DELETE FROM "gone_ids"')
        db.cursor().executemany('INSERT OR IGNORE INTO "gone_ids" VALUES (?)',
                                [(sid,) for sid in gone])
        all_gone = 'HAVING sum(source_id IN (SELECT source_id FROM "gone_ids")) = count(*)'
        # A row goes only when every PX record that wrote it is gone: several accounts can
        # roll up to one Company, several users resolve to one Person.
        rows = db.execute_sql(
            f'SELECT target_object, gsid FROM "source_link" WHERE job_id = ? AND target_object '
            f"!= 'person' GROUP BY target_object, gsid {all_gone}", (job_id,)).fetchall()
        rows += db.execute_sql(
            f"SELECT 'person', person_gsid FROM \"source_link\" WHERE job_id = ? AND "
            f"person_gsid IS NOT NULL GROUP BY person_gsid {all_gone}", (job_id,)).fetchall()
        for table in ("source_link", "source_record"):  # the kept PX record goes with its link
            db.execute_sql(f'DELETE FROM "{table}" WHERE job_id = ? AND source_id IN '
                           '(SELECT source_id FROM "gone_ids")', (job_id,))
        db.execute_sql('DROP TABLE "gone_ids"')
        by_object: dict[str, list[str]] = {}
        for obj, gsid in rows:
            by_object.setdefault(obj, []).append(gsid)
        deleted, kept = self._delete(by_object) if policy == DeletionPolicy.DELETE \
            else (0, by_object)
        marked = sum(self._mark(obj, gsids) for obj, gsids in kept.items())
        if TargetObject.COMPANY_INSTANCE.value in self._objects:
            self._mark_instances(gone, policy)
        if TargetObject.PERSON.value in self._objects:  # gone users leave the adoption figures
            forget_users(db, gone)
        return Reconciled(len(gone), marked, deleted,
                          marked if policy == DeletionPolicy.DELETE else 0)

    def _mark(self, obj: str, gsids: Sequence[str]) -> int:
        now, count = self._clock(), 0
        for chunk in _chunks(gsids):
            marks = ", ".join("?" * len(chunk))
            cursor = self.db.execute_sql(
                f'UPDATE "{_TABLES[obj]}" SET deleted_in_px_at = ?, modified_at = ?, '
                f"modified_by = ? WHERE deleted_in_px_at IS NULL AND gsid IN ({marks})",
                (now, now, self._actor, *chunk))
            count += cursor.rowcount
        return count

    def _delete(self, by_object: dict[str, list[str]]) -> tuple[int, dict[str, list[str]]]:
        """Company Person rows go; a Person or Company only when nothing else points to it
        (those are kept and marked instead)."""
        deleted = 0
        kept: dict[str, list[str]] = {}
        order = (TargetObject.COMPANY_PERSON, TargetObject.PERSON, TargetObject.COMPANY)
        unreferenced = {
            TargetObject.PERSON.value: 'NOT EXISTS (SELECT 1 FROM "company_person" cp '
                                       'WHERE cp.person_id = "person".gsid)',
            TargetObject.COMPANY.value: 'NOT EXISTS (SELECT 1 FROM "company_person" cp WHERE '
                                        'cp.company_id = "company".gsid) AND NOT EXISTS (SELECT 1 '
                                        'FROM "company_instance" ci WHERE ci.company_id = '
                                        '"company".gsid) AND NOT EXISTS (SELECT 1 FROM "company" '
                                        'child WHERE child.parent_company_id = "company".gsid)',
        }
        for obj in (o.value for o in order):
            gsids = by_object.get(obj, [])
            still: list[str] = []
            for chunk in _chunks(gsids):
                marks = ", ".join("?" * len(chunk))
                guard = unreferenced.get(obj, "TRUE")
                table = _TABLES[obj]
                cursor = self.db.execute_sql(
                    f'DELETE FROM "{table}" WHERE gsid IN ({marks}) AND {guard}', tuple(chunk))
                deleted += cursor.rowcount
                left = self.db.execute_sql(
                    f'SELECT gsid FROM "{table}" WHERE gsid IN ({marks})', tuple(chunk))
                still += [row[0] for row in left]
            if still:
                kept[obj] = still
        return deleted, kept

    def _mark_instances(self, px_ids: Sequence[str], policy: str) -> None:
        """Multi Instance: the Company Instance of a gone PX account goes the same way."""
        now = self._clock()
        for chunk in _chunks(px_ids):
            marks = ", ".join("?" * len(chunk))
            if policy == DeletionPolicy.DELETE:
                self.db.execute_sql(f'DELETE FROM "company_instance" WHERE px_account_id IN '
                                    f"({marks})", tuple(chunk))
            else:
                self.db.execute_sql(
                    f'UPDATE "company_instance" SET deleted_in_px_at = ?, modified_at = ?, '
                    f"modified_by = ? WHERE deleted_in_px_at IS NULL AND px_account_id IN "
                    f"({marks})", (now, now, self._actor, *chunk))
