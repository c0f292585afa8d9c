"""`pxdesk-cli data export OBJECT --csv FILE`: the synced records, custom fields as columns."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pxdesk.core.logs.exports import DATA_OBJECTS

    parser = commands.add_parser("data", help="export synced records")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write one object's records to CSV")
    export.add_argument("object", choices=list(DATA_OBJECTS))
    export.add_argument("--csv", type=Path, metavar="FILE", required=True,
                        help="output file ('-' for stdout)")
    export.add_argument("--bom", action="store_true", help="UTF-8 BOM for Excel")
    export.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pxdesk.cli.logs import export
    from pxdesk.core.context import open_context
    from pxdesk.core.logs.exports import DATA_OBJECTS, data_table

    ctx = open_context(args.home)
    try:
        header, rows = data_table(ctx.db, DATA_OBJECTS[args.object])
        export(header, rows, args.csv, args.bom)
    finally:
        ctx.close()
    return 0
