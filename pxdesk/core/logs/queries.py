"""The one place that turns a log filter into queries, table/CSV rows and run drill-down data.

The LOGS tab (lazy table models, live updates, export) and `pxdesk-cli logs --csv` both read
through here, so what a view shows and what its export writes cannot drift apart.
Rows come newest first by rowid: rows are written in time order, and ordering by rowid lets a
view page with `id < last_id LIMIT n` (keyset paging) in O(log n) whatever the table size.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from peewee import ModelSelect, fn

from pxdesk.core.errors import NotFoundError
from pxdesk.core.logs.csv_export import iso_timestamp, write_csv
from pxdesk.core.logs.readable import (
    Labels,
    audit_value,
    connection_value,
    field_labels,
    with_field_labels,
)
from pxdesk.core.logs.run_files import ERROR_FILE, ERROR_HEADER, SUCCESS_FILE
from pxdesk.core.store.models import (
    AuditLog,
    ConnectionLog,
    ExecutionRun,
    Job,
    RecordError,
    RequestLog,
)
from pxdesk.core.store.rows import dict_rows, first_dict, tuple_rows

EXECUTION, AUDIT, CONNECTION = "execution", "audit", "connection"
LOG_KINDS = (EXECUTION, AUDIT, CONNECTION)
_MODELS: dict[str, Any] = {EXECUTION: ExecutionRun, AUDIT: AuditLog, CONNECTION: ConnectionLog}

EXECUTION_HEADER = (
    "Date", "Job", "Calltype", "Status", "# Success", "# Failure", "Inserted", "Updated",
    "Unchanged", "Retried", "# Deleted", "Start", "End", "Duration (s)", "Trigger",
    "Window From", "Window To", "Total Hits", "Pages", "Reason", "Error File", "Success File",
)
AUDIT_HEADER = ("Date", "User", "Job", "Attribute", "Sub-Attribute", "Action", "Old Value",
                "New Value", "Additional Info")
CONNECTION_HEADER = ("Connection Name", "User", "Action", "Modified On", "Attribute",
                     "Old Value", "New Value")
HEADERS = {EXECUTION: EXECUTION_HEADER, AUDIT: AUDIT_HEADER, CONNECTION: CONNECTION_HEADER}
REQUEST_HEADER = ("Time", "Method", "URL", "Status", "Elapsed (ms)", "Attempt", "Error")
# Query parameters whose value is a credential; the client sends the key as a header, this is
# a second guard so a drill-down or export can never show one.
_SECRET_PARAMS = ("key", "token", "secret", "password", "auth")
REDACTED = "****"


@dataclass(frozen=True)
class LogFilter:
    """What the LOGS tab's filters (and the CLI's options) select.

    `job_name` applies to execution and audit logs; `status` to the execution log only;
    `date_from` (inclusive) and `date_to` (exclusive) are epoch ms UTC on the row's date;
    `text` is a case-insensitive substring of any text column.
    """

    job_name: str | None = None
    status: str | None = None
    date_from: int | None = None
    date_to: int | None = None
    text: str | None = None


def _date_expr(kind: str) -> Any:
    if kind == EXECUTION:
        return fn.COALESCE(ExecutionRun.started_at, ExecutionRun.queued_at)
    return _MODELS[kind].at


def _text_fields(kind: str) -> list[Any]:
    if kind == EXECUTION:
        e = ExecutionRun
        return [e.job_name, e.status, e.trigger, e.reason, e.connection_name]
    if kind == AUDIT:
        a = AuditLog
        return [a.user, a.job_name, a.attribute, a.sub_attribute, a.action, a.old_value,
                a.new_value, a.additional_info]
    c = ConnectionLog
    return [c.connection_name, c.user, c.action, c.attribute, c.old_value, c.new_value]


def log_query(kind: str, f: LogFilter) -> ModelSelect:
    """Rows of log `kind` matching `f`, newest first (no LIMIT: callers page or stream)."""
    if kind not in _MODELS:
        raise ValueError(f"unknown log {kind!r}; expected one of {', '.join(LOG_KINDS)}")
    model = _MODELS[kind]
    query: ModelSelect = model.select().order_by(model.id.desc())
    if f.job_name and kind in (EXECUTION, AUDIT):
        query = query.where(model.job_name == f.job_name)
    if f.status and kind == EXECUTION:
        query = query.where(ExecutionRun.status == f.status)
    if f.date_from is not None:
        query = query.where(_date_expr(kind) >= f.date_from)
    if f.date_to is not None:
        query = query.where(_date_expr(kind) < f.date_to)
    if f.text:
        fields = _text_fields(kind)
        condition = fields[0].contains(f.text)
        for field in fields[1:]:
            condition |= field.contains(f.text)
        query = query.where(condition)
    return query


def execution_query(f: LogFilter) -> ModelSelect:
    return log_query(EXECUTION, f)


def audit_query(f: LogFilter) -> ModelSelect:
    return log_query(AUDIT, f)


def connection_query(f: LogFilter) -> ModelSelect:
    return log_query(CONNECTION, f)


def page_query(kind: str, f: LogFilter, after_id: int | None, limit: int) -> ModelSelect:
    """One page of rows older than `after_id` (keyset paging), as dicts."""
    query = log_query(kind, f)
    if after_id is not None:
        query = query.where(_MODELS[kind].id < after_id)
    return query.limit(limit).dicts()


def fetch_page(kind: str, f: LogFilter, after_id: int | None, limit: int) -> list[dict[str, Any]]:
    return list(dict_rows(page_query(kind, f, after_id, limit)))


def fetch_row(kind: str, f: LogFilter, row_id: int) -> dict[str, Any] | None:
    """Row `row_id` if it matches `f` (live updates re-check a changed run against the filter)."""
    model = _MODELS[kind]
    return first_dict(log_query(kind, f).where(model.id == row_id))


def count_rows(kind: str, f: LogFilter) -> int:
    return int(log_query(kind, f).count())


# ---------------------------------------------------------------- row formatting


def display_time(ms: int | None, tz: tzinfo | None = None) -> str:
    """Epoch ms -> 'YYYY-MM-DD HH:MM:SS' in `tz` (default: the machine's zone), for tables."""
    if ms is None:
        return ""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    moment = moment.astimezone(tz) if tz is not None else moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _duration(row: dict[str, Any]) -> str:
    if row.get("started_at") is None or row.get("ended_at") is None:
        return ""
    return f"{(row['ended_at'] - row['started_at']) / 1000:.1f}"


def format_row(kind: str, row: dict[str, Any], *, export: bool = False,
               tz: tzinfo | None = None, labels: Labels | None = None) -> tuple[Any, ...]:
    """Cells of one raw row under HEADERS[kind]; `export` writes ISO timestamps with offset.
    Audit and connection values read as the UI says them (labels, Yes/No), old rows too;
    `labels` (readable.field_labels()) saves a query per row when formatting many."""
    def ts(ms: int | None) -> str:
        return iso_timestamp(ms, tz) if export else display_time(ms, tz)

    if kind == EXECUTION:
        return (
            ts(row["started_at"] or row["queued_at"]), row["job_name"], row["calltype"],
            row["status"], row["success_count"], row["failure_count"], row["inserted_count"],
            row["updated_count"], row["unchanged_count"], row["retried_count"],
            row["deleted_count"], ts(row["started_at"]),
            ts(row["ended_at"]), _duration(row),
            row["trigger"], ts(row["window_from"]), ts(row["window_to"]), row["total_hits"],
            row["pages"], row["reason"], row["error_file"], row["success_file"],
        )
    if kind == AUDIT:
        sub = row["sub_attribute"]
        return (ts(row["at"]), row["user"], row["job_name"], row["attribute"],
                with_field_labels(sub, labels), row["action"],
                audit_value(sub, row["old_value"], labels),
                audit_value(sub, row["new_value"], labels), row["additional_info"])
    return (row["connection_name"], row["user"], row["action"], ts(row["at"]),
            row["attribute"], connection_value(row["old_value"]),
            connection_value(row["new_value"]))


def export_rows(kind: str, f: LogFilter, tz: tzinfo | None = None,
                ) -> tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]:
    """(header, rows) of every row `f` selects, streamed from a cursor, export-formatted."""
    query = log_query(kind, f).dicts()
    labels = field_labels()

    def rows() -> Iterator[tuple[Any, ...]]:
        for row in query.iterator():
            yield format_row(kind, row, export=True, tz=tz, labels=labels)

    return HEADERS[kind], rows()


def export_csv(kind: str, f: LogFilter, target: Path, *, bom: bool = False,
               tz: tzinfo | None = None) -> int:
    """Write the filtered log to `target` (neutralised cells, UTF-8); returns the row count."""
    header, rows = export_rows(kind, f, tz)
    return write_csv(target, header, rows, bom=bom)


# ---------------------------------------------------------------- drill-down


def job_choices() -> list[tuple[str, str]]:
    """(connection name, job name) for the "Show" selector: current jobs, then names that
    only survive in the execution log (deleted or renamed jobs)."""
    choices: list[tuple[str, str]] = []
    seen: set[str] = set()
    for job in Job.select().order_by(Job.kind):  # two jobs: one query each is fine
        choices.append((job.connection.name, job.name))
        seen.add(job.name)
    old = (ExecutionRun.select(ExecutionRun.job_name, fn.MAX(ExecutionRun.connection_name))
           .group_by(ExecutionRun.job_name).order_by(ExecutionRun.job_name))
    for name, conn in tuple_rows(old):
        if name not in seen:
            choices.append((conn or "", name))
    return choices


def get_run(run_id: int) -> ExecutionRun:
    run = ExecutionRun.get_or_none(ExecutionRun.id == run_id)
    if run is None:
        raise NotFoundError(f"Run {run_id} no longer exists (removed by retention?).")
    return run


def error_summary(run_id: int) -> list[tuple[str, int]]:
    """(reason, count) of a run's failed records, most frequent first; fields are named by
    their labels, as the UI names them."""
    count = fn.COUNT(RecordError.id)
    query = (RecordError.select(RecordError.reason, count.alias("n"))
             .where(RecordError.run == run_id).group_by(RecordError.reason)
             .order_by(count.desc(), RecordError.reason))
    labels = field_labels()
    return [(with_field_labels(reason, labels) or "", int(n))
            for reason, n in tuple_rows(query)]


def redact_url(url: str) -> str:
    """The URL with the value of any credential-like query parameter replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(s in k.lower() for k, _v in pairs for s in _SECRET_PARAMS):
        return url  # as logged: re-encoding would change how a scrollId reads
    params = [(k, REDACTED if any(s in k.lower() for s in _SECRET_PARAMS) else v)
              for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(params, safe="(),:*'")))


def request_rows(run_id: int, tz: tzinfo | None = None) -> list[tuple[Any, ...]]:
    """The PX requests of a run under REQUEST_HEADER, in the order they were made."""
    query = (RequestLog.select().where(RequestLog.run == run_id)
             .order_by(RequestLog.at, RequestLog.id))
    return [(display_time(r["at"], tz), r["method"], redact_url(r["url"]), r["status"],
             r["elapsed_ms"], r["attempt"], r["error"]) for r in dict_rows(query)]


def _copy(source: Path, dest: Path, bom: bool) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, dest.open("wb") as out:
        head = src.read(3)
        if bom and head != b"\xef\xbb\xbf":
            out.write(b"\xef\xbb\xbf")
        out.write(head)
        shutil.copyfileobj(src, out)


def save_run_file(run_id: int, which: str, dest: Path, *, bom: bool = False,
                  runs_dir: Path | None = None) -> Path:
    """Copy a run's "error" or "success" file to `dest`.

    Looks at the recorded path, then at runs_dir/<run_id>/ (the data folder may have moved).
    The error file can be rebuilt from the stored record errors when the file is gone;
    the success file cannot (successes are only in the file), so that raises NotFoundError.
    """
    if which not in ("error", "success"):
        raise ValueError(f"unknown run file {which!r}")
    run = get_run(run_id)
    stored = run.error_file if which == "error" else run.success_file
    candidates = [Path(stored)] if stored else []
    if runs_dir is not None:
        candidates.append(runs_dir / str(run_id) / (ERROR_FILE if which == "error"
                                                    else SUCCESS_FILE))
    for path in candidates:
        if path.is_file():
            _copy(path, dest, bom)
            return dest
    if which == "success":
        raise NotFoundError(f"The success file of run {run_id} no longer exists.")
    rows: Sequence[tuple[Any, ...]] = list(tuple_rows(
        RecordError.select(RecordError.source_id, RecordError.field, RecordError.value,
                           RecordError.reason, RecordError.source_record)
        .where(RecordError.run == run_id).order_by(RecordError.id)))
    write_csv(dest, ERROR_HEADER, rows, bom=bom)
    return dest
