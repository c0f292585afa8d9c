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
