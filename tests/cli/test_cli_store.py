"""pxdesk-cli and the store: interrupted runs are closed by every command, and a busy or
damaged database ends the command with one line on stderr, never a traceback."""

from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.store import db as db_module
from pxdesk.core.store.db import index_names
from pxdesk.core.store.enums import Trigger
from pxdesk.core.store.models import ExecutionRun, Job, RunStatus
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB

LINK_INDEX = "company_person_company_id"  # deferred by a large load


def _cli(home, *args):
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


def test_logs_closes_a_killed_run_and_builds_its_indexes(connect, context, home, capsys):
    connect()
    job = Job.get(Job.name == PERSON_JOB)
    killed = ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.MANUAL,
                                 status=RunStatus.IN_PROGRESS, started_at=1)
    context.db.execute_sql(f'DROP INDEX "{LINK_INDEX}"')
    assert _cli(home, "logs", "execution", "--csv", "-") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["Status"] for row in rows] == ["Failure"]
    assert ExecutionRun.get_by_id(killed.id).status == RunStatus.FAILURE
    assert LINK_INDEX in index_names(context.db)


@pytest.mark.sqlite_only("a second sqlite3 connection holds the file's write lock")
def test_busy_database_is_one_line(connect, context, home, capsys, monkeypatch):
    connect()
    monkeypatch.setitem(db_module.PRAGMAS, "busy_timeout", 50)
    holder = sqlite3.connect(context.paths.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writes and keeps the lock
    try:
        code = main(["--home", str(home), "run", COMPANY_JOB])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        open_context(home)
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: the database is busy: another pxdesk (or program) is "
                          "writing to it") and err.count("\n") == 1


@pytest.mark.sqlite_only("damages the store file")
@pytest.mark.parametrize("command", [["logs", "execution"], ["run", COMPANY_JOB]])
def test_damaged_database_is_one_line(home, capsys, command):
    data = home / "data"
    data.mkdir(parents=True)
    (data / "pxdesk.sqlite3").write_bytes(b"not sqlite at all " * 200)
    assert main(["--home", str(home), *command]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: the database {data / 'pxdesk.sqlite3'} is not a pxdesk "
                          "database or is damaged (file is not a database)")
    assert err.count("\n") == 1
