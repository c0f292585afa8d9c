"""Benchmark: Company Sync then Company Person Sync of simulator data, end to end, vs a baseline.

The simulator runs in a subprocess (its own core), the engine in this process on a fresh temp
home. The baseline pages the same users with bare httpx + json and upserts them with sqlite3
executemany into a plain table: the floor any engine has to pay. Prints rates, their ratio and
this process's peak RSS.

    .venv/bin/python benchmarks/sync_bench.py --users 1000000 --accounts 10000
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.context import AppContext, open_context
from pxdesk.core.store.models import FieldMapping
from pxdesk.core.sync.engine import SyncEngine

KEY = "pxsim-demo-key"


def start_simulator(users: int, accounts: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pxdesk.core.pxsim", "--users", str(users),
         "--accounts", str(accounts), "--api-key", KEY],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    return proc, url


def setup_jobs(ctx: AppContext, base_url: str) -> None:
    """The connection and its two jobs with the default mappings (id -> PX Account ID key)."""
    ConnectionService(ctx.secrets, user="bench").create("PX", KEY, base_url=base_url)
    FieldMapping.update(is_upsert_key=True).where(
        FieldMapping.target_field == "PX_Account_ID__gc").execute()


def baseline(base_url: str, folder: Path) -> tuple[int, float]:
    """Bare paging + json + executemany upsert of the users into a plain table."""
    db = sqlite3.connect(folder / "baseline.sqlite3")
    db.execute("PRAGMA journal_mode=wal")
    db.execute("PRAGMA synchronous=normal")
    db.execute("CREATE TABLE u (id TEXT PRIMARY KEY, email TEXT, first TEXT, last TEXT, "
               "account TEXT)")
    started = time.perf_counter()
    count, scroll = 0, None
    with httpx.Client(headers={"X-APTRINSIC-API-KEY": KEY}, timeout=60) as http:
        while True:
            params = {"pageSize": "1000", **({"scrollId": scroll} if scroll else {})}
            body = json.loads(http.get(base_url + "/users", params=params).content)
            rows = body["users"]
            with db:
                db.executemany(
                    "INSERT INTO u VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                    "email=excluded.email, first=excluded.first, last=excluded.last, "
                    "account=excluded.account",
                    [(r["identifyId"], r.get("email"), r.get("firstName"), r.get("lastName"),
                      r.get("accountId")) for r in rows])
            count += len(rows)
            scroll = body.get("scrollId")
            if len(rows) < 1000 or not scroll:
                break
    db.close()
    return count, time.perf_counter() - started


def timed(engine: SyncEngine, job: str) -> tuple[object, float]:
    started = time.perf_counter()
    result = engine.run_job(job)
    return result, time.perf_counter() - started


def cpu_seconds() -> float:
    """User + system CPU of this process, all its threads: steadier than wall time on a
    shared machine, and it counts the work helper threads do beside the sync."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--store", metavar="URL", help="an empty store to sync into, e.g. "
                        "postgresql://pxdesk@/bench?host=/tmp/pxpg… (default: a temp SQLite file)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the sqlite3 baseline")
    args = parser.parse_args()
    proc, url = start_simulator(args.users, args.accounts)
    try:
        with tempfile.TemporaryDirectory(prefix="pxdesk-bench-") as tmp:
            ctx = open_context(Path(tmp) / "home", args.store)
            setup_jobs(ctx, url)
            engine = SyncEngine(ctx.secrets, user="bench", runs_dir=ctx.paths.runs_dir)
            company, c_secs = timed(engine, "Company Sync_PX")
            cpu_before = cpu_seconds()
            people, p_secs = timed(engine, "Company Person Sync_PX")
            p_cpu = cpu_seconds() - cpu_before
            ctx.close()
            base_count, b_secs = (0, 0.0) if args.no_baseline else baseline(url, Path(tmp))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c_rate = args.accounts / c_secs
    p_rate = args.users / p_secs
    b_rate = base_count / b_secs if b_secs else 0.0
    print(f"Company Sync:        {company.status} {company.counts.success:,} ok "
          f"{company.counts.failure:,} failed in {c_secs:.1f} s = {c_rate:,.0f} accounts/s")
    print(f"Company Person Sync: {people.status} {people.counts.success:,} ok "
          f"{people.counts.failure:,} failed {people.counts.filtered:,} filtered in {p_secs:.1f} s "
          f"= {p_rate:,.0f} users/s, CPU {p_cpu:.1f} s ({p_cpu / args.users * 1e6:.0f} µs a user)")
    if b_rate:
        print(f"Baseline (httpx+json+sqlite3 upsert): {base_count:,} users in {b_secs:.1f} s "
              f"= {b_rate:,.0f} users/s")
        print(f"Engine / baseline (users): {p_rate / b_rate:.2f}")
    print(f"Peak RSS of this process: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
