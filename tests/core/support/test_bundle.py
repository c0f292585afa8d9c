"""The support bundle after a real sync: every file free of secrets and, by default, emails."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.config.settings_service import save_settings
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import (
    AuditLog,
    Connection,
    ExecutionRun,
    Job,
    Person,
    RecordError,
    RequestLog,
)
from pxdesk.core.store.settings import ADMIN_EMAIL, ADMIN_NAME, SMTP_HOST, SMTP_USER
from pxdesk.core.support.bundle import write_support_bundle
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB, connect, engine, sim  # noqa: F401

SMTP_PASSWORD = "smtp-Pa55word-xyz"
RECIPIENT = "ops.lead@example-corp.com"


def _store_emails() -> set[str]:
    emails = {p.email for p in Person.select() if p.email}
    for job in Job.select():
        emails |= set(json.loads(job.success_recipients)) | set(json.loads(job.failure_recipients))
    return emails | {"admin@example-corp.com", "mailer@example-corp.com", RECIPIENT}


@pytest.fixture
def synced(context: Any, connect: Any, engine: SyncEngine,  # noqa: F811
           sim: PxSimulator, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: F811
    connect()
    Job.update(failure_recipients=json.dumps([RECIPIENT])).execute()
    save_settings({ADMIN_NAME: "Ada Lovelace", ADMIN_EMAIL: "admin@example-corp.com",
                   SMTP_HOST: "smtp.example-corp.com", SMTP_USER: "mailer@example-corp.com"},
                  context.secrets, smtp_password=SMTP_PASSWORD)
    engine.run_job(COMPANY_JOB)
    engine.run_job(PERSON_JOB)
    run = ExecutionRun.select().order_by(ExecutionRun.id.desc()).get()
    # Leaks the bundle must catch: a key in a URL and a log line, an address in a reason.
    RequestLog.create(run=run, method="GET", status=200,
                      url=f"{sim.base_url}/users?pageSize=1&apikey={sim.api_key}")
    RecordError.create(run=run, source_id="u1", reason=f"no existing Person for {RECIPIENT}")
    RecordError.create(run=run, source_id="u2", reason="'Grace Hopper' is not a valid Date")
    AuditLog.create(job_name=PERSON_JOB, attribute="Record", sub_attribute="Person: Name",
                    action="Edit", old_value="Grace Hopper", new_value="Grace M. Hopper",
                    user="tester")
    monkeypatch.setattr("getpass.getuser", lambda: "sync")
    log_dir = Path(context.paths.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    (log_dir / "pxdesk.log").write_text(
        f"INFO sent with {sim.api_key} and {SMTP_PASSWORD} to {RECIPIENT} for Ada Lovelace\n"
        "INFO Company Sync_PX wrote /home/sync/.local/share/pxdesk/runs/1/errors.csv\n",
        encoding="utf-8")
    return context


def _texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_bundle_has_no_key_no_password_and_no_email(synced: Any, sim: PxSimulator,  # noqa: F811
                                                    tmp_path: Path) -> None:
    emails = _store_emails()
    assert len(emails) > 100  # every synced person's address is in the store
    result = write_support_bundle(tmp_path / "bundle.zip", synced.paths, synced.secrets)
    texts = _texts(result.path)
    assert {"versions.json", "settings.json", "connection.json", "jobs/company.json",
            "jobs/company_person.json", "logs/execution_log.csv", "logs/audit_log.csv",
            "logs/connection_log.csv", "app.log"} <= set(texts)
    last = ExecutionRun.select().order_by(ExecutionRun.id.desc()).get().id
    assert f"runs/{last}/requests.csv" in texts and f"runs/{last}/error_summary.csv" in texts
    assert result.runs == ExecutionRun.select().count() and result.files == len(texts)
    for name, text in texts.items():
        lowered = text.lower()
        assert sim.api_key not in text, name
        assert SMTP_PASSWORD not in text, name
        leaked = [e for e in emails if e.lower() in lowered]
        assert not leaked, (name, leaked[:3])
        assert "Ada Lovelace" not in text and "Grace" not in text, name
        assert "/home/sync/" not in text, name
    assert "Company Sync_PX wrote /home/<name>/.local" in texts["app.log"]
    assert "'…' is not a valid Date" in texts[f"runs/{last}/error_summary.csv"]
    assert "tester" not in texts["logs/audit_log.csv"]
    versions = json.loads(texts["versions.json"])
    assert versions["pxdesk"] and versions["python"] and versions["PySide6"]
    assert json.loads(texts["connection.json"])[0]["key_stored"] is True
    assert "Partial Success" in texts["logs/execution_log.csv"] or "Success" in texts[
        "logs/execution_log.csv"]


def test_personal_data_stays_when_asked_but_secrets_never(synced: Any, sim: PxSimulator,  # noqa: F811
                                                          tmp_path: Path) -> None:
    result = write_support_bundle(tmp_path / "bundle.zip", synced.paths, synced.secrets,
                                  runs=1, include_personal_data=True)
    texts = _texts(result.path)
    everything = "\n".join(texts.values())
    assert RECIPIENT in everything and "Ada Lovelace" in everything
    assert "'Grace Hopper' is not a valid Date" in everything and "/home/sync/" in everything
    assert sim.api_key not in everything and SMTP_PASSWORD not in everything
    assert result.runs == 1


def test_a_failed_bundle_leaves_no_file(synced: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_job: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr("pxdesk.core.support.bundle.load_job_config", broken)
    target = tmp_path / "bundle.zip"
    with pytest.raises(OSError):
        write_support_bundle(target, synced.paths, synced.secrets)
    assert list(tmp_path.glob("bundle.zip*")) == []
    assert Connection.select().count() == 1


def test_cli_writes_the_bundle(synced: Any, capsys: pytest.CaptureFixture[str],
                               tmp_path: Path) -> None:
    from pxdesk.cli import main

    target = tmp_path / "out" / "support.zip"
    assert main(["--home", str(synced.paths.data_dir.parent), "support-bundle", str(target),
                 "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Support bundle saved to {target}") and "the last 1 run(s)" in out
    assert main(["--home", str(synced.paths.data_dir.parent), "support-bundle",
                 str(tmp_path), ]) == 1  # a folder, not a file: one line, no traceback
    assert capsys.readouterr().err.startswith("error: cannot write")
