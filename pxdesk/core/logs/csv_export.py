"""CSV export: streaming rows, ISO timestamps with a time zone, formula-injection-safe cells
without NUL bytes."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula."""
    if text and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def iso_timestamp(ms: int | None, tz: tzinfo | None = None) -> str:
    """Epoch ms -> ISO 8601 with its offset, in `tz` (default: the machine's zone); '' for None."""
    if ms is None:
        return ""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    moment = moment.astimezone(tz) if tz is not None else moment.astimezone()
    return moment.isoformat(timespec="seconds")


def cell(value: Any) -> str:
    """Text of one cell: None -> '', booleans as true/false, NUL bytes (PX may send them;
    Excel and many CSV readers stop or fail at one) stripped, then neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(str(value).replace("\x00", ""))


class CsvWriter:
    """Writes rows one at a time to an open text stream; every cell goes through `cell()`."""

    def __init__(self, stream: TextIO, header: Sequence[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self._writer.writerow([cell(name) for name in header])
        self._stream = stream

    def write(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])

    def flush(self) -> None:
        self._stream.flush()


def open_csv(path: Path, *, bom: bool = False) -> TextIO:
    """A UTF-8 text file for CSV (newline='' as the csv module wants); `bom` for Excel."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="")


def write_csv(
    target: Path | TextIO, header: Sequence[str], rows: Iterable[Iterable[Any]],
    *, bom: bool = False,
) -> int:
    """Stream `rows` under `header` to a path or an open stream; returns the row count."""
    if isinstance(target, Path):
        with open_csv(target, bom=bom) as stream:
            return write_csv(stream, header, rows)
    if bom:
        target.write("\ufeff")
    writer = CsvWriter(target, header)
    count = 0
    for row in rows:
        writer.write(row)
        count += 1
    return count
