"""Benchmark: a dry run of Company Person Sync next to the real run of the same data.

The simulator runs in a subprocess (as in sync_bench.py); Company Sync runs first so the
users' companies exist. Then the dry run and the real run of Company Person Sync, and a dry
run again on the store the run filled (every user read back), each run in a fresh process of
their own on the same home, so each peak RSS is its own. Prints records/s,
peak RSS, the dry run's records kept in memory and in its temporary file, and whether the
dry run predicted the run's counts.

    .venv/bin/python benchmarks/dry_run_bench.py --users 200000 --accounts 2000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sync_bench import setup_jobs, start_simulator  # the script's folder is on sys.path

from pxdesk.core.context import open_context
from pxdesk.core.store.models import Job
from pxdesk.core.sync.dry_records import KEEP_IN_MEMORY
from pxdesk.core.sync.engine import SyncEngine

PERSON_JOB = "Company Person Sync_PX"


def phase(home: Path, which: str, keep: int) -> dict[str, Any]:
    """One dry run or run of Company Person Sync in this process: its figures."""
    ctx = open_context(home)
    engine = SyncEngine(ctx.secrets, user="bench", runs_dir=ctx.paths.runs_dir)
    out: dict[str, Any] = {}
    if which == "again":  # the whole listing again (the window would read only the news)
        Job.update(window_end=None).where(Job.name == PERSON_JOB).execute()
    started = time.perf_counter()
    if which in ("dry", "again"):
        with engine.dry_run(PERSON_JOB, keep=keep) as result:
            secs = time.perf_counter() - started
            path = result.records.path
            out["spill_mb"] = path.stat().st_size / 1e6 if path is not None else 0.0
            out["records"] = len(result.records)
            out["status"] = str(result.status)
            totals = result.totals()
            out["shape"] = [totals["Would insert"], totals["Would update"],
                            totals["Unchanged"], totals["Would fail"]]
            c = result.counts
        out["file_gone"] = path is None or not path.exists()
    else:
        run = engine.run_job(PERSON_JOB)
        secs = time.perf_counter() - started
        c = run.counts
        out["records"] = c.success + c.failure
        out["status"] = str(run.status)
        out["shape"] = [c.inserted, c.updated, c.unchanged, c.failure]
    out["filtered"] = c.filtered
    out["secs"] = secs
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ctx.close()
    return out


def run_phase(home: Path, which: str, keep: int) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--phase", which, "--home", str(home),
                           "--keep", str(keep)], capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--keep", type=int, default=KEEP_IN_MEMORY,
                        help="dry run records kept in memory (the rest go to its file)")
    parser.add_argument("--phase", choices=("dry", "real", "again"), help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.home, args.phase, args.keep)))
        return 0
    proc, url = start_simulator(args.users, args.accounts)
    try:
        with tempfile.TemporaryDirectory(prefix="pxdesk-bench-") as tmp:
            home = Path(tmp) / "home"
            ctx = open_context(home)
            setup_jobs(ctx, url)
            SyncEngine(ctx.secrets, user="bench", runs_dir=ctx.paths.runs_dir).run_job(
                "Company Sync_PX")
            ctx.close()
            dry = run_phase(home, "dry", args.keep)
            real = run_phase(home, "real", args.keep)
            again = run_phase(home, "again", args.keep)  # the store holds them all now
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for name, f in (("Dry run", dry), ("Real run", real), ("Dry again", again)):
        rate = (f["records"] + f["filtered"]) / f["secs"]
        print(f"{name:9} {f['status']} {f['shape']}: {f['records']:,} records "
              f"(+{f['filtered']:,} filtered) in {f['secs']:.1f} s = {rate:,.0f} records/s; "
              f"peak RSS {f['peak_mb']:.0f} MB")
    print(f"Dry run records: {min(args.keep, dry['records']):,} in memory, the rest in a "
          f"{dry['spill_mb']:.1f} MB temporary file, deleted on close: {dry['file_gone']}")
    print(f"Prediction (insert, update, unchanged, fail) {dry['shape']} == run {real['shape']}:"
          f" {dry['shape'] == real['shape']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
