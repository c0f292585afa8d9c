"""pxdesk-cli run / logs / data: exit codes, JSON, CSV export with formula neutralisation."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

from pxdesk.cli import main
from pxdesk.cli.run import parse_date
from pxdesk.core.context import open_context
from pxdesk.core.store.models import ExecutionRun, Job, RunStatus
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB


def _cli(home, *args):
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


def test_run_success_exit_0_and_json(connect, home, capsys):
    connect()
    assert _cli(home, "run", COMPANY_JOB, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "Success" and out["inserted"] == 30 and out["unchanged"] == 0
    assert (out["quality"]["received"], out["quality"]["total_hits"]) == (30, 30)
    assert ExecutionRun.get_by_id(out["run_id"]).status == RunStatus.SUCCESS


def test_run_partial_exit_3_and_text(connect, home, capsys):
    connect()
    assert _cli(home, "run", PERSON_JOB) == 3
    text = capsys.readouterr().out
    assert f"{PERSON_JOB}: Partial Success" in text
    assert f"(dependency) {COMPANY_JOB}: Success" in text and "error file:" in text


def _alert_at(job_name, percent):
    Job.update(alert_failure_percent=percent).where(Job.name == job_name).execute()


def test_run_json_says_whether_the_failure_alert_fired(connect, home, capsys):
    connect()
    _alert_at(PERSON_JOB, 0.0)  # any failure alerts
    assert _cli(home, "run", PERSON_JOB, "--json") == 3
    out = json.loads(capsys.readouterr().out)
    assert out["failure"] > 0
    share = 100 * out["failure"] / (out["success"] + out["failure"])
    assert (out["alert"], out["failed_percent"], out["alert_above_percent"]) == (
        True, share, 0.0)
    (dep,) = out["dependencies"]
    assert (dep["alert"], dep["failed_percent"], dep["alert_above_percent"]) == (
        False, 0.0, 5.0)


def test_run_text_has_a_line_for_the_failure_alert(connect, home, capsys):
    connect()
    _alert_at(PERSON_JOB, 0.0)
    assert _cli(home, "run", PERSON_JOB) == 3
    lines = capsys.readouterr().out.splitlines()
    (alert,) = [line for line in lines if "alert:" in line]
    assert alert.startswith("  alert: ") and alert.endswith("% of records failed (alert above "
                                                            "0%)")


def test_below_the_alert_there_is_no_alert_line(connect, home, capsys):
    connect()
    _alert_at(PERSON_JOB, 100.0)
    assert _cli(home, "run", PERSON_JOB) == 3
    assert "alert:" not in capsys.readouterr().out


def test_run_failure_exit_1(connect, home, capsys):
    connect(upsert_key=False)
    assert _cli(home, "run", COMPANY_JOB) == 1
    assert "upsert key" in capsys.readouterr().out
    assert _cli(home, "run", PERSON_JOB) == 1  # Skipped
    assert _cli(home, "run", "No Such Job") == 1


def test_run_from_to_is_import_from_date(connect, home, capsys):
    connect()
    assert _cli(home, "run", COMPANY_JOB, "--from", "1970-01-01", "--to", "2099-12-31",
                "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["window_from"] == 0 and out["window_to"] == parse_date("2100-01-01")
    assert ExecutionRun.get_by_id(out["run_id"]).trigger == "import_from_date"
    assert Job.get(Job.name == COMPANY_JOB).window_end is None


def test_run_from_before_px_retention_warns_on_stderr_and_still_runs(connect, home, capsys):
    connect()
    assert _cli(home, "run", COMPANY_JOB, "--from", "2001-01-01") == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "before PX's data retention" in warnings[0]
    assert f"{COMPANY_JOB}: Success" in captured.out


def test_run_from_within_px_retention_has_no_warning(connect, home, capsys):
    connect()
    recent = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    assert _cli(home, "run", COMPANY_JOB, "--from", recent) == 0
    assert "warning" not in capsys.readouterr().err


def test_logs_csv_neutralises_formulas(connect, home, tmp_path, capsys):
    connect()
    job = Job.get(Job.name == COMPANY_JOB)
    for reason in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "plain"):
        ExecutionRun.create(job=job, job_name=job.name, trigger="manual", status="Failure",
                            reason=reason, started_at=1_700_000_000_000)
    target = tmp_path / "exec.csv"
    assert _cli(home, "logs", "execution", "--job", COMPANY_JOB, "--csv", str(target)) == 0
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    reasons = {row["Reason"] for row in rows}
    assert reasons == {"'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain"}
    assert rows[0]["Date"].startswith("2023-11-") and rows[0]["Date"][-6] in "+-"
    assert _cli(home, "logs", "execution") == 0  # table to stdout
    assert "Company Sync_PX" in capsys.readouterr().out


def test_logs_bom_and_data_export(connect, home, tmp_path):
    connect()
    assert _cli(home, "run", COMPANY_JOB) == 0
    target = tmp_path / "companies.csv"
    assert _cli(home, "data", "export", "company", "--csv", str(target), "--bom") == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == 30
    assert {r["PX Account ID"] for r in rows} == {f"acct-{i:06d}" for i in range(30)}
    assert rows[0]["Number of Users"] != "" and len(rows[0]["GSID"]) == 36


def test_run_reconcile_reports_records_gone_from_px(connect, home, capsys, sim):
    connect()
    assert _cli(home, "run", COMPANY_JOB) == 0
    sim.delete_account("acct-000001")
    capsys.readouterr()
    assert _cli(home, "run", COMPANY_JOB, "--reconcile", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["deleted"] == 1 and "1 accounts are no longer in PX" in out["reason"]
    assert _cli(home, "run", COMPANY_JOB, "--reconcile") == 0
    assert "gone from PX" not in capsys.readouterr().out, "already marked: nothing new"


def test_dry_run_json_and_csv_write_nothing_to_the_store(connect, home, capsys, tmp_path):
    connect()
    out_csv = tmp_path / "dry.csv"
    assert _cli(home, "run", COMPANY_JOB, "--dry-run", "--json", "--csv", str(out_csv)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] is True and out["status"] == "Success"
    assert out["totals"] == {"Would insert": 30, "Would update": 0, "Unchanged": 0,
                             "Would fail": 0}
    assert ExecutionRun.select().count() == 0 and Job.get(Job.name == COMPANY_JOB).window_end \
        is None
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["PX id", "Outcome", "Field", "Value", "Details"]
    assert len(rows) == 31 and {r[1] for r in rows[1:]} == {"Would insert"}


def test_dry_run_text_lists_changes_and_refuses_other_flags(connect, home, capsys):
    connect()
    assert _cli(home, "run", PERSON_JOB, "--dry-run") == 1  # no company yet: all would fail
    text = capsys.readouterr().out
    assert "dry run, nothing was written" in text and "Would fail: no company" in text
    assert _cli(home, "run", COMPANY_JOB, "--csv", "x.csv") == 1
    assert "--csv needs --dry-run" in capsys.readouterr().err
    assert _cli(home, "run", COMPANY_JOB, "--dry-run", "--from", "2024-01-01") == 1
