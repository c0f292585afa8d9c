"""Export of what the Data tab shows (one RecordQuery: its search, sort and columns) to CSV
or .xlsx, streamed so a million rows need neither the memory nor the time of the GUI thread."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pxdesk.core.logs.csv_export import cell, iso_timestamp, write_csv
from pxdesk.core.store.records import TIMESTAMP_COLUMNS, RecordQuery

XLSX_SUFFIX = ".xlsx"


def export_records(query: RecordQuery, path: Path, *, bom: bool = False) -> int:
    """Write every row of `query` under its column labels; .xlsx by suffix, else CSV (the
    logs' CSV code: ISO dates with their offset, formula-safe cells). Returns the rows."""
    if path.suffix.lower() == XLSX_SUFFIX:
        return _write_xlsx(query, path)
    keys = [c.key for c in query.columns]

    def rows() -> Iterator[list[Any]]:
        for row in query.iter_rows():
            yield [iso_timestamp(row.get(k)) if k in TIMESTAMP_COLUMNS else row.get(k)
                   for k in keys]

    return write_csv(path, [c.label for c in query.columns], rows(), bom=bom)


def _xlsx_value(key: str, value: Any, illegal: re.Pattern[str]) -> Any:
    """Numbers stay numbers and dates become dates; text is made formula-safe (openpyxl
    writes a string starting with "=" as a formula) and loses the control characters an
    .xlsx cannot hold."""
    if key in TIMESTAMP_COLUMNS and isinstance(value, int):
        return datetime.fromtimestamp(value / 1000)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return illegal.sub("", cell(value))


def _write_xlsx(query: RecordQuery, path: Path) -> int:
    # Imported here: only an .xlsx export pays for loading openpyxl.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)  # streams rows to disk: bounded memory
    sheet = book.create_sheet(query.obj.label[:31])
    keys = [c.key for c in query.columns]
    sheet.append([c.label for c in query.columns])
    count = 0
    for row in query.iter_rows():
        sheet.append([_xlsx_value(k, row.get(k), ILLEGAL_CHARACTERS_RE) for k in keys])
        count += 1
    book.save(path)
    return count
