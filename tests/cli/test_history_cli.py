"""`pxdesk-cli jobs history|diff|restore` and `connection history|diff|restore`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pxdesk.cli import main

JOB = "Company Sync_PX"


def _cli(home: Path, *args: str) -> int:
    return main(["--home", str(home), *args])


def test_job_history_diff_restore(created: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    original = tmp_path / "original.json"
    assert _cli(created, "jobs", "export", JOB, str(original)) == 0
    data = json.loads(original.read_text())
    data["alert_failure_percent"] = 12
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    assert _cli(created, "jobs", "import", str(edited)) == 0
    capsys.readouterr()

    assert _cli(created, "jobs", "history", JOB) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Version", "Saved", "By", "Action", "Summary"]
    assert lines[1].split()[0] == "2" and "1 change: Job Configuration" in lines[1]
    assert lines[2].split()[0] == "1" and "Create" in lines[2]

    assert _cli(created, "jobs", "diff", JOB, "1", "2") == 0
    diff = capsys.readouterr().out.splitlines()
    assert '-  "alert_failure_percent": 5.0,' in diff
    assert '+  "alert_failure_percent": 12.0,' in diff

    assert _cli(created, "jobs", "restore", JOB, "1") == 0
    assert "as version 3" in capsys.readouterr().out
    restored = tmp_path / "restored.json"
    assert _cli(created, "jobs", "export", JOB, str(restored)) == 0
    assert restored.read_text() == original.read_text()
    assert _cli(created, "jobs", "restore", JOB, "7") == 1
    assert "has no version 7 (versions: 1 to 3)" in capsys.readouterr().err


def test_connection_history_diff_restore(created: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from pxdesk.core.config.connection import ConnectionService
    from pxdesk.core.context import open_context

    with open_context(home=created) as ctx:
        ConnectionService(ctx.secrets, user="tester").edit(multi_instance=True)
    assert _cli(created, "connection", "history") == 0
    out = capsys.readouterr().out
    assert "1 change: Multi Instance" in out
    assert _cli(created, "connection", "diff", "1", "2") == 0
    assert '+  "multi_instance": true' in capsys.readouterr().out
    assert _cli(created, "connection", "restore", "1") == 0
    assert "as version 3" in capsys.readouterr().out
    assert _cli(created, "connection", "restore", "3") == 0
    assert "nothing to restore" in capsys.readouterr().out
