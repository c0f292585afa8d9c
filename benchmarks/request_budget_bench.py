"""Benchmark of today's PX request count (request_budget.requests_today) at 1M request_log rows.

Two shapes of a 1,000,000-row request log: 30 days of hourly runs of both jobs (today holds a
thirtieth), and one day spent in full (every row is today's: the worst case of the count).
Each prints the count query's time with the shipped schema, a plain join on `at` for
comparison, and with a covering (run_id, at) index that a migration could add.

Run: .venv/bin/python benchmarks/request_budget_bench.py [--rows 1000000] [--days 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from peewee import SqliteDatabase

from pxdesk.core.logs.request_budget import DAY_MS, requests_today, utc_day
from pxdesk.core.store.db import close_database, open_database

NOW = 1_796_385_600_000  # 2026-12-04 12:00 UTC
RUN_SQL = ("INSERT INTO execution_run (job_name, connection_name, calltype, trigger, status, "
           "success_count, failure_count, inserted_count, updated_count, queued_at, started_at, "
           "ended_at, pages) VALUES (?, 'PX', 'APPLICATION_DATA', 'scheduled', 'Success', "
           "0, 0, 0, 0, ?, ?, ?, ?)")
REQUEST_SQL = ("INSERT INTO request_log (run_id, method, url, status, elapsed_ms, attempt, at) "
               "VALUES (?, 'GET', 'https://api.aptrinsic.com/v1/users?pageSize=1000', 200, 90, "
               "1, ?)")
JOIN_SQL = ("SELECT count(*) FROM request_log r JOIN execution_run e ON e.id = r.run_id "
            "WHERE e.connection_name = 'PX' AND r.at >= ? AND r.at < ?")


def _fill(db: SqliteDatabase, rows: int, days: int) -> int:
    """`rows` requests in runs spread evenly over the `days` UTC days up to NOW; returns runs."""
    runs = max(1, days * 24 * 2) if days > 1 else 1000
    per_run = rows // runs
    first = utc_day(NOW)[0] - (days - 1) * DAY_MS
    span = NOW - first
    with db.atomic():
        cursor = db.cursor()
        for n in range(runs):
            start = first + span * n // runs
            end = start + per_run * 10
            cursor.execute(RUN_SQL, (f"job {n % 2}", start, start, end, per_run))
            run_id = cursor.lastrowid
            cursor.executemany(REQUEST_SQL, [(run_id, start + i * 10) for i in range(per_run)])
    return runs


def _median_ms(call: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _measure(db: SqliteDatabase, label: str) -> None:
    start, end = utc_day(NOW)
    count = requests_today("PX", NOW)
    shipped = _median_ms(lambda: requests_today("PX", NOW))
    join = _median_ms(lambda: db.execute_sql(JOIN_SQL, (start, end)).fetchone())
    print(f"{label}: {count:,} requests today")
    print(f"  requests_today (runs first, request_log_run_id index): {shipped:7.1f} ms")
    print(f"  plain join filtered on `at` (scans request_log):        {join:7.1f} ms")
    db.execute_sql("CREATE INDEX bench_request_log_run_at ON request_log (run_id, at)")
    covered = _median_ms(lambda: requests_today("PX", NOW))
    print(f"  requests_today with a (run_id, at) index:               {covered:7.1f} ms")
    db.execute_sql("DROP INDEX bench_request_log_run_at")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    for days, label in ((args.days, f"{args.rows:,} rows over {args.days} days"),
                        (1, f"{args.rows:,} rows, all today")):
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(Path(tmp) / "bench.sqlite3")
            t0 = time.perf_counter()
            runs = _fill(db, args.rows, days)
            print(f"[{label}: {runs:,} runs, filled in {time.perf_counter() - t0:.1f} s]")
            _measure(db, label)
            close_database()


if __name__ == "__main__":
    main()
