"""The daily adoption snapshot per company ('' = all), written at the end of each Company
Person Sync run so trends have a history from the first sync on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import Database

from pxdesk.core.adoption.figures import DAY_MS, day_end_ms, utc_day

ALL_COMPANIES = ""
HISTORY_DAYS = 180

_SNAPSHOT_SQL = """INSERT INTO "adoption_snapshot" (day, company_gsid, users, active_1,
    active_7, active_30)
    SELECT :day, {company}, count(*),
        count(CASE WHEN last_seen_date >= :s1 AND last_seen_date < :end THEN 1 END),
        count(CASE WHEN last_seen_date >= :s7 AND last_seen_date < :end THEN 1 END),
        count(CASE WHEN last_seen_date >= :s30 AND last_seen_date < :end THEN 1 END)
    FROM "user_activity" {where}"""


def write_snapshot(db: Database, now_ms: int) -> str:
    """Today's (UTC) figures per company and for all; a later run the same day replaces
    them. Companies with no user left today get no row. Returns the day written."""
    day = utc_day(now_ms)
    end = day_end_ms(day)
    params = {"day": day.isoformat(), "end": end, "s1": end - DAY_MS, "s7": end - 7 * DAY_MS,
              "s30": end - 30 * DAY_MS}
    with db.atomic():
        db.execute_sql('DELETE FROM "adoption_snapshot" WHERE day = ?', (params["day"],))
        db.execute_sql(_SNAPSHOT_SQL.format(
            company="company_gsid", where="WHERE company_gsid IS NOT NULL GROUP BY company_gsid"),
            params)
        db.execute_sql(_SNAPSHOT_SQL.format(company=f"'{ALL_COMPANIES}'", where=""), params)
    return day.isoformat()


@dataclass(frozen=True)
class SnapshotDay:
    """One day's snapshot of a company (or of all)."""

    day: date
    users: int
    active_1: int
    active_7: int
    active_30: int


def history(db: Database, as_of: date, company_gsid: str | None = None,
            days: int = HISTORY_DAYS) -> list[SnapshotDay]:
    """The snapshots of the `days` days ending on the as-of day, oldest first (days with no
    run have none)."""
    rows = db.execute_sql(
        'SELECT day, users, active_1, active_7, active_30 FROM "adoption_snapshot" '
        "WHERE company_gsid = ? AND day > ? AND day <= ? ORDER BY day",
        (ALL_COMPANIES if company_gsid is None else company_gsid,
         (as_of - timedelta(days=days)).isoformat(), as_of.isoformat()))
    return [SnapshotDay(date.fromisoformat(str(day)), int(users), int(a1), int(a7), int(a30))
            for day, users, a1, a7, a30 in rows]
