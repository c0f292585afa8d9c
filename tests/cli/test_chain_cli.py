"""pxdesk-cli chain show|create|delete|run against the simulator."""

from __future__ import annotations

import json

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.store.models import ExecutionRun, JobChain
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB


def _cli(home, *args):
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


def test_chain_is_optional_created_shown_run_and_deleted(connect, home, capsys):
    connect()
    assert _cli(home, "chain", "show") == 0
    assert "No job chain" in capsys.readouterr().out
    assert _cli(home, "chain", "create", "--name", "Nightly", "--failure", "ops@example.com",
                "--kind", "daily_once", "--time", "02:00", "--timezone", "Europe/Berlin") == 0
    assert "Nightly" in capsys.readouterr().out
    chain = JobChain.get()
    assert (chain.kind, chain.time, chain.failure_recipients) == (
        "daily_once", "02:00", '["ops@example.com"]')
    assert _cli(home, "chain", "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["members"] == [COMPANY_JOB, PERSON_JOB]
    assert shown["schedule"]["timezone"] == "Europe/Berlin"
    assert _cli(home, "jobs", "list") == 0
    assert capsys.readouterr().out.count("schedule ignored: scheduled by chain Nightly") == 2
    assert _cli(home, "chain", "run", "--json") == 3  # the demo users include a few bad ones
    out = json.loads(capsys.readouterr().out)
    assert out["job_name"] == PERSON_JOB
    assert [d["job_name"] for d in out["dependencies"]] == [COMPANY_JOB]
    assert {r.chain_name for r in ExecutionRun.select()} == {"Nightly"}
    assert _cli(home, "chain", "delete") == 0
    assert JobChain.select().count() == 0


def test_invalid_chain_is_refused_with_one_line(connect, home, capsys):
    connect()
    assert _cli(home, "chain", "create", "--time", "25:00", "--kind", "daily_once") == 1
    assert "HH:MM" in capsys.readouterr().err
    assert JobChain.select().count() == 0
    assert _cli(home, "chain", "run") == 1
    assert "no job chain" in capsys.readouterr().err
