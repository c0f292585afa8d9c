"""`pxdesk-cli data export OBJECT --csv FILE`: the synced records, custom fields as columns."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pxdesk.cli.output import EXIT_OK, print_rows
from pxdesk.core.context import AppContext

# Command-line spelling -> target object.
DATA_OBJECTS = {"company": "company", "person": "person", "company-person": "company_person",
                "company-instance": "company_instance"}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("data", help="export synced records")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write one object's records to CSV")
    export.add_argument("object", choices=list(DATA_OBJECTS))
    export.add_argument("--csv", type=Path, metavar="FILE", required=True,
                        help="output file ('-' for stdout)")
    export.add_argument("--bom", action="store_true", help="UTF-8 BOM for Excel")
    export.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    """Every record through the store's record reader; dates as ISO 8601 with their offset."""
    from pxdesk.core.logs.csv_export import iso_timestamp
    from pxdesk.core.store.records import TIMESTAMP_COLUMNS, all_records

    columns, records = all_records(ctx.db, DATA_OBJECTS[args.object])
    stamps = [i for i, column in enumerate(columns) if column.key in TIMESTAMP_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for row in records:
            for i in stamps:
                row[i] = iso_timestamp(row[i])
            yield row

    print_rows([c.label for c in columns], rows(), args.csv, args.bom)
    return EXIT_OK
