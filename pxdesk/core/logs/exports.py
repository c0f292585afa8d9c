"""Rows of the logs (through queries, shared with the LOGS tab) and of the target objects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import tzinfo
from typing import Any

from peewee import Database

from pxdesk.core.logs import queries
from pxdesk.core.logs.csv_export import iso_timestamp
from pxdesk.core.store.custom_fields import list_custom_fields, table_for
from pxdesk.core.store.standard_fields import STANDARD_FIELDS, SYSTEM_FIELDS

LOG_KINDS = queries.LOG_KINDS
DATA_OBJECTS = {"company": "company", "person": "person", "company-person": "company_person",
                "company-instance": "company_instance"}
_TIMESTAMP_COLUMNS = {"created_at", "modified_at"}


def log_table(kind: str, job: str | None = None,
              tz: tzinfo | None = None) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """(header, rows) of one log; the same query and cells as the LOGS tab's export."""
    return queries.export_rows(kind, queries.LogFilter(job_name=job), tz)


def data_table(db: Database, obj: str, tz: tzinfo | None = None,
               ) -> tuple[list[str], Iterator[list[Any]]]:
    """(header, rows) of a target object: system, standard and custom fields as columns."""
    fields = [*SYSTEM_FIELDS, *STANDARD_FIELDS[obj]]
    customs = list_custom_fields(obj)
    header = [f.label for f in fields] + [c.label for c in customs]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [c.api_name for c in customs]
    stamps = [i for i, f in enumerate(fields) if f.column in _TIMESTAMP_COLUMNS]
    cursor = db.execute_sql(f'SELECT {columns}, custom FROM "{table_for(obj)}" ORDER BY rowid')

    def rows() -> Iterator[list[Any]]:
        for record in cursor:
            values = list(record[:-1])
            for i in stamps:
                values[i] = iso_timestamp(values[i], tz)
            custom = json.loads(record[-1] or "{}") if names else {}
            yield values + [custom.get(name) for name in names]

    return header, rows()
