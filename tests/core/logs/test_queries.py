"""Log queries: filters, keyset paging, formatting, export, error summary, run files."""

from __future__ import annotations

import csv
from datetime import UTC
from pathlib import Path

import pytest

from pxdesk.core.errors import NotFoundError
from pxdesk.core.logs import queries as q
from pxdesk.core.logs.queries import LogFilter
from pxdesk.core.store.models import (
    AuditLog,
    ConnectionLog,
    ExecutionRun,
    RecordError,
    RequestLog,
)

T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z
HOUR = 3_600_000


def _run(job: str, status: str = "Success", at: int = T0, **extra: object) -> ExecutionRun:
    return ExecutionRun.create(job_name=job, trigger="manual", status=status, queued_at=at,
                               started_at=at, ended_at=at + 1500, **extra)


@pytest.fixture
def runs(context: object) -> list[ExecutionRun]:
    return [
        _run("Company Sync_PX", "Success", T0),
        _run("Company Person Sync_PX", "Partial Success", T0 + HOUR, reason="2 failed"),
        _run("Company Sync_PX", "Failure", T0 + 2 * HOUR, reason="Authentication failed"),
        _run("Company Person Sync_PX", "Success", T0 + 3 * HOUR),
    ]


def _ids(kind: str, f: LogFilter) -> list[int]:
    return [row["id"] for row in q.log_query(kind, f).dicts()]


def test_filters_combine_and_order_newest_first(runs: list[ExecutionRun]) -> None:
    assert _ids("execution", LogFilter()) == [r.id for r in reversed(runs)]
    assert _ids("execution", LogFilter(job_name="Company Sync_PX")) == [runs[2].id, runs[0].id]
    assert _ids("execution", LogFilter(status="Success")) == [runs[3].id, runs[0].id]
    window = LogFilter(date_from=T0 + HOUR, date_to=T0 + 3 * HOUR)  # to is exclusive
    assert _ids("execution", window) == [runs[2].id, runs[1].id]
    assert _ids("execution", LogFilter(text="AUTHENTICATION")) == [runs[2].id]
    assert q.count_rows("execution", LogFilter(job_name="Company Person Sync_PX")) == 2


def test_text_search_treats_wildcards_literally(context: object) -> None:
    _run("Job A", reason="100% done")
    _run("Job B", reason="1000 done")
    assert [r["job_name"] for r in q.log_query("execution", LogFilter(text="0%")).dicts()] == [
        "Job A"]


def test_audit_and_connection_filters(context: object) -> None:
    AuditLog.create(at=T0, user="ann", job_name="J1", attribute="Mapping", action="Edit",
                    old_value="a", new_value="b")
    AuditLog.create(at=T0 + HOUR, user="bob", job_name="J2", attribute="Schedule",
                    action="Create")
    ConnectionLog.create(connection_name="PX", user="ann", action="Edit", at=T0,
                         attribute="API Key", old_value="****abcd", new_value="****wxyz")
    assert [r["user"] for r in q.audit_query(LogFilter(job_name="J1")).dicts()] == ["ann"]
    assert [r["user"] for r in q.audit_query(LogFilter(text="schedule")).dicts()] == ["bob"]
    # Job and status do not apply to the connection log; text and dates do.
    assert q.connection_query(LogFilter(job_name="J1", status="Success")).count() == 1
    assert q.connection_query(LogFilter(date_from=T0 + 1)).count() == 0


def test_keyset_pages_cover_every_row_once(runs: list[ExecutionRun]) -> None:
    f = LogFilter()
    sql, _ = q.page_query("execution", f, None, 3).sql()
    assert "LIMIT" in sql
    first = q.fetch_page("execution", f, None, 3)
    rest = q.fetch_page("execution", f, first[-1]["id"], 3)
    assert [r["id"] for r in first + rest] == [r.id for r in reversed(runs)]


def test_fetch_row_rechecks_the_filter(runs: list[ExecutionRun]) -> None:
    assert q.fetch_row("execution", LogFilter(status="Success"), runs[0].id) is not None
    assert q.fetch_row("execution", LogFilter(status="Failure"), runs[0].id) is None


def test_format_row_display_and_export(runs: list[ExecutionRun]) -> None:
    row = q.fetch_row("execution", LogFilter(), runs[0].id)
    assert row is not None
    shown = q.format_row("execution", row, tz=UTC)
    exported = q.format_row("execution", row, export=True, tz=UTC)
    assert shown[0] == "2023-11-14 22:13:20"
    assert exported[0] == "2023-11-14T22:13:20+00:00"
    duration = q.EXECUTION_HEADER.index("Duration (s)")
    assert shown[1:8] == exported[1:8] and shown[duration] == exported[duration] == "1.5"
    assert len(shown) == len(q.EXECUTION_HEADER)


def test_export_csv_is_the_filtered_view_and_neutralised(context: object, tmp_path: Path
                                                         ) -> None:
    _run("Job A", reason='=HYPERLINK("http://evil","x")')
    _run("Job B", reason="-1 records")
    _run("Job A", reason="+ok")
    target = tmp_path / "out.csv"
    count = q.export_csv("execution", LogFilter(job_name="Job A"), target, bom=True, tz=UTC)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert count == 2 and rows[0] == list(q.EXECUTION_HEADER)
    reasons = [r[q.EXECUTION_HEADER.index("Reason")] for r in rows[1:]]
    assert reasons == ["'+ok", '\'=HYPERLINK("http://evil","x")']
    assert all(r[0].endswith("+00:00") for r in rows[1:])


def test_error_summary_groups_by_reason(runs: list[ExecutionRun]) -> None:
    run = runs[1]
    for source, reason in [("u1", "no company"), ("u2", "bad email"), ("u3", "no company")]:
        RecordError.create(run=run, source_id=source, reason=reason)
    RecordError.create(run=runs[0], source_id="x", reason="other run")
    assert q.error_summary(run.id) == [("no company", 2), ("bad email", 1)]


def test_request_rows_redact_credentials(runs: list[ExecutionRun]) -> None:
    RequestLog.create(run=runs[0], method="GET", at=T0, status=200, elapsed_ms=12,
                      url="https://api.aptrinsic.com/v1/users?pageSize=100&apiKey=SECRET1")
    rows = q.request_rows(runs[0].id, tz=UTC)
    assert rows[0][1] == "GET" and rows[0][3] == 200
    assert "SECRET1" not in rows[0][2] and "pageSize=100" in rows[0][2]


def test_save_run_file_copies_or_rebuilds(runs: list[ExecutionRun], tmp_path: Path) -> None:
    stored = tmp_path / "runs" / "1" / "success.csv"
    stored.parent.mkdir(parents=True)
    stored.write_text("Source ID,GSID,Action\r\nu1,g1,Inserted\r\n", encoding="utf-8")
    run = runs[1]
    run.success_file = str(stored)
    run.save()
    RecordError.create(run=run, source_id="u2", field="Email", value="x", reason="bad email")
    out = q.save_run_file(run.id, "success", tmp_path / "s.csv", bom=True)
    assert out.read_bytes() == b"\xef\xbb\xbf" + stored.read_bytes()
    errors = q.save_run_file(run.id, "error", tmp_path / "e.csv")  # no file: from the rows
    rows = list(csv.reader(errors.read_text(encoding="utf-8").splitlines()))
    assert rows[1][:4] == ["u2", "Email", "x", "bad email"]
    with pytest.raises(NotFoundError):
        q.save_run_file(runs[0].id, "success", tmp_path / "none.csv")
    moved = tmp_path / "moved" / str(runs[0].id) / "success.csv"  # data folder moved
    moved.parent.mkdir(parents=True)
    moved.write_bytes(b"Source ID,GSID,Action\r\n")
    found = q.save_run_file(runs[0].id, "success", tmp_path / "m.csv", runs_dir=moved.parents[1])
    assert found.read_bytes() == moved.read_bytes()


def test_job_choices_include_names_only_in_the_log(runs: list[ExecutionRun]) -> None:
    names = [name for _, name in q.job_choices()]
    assert names == ["Company Person Sync_PX", "Company Sync_PX"]


def test_the_execution_log_shows_unchanged_records(context: object) -> None:
    run = _run("Company Sync_PX", success_count=5, inserted_count=1, updated_count=1,
               unchanged_count=3)
    row = q.fetch_row("execution", LogFilter(), run.id)
    assert row is not None
    cells = dict(zip(q.EXECUTION_HEADER, q.format_row("execution", row, tz=UTC), strict=True))
    assert (cells["Inserted"], cells["Updated"], cells["Unchanged"]) == (1, 1, 3)


def test_the_execution_log_shows_retried_and_deleted_records(context: object) -> None:
    run = _run("Company Person Sync_PX", success_count=5, failure_count=1, retried_count=3,
               deleted_count=2)
    row = q.fetch_row("execution", LogFilter(), run.id)
    assert row is not None
    cells = dict(zip(q.EXECUTION_HEADER, q.format_row("execution", row, tz=UTC), strict=True))
    assert (cells["Retried"], cells["# Deleted"]) == (3, 2)
