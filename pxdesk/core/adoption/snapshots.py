"""The daily adoption snapshot per company ('' = all), written at the end of each Company
Person Sync run so trends have a history from the first sync on."""

from __future__ import annotations

from peewee import Database

from pxdesk.core.adoption.figures import DAY_MS, day_end_ms, utc_day

ALL_COMPANIES = ""

_SNAPSHOT_SQL = """INSERT INTO "adoption_snapshot" (day, company_gsid, users, active_1,
    active_7, active_30)
    SELECT :day, {company}, count(*),
        total(last_seen_date >= :s1 AND last_seen_date < :end),
        total(last_seen_date >= :s7 AND last_seen_date < :end),
        total(last_seen_date >= :s30 AND last_seen_date < :end)
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
