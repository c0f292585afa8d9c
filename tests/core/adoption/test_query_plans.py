"""The figures per PX account (Multi Instance) read an index in account order instead of
scanning and sorting the whole activity table (seconds at a million users)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from pxdesk.core.adoption.figures import companies, instances, overview

AS_OF = date(2026, 3, 10)


pytestmark = pytest.mark.sqlite_only("reads SQLite's EXPLAIN QUERY PLAN")


@contextmanager
def _statements(db: Any) -> Iterator[list[str]]:
    """The SQL the block runs, with its values in place."""
    seen: list[str] = []
    connection = db.connection()
    connection.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        connection.set_trace_callback(None)


def _plans(db: Any, run: Callable[[], Any]) -> list[str]:
    with _statements(db) as seen:
        run()
    activity = [s for s in seen if '"user_activity"' in s]
    assert activity
    return [" / ".join(row[3] for row in db.execute_sql(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in activity]


@pytest.mark.parametrize("figures", [
    lambda db: instances(db, AS_OF),
    lambda db: overview(db, AS_OF, instance="acct-000001"),
    lambda db: overview(db, AS_OF, company_gsid="gsid-1", instance="acct-000001"),
    lambda db: companies(db, AS_OF),
], ids=["instances", "one-account", "one-account-of-a-company", "companies"])
def test_per_account_and_per_company_figures_read_a_covering_index(
        context: Any, figures: Callable[[Any], Any]) -> None:
    for plan in _plans(context.db, lambda: figures(context.db)):
        assert "COVERING INDEX" in plan, plan


def test_all_accounts_are_grouped_in_index_order(context: Any) -> None:
    """No sort of a million rows: the groups come in the index's account order."""
    [plan] = _plans(context.db, lambda: instances(context.db, AS_OF))
    assert "TEMP B-TREE" not in plan, plan
