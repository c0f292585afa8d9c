"""What the Adoption tab reads in one call: snapshots history, top/bottom, Multi Instance."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pxdesk.core.adoption import dashboard
from pxdesk.core.adoption.activity import activity_of, write_activity
from pxdesk.core.adoption.figures import CompanyRow, Figures, day_end_ms
from pxdesk.core.adoption.snapshots import history
from pxdesk.core.store.models import Company, Connection
from pxdesk.core.store.sync_state import AdoptionSnapshot

AS_OF = date(2026, 3, 10)
END = day_end_ms(AS_OF)


def _row(name: str, active_30: int) -> CompanyRow:
    return CompanyRow(name, name, Figures(active_30, 0, 0, active_30, 0, 0, 0), 0, False)


def test_top_and_bottom_ten_never_share_a_company() -> None:
    rows = [_row(f"c{i:02d}", i) for i in range(14)]
    top, bottom = dashboard.top_and_bottom(rows)
    assert [r.figures.active_30 for r in top] == list(range(13, 3, -1))
    assert [r.figures.active_30 for r in bottom] == [3, 2, 1, 0]


def test_history_is_the_scope_s_snapshots_up_to_the_as_of_day(context: Any) -> None:
    for back in (200, 3, 1, 0, -1):
        for gsid in ("", "c1"):
            AdoptionSnapshot.create(day=(AS_OF - timedelta(days=back)).isoformat(),
                                    company_gsid=gsid, users=9, active_1=back, active_7=2,
                                    active_30=3 if gsid else 4)
    days = history(context.db, AS_OF)
    assert [d.day for d in days] == [AS_OF - timedelta(days=b) for b in (3, 1, 0)]
    assert {d.active_30 for d in days} == {4}
    assert {d.active_30 for d in history(context.db, AS_OF, "c1")} == {3}


def test_instances_only_with_multi_instance_and_last_seen_known(context: Any) -> None:
    gsid = Company.create(name="Acme", created_by="t", modified_by="t").gsid
    write_activity(context.db, [activity_of("u1", {
        "identifyId": "u1", "accountId": "acc-1", "lastSeenDate": 0, "signUpDate": 0,
        "firstVisitDate": 0, "numberOfVisits": 0}, gsid)], now=1)
    board = dashboard.load(context.db, AS_OF)
    assert board.instances is None
    assert not board.has_last_seen
    assert not board.is_empty
    Connection.create(name="PX", key_ref="k", multi_instance=True)
    board = dashboard.load(context.db, AS_OF)
    assert [(i.account_id, i.figures.users) for i in board.instances or []] == [("acc-1", 1)]


def test_stickiness_ranks_only_companies_with_active_users() -> None:
    def row(name: str, active_1: int, active_30: int) -> CompanyRow:
        return CompanyRow(name, name, Figures(9, active_1, 0, active_30, 0, 0, 0), 0, False)

    rows = [row("low", 1, 10), row("high", 5, 10), row("none", 0, 0)]
    top, bottom = dashboard.by_stickiness(rows)
    assert [r.name for r in top] == ["high", "low"]
    assert bottom == []
