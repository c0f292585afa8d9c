"""The error and success files of one run, streamed to runs_dir/<run_id>/ while it runs."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from pxdesk.core.logs.csv_export import CsvWriter, open_csv
from pxdesk.core.paths import private_dir, private_file

ERROR_HEADER = ("Source ID", "Field", "Value", "Error Message", "Source Record")
SUCCESS_HEADER = ("Source ID", "GSID", "Action")
ERROR_FILE = "errors.csv"
SUCCESS_FILE = "success.csv"
MAX_RECORD_CHARS = 32_000  # a spreadsheet cell holds 32,767 characters
# An error file keeps the full source record of the first failures of each kind only (the id,
# field, value and reason of every one): 617,000 failures of one kind must not leave hundreds
# of megabytes behind, and a hundred examples show the problem as well as all of them.
RECORDS_PER_KIND = 100
_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?")


def safe_text(text: str) -> str:
    """`text` with each lone surrogate written as its escape (\\ud800): PX may send one (legal
    JSON), but neither SQLite nor a UTF-8 file can store it. Inside JSON the escape is the
    same string again once parsed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def record_json(record: Any) -> str:
    """Compact JSON of a source record, cut to what a spreadsheet cell can hold."""
    text = safe_text(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str))
    return text if len(text) <= MAX_RECORD_CHARS else text[: MAX_RECORD_CHARS - 3] + "..."


def value_text(value: Any) -> str | None:
    """The offending value as text for the error row (JSON for lists and maps)."""
    if value is None:
        return None
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return safe_text(json.dumps(value, ensure_ascii=False, default=str))
    return str(value)


def error_kind(field: str | None, reason: str) -> str:
    """What failures have in common: the field and the reason without its quoted values and
    numbers ("'bob@' is not a valid email" and "'ann@x' is not..." are one kind)."""
    return f"{field or ''}|{_VALUES.sub('…', reason)}"


class ErrorSampler:
    """Decides per failure whether its source record is kept (the first RECORDS_PER_KIND of
    each kind of a run)."""

    def __init__(self, per_kind: int = RECORDS_PER_KIND) -> None:
        self._per_kind = per_kind
        self._seen: Counter[str] = Counter()

    def record_for(self, field: str | None, reason: str, record: Any) -> str | None:
        kind = error_kind(field, reason)
        self._seen[kind] += 1
        return record_json(record) if self._seen[kind] <= self._per_kind else None


class RunFiles:
    """Two CSV files per run, opened lazily and flushed per page: memory never grows with rows."""

    def __init__(self, runs_dir: Path, run_id: int) -> None:
        self.folder = runs_dir / str(run_id)
        self.error_path = self.folder / ERROR_FILE
        self.success_path = self.folder / SUCCESS_FILE
        self._streams: list[TextIO] = []
        self._errors: CsvWriter | None = None
        self._successes: CsvWriter | None = None

    def _open(self, path: Path, header: tuple[str, ...]) -> CsvWriter:
        stream = open_csv(private_file(path))  # source records: owner-only
        if isinstance(stream, io.TextIOWrapper):  # a PX id with a lone surrogate, escaped
            stream.reconfigure(errors="backslashreplace")
        self._streams.append(stream)
        return CsvWriter(stream, header)

    def open(self) -> RunFiles:
        """Create both files with their headers, so an empty run still has downloadable files.
        The headers are flushed at once: a full disk fails the run here, not at close."""
        if self._errors is None:
            private_dir(self.folder)
            self._errors = self._open(self.error_path, ERROR_HEADER)
            self._successes = self._open(self.success_path, SUCCESS_HEADER)
            self.flush()
        return self

    def add_error(
        self, source_id: str | None, field: str | None, value: str | None, reason: str,
        source_json: str | None,
    ) -> None:
        assert self._errors is not None, "RunFiles.open() first"
        self._errors.write((source_id, field, value, reason, source_json))

    def add_success(self, source_id: str | None, gsid: str, action: str) -> None:
        assert self._successes is not None, "RunFiles.open() first"
        self._successes.write((source_id, gsid, action))

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()

    def close(self) -> None:
        """Never raises: every row was flushed per page, so a close can only repeat a write
        error the run already reported (a full disk), and the clean-up must go on."""
        for stream in self._streams:
            with contextlib.suppress(OSError):
                stream.close()
        self._streams.clear()

    def __enter__(self) -> RunFiles:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
