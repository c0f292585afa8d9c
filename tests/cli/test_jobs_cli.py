"""`pxdesk-cli jobs list|show|export|import` in-process against a created connection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pxdesk.cli import main


def test_list_and_show(created: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(created), "jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert "Company Sync_PX  [company, upsert, schedule hourly, disabled]" in out
    assert "cannot run: No upsert key" in out
    assert main(["--home", str(created), "jobs", "show", "Company Person Sync_PX"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["dependencies"] == ["Company Sync_PX"]
    assert main(["--home", str(created), "jobs", "show", "Nope"]) == 1
    assert "no job named 'Nope'" in capsys.readouterr().err


def test_export_edit_import(created: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "company.json"
    assert main(["--home", str(created), "jobs", "export", "Company Sync_PX", str(path)]) == 0
    data = json.loads(path.read_text())
    for mapping in data["mappings"]:
        mapping["upsert_key"] = mapping["source_path"] == "id"
    data["schedule"]["enabled"] = True
    path.write_text(json.dumps(data))
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 0
    capsys.readouterr()
    assert main(["--home", str(created), "jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert "schedule hourly, enabled" in out and "cannot run" not in out


def test_import_prints_each_problem(created: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    assert main(["--home", str(created), "jobs", "export", "Company Sync_PX", str(path)]) == 0
    data = json.loads(path.read_text())
    data["name"] = ""
    data["success_recipients"] = ["nobody"]
    data["schedule"]["enabled"] = True
    path.write_text(json.dumps(data))
    capsys.readouterr()
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Not imported: 3 problem(s)")
    assert any("Enter a job name" in line for line in err[1:])
    assert any("'nobody'" in line for line in err[1:])
    assert any("upsert key" in line for line in err[1:])
    path.write_text("{broken")
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_alerts_show_set_and_refuse(created: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = str(created)
    assert main(["--home", home, "jobs", "alerts", "Company Sync_PX"]) == 0
    out = capsys.readouterr().out
    assert "no successful run for off; warn when a run takes longer than off" in out
    assert "no alert now" in out
    assert main(["--home", home, "jobs", "alerts", "Company Sync_PX", "--no-success-hours",
                 "1", "--long-run-minutes", "90"]) == 0
    out = capsys.readouterr().out
    assert "for 1 hours; warn when a run takes longer than 90 minutes" in out
    assert "alert: no successful run yet" not in out  # created a moment ago: not 1 hour yet
    assert main(["--home", home, "jobs", "show", "Company Sync_PX"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["stale_after_hours"], shown["long_run_minutes"]) == (1, 90)
    assert main(["--home", home, "jobs", "alerts", "Company Sync_PX", "--long-run-minutes",
                 "-5"]) == 1
    assert "0 = off" in capsys.readouterr().err
    assert main(["--home", home, "logs", "audit", "--job", "Company Sync_PX"]) == 0
    audit = capsys.readouterr().out
    assert "Warn If No Success For" in audit and "90 minutes" in audit


def test_list_shows_who_runs_a_job_now(created: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from pxdesk.core.context import open_context
    from pxdesk.core.logs.queries import display_time
    from pxdesk.core.store.base import now_ms
    from pxdesk.core.store.leases import JobLease
    from pxdesk.core.store.models import Job

    now = now_ms()
    with open_context(created):
        for name, expires in (("Company Sync_PX", now + 60_000),
                              ("Company Person Sync_PX", now - 1)):  # expired: not running
            JobLease.create(job=Job.get(Job.name == name), holder=name, host="build-7",
                            pid=4242, taken_at=now - 5_000, heartbeat_at=now - 1,
                            expires_at=expires)
    assert main(["--home", str(created), "jobs", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("Company Sync_PX  [company, upsert, schedule hourly, disabled]")
    assert out[at + 1] == (f"  Running on build-7 (pid 4242) since "
                           f"{display_time(now - 5_000)}")
    assert sum("Running on" in line for line in out) == 1
