"""`pxdesk-cli store copy --to URL`: move the whole store to another engine or file."""

from __future__ import annotations

import argparse
import sys

from pxdesk.cli.output import EXIT_OK
from pxdesk.core.context import AppContext
from pxdesk.core.store.copy import copy_store
from pxdesk.core.store.store_url import parse_store_url


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "store", help="the store itself: copy it to PostgreSQL or to a new SQLite file",
        description="Copy every table of the open store (--store / $PXDESK_STORE / the home's "
                    "SQLite file) into a new, empty store; then point pxdesk at it with "
                    "--store or PXDESK_STORE.")
    actions = parser.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    copy = actions.add_parser("copy", help="copy the whole store into an empty one")
    copy.add_argument("--to", required=True, metavar="URL",
                      help="sqlite:///path/new.sqlite3 or postgresql://user@host/db (empty)")
    copy.set_defaults(handler=_copy)


def _copy(args: argparse.Namespace, ctx: AppContext) -> int:
    target = parse_store_url(args.to)

    def progress(table: str, rows: int) -> None:
        print(f"{table}: {rows:,} rows", file=sys.stderr)

    report = copy_store(ctx.db, target, progress=progress)
    print(f"Copied {report.total:,} rows in {len(report.rows)} tables from "
          f"{ctx.store.display} to {report.target}. Use it with --store URL or "
          "PXDESK_STORE=URL.")
    return EXIT_OK
