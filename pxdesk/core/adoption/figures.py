"""Adoption figures from SQL over the user activity table: overview, companies, at-risk.

Days are UTC. "As of" a day means up to the end of that day; "active in the last N days" is
a user whose lastSeenDate falls in the N days ending there. Decisions: docs/decisions.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from peewee import Database

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
SIGNUP_WEEKS = 12
SNAPSHOT_SLACK_DAYS = 6  # a snapshot this many days before the previous period still counts


def day_end_ms(as_of: date) -> int:
    """Epoch ms of the end (exclusive) of the UTC day `as_of`."""
    start = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)
    return int(start.timestamp() * 1000) + DAY_MS


def utc_day(epoch_ms: int) -> date:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).date()


@dataclass(frozen=True)
class Figures:
    """The adoption figures of a set of users as of a day."""

    users: int
    active_1: int
    active_7: int
    active_30: int
    visits: int
    never_seen: int
    without_company: int

    @property
    def stickiness(self) -> float | None:
        """DAU/MAU: users seen on the day over users seen in its 30 days (None: no one)."""
        return self.active_1 / self.active_30 if self.active_30 else None

    @property
    def never_seen_share(self) -> float | None:
        return self.never_seen / self.users if self.users else None


@dataclass(frozen=True)
class WeekCount:
    week_start: date  # first day of the 7-day week (weeks end on the as-of day)
    sign_ups: int


@dataclass(frozen=True)
class Overview:
    as_of: date
    company_gsid: str | None  # None: all companies
    figures: Figures
    sign_ups: list[WeekCount]  # oldest first


@dataclass(frozen=True)
class CompanyRow:
    """One company's figures and its 30-day active users against the previous 30 days."""

    company_gsid: str
    name: str | None
    figures: Figures
    previous_active_30: int
    trend_from_snapshot: bool  # False: estimated from lastSeenDate / firstVisitDate

    @property
    def trend(self) -> int:
        return self.figures.active_30 - self.previous_active_30

    @property
    def fall_share(self) -> float:
        """How much of the previous period's active users were lost (0 when none fell)."""
        if self.figures.active_30 == 0:
            return 1.0
        if self.previous_active_30 <= self.figures.active_30:
            return 0.0
        return 1 - self.figures.active_30 / self.previous_active_30


def _bounds(as_of: date) -> dict[str, int]:
    end = day_end_ms(as_of)
    return {"end": end, "s1": end - DAY_MS, "s7": end - 7 * DAY_MS, "s30": end - 30 * DAY_MS,
            "s60": end - 60 * DAY_MS}


# count(CASE WHEN … THEN 1 END) rather than SQLite's sum(condition): the same on both engines
# and fast on PostgreSQL too (docs/scaling.md). Named parameters (:end, :s30...) go as a dict.
# Users as of the day: signed up by its end (or with no sign-up date). Never seen: PX's 0, or
# a first visit after the day.
# The previous 30 days (estimate, without a snapshot): users last seen in them and not since,
# plus users seen now who were users (first visit or sign-up) before the current 30 days.
_COLUMNS = """count(*),
    count(CASE WHEN last_seen_date >= :s1 AND last_seen_date < :end THEN 1 END),
    count(CASE WHEN last_seen_date >= :s7 AND last_seen_date < :end THEN 1 END),
    count(CASE WHEN last_seen_date >= :s30 AND last_seen_date < :end THEN 1 END),
    coalesce(sum(number_of_visits), 0),
    count(CASE WHEN last_seen_date IS NULL
               OR coalesce(first_visit_date, last_seen_date) >= :end THEN 1 END),
    count(CASE WHEN company_gsid IS NULL THEN 1 END),
    count(CASE WHEN last_seen_date >= :s60 AND last_seen_date < :s30 THEN 1 END)
    + count(CASE WHEN last_seen_date >= :s30 AND last_seen_date < :end
                 AND coalesce(first_visit_date, sign_up_date, 0) < :s30 THEN 1 END)"""
_USERS_AS_OF = "coalesce(sign_up_date, 0) < :end"  # a scan: an index would cost a lookup a row


def _figures(row: tuple[Any, ...]) -> Figures:
    return Figures(*(int(v or 0) for v in row[:7]))


def _scope(company_gsid: str | None, instance: str | None) -> str:
    where = _USERS_AS_OF
    if company_gsid is not None:
        where += " AND company_gsid = :company"
    if instance is not None:
        where += " AND account_id = :instance"
    return where


def overview(db: Database, as_of: date | None = None, company_gsid: str | None = None,
             instance: str | None = None) -> Overview:
    """All companies (or one, or one PX account with Multi Instance) as of a day."""
    as_of = as_of or datetime.now(UTC).date()
    params: dict[str, Any] = {**_bounds(as_of), "company": company_gsid, "instance": instance}
    sql = f'SELECT {_COLUMNS} FROM "user_activity" WHERE {_scope(company_gsid, instance)}'
    figures = _figures(db.execute_sql(sql, params).fetchone())
    return Overview(as_of, company_gsid, figures,
                    sign_ups_per_week(db, as_of, company_gsid, instance))


def sign_ups_per_week(db: Database, as_of: date, company_gsid: str | None = None,
                      instance: str | None = None, weeks: int = SIGNUP_WEEKS,
                      ) -> list[WeekCount]:
    """Sign-ups in each of the `weeks` 7-day weeks ending on the as-of day, oldest first."""
    end = day_end_ms(as_of)
    params = {"end": end, "start": end - weeks * WEEK_MS, "last": end - 1, "week": WEEK_MS,
              "company": company_gsid, "instance": instance}
    where = "sign_up_date >= :start AND sign_up_date < :end"
    if company_gsid is not None:
        where += " AND company_gsid = :company"
    if instance is not None:
        where += " AND account_id = :instance"
    sql = (f'SELECT (:last - sign_up_date) / :week, count(*) FROM "user_activity" '
           f"WHERE {where} GROUP BY 1")
    counts = {int(w): int(n) for w, n in db.execute_sql(sql, params)}
    return [WeekCount(as_of - timedelta(days=7 * (ago + 1) - 1), counts.get(ago, 0))
            for ago in reversed(range(weeks))]


def _snapshot(db: Database, as_of: date) -> dict[str, int] | None:
    """company -> 30-day active users of the latest snapshot of the previous period's end
    (within a few days before it), or None when no such snapshot exists."""
    target = as_of - timedelta(days=30)
    row = db.execute_sql(
        'SELECT max(day) FROM "adoption_snapshot" WHERE day <= ? AND day >= ?',
        (target.isoformat(), (target - timedelta(days=SNAPSHOT_SLACK_DAYS)).isoformat(),
         )).fetchone()
    if row is None or row[0] is None:
        return None
    rows = db.execute_sql('SELECT company_gsid, active_30 FROM "adoption_snapshot" '
                          "WHERE day = ?", (row[0],))
    return {str(gsid): int(active) for gsid, active in rows}


def companies(db: Database, as_of: date | None = None) -> list[CompanyRow]:
    """Every company with users (by name), with its trend against the previous 30 days."""
    as_of = as_of or datetime.now(UTC).date()
    sql = (f'SELECT company_gsid, {_COLUMNS} FROM "user_activity" '
           f"WHERE company_gsid IS NOT NULL AND {_USERS_AS_OF} GROUP BY company_gsid")
    names = dict(db.execute_sql('SELECT gsid, name FROM "company"').fetchall())
    snapshot = _snapshot(db, as_of)
    rows = []
    for gsid, *columns in db.execute_sql(sql, _bounds(as_of)):
        estimate = int(columns[7] or 0)
        previous = estimate if snapshot is None else snapshot.get(gsid, 0)
        rows.append(CompanyRow(gsid, names.get(gsid), _figures(tuple(columns)), previous,
                               snapshot is not None))
    rows.sort(key=lambda r: ((r.name or "").casefold(), r.company_gsid))
    return rows


def at_risk(rows: list[CompanyRow], limit: int = 20) -> list[CompanyRow]:
    """Companies with no active user in 30 days, or whose 30-day active users fell most
    against the previous 30 days: the largest share lost first, then the largest fall."""
    falling = [r for r in rows if r.figures.users and (
        r.figures.active_30 == 0 or r.figures.active_30 < r.previous_active_30)]
    falling.sort(key=lambda r: (-r.fall_share, r.trend, (r.name or "").casefold()))
    return falling[:limit]


@dataclass(frozen=True)
class InstanceRow:
    """One PX account's users (Multi Instance: several accounts roll up to one company)."""

    account_id: str | None
    figures: Figures


def instances(db: Database, as_of: date | None = None, company_gsid: str | None = None,
              ) -> list[InstanceRow]:
    """The figures per PX account, of one company's users or of all (all: the account index
    read in order, most of a second at a million users; one company reads its index)."""
    as_of = as_of or datetime.now(UTC).date()
    params: dict[str, Any] = {**_bounds(as_of), "company": company_gsid}
    sql = (f'SELECT account_id, {_COLUMNS} FROM "user_activity" '
           f"WHERE {_scope(company_gsid, None)} GROUP BY account_id ORDER BY account_id")
    return [InstanceRow(account, _figures(tuple(columns)))
            for account, *columns in db.execute_sql(sql, params)]


def company_gsids_named(db: Database, name: str) -> list[tuple[str, str]]:
    """(gsid, name) of the companies with this name, case-insensitively."""
    rows = db.execute_sql('SELECT gsid, name FROM "company" WHERE lower(name) = lower(?) '
                          "ORDER BY name, gsid", (name,))
    return [(str(g), str(n)) for g, n in rows]
