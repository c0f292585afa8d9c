"""Benchmark of the store's custom-field design: 1M companies, JSON custom, indexed lookups.

Run: .venv/bin/python benchmarks/store_bench.py [--rows 1000000] [--lookups 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from pathlib import Path

from peewee import SqliteDatabase

from pxdesk.core.store.custom_fields import create_custom_field, custom_field_expr
from pxdesk.core.store.db import close_database, open_database

INSERT_SQL = (
    "INSERT INTO company (gsid, created_at, modified_at, created_by, modified_by, name,"
    " employees, arr, custom) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _rows(start: int, count: int, now: int) -> list[tuple[object, ...]]:
    return [
        (
            str(uuid.uuid4()), now, now, "bench", "bench", f"Company {i}", i % 5000,
            float(i % 100000),
            json.dumps({"PX_Account_ID__gc": f"acc-{i:07d}", "Number_of_Users__gc": i % 300}),
        )
        for i in range(start, start + count)
    ]


def _insert(db: SqliteDatabase, rows: int, batch: int) -> float:
    now = time.time_ns() // 1_000_000
    t0 = time.perf_counter()
    for start in range(0, rows, batch):
        chunk = _rows(start, min(batch, rows - start), now)
        with db.atomic():  # one transaction per page batch, as the engine does
            db.cursor().executemany(INSERT_SQL, chunk)
    return time.perf_counter() - t0


def _lookups(db: SqliteDatabase, sql: str, ids: list[str]) -> tuple[float, int]:
    found = 0
    t0 = time.perf_counter()
    for acc in ids:
        found += db.execute_sql(sql, (acc,)).fetchone() is not None
    return time.perf_counter() - t0, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.sqlite3")
        secs = _insert(db, args.rows, args.batch)
        print(f"insert {args.rows:,} companies (batches of {args.batch:,}): {secs:.1f} s "
              f"= {args.rows / secs:,.0f} rows/s")
        expr = custom_field_expr("company", "PX_Account_ID__gc")
        sql = f"SELECT gsid FROM company WHERE {expr} = ?"
        scan_ids = [f"acc-{rng.randrange(args.rows):07d}" for _ in range(5)]
        secs, _ = _lookups(db, sql, scan_ids)
        print(f"lookup without index (full scan): {secs / 5 * 1000:.0f} ms each")
        t0 = time.perf_counter()
        create_custom_field("company", "PX Account ID", "String", "bench")
        print(f"create custom field + expression index: {time.perf_counter() - t0:.1f} s")
        ids = [f"acc-{rng.randrange(args.rows):07d}" for _ in range(args.lookups)]
        secs, found = _lookups(db, sql, ids)
        print(f"{args.lookups:,} indexed lookups: {secs:.2f} s = {secs / args.lookups * 1e6:.0f} "
              f"us each ({found:,} found)")
        plan = db.execute_sql("EXPLAIN QUERY PLAN " + sql, ("x",)).fetchall()
        print("plan:", plan[0][3])
        secs = _insert_more(db, args.rows, args.batch)
        print(f"insert {args.batch * 10:,} more with the index present: {secs:.1f} s "
              f"= {args.batch * 10 / secs:,.0f} rows/s")
        size = (Path(tmp) / "bench.sqlite3").stat().st_size
        print(f"database size: {size / 1e6:.0f} MB")
        close_database()


def _insert_more(db: SqliteDatabase, offset: int, batch: int) -> float:
    now = time.time_ns() // 1_000_000
    t0 = time.perf_counter()
    for n in range(10):
        with db.atomic():
            db.cursor().executemany(INSERT_SQL, _rows(offset + n * batch, batch, now))
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
