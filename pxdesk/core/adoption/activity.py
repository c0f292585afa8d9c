"""Each PX user's activity row, read from the PX record itself whatever the job maps.

Written in the savepoint of the page that wrote the user (as atomic as the rows), updated in
place, and removed when a reconcile finds the user gone from PX so it leaves the figures.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from peewee import Database

# (px_user_id, account_id, company_gsid, last_seen, sign_up, first_visit, visits)
Activity = tuple[str, str | None, str | None, int | None, int | None, int | None, int]

_UPSERT_SQL = (
    'INSERT INTO "user_activity" (px_user_id, account_id, company_gsid, last_seen_date, '
    "sign_up_date, first_visit_date, number_of_visits, modified_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (px_user_id) DO UPDATE SET "
    "account_id = excluded.account_id, company_gsid = excluded.company_gsid, "
    "last_seen_date = excluded.last_seen_date, sign_up_date = excluded.sign_up_date, "
    "first_visit_date = excluded.first_visit_date, "
    "number_of_visits = excluded.number_of_visits, modified_at = excluded.modified_at")
_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit


def _epoch(value: Any) -> int | None:
    """An epoch-ms date as PX sends it; 0 (PX's "never") and anything not a date is None."""
    if type(value) is int:
        return value if value > 0 else None
    if type(value) is float and value > 0 and value.is_integer():
        return int(value)
    return None


def activity_of(source_id: str, record: Any, company_gsid: str | None) -> Activity:
    """The activity row of a written user: the PX record's own values, not the mapped ones."""
    if type(record) is not dict:
        record = {}
    visits = record.get("numberOfVisits")
    account = record.get("accountId")
    return (source_id, account if type(account) is str and account else None, company_gsid,
            _epoch(record.get("lastSeenDate")), _epoch(record.get("signUpDate")),
            _epoch(record.get("firstVisitDate")),
            visits if type(visits) is int and visits > 0 else 0)


def write_activity(db: Database, rows: Sequence[Activity], now: int) -> None:
    """Upsert the page's activity rows (the caller holds the page's savepoint)."""
    if rows:
        db.cursor().executemany(_UPSERT_SQL, [(*row, now) for row in rows])


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def forget_users(db: Database, px_user_ids: Sequence[str]) -> int:
    """Drop the activity of users PX no longer has; returns how many rows went."""
    removed = 0
    for chunk in _chunks(list(px_user_ids)):
        marks = ", ".join("?" * len(chunk))
        cursor = db.execute_sql(
            f'DELETE FROM "user_activity" WHERE px_user_id IN ({marks})', tuple(chunk))
        removed += cursor.rowcount
    return removed
