"""`pxdesk-cli connection ...` in-process: create/test/show/delete, the key never an argument."""

from __future__ import annotations

from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Connection, ConnectionLog, Job


def _create(home: Path, sim: PxSimulator, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("PXDESK_API_KEY", sim.api_key)
    return main(["--home", str(home), "connection", "create", "--name", "PX",
                 "--base-url", sim.base_url])


def test_create_test_show_delete(home: Path, sim: PxSimulator,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert _create(home, sim, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "Company Sync_PX" in out and "Company Person Sync_PX" in out
    assert "Test: OK: Connected: 300 users visible" in out
    assert main(["--home", str(home), "connection", "test"]) == 0
    assert capsys.readouterr().out.strip() == "OK: Connected: 300 users visible"
    assert main(["--home", str(home), "connection", "show"]) == 0
    shown = capsys.readouterr().out
    assert sim.api_key not in shown and "****" in shown
    assert "Key stored in:   file (no OS keyring found)" in shown
    # create tests before the connection exists (like the wizard): only `test` is counted
    assert "PX requests today (UTC): 1 of 1,000,000" in shown.splitlines()
    assert main(["--home", str(home), "connection", "delete", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Delete the PX connection 'PX'?" in out and "Deleted 'PX'" in out
    ctx = open_context(home)
    try:
        assert Connection.select().count() == 0 and Job.select().count() == 0
        assert ConnectionLog.select().where(ConnectionLog.action == "Delete").count() == 1
    finally:
        ctx.close()


def test_create_refuses_a_second_connection_and_bad_input(
    home: Path, sim: PxSimulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _create(home, sim, monkeypatch) == 0
    capsys.readouterr()
    assert _create(home, sim, monkeypatch) == 1
    assert "Only one PX connection can exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the key is not an option at all
        main(["--home", str(home), "connection", "create", "--name", "X", "--region", "us",
              "--api-key", "k"])


def test_create_without_a_key_says_where_it_comes_from(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PXDESK_API_KEY", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--home", str(home), "connection", "create", "--name", "PX",
                 "--region", "us"]) == 1
    assert "PXDESK_API_KEY" in capsys.readouterr().err


def test_test_with_a_rejected_key_fails(home: Path, sim: PxSimulator,
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PXDESK_API_KEY", "sk-not-the-right-key")
    assert main(["--home", str(home), "connection", "create", "--name", "PX",
                 "--base-url", sim.base_url, "--no-test"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "connection", "test"]) == 1
    assert "API key rejected" in capsys.readouterr().out


def test_show_and_delete_without_a_connection(home: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "connection", "show"]) == 1
    assert main(["--home", str(home), "connection", "delete", "--yes"]) == 1
    assert "No PX connection" in capsys.readouterr().out
