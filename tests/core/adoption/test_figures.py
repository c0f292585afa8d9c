"""Adoption figures on a hand-built set of users with known answers, in the real store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from pxdesk.core.adoption.activity import activity_of, forget_users, write_activity
from pxdesk.core.adoption.figures import (
    at_risk,
    companies,
    day_end_ms,
    instances,
    overview,
)
from pxdesk.core.adoption.snapshots import write_snapshot
from pxdesk.core.store.models import Company
from pxdesk.core.store.sync_state import AdoptionSnapshot

AS_OF = date(2026, 3, 10)
END = day_end_ms(AS_OF)  # 2026-03-11T00:00Z: the as-of day ends at midnight UTC
DAY = 86_400_000


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def user(uid: str, company: str | None, last_seen: int, *, account: str = "acc-1",
         sign_up: int = 0, first_visit: int = 0, visits: int = 1) -> Any:
    record = {"identifyId": uid, "accountId": account, "lastSeenDate": last_seen,
              "signUpDate": sign_up, "firstVisitDate": first_visit, "numberOfVisits": visits}
    return activity_of(uid, record, company)


@pytest.fixture
def dataset(context: Any) -> dict[str, str]:
    a = Company.create(name="Acme", created_by="t", modified_by="t").gsid
    b = Company.create(name="Bolt", created_by="t", modified_by="t").gsid
    rows = [
        user("u1", a, END - 1, first_visit=ms("2026-01-05T00:00:00"), visits=10),
        user("u2", a, END - DAY, account="acc-2", first_visit=ms("2026-03-01T00:00:00")),
        user("u3", a, END - DAY - 1, sign_up=ms("2026-03-10T12:00:00")),
        user("u4", a, END - 7 * DAY, sign_up=ms("2026-03-04T00:00:00")),
        user("u5", a, END - 7 * DAY - 1, sign_up=ms("2026-03-03T23:59:59.999")),
        user("u6", a, 0, visits=0),  # PX's 0: never seen
        user("u7", None, END - 30 * DAY),  # no company
        user("u8", b, END - 30 * DAY - 1),  # active only in the previous 30 days
        user("u9", b, ms("2026-03-12T09:00:00"), sign_up=ms("2026-02-01T00:00:00"),
             first_visit=ms("2026-03-12T09:00:00")),  # first seen after the as-of day
    ]
    write_activity(context.db, rows, now=1)
    return {"a": a, "b": b}


def test_overview_counts_each_metric(dataset: dict[str, str], context: Any) -> None:
    figures = overview(context.db, AS_OF).figures
    assert figures.users == 9
    assert (figures.active_1, figures.active_7, figures.active_30) == (2, 4, 6)
    assert figures.never_seen == 2 and figures.never_seen_share == pytest.approx(2 / 9)
    assert figures.without_company == 1
    assert figures.visits == 10 + 7 * 1 + 0
    assert figures.stickiness == pytest.approx(2 / 6)


def test_lastseendate_zero_is_stored_as_never(dataset: dict[str, str], context: Any) -> None:
    row = context.db.execute_sql('SELECT last_seen_date, sign_up_date FROM "user_activity" '
                                 "WHERE px_user_id = 'u6'").fetchone()
    assert row == (None, None)


def test_days_end_at_midnight_utc(dataset: dict[str, str], context: Any) -> None:
    """A visit at 23:30 on the 10th in New York is 04:30 UTC on the 11th: the next day."""
    write_activity(context.db, [user("ny", dataset["a"], ms("2026-03-11T04:30:00"))], now=2)
    assert overview(context.db, AS_OF).figures.active_1 == 2
    assert overview(context.db, date(2026, 3, 11)).figures.active_1 == 1


def test_one_company_and_one_instance(dataset: dict[str, str], context: Any) -> None:
    acme = overview(context.db, AS_OF, company_gsid=dataset["a"]).figures
    assert (acme.users, acme.active_30, acme.never_seen, acme.without_company) == (6, 5, 1, 0)
    instance = overview(context.db, AS_OF, instance="acc-2").figures
    assert (instance.users, instance.active_1) == (1, 1)


def test_instance_breakdown_of_a_company(dataset: dict[str, str], context: Any) -> None:
    """Multi Instance: Acme's users come from two PX accounts."""
    rows = instances(context.db, AS_OF, company_gsid=dataset["a"])
    assert [(r.account_id, r.figures.users, r.figures.active_1) for r in rows] == [
        ("acc-1", 5, 1), ("acc-2", 1, 1)]
    assert sum(r.figures.users for r in instances(context.db, AS_OF)) == 9


def test_a_later_as_of_day_sees_the_later_visit(dataset: dict[str, str], context: Any) -> None:
    later = overview(context.db, date(2026, 3, 12)).figures
    assert later.active_1 == 1 and later.never_seen == 1


def test_sign_ups_per_week_end_on_the_as_of_day(dataset: dict[str, str], context: Any) -> None:
    weeks = overview(context.db, AS_OF).sign_ups
    assert len(weeks) == 12
    assert (weeks[-1].week_start, weeks[-1].sign_ups) == (date(2026, 3, 4), 2)
    assert (weeks[-2].week_start, weeks[-2].sign_ups) == (date(2026, 2, 25), 1)
    assert sum(w.sign_ups for w in weeks) == 4  # u9 on 1 February too
    acme = overview(context.db, AS_OF, company_gsid=dataset["a"]).sign_ups
    assert sum(w.sign_ups for w in acme) == 3


def test_companies_and_estimated_trends(dataset: dict[str, str], context: Any) -> None:
    rows = companies(context.db, AS_OF)
    assert [r.name for r in rows] == ["Acme", "Bolt"]
    acme, bolt = rows
    assert (acme.figures.users, acme.figures.active_30) == (6, 5)
    # Without a snapshot: seen now and a user before the previous period ended (u1 only: u2
    # first visited, u3-u5 signed up in this period), plus last seen in the previous 30 days
    # and not since (u8 for Bolt).
    assert (acme.previous_active_30, acme.trend, acme.trend_from_snapshot) == (1, 4, False)
    assert (bolt.figures.active_30, bolt.previous_active_30) == (0, 1)
    assert [r.name for r in at_risk(rows)] == ["Bolt"]


def test_trends_from_the_snapshot_of_the_previous_period(
        dataset: dict[str, str], context: Any) -> None:
    AdoptionSnapshot.create(day="2026-02-07", company_gsid=dataset["a"], users=12,
                            active_1=3, active_7=6, active_30=10)
    rows = companies(context.db, AS_OF)
    acme, bolt = rows
    assert (acme.previous_active_30, acme.trend, acme.trend_from_snapshot) == (10, -5, True)
    assert bolt.previous_active_30 == 0, "not in the snapshot: it had no users then"
    assert [r.name for r in at_risk(rows)] == ["Bolt", "Acme"]
    assert at_risk(rows, limit=1) == [bolt]


def test_snapshot_of_the_day_per_company_and_for_all(
        dataset: dict[str, str], context: Any) -> None:
    assert write_snapshot(context.db, END - 12 * 3_600_000) == "2026-03-10"
    write_snapshot(context.db, END - 1)  # a second run the same day replaces the rows
    rows = {s.company_gsid: (s.users, s.active_1, s.active_7, s.active_30)
            for s in AdoptionSnapshot.select()}
    assert rows == {"": (9, 2, 4, 6), dataset["a"]: (6, 2, 4, 5), dataset["b"]: (2, 0, 0, 0)}


def test_gone_users_leave_the_figures(dataset: dict[str, str], context: Any) -> None:
    assert forget_users(context.db, ["u1", "u7", "nobody"]) == 2
    figures = overview(context.db, AS_OF).figures
    assert (figures.users, figures.active_1, figures.without_company) == (7, 1, 0)


def test_an_empty_store_has_zero_figures(context: Any) -> None:
    figures = overview(context.db, AS_OF).figures
    assert figures.users == 0 and figures.stickiness is None
    assert figures.never_seen_share is None
    assert companies(context.db, AS_OF) == []
