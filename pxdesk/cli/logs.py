"""`pxdesk-cli logs execution|audit|connection`: print a log as a table or export it to CSV."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pxdesk.core.logs.csv_export import cell

MAX_CELL = 40


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pxdesk.core.logs.exports import LOG_KINDS

    parser = commands.add_parser("logs", help="show or export the execution, audit or "
                                 "connection log")
    parser.add_argument("kind", choices=LOG_KINDS)
    parser.add_argument("--job", help="only this job (execution and audit logs)")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write CSV to FILE "
                        "('-' for stdout) instead of a table")
    parser.add_argument("--bom", action="store_true", help="start the CSV with a UTF-8 BOM "
                        "(for Excel)")
    parser.set_defaults(handler=run)


def print_table(header: Sequence[str], rows: Iterable[Sequence[Any]], out: Any) -> int:
    """A plain fixed-width table; long cells are cut (the CSV has them whole)."""
    def short(value: Any) -> str:
        text = cell(value).replace("\n", " ")
        return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"

    body = [[short(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
    out.write("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    for row in body:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                  + "\n")
    return len(body)


def export(header: Sequence[str], rows: Iterable[Sequence[Any]], target: Path | None,
           bom: bool) -> int:
    from pxdesk.core.logs.csv_export import write_csv

    if target is None:
        return print_table(header, rows, sys.stdout)
    if str(target) == "-":
        return write_csv(sys.stdout, header, rows, bom=bom)
    count = write_csv(target, header, rows, bom=bom)
    print(f"{count} rows written to {target}", file=sys.stderr)
    return count


def run(args: argparse.Namespace) -> int:
    from pxdesk.core.context import open_context
    from pxdesk.core.inputs import check_job_name
    from pxdesk.core.logs.exports import log_table

    if args.job is not None:
        check_job_name(args.job)
    ctx = open_context(args.home)
    try:
        header, rows = log_table(args.kind, args.job)
        export(header, rows, args.csv, args.bom)
    finally:
        ctx.close()
    return 0
