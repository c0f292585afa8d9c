"""`pxdesk-cli scheduler`: headless scheduling with the dispatcher's rules, clean stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.enums import RunStatus, Trigger
from pxdesk.core.store.models import ExecutionRun, Job, Schedule
from pxdesk.core.store.settings import PAUSE_SETTING, set_setting
from tests.cli.test_run_email_cli import HAPPY, _mail_to
from tests.core.engine.conftest import COMPANY_JOB, mark_upsert_key
from tests.core.notify.conftest import (  # noqa: F401  (fixtures)
    SmtpServer,
    smtp_factory,
    smtp_server,
    tls_files,
)

CODE = "import sys; from pxdesk.cli import main; sys.exit(main(sys.argv[1:]))"


def _hourly_job_last_run_hours_ago(home: Path, hours: int) -> None:
    with open_context(home):
        mark_upsert_key()
        job = Job.get(Job.name == COMPANY_JOB)
        Schedule.update(enabled=True, kind="hourly", every_hours=1,
                        timezone="UTC").where(Schedule.job == job).execute()
        at = int((datetime.now(UTC) - timedelta(hours=hours)).timestamp() * 1000)
        ExecutionRun.create(job=job, job_name=job.name, trigger=Trigger.MANUAL,
                            status=RunStatus.SUCCESS, queued_at=at, started_at=at, ended_at=at)


def _runs(home: Path) -> list[tuple[str, str, str | None]]:
    with open_context(home):
        return [(r.trigger, r.status, r.reason) for r in ExecutionRun.select().where(
            ExecutionRun.job_name == COMPANY_JOB).order_by(ExecutionRun.id)]


def test_once_catches_up_a_missed_run_then_exits(created: Path, qapp: Any,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _hourly_job_last_run_hours_ago(created, 3)
    assert main(["--home", str(created), "scheduler", "--once"]) == 0
    runs = _runs(created)
    assert len(runs) == 2, "three missed slots, one catch-up"
    trigger, status, reason = runs[-1]
    assert (trigger, status) == ("scheduled", "Success")
    assert reason is not None and reason.startswith("caught up the run due")
    err = capsys.readouterr().err
    assert "Scheduler started" in err and f"of {COMPANY_JOB} ended: Success" in err
    log = (created / "logs" / "pxdesk.log")
    assert log.exists() and "Scheduler stopped" in log.read_text(encoding="utf-8")


def test_once_keeps_a_pause(created: Path, qapp: Any) -> None:
    _hourly_job_last_run_hours_ago(created, 3)
    with open_context(created):
        set_setting(PAUSE_SETTING, {"until": None})
    assert main(["--home", str(created), "scheduler", "--once"]) == 0
    assert len(_runs(created)) == 1, "paused: nothing caught up"


@pytest.mark.timeout(60)
def test_sigterm_stops_the_service_with_one_line(created: Path) -> None:
    env = {**os.environ, "PXDESK_HOME": str(created)}
    proc = subprocess.Popen([sys.executable, "-c", CODE, "scheduler"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:  # bounded by the test's timeout
        seen.append(line)
        if "Scheduler started" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "pxdesk scheduler stopped (SIGTERM); runs going on were cancelled.")


def test_the_systemd_unit_runs_the_scheduler_and_stops_it_with_sigterm() -> None:
    import configparser

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    root = Path(__file__).resolve().parents[2]
    unit.read(root / "resources" / "pxdesk-scheduler.service", encoding="utf-8")
    assert unit["Service"]["ExecStart"].endswith("pxdesk-cli scheduler")
    assert unit["Service"]["KillSignal"] == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "default.target"


@pytest.mark.timeout(90)
def test_sigterm_during_a_run_cancels_it_and_frees_the_job(created: Path,
                                                          sim: PxSimulator) -> None:
    from pxdesk.core.pxsim.faults import Fault
    from pxdesk.core.store.leases import JobLease

    _hourly_job_last_run_hours_ago(created, 3)
    sim.page_size_cap = 1
    sim.inject(Fault("latency", delay=0.2, times=10_000, path="/v1/accounts"))
    env = {**os.environ, "PXDESK_HOME": str(created)}
    proc = subprocess.Popen([sys.executable, "-c", CODE, "scheduler"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    for line in proc.stderr:  # bounded by the test's timeout
        if f"of {COMPANY_JOB} started" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    sim.clear_faults()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("pxdesk scheduler stopped (SIGTERM)")
    assert _runs(created)[-1][:2] == ("scheduled", "Cancelled")
    with open_context(created):
        assert JobLease.select().count() == 0


def test_once_mails_the_run_as_the_app_does(created: Path, qapp: Any,
                                            smtp_server: SmtpServer) -> None:  # noqa: F811
    _hourly_job_last_run_hours_ago(created, 3)
    with open_context(created):
        _mail_to(smtp_server.port)
    assert main(["--home", str(created), "scheduler", "--once"]) == 0
    assert [to for _sender, to in smtp_server.inbox.envelopes] == [[HAPPY]]
    assert COMPANY_JOB in smtp_server.inbox.messages[0]["Subject"]


def test_once_with_no_email_mails_nothing(created: Path, qapp: Any,
                                          smtp_server: SmtpServer) -> None:  # noqa: F811
    _hourly_job_last_run_hours_ago(created, 3)
    with open_context(created):
        _mail_to(smtp_server.port)
    assert main(["--home", str(created), "scheduler", "--once", "--no-email"]) == 0
    assert _runs(created)[-1][1] == "Success"
    assert smtp_server.inbox.messages == []
