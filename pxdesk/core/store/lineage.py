"""Record lineage: which PX record and run last wrote a synced row, that record as PX sent it,
and the fields runs changed on the row.

Written by the sync in the savepoint of each page (as atomic as the rows): one compressed
PX record per source link, replaced on each write (packed aside by RecordPacker while the page
is written), and one `row_change` per field an update changed, the newest ROW_CHANGE_LIMIT per
row kept. Read for the record dialog and
`pxdesk-cli data show`. Finding a row's source links scans `source_link` (no index on gsid,
so the sync pays nothing for it): 0.15 s at a million links, off the GUI thread.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson
from peewee import Database

from pxdesk.core.store.custom_fields import custom_field
from pxdesk.core.store.enums import TargetObject
from pxdesk.core.store.standard_fields import standard_field

ROW_CHANGE_LIMIT = 100  # field changes kept per row, the newest
SOURCE_LIMIT = 20  # PX records shown per row (a Company several accounts roll up to)
_FORMAT = 1  # first byte of a packed record: raw deflate with _ZDICT
# A preset dictionary of what PX records share (their keys): a 1 KB user packs to about a
# third of its size at zlib level 1 instead of about half.
_ZDICT = (
    b'{"aptrinsicId":"","identifyId":"","id":"","type":"","gender":"","email":"","firstName":'
    b'"","lastName":"","role":"","subscriptionId":"","sfdcContactId":null,"globalId":"",'
    b'"accountId":"","score":0,"numberOfVisits":0,"lastSeenDate":0,"signUpDate":0,'
    b'"firstVisitDate":0,"createDate":0,"lastModifiedDate":0,"globalUnsubscribe":false,'
    b'"location":null,"lastInferredLocation":null,"propertyKeys":[""],"customAttributes":{},'
    b'"channelMetricList":[{"groupId":"","channel":1,"environment":1,"firstSeenDate":0}],'
    b'"lastVisitedUserAgentData":[{"propertyKey":"","userAgent":{"rawUserAgent":"Mozilla/5.0 '
    b'","device":"DESKTOP","platformType":"","platformVersion":"","browserType":"",'
    b'"browserVersion":""}}]}{"id":"","name":"","trackedSubscriptionId":"","sfdcId":"",'
    b'"dunsNumber":"","industry":"","sicCode":"","naicsCode":"","website":"https://www.",'
    b'"plan":"","parentGroupId":"","gsId":"","csm":"","numberOfEmployees":0,'
    b'"numberOfUsers":0,"healthScore":0,"nps":0,"renewalDate":0,"location":{"countryName":"",'
    b'"countryCode":"","stateName":"","stateCode":"","city":"","street":"","postalCode":"",'
    b'"continent":"","regionName":"","timeZone":"","coordinates":{"latitude":0,'
    b'"longitude":0}}}')

_RECORD_SQL = (
    'INSERT INTO "source_record" (job_id, source_id, px_record) VALUES (?, ?, ?) '
    "ON CONFLICT (job_id, source_id) DO UPDATE SET px_record = excluded.px_record")
_CHANGE_SQL = (
    'INSERT INTO "row_change" (gsid, run_id, at, target_object, field, old_value, new_value) '
    "VALUES (?, ?, ?, ?, ?, ?, ?)")
_TRIM_SQL = (
    'DELETE FROM "row_change" WHERE gsid = ? AND id <= (SELECT id FROM "row_change" '
    "WHERE gsid = ? ORDER BY id DESC LIMIT 1 OFFSET ?)")


def pack_record(record: Any) -> bytes:
    """A PX record as compact JSON, deflated with the preset dictionary."""
    try:
        data = orjson.dumps(record)
    except (orjson.JSONEncodeError, TypeError):  # over 64 bits, a lone surrogate
        data = json.dumps(record, default=str).encode()
    packer = zlib.compressobj(1, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, _ZDICT)
    return bytes((_FORMAT,)) + packer.compress(data) + packer.flush()


def unpack_record(blob: bytes) -> Any:
    """The PX record `pack_record` packed."""
    if not blob or blob[0] != _FORMAT:
        raise ValueError("not a packed PX record")
    return json.loads(zlib.decompressobj(-15, _ZDICT).decompress(blob[1:]))


def pack_page(records: Sequence[Any], id_path: str) -> dict[str, bytes]:
    """PX id -> packed record, for each record of a page that is an object with an id."""
    packed: dict[str, bytes] = {}
    for record in records:
        if type(record) is dict and record.get(id_path) not in (None, ""):
            packed[str(record[id_path])] = pack_record(record)
    return packed


class RecordPacker:
    """Packs each page's PX records in a helper thread while the sync maps and writes the
    page: deflate releases the GIL, so the packing overlaps the page's SQLite work instead of
    adding to it. One per run; its thread ends with it (or at `close`)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pxdesk-lineage")

    def submit(self, records: Sequence[Any], id_path: str) -> Future[dict[str, bytes]]:
        return self._pool.submit(pack_page, list(records), id_path)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def write_lineage(db: Database, job_id: int, run_id: int, at: int,
                  records: Sequence[tuple[str, bytes]],
                  changes: Sequence[tuple[str, str, str, str | None, str | None]]) -> None:
    """In the page's savepoint: each linked PX record (PX id, packed record) replaces the one
    kept, each changed field (gsid, object, field, old, new) is added, and rows with new
    changes keep only their newest ROW_CHANGE_LIMIT."""
    cursor = db.cursor()
    if records:
        cursor.executemany(_RECORD_SQL, [(job_id, sid, blob) for sid, blob in records])
    if changes:
        cursor.executemany(_CHANGE_SQL, [(gsid, run_id, at, obj, field, old, new)
                                         for gsid, obj, field, old, new in changes])
        gsids = {change[0] for change in changes}
        cursor.executemany(_TRIM_SQL, [(g, g, ROW_CHANGE_LIMIT) for g in gsids])


@dataclass(frozen=True)
class LineageSource:
    """A PX record that wrote the row: its job, its id, the last run that synced it (the
    execution log's Run ID) and the record as that run received it (None if not kept)."""

    job_name: str
    source_id: str
    run_id: int | None
    run_status: str | None
    run_started_at: int | None
    record: Any


@dataclass(frozen=True)
class LineageChange:
    """One field a run changed on the row."""

    run_id: int
    at: int
    field: str  # its label
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Lineage:
    """Where a synced row came from. `last_run_id` is the latest run that synced one of its
    PX records or changed one of its fields; None for a row no sync wrote (or before
    lineage was kept)."""

    obj: str
    gsid: str
    last_run_id: int | None
    sources: list[LineageSource]
    changes: list[LineageChange]


def _label(obj: str, api_name: str) -> str:
    std = standard_field(obj, api_name)
    if std is not None:
        return std.label
    custom = custom_field(obj, api_name)
    return api_name if custom is None else str(custom.label)


def _sources(db: Database, obj: str, gsid: str) -> list[LineageSource]:
    # A Person is the person_gsid of its users' links (or their gsid without a company).
    where = "l.person_gsid = ? OR (l.target_object = 'person' AND l.gsid = ?)" \
        if obj == TargetObject.PERSON else "l.target_object = ? AND l.gsid = ?"
    params = (gsid, gsid) if obj == TargetObject.PERSON else (obj, gsid)
    rows = db.execute_sql(
        f'SELECT coalesce(j.name, \'\'), l.source_id, l.run_id, r.status, r.started_at, '
        f'sr.px_record FROM "source_link" l LEFT JOIN "job" j ON j.id = l.job_id '
        f'LEFT JOIN "execution_run" r ON r.id = l.run_id LEFT JOIN "source_record" sr '
        f"ON sr.job_id = l.job_id AND sr.source_id = l.source_id WHERE {where} "
        f"ORDER BY l.run_id DESC LIMIT {SOURCE_LIMIT}", params).fetchall()
    return [LineageSource(name, sid, run, status, started,
                          unpack_record(blob) if blob else None)
            for name, sid, run, status, started, blob in rows]


def row_object(db: Database, gsid: str) -> str | None:
    """The target object a GSID belongs to, or None when no row has it."""
    for obj in TargetObject:
        if db.execute_sql(f'SELECT 1 FROM "{obj.value}" WHERE gsid = ?', (gsid,)).fetchone():
            return obj.value
    return None


def record_lineage(db: Database, obj: str, gsid: str) -> Lineage:
    """The lineage of one row of a target object (newest first)."""
    sources = _sources(db, obj, gsid)
    rows = db.execute_sql(
        'SELECT run_id, at, target_object, field, old_value, new_value FROM "row_change" '
        "WHERE gsid = ? ORDER BY id DESC", (gsid,)).fetchall()
    changes = [LineageChange(run, at, _label(o, field), old, new)
               for run, at, o, field, old, new in rows]
    runs = [s.run_id for s in sources if s.run_id is not None] + [c.run_id for c in changes]
    return Lineage(obj, gsid, max(runs) if runs else None, sources, changes)
