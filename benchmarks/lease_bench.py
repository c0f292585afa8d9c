"""Benchmark: what the job lease costs a run, and what the desktop's store poll costs.

Takes and releases a job's lease N times (one transaction each, WAL, the app's pragmas), and
times `store_stamp()` + `runs_to_show()` (the StoreWatch poll) over an execution log of
--runs rows. The best of several rounds is printed.

    .venv/bin/python benchmarks/lease_bench.py --runs 200000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pxdesk.core.config.connection import ConnectionService
from pxdesk.core.context import open_context
from pxdesk.core.store.base import database
from pxdesk.core.store.models import Job
from pxdesk.core.sync.run_lease import JobLeases, Lease
from pxdesk.ui.queries import runs_to_show, store_stamp

RUN_SQL = ('INSERT INTO "execution_run" (job_id, job_name, connection_name, calltype, '
           "trigger, status, queued_at, started_at, ended_at, success_count, failure_count, "
           "inserted_count, updated_count, unchanged_count, deleted_count, retried_count, "
           "pages) VALUES (?, ?, 'PX', 'incremental', 'scheduled', 'Success', ?, ?, ?, "
           "0, 0, 0, 0, 0, 0, 0, 0)")


def _best(call: Callable[[], object], rounds: int = 5, repeat: int = 200) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeat):
            call()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        ctx = open_context(Path(home))
        ConnectionService(ctx.secrets, user="bench").create(
            "PX", "key", base_url="http://127.0.0.1:9")
        job = Job.select().first()
        with database().atomic():
            database().cursor().executemany(RUN_SQL, [
                (job.id, job.name, i, i, i + 1) for i in range(args.runs)])
        leases = JobLeases(heartbeat_s=3600)

        def take_release() -> None:
            lease = leases.acquire(job)
            assert isinstance(lease, Lease)
            lease.release()

        print(f"take + release a lease (2 transactions, a thread): "
              f"{_best(take_release):.3f} ms")
        held = leases.acquire(job)
        assert isinstance(held, Lease)
        print(f"renew (heartbeat):                                  "
              f"{_best(held.heartbeat):.3f} ms")
        print(f"is_running (live leases):                           "
              f"{_best(lambda: leases.is_running(job.name)):.3f} ms")
        held.release()
        stamp = store_stamp()
        print(f"StoreWatch poll, store unchanged ({args.runs:,} runs):    "
              f"{_best(store_stamp):.3f} ms")
        print(f"StoreWatch re-read after a change ({args.runs:,} runs):   "
              f"{_best(lambda: runs_to_show(stamp[0] - 1, {stamp[0] - 5}), repeat=20):.3f} ms")
        ctx.close()


if __name__ == "__main__":
    main()
