"""Benchmark: page every user out of a PX simulator with httpx (pageSize 1000) and time it.

By default the simulator runs in its own process (``python -m pxdesk.core.pxsim``), as the
desktop app's demo server or a real PX would be, so client and server use both cores;
``--in-process`` runs it in a thread of this process instead (one GIL for both sides).
Two listings are timed end to end (httpx + ``response.json()``): unfiltered, and
``filter=lastModifiedDate>=X`` (the incremental query); a third pages without parsing, to
show the simulator's own capacity (the client's JSON parsing dominates the others).
Peak RSS is reported for the client and, in subprocess mode, the server.

    .venv/bin/python benchmarks/sim_bench.py [--users 1000000] [--in-process]
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.data import DAY_MS, FIXED_ANCHOR_MS

API_KEY = "bench-key"
PAGE_SIZE = 1000


@dataclass
class Result:
    label: str
    rows: int
    total_hits: int
    pages: int
    seconds: float

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        return (f"{self.label:<28} rows={self.rows:>9,} totalHits={self.total_hits:>9,} "
                f"pages={self.pages:>5} time={self.seconds:7.2f}s  users/s={rate:>10,.0f}")


def page_all(client: httpx.Client, label: str, params: dict[str, str]) -> Result:
    """The documented paging loop: stop on a short or empty page or a missing scrollId."""
    rows = pages = total = 0
    scroll_id: str | None = None
    started = time.perf_counter()
    while True:
        query = {"pageSize": str(PAGE_SIZE), **params}
        if scroll_id:
            query["scrollId"] = scroll_id
        response = client.get("/users", params=query)
        response.raise_for_status()
        body = response.json()
        users = body["users"]
        pages += 1
        rows += len(users)
        total = body["totalHits"]
        scroll_id = body.get("scrollId")
        if len(users) < PAGE_SIZE or not scroll_id:
            break
    return Result(label, rows, total, pages, time.perf_counter() - started)


def fetch_raw(client: httpx.Client, label: str) -> Result:
    """Server capacity: page through an unfiltered listing without parsing the pages."""
    started = time.perf_counter()
    first = client.get("/users", params={"pageSize": str(PAGE_SIZE)})
    first.raise_for_status()
    head = first.json()
    total, scroll_id = head["totalHits"], head["scrollId"]
    pages, rows = 1, len(head["users"])
    for _ in range(-(-total // PAGE_SIZE) - 1):
        response = client.get(
            "/users", params={"pageSize": str(PAGE_SIZE), "scrollId": scroll_id})
        response.raise_for_status()
        pages += 1
        rows += min(PAGE_SIZE, total - rows)
    return Result(label, rows, total, pages, time.perf_counter() - started)


@contextlib.contextmanager
def simulator(users: int, in_process: bool, ascii_json: bool) -> Iterator[str]:
    """Base URL of a running simulator with ``users`` users, stopped on exit."""
    if in_process:
        with PxSimulator(accounts=200, users=users, api_key=API_KEY, seed=1,
                         ascii_json=ascii_json, anchor_ms=FIXED_ANCHOR_MS) as sim:
            yield sim.base_url
        return
    proc = subprocess.Popen(
        [sys.executable, "-m", "pxdesk.core.pxsim", "--users", str(users),
         "--api-key", API_KEY, "--seed", "1", "--anchor-ms", str(FIXED_ANCHOR_MS),
         *(["--ascii-json"] if ascii_json else [])],
        stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _mb(kib: int) -> float:
    return kib / 1024  # ru_maxrss is KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--ascii-json", action="store_true",
                        help="simulator escapes non-ASCII (\\uXXXX) instead of raw UTF-8")
    args = parser.parse_args(argv)
    since = FIXED_ANCHOR_MS - 60 * DAY_MS  # matches roughly two thirds of the generated users
    started = time.perf_counter()
    with simulator(args.users, args.in_process, args.ascii_json) as base_url:
        ready = time.perf_counter() - started
        mode = "in-process" if args.in_process else "subprocess"
        text = "ASCII-escaped" if args.ascii_json else "UTF-8"
        print(f"simulator ready in {ready:.2f}s at {base_url} ({mode}, {text} JSON)")
        headers = {"X-APTRINSIC-API-KEY": API_KEY, "Accept": "application/json"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
            results = [
                page_all(client, "unfiltered", {}),
                page_all(client, f"lastModifiedDate>={since}",
                         {"filter": f"lastModifiedDate>={since}"}),
                fetch_raw(client, "unfiltered, not parsed"),
            ]
    for result in results:
        print(result.line())
    print(f"peak RSS client: {_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss):.0f} MB")
    if not args.in_process:
        server_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"peak RSS server: {_mb(server_rss):.0f} MB")
    return 0 if all(r.rows == r.total_hits for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
