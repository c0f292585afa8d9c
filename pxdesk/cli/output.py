"""What every pxdesk-cli command prints: tables, CSV, JSON, one-line errors and exit codes."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from pxdesk.core.logs.csv_export import cell, write_csv

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl+C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports `... | head`
MAX_CELL = 40


def print_table(header: Sequence[str], rows: Iterable[Sequence[Any]],
                out: TextIO | None = None) -> int:
    """A plain fixed-width table; long cells are cut (the CSV has them whole)."""
    out = sys.stdout if out is None else out

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


def print_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], csv_target: Path | None,
               bom: bool) -> int:
    """A table on stdout, or CSV to stdout (`-`) or to a file (with a count on stderr)."""
    if csv_target is None:
        return print_table(header, rows)
    if str(csv_target) == "-":
        return write_csv(sys.stdout, header, rows, bom=bom)
    count = write_csv(csv_target, header, rows, bom=bom)
    print(f"{count} rows written to {csv_target}", file=sys.stderr)
    return count


def print_json(value: Any) -> None:
    """Indented JSON of a dataclass or plain data; what JSON lacks (dates, enums) as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    print(json.dumps(value, indent=2, default=str))


def print_error(message: str) -> int:
    """One `error: ...` line on stderr, never a traceback; returns the failure exit code."""
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILURE


def flushed(code: int) -> int:
    """`code` once stdout is flushed: into a pipe stdout is block-buffered, so a short output
    reaches a reader that left (`| head`, `| true`) only here, where main can still catch the
    BrokenPipeError, not at interpreter shutdown ("Exception ignored ... Broken pipe", exit 120).
    """
    sys.stdout.flush()
    return code


def silence_broken_pipe() -> int:
    """The reader left (`pxdesk-cli logs ... | head`): stop quietly, without a traceback.

    Python flushes stdout again at exit and would report the closed pipe then, so stdout is
    pointed at the null device first.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (tests capture it): nothing is flushed at exit
    return EXIT_BROKEN_PIPE
