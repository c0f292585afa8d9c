"""`pxdesk-cli data export OBJECT --csv FILE`: the synced records, custom fields as columns;
`data show GSID`: one record with its lineage."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pxdesk.cli.output import EXIT_OK, print_json, print_rows, print_table
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
    show = actions.add_parser("show", help="one record and its lineage: the run that last "
                              "wrote it, its PX record, its field changes")
    show.add_argument("gsid", metavar="ID", help="the record's GSID (Data tab, export)")
    show.add_argument("--json", action="store_true", help="the lineage as JSON")
    show.set_defaults(handler=show_record)


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


def show_record(args: argparse.Namespace, ctx: AppContext) -> int:
    """The record's fields, then where it came from (newest first)."""
    from pxdesk.core.errors import ConfigError
    from pxdesk.core.logs.csv_export import iso_timestamp
    from pxdesk.core.store.enums import TargetObject
    from pxdesk.core.store.lineage import record_lineage, row_object
    from pxdesk.core.store.records import record_details

    obj = row_object(ctx.db, args.gsid)
    if obj is None:
        raise ConfigError(f"No Company, Person, Company Person or Company Instance has the "
                          f"GSID {args.gsid!r}", field="gsid")
    lineage = record_lineage(ctx.db, obj, args.gsid)
    if args.json:
        print_json(lineage)
        return EXIT_OK
    print(f"{TargetObject(obj).label} {args.gsid}")
    print_table(["Field", "Value"], record_details(obj, args.gsid))
    print()
    if lineage.last_run_id is None:
        print("Lineage: no sync run wrote this record (or it was written before lineage "
              "was kept).")
    else:
        print(f"Last written by run {lineage.last_run_id}")
    for source in lineage.sources:
        print(f"\nPX record {source.source_id} ({source.job_name}), last synced by run "
              f"{source.run_id} ({source.run_status}, {iso_timestamp(source.run_started_at)}):")
        print(json.dumps(source.record, indent=2, ensure_ascii=False) if source.record
              is not None else "  (not kept)")
    if lineage.changes:
        print("\nField changes, newest first:")
        print_table(["Run", "When", "Field", "Old", "New"],
                    [[c.run_id, iso_timestamp(c.at), c.field, c.old, c.new]
                     for c in lineage.changes])
    return EXIT_OK
