"""Benchmark: the adoption figures over 1,000,000 users, next to a plain count(*) (the floor).

Activity rows are generated straight into a fresh store with executemany (no sync): 10,000
companies, 5% of users without a company, 10% never seen (lastSeenDate 0 -> NULL), the rest
seen in the past year. Each query runs a few times; the best time is printed.

    .venv/bin/python benchmarks/adoption_bench.py --users 1000000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pxdesk.core.adoption.activity import write_activity
from pxdesk.core.adoption.figures import DAY_MS, at_risk, companies, instances, overview
from pxdesk.core.adoption.snapshots import write_snapshot
from pxdesk.core.store.db import close_database, open_store
from pxdesk.core.store.store_url import parse_store_url

COMPANY_SQL = ('INSERT INTO "company" (gsid, created_at, modified_at, created_by, modified_by, '
               "name) VALUES (?, 0, 0, 'bench', 'bench', ?)")


def _generate(db: Any, users: int, accounts: int, now: int) -> list[str]:
    rng = random.Random(13)
    gsids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(accounts)]
    with db.atomic():
        db.cursor().executemany(COMPANY_SQL, [(g, f"Company {i:05d}")
                                              for i, g in enumerate(gsids)])
    batch = 50_000
    for start in range(0, users, batch):
        rows = []
        for n in range(start, min(users, start + batch)):
            company = None if rng.random() < 0.05 else gsids[rng.randrange(accounts)]
            seen = None if rng.random() < 0.1 else now - rng.randrange(365 * DAY_MS)
            sign_up = now - rng.randrange(3 * 365 * DAY_MS)
            rows.append((f"user-{n:08d}", f"acct-{n % accounts:06d}", company, seen, sign_up,
                         sign_up if seen else None, rng.randrange(500)))
        with db.atomic():
            write_activity(db, rows, now)
    return gsids


def _best(run: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--store", metavar="URL", help="an empty store to fill, e.g. "
                        "postgresql://pxdesk@/bench?host=/tmp/pxpg… (default: a temp SQLite file)")
    args = parser.parse_args()
    now = int(datetime.now(UTC).timestamp() * 1000)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_store(parse_store_url(args.store or f"sqlite:///{tmp}/bench.sqlite3"))
        t0 = time.perf_counter()
        gsids = _generate(db, args.users, args.accounts, now)
        print(f"generated {args.users:,} activity rows, {args.accounts:,} companies in "
              f"{time.perf_counter() - t0:.1f} s")
        floor, count = _best(lambda: db.execute_sql(
            'SELECT count(*) FROM "user_activity"').fetchone()[0])
        print(f"count(*) (the floor):           {floor * 1000:7.0f} ms ({count:,} rows)")
        scan, _ = _best(lambda: db.execute_sql(
            'SELECT sum(number_of_visits) FROM "user_activity"').fetchone()[0])
        print(f"one-column scan (scan floor):   {scan * 1000:7.0f} ms (count(*) reads the "
              "smallest index; the overview reads the table)")
        secs, view = _best(lambda: overview(db))
        f = view.figures
        print(f"overview, all companies:        {secs * 1000:7.0f} ms ({secs / floor:.1f}x the "
              f"floor, {secs / scan:.1f}x the scan): {f.users:,} users, active 1/7/30 days "
              f"{f.active_1:,} / {f.active_7:,} / {f.active_30:,}")
        secs, _ = _best(lambda: overview(db, company_gsid=gsids[0]))
        print(f"overview, one company:          {secs * 1000:7.1f} ms")
        secs, _ = _best(lambda: instances(db, company_gsid=gsids[0]))
        print(f"instances of one company:       {secs * 1000:7.1f} ms")
        secs, _ = _best(lambda: overview(db, instance="acct-000000"))
        print(f"overview, one PX account:       {secs * 1000:7.1f} ms ({secs / floor:.1f}x the "
              "floor)")
        secs, accounts = _best(lambda: instances(db))
        print(f"instances, all companies:       {secs * 1000:7.0f} ms ({secs / floor:.1f}x the "
              f"floor, {len(accounts):,} PX accounts)")
        secs, rows = _best(lambda: companies(db))
        print(f"companies table (+ trends):     {secs * 1000:7.0f} ms ({secs / floor:.1f}x the "
              f"floor, {len(rows):,} companies)")
        secs, risky = _best(lambda: at_risk(rows))
        print(f"at-risk list from the table:    {secs * 1000:7.0f} ms ({len(risky)} listed)")
        secs, _ = _best(lambda: write_snapshot(db, now), repeat=1)
        print(f"daily snapshot (end of a run):  {secs * 1000:7.0f} ms")
        close_database()


if __name__ == "__main__":
    main()
