"""Everything the Adoption tab shows for one as-of day and scope, read in one worker call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import Database

from pxdesk.core.adoption import figures
from pxdesk.core.adoption.figures import CompanyRow, InstanceRow, Overview
from pxdesk.core.adoption.snapshots import SnapshotDay, history

TOP = 10


@dataclass(frozen=True)
class Dashboard:
    overview: Overview
    companies: list[CompanyRow]
    at_risk: list[CompanyRow]
    history: list[SnapshotDay]
    instances: list[InstanceRow] | None  # None: Multi Instance is off
    has_last_seen: bool  # False: no user has a lastSeenDate (the activity fields are empty)

    @property
    def is_empty(self) -> bool:
        return not self.companies and self.overview.figures.users == 0


def top_and_bottom(rows: list[CompanyRow], count: int = TOP,
                   ) -> tuple[list[CompanyRow], list[CompanyRow]]:
    """The `count` companies with the most 30-day active users, and the `count` with the
    fewest (most first in both; a company is in one list only)."""
    ranked = sorted(rows, key=lambda r: (-r.figures.active_30, (r.name or "").casefold()))
    top = ranked[:count]
    return top, ranked[max(count, len(ranked) - count):]


def by_stickiness(rows: list[CompanyRow], count: int = TOP,
                  ) -> tuple[list[CompanyRow], list[CompanyRow]]:
    """The `count` stickiest companies (DAU/MAU) and the `count` least sticky, most first,
    among those with a 30-day active user (no one active: no DAU/MAU)."""
    ranked = sorted((r for r in rows if r.figures.stickiness is not None),
                    key=lambda r: (-(r.figures.stickiness or 0.0), (r.name or "").casefold()))
    return ranked[:count], ranked[max(count, len(ranked) - count):]


def _multi_instance(db: Database) -> bool:
    row = db.execute_sql('SELECT count(*) FROM "connection" WHERE multi_instance').fetchone()
    return bool(row and row[0])


def _has_last_seen(db: Database) -> bool:
    row = db.execute_sql('SELECT 1 FROM "user_activity" WHERE last_seen_date IS NOT NULL '
                         "LIMIT 1").fetchone()
    return row is not None


def load(db: Database, as_of: date, company_gsid: str | None = None) -> Dashboard:
    """The figures of all companies (or one) as of a day (seconds at a million users: call it
    off the GUI thread)."""
    rows = figures.companies(db, as_of)
    instances = (figures.instances(db, as_of, company_gsid) if _multi_instance(db) else None)
    return Dashboard(figures.overview(db, as_of, company_gsid), rows, figures.at_risk(rows),
                     history(db, as_of, company_gsid), instances, _has_last_seen(db))
