"""`pxdesk-cli connection create|edit`: a failed test refuses the save unless --no-test; an edit
rotates the key or moves the connection and keeps the jobs, their windows and their logs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.data import FIXED_ANCHOR_MS
from pxdesk.core.secrets import mask
from pxdesk.core.store.models import Connection, ConnectionLog, Job
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, USERS

NEW_KEY = "sk-rotated-key-0042"


@pytest.fixture
def moved() -> Iterator[PxSimulator]:
    """The same PX data behind another URL and another key (a rotated key, a new region)."""
    with PxSimulator(accounts=ACCOUNTS, users=USERS, anchor_ms=FIXED_ANCHOR_MS,
                     api_key=NEW_KEY) as simulator:
        yield simulator


def _cli(home: Path, *args: str) -> int:
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


def _create(home: Path, sim: PxSimulator, *extra: str) -> int:
    return _cli(home, "connection", "create", "--name", "PX", "--base-url", sim.base_url, *extra)


def test_create_with_a_failed_test_saves_nothing_and_exits_1(
    home: Path, sim: PxSimulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PXDESK_API_KEY", "sk-not-the-right-key")
    assert _create(home, sim) == 1
    captured = capsys.readouterr()
    assert "Test: FAILED: API key rejected" in captured.out
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("error: Not created:") and "--no-test" in line
    assert Connection.select().count() == 0 and Job.select().count() == 0
    assert ConnectionLog.select().count() == 0


def test_create_with_no_test_saves_without_calling_px(
    home: Path, sim: PxSimulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PXDESK_API_KEY", "sk-not-the-right-key")
    assert _create(home, sim, "--no-test") == 0
    assert "Test: skipped (--no-test)" in capsys.readouterr().out
    assert list(sim.requests) == []
    conn = Connection.get()
    assert conn.last_test_at is None and Job.select().count() == 2


def test_create_records_the_test_it_passed(
    home: Path, sim: PxSimulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PXDESK_API_KEY", sim.api_key)
    assert _create(home, sim) == 0
    assert "Test: OK: Connected: 300 users visible" in capsys.readouterr().out
    conn = Connection.get()
    assert conn.last_test_ok and conn.last_test_message == "Connected: 300 users visible"


def test_edit_rotates_the_key_and_moves_the_url_keeping_jobs_and_windows(
    created: Path, sim: PxSimulator, moved: PxSimulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = created
    open_context(home)  # `created` ran the CLI, which closed the store binding
    Job.update(window_end=1_700_000_000_000).where(Job.name == COMPANY_JOB).execute()
    jobs_before = {(j.id, j.name, j.window_end) for j in Job.select()}
    monkeypatch.setenv("PXDESK_API_KEY", NEW_KEY)
    assert _cli(home, "connection", "edit", "--base-url", moved.base_url, "--rotate-key") == 0
    out = capsys.readouterr().out
    assert "Test: OK: Connected: 300 users visible" in out and NEW_KEY not in out
    conn = Connection.get()
    assert conn.base_url == moved.base_url and conn.key_hint == "****0042"
    assert conn.last_test_ok
    assert {(j.id, j.name, j.window_end) for j in Job.select()} == jobs_before
    edits = {(e.attribute, e.old_value, e.new_value) for e in
             ConnectionLog.select().where(ConnectionLog.action == "Edit")}
    assert ("Region / Base URL", sim.base_url, moved.base_url) in edits
    assert ("API Key", mask(sim.api_key), "****0042") in edits
    assert all(NEW_KEY not in f"{o}{n}" for _a, o, n in edits)
    monkeypatch.delenv("PXDESK_API_KEY")
    assert _cli(home, "connection", "test") == 0  # the saved key is the new one


def test_edit_with_a_failed_test_changes_nothing_unless_no_test(
    created: Path, moved: PxSimulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = created
    open_context(home)  # `created` ran the CLI, which closed the store binding
    before = Connection.get()
    logged = ConnectionLog.select().count()
    # the old key against the moved PX: rejected
    assert _cli(home, "connection", "edit", "--base-url", moved.base_url) == 1
    captured = capsys.readouterr()
    assert "Test: FAILED: API key rejected" in captured.out
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("error: Not saved:") and "--no-test" in line
    after = Connection.get()
    assert (after.base_url, after.key_hint) == (before.base_url, before.key_hint)
    assert ConnectionLog.select().count() == logged
    assert _cli(home, "connection", "edit", "--base-url", moved.base_url, "--no-test") == 0
    assert Connection.get().base_url == moved.base_url
    assert "Test: skipped (--no-test)" in capsys.readouterr().out


def test_edit_reads_a_piped_key_and_renames_default_jobs(
    created: Path, moved: PxSimulator, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = created
    open_context(home)  # `created` ran the CLI, which closed the store binding
    monkeypatch.delenv("PXDESK_API_KEY")
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW_KEY + "\n"))
    with pytest.raises(SystemExit):  # a region or a URL, not both
        main(["--home", str(home), "connection", "edit", "--base-url", moved.base_url,
              "--region", "us"])
    assert _cli(home, "connection", "edit", "--rotate-key", "--base-url", moved.base_url,
                "--name", "PX2") == 0
    assert Connection.get().name == "PX2"
    assert sorted(j.name for j in Job.select()) == ["Company Person Sync_PX2",
                                                     "Company Sync_PX2"]


def test_edit_without_a_change_or_a_connection_says_what_to_do(
    home: Path, created: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert _cli(home, "connection", "edit") == 1
    assert "Nothing to change" in capsys.readouterr().err
    assert _cli(home, "connection", "delete", "--yes") == 0
    capsys.readouterr()
    assert _cli(home, "connection", "edit", "--name", "X") == 1
    assert "create it first" in capsys.readouterr().err
