"""`pxdesk-cli run JOB --dry-run`: what the job's next run would do with each record, as text,
JSON or CSV; nothing is written (the store stays as it was)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TextIO

from pxdesk.core.context import AppContext
from pxdesk.core.errors import ConfigError
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.sync.dry_run import WOULD_STAY, DryRunResult, write_dry_run_csv

EXIT_CODES = {RunStatus.SUCCESS: 0, RunStatus.PARTIAL_SUCCESS: 3}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true",
                        help="read PX and show what the run would do with each record (Would "
                             "insert / update / fail, Unchanged), writing nothing; its "
                             "dependencies do not run; exit code as the predicted status")
    parser.add_argument("--csv", metavar="FILE", help="with --dry-run: write every record's "
                        "predicted outcome to FILE as CSV")


def check_arguments(args: argparse.Namespace) -> None:
    """--csv belongs to a dry run, which predicts the next ordinary run only."""
    if args.csv and not args.dry_run:
        raise ConfigError("--csv needs --dry-run", field="csv")
    if args.dry_run and (args.date_from or args.date_to or args.reconcile):
        raise ConfigError("--dry-run predicts the next ordinary run: it takes no --from, --to "
                          "or --reconcile", field="dry_run")


def dry_run(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.sync.engine import SyncEngine

    stop = threading.Event()

    def on_sigint(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        print("cancelling the dry run...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        engine = SyncEngine(ctx.secrets, user="cli", runs_dir=ctx.paths.runs_dir)
        result = engine.dry_run(args.job, cancel=stop.is_set)
    finally:
        signal.signal(signal.SIGINT, previous)
    with result:  # its temporary file goes when the command ends
        if args.csv:
            count = write_dry_run_csv(result.records, Path(args.csv))
            print(f"{count} records written to {args.csv}", file=sys.stderr)
        if args.json:
            write_json(result, sys.stdout)
        else:
            for line in summary(result):
                print(line)
    return EXIT_CODES.get(result.status, 1)


def write_json(result: DryRunResult, out: TextIO) -> None:
    """`result.to_dict()` as indented JSON, its records streamed one at a time (a million
    records never sit in one list)."""
    head = json.dumps(result.summary_dict(), indent=2, default=str)
    out.write(head[:-2] + ',\n  "records": [')
    first = True
    for record in result.records:
        out.write(("\n    " if first else ",\n    ")
                  + json.dumps(record.to_dict(), default=str))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")


def summary(result: DryRunResult) -> Iterator[str]:
    """Totals, the quality brief, then every record that would change or fail (Unchanged
    ones only counted), streamed."""
    yield (f"{result.job_name}: dry run, nothing was written; the run would end "
           f"{result.status}")
    lines: list[str] = []
    totals = result.totals()
    lines.append("  " + ", ".join(f"{name.lower()} {count}" for name, count in totals.items())
                 + f", filtered out {result.counts.filtered}")
    if result.error:
        lines.append(f"  could not finish: {result.error}")
    if result.cancelled:
        lines.append("  cancelled: the records below are those read before")
    lines += [f"  note: {note}" for note in result.notes]
    if result.quality is not None:
        lines += [f"  quality: {line}" for line in result.quality.lines()]
    yield from lines
    for record in result.records:
        if record.outcome != WOULD_STAY:
            yield (f"  {record.source_id}  {record.outcome}"
                   + (f": {record.detail}" if record.detail else ""))
