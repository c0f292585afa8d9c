"""PX requests per connection per UTC day, and the daily budget a run must fit in before it starts.

PX allows about 1,000,000 requests a day per subscription. A run's requests are already in
`request_log`; the few made outside any run (Test Connection, the mapping picker's attribute
list) are counted here in private settings, one row per UTC day and connection, so no schema
change is needed. Only today's rows are kept.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from peewee import PeeweeException

from pxdesk.core.logs.execution import ADVANCING_STATUSES
from pxdesk.core.px.client import RequestEvent
from pxdesk.core.store.models import Connection, ExecutionRun, Job, RequestLog, Setting
from pxdesk.core.store.settings import (
    DAILY_REQUEST_BUDGET,
    OUTSIDE_RUN_REQUESTS_PREFIX,
    get_setting,
)

_log = logging.getLogger("pxdesk.budget")

DAY_MS = 86_400_000


def utc_day(now_ms: int) -> tuple[int, int]:
    """[start, end) epoch ms of the UTC day holding `now_ms`."""
    start = now_ms - now_ms % DAY_MS
    return start, start + DAY_MS


def requests_today(connection_name: str, now_ms: int) -> int:
    """PX requests of `connection_name` on the UTC day of `now_ms`: its runs' and the others.

    Index-friendly: the runs that can hold today's requests (still open, or ended today; the
    small execution_run table) are found first, then only their rows are read through the
    request_log run_id index, never a scan of the whole request log.
    """
    start, end = utc_day(now_ms)
    # By name (a deleted connection's runs keep it) or by job (a rename keeps today's count).
    jobs = Job.select(Job.id).join(Connection).where(Connection.name == connection_name)
    runs = (ExecutionRun.select(ExecutionRun.id)
            .where(((ExecutionRun.connection_name == connection_name)
                    | ExecutionRun.job.in_(jobs))
                   & (ExecutionRun.ended_at.is_null() | (ExecutionRun.ended_at >= start))))
    in_runs = (RequestLog.select()
               .where(RequestLog.run.in_(runs) & (RequestLog.at >= start) & (RequestLog.at < end))
               .count())
    row = Setting.get_or_none(Setting.key == _outside_key(connection_name, start))
    return int(in_runs) + (int(row.value) if row is not None else 0)


def count_request_outside_run(_event: RequestEvent) -> None:
    """A PxClient `on_request` for calls outside any run: one more request today for the saved
    connection. Never raises: a busy store must not break Test Connection or the picker."""
    start, _end = utc_day(int(datetime.now(UTC).timestamp() * 1000))
    try:
        conn = Connection.get_or_none()
        if conn is None:
            return  # a test before the connection exists: nothing to show it against yet
        key = _outside_key(conn.name, start)
        # One statement, so threads (the picker's worker, the GUI) never lose an increment.
        Setting.insert(key=key, value="1").on_conflict(
            conflict_target=[Setting.key],
            update={Setting.value: Setting.value.cast("INTEGER") + 1}).execute()
        today = _outside_key("", start)
        Setting.delete().where(Setting.key.startswith(OUTSIDE_RUN_REQUESTS_PREFIX)
                               & (Setting.key < today)).execute()
    except PeeweeException:
        _log.warning("could not count a PX request made outside a run", exc_info=True)


def _outside_key(connection_name: str, day_start: int) -> str:
    day = datetime.fromtimestamp(day_start / 1000, UTC).date().isoformat()
    return f"{OUTSIDE_RUN_REQUESTS_PREFIX}{day}:{connection_name}"


def daily_budget() -> int:
    return int(get_setting(DAILY_REQUEST_BUDGET))


def budget_text(connection_name: str, now_ms: int) -> str:
    """"12,345 of 1,000,000": today's requests against the budget, for the card and the CLI."""
    return f"{requests_today(connection_name, now_ms):,} of {daily_budget():,}"


def run_estimate(job: Job) -> int:
    """Requests the next run of `job` needs, about: what its last complete run (Success or
    Partial Success) sent, retries included, or its pages when that log is gone; else 1."""
    last = (ExecutionRun.select()
            .where((ExecutionRun.job == job) & ExecutionRun.status.in_(ADVANCING_STATUSES))
            .order_by(ExecutionRun.started_at.desc(), ExecutionRun.id.desc()).first())
    if last is None:
        return 1
    sent = RequestLog.select().where(RequestLog.run == last.id).count()
    return max(1, int(sent), int(last.pages))


def budget_blocker(job: Job, now_ms: int) -> str | None:
    """Why the run of `job` must not start now (it would cross today's budget), or None."""
    budget = daily_budget()
    used = requests_today(job.connection.name, now_ms)
    need = run_estimate(job)
    if used + need <= budget:
        return None
    return (f"held: {used:,} of today's {budget:,} PX requests are used and this run needs "
            f"about {need:,}; it can run after 00:00 UTC or raise the budget in Settings")
