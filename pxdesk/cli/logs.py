"""`pxdesk-cli logs execution|audit|connection`: print a log as a table or export it to CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from pxdesk.cli.output import EXIT_OK, print_rows
from pxdesk.core.context import AppContext


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pxdesk.core.logs.queries import LOG_KINDS

    parser = commands.add_parser("logs", help="show or export the execution, audit or "
                                 "connection log")
    parser.add_argument("kind", choices=LOG_KINDS)
    parser.add_argument("--job", help="only this job (execution and audit logs)")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write CSV to FILE "
                        "('-' for stdout) instead of a table")
    parser.add_argument("--bom", action="store_true", help="start the CSV with a UTF-8 BOM "
                        "(for Excel)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    """The same query and cells as the LOGS tab's export."""
    from pxdesk.core.inputs import check_job_name
    from pxdesk.core.logs.queries import LogFilter, export_rows

    if args.job is not None:
        check_job_name(args.job)
    header, rows = export_rows(args.kind, LogFilter(job_name=args.job))
    print_rows(header, rows, args.csv, args.bom)
    return EXIT_OK
