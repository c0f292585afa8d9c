"""`pxdesk-cli run` mails like the app: every run of the run tree, by the same core function,
through a real SMTP server on 127.0.0.1; --no-email and --dry-run send nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.store import settings as st
from pxdesk.core.store.models import Job
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB
from tests.core.notify.conftest import (  # noqa: F401  (fixtures)
    SmtpServer,
    _free_port,
    smtp_factory,
    smtp_server,
    tls_files,
)

HAPPY = "happy@example.com"
ONCALL = "oncall@example.com"


def _cli(home: Path, *args: str) -> int:
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


def _mail_to(port: int) -> None:
    """SMTP on 127.0.0.1 without TLS or login; both jobs mail the two lists."""
    for key, value in [(st.SMTP_HOST, "127.0.0.1"), (st.SMTP_PORT, port),
                       (st.SMTP_SECURITY, "none"), (st.SMTP_FROM, "pxdesk@example.com")]:
        st.set_setting(key, value)
    Job.update(success_recipients=json.dumps([HAPPY]),
               failure_recipients=json.dumps([ONCALL])).execute()


@pytest.fixture
def mailing(connect: Callable[..., None], smtp_server: SmtpServer) -> SmtpServer:  # noqa: F811
    connect()
    _mail_to(smtp_server.port)
    return smtp_server


def test_run_mails_every_run_of_the_tree(home: Path, mailing: SmtpServer,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(home, "run", PERSON_JOB) == 3
    err = capsys.readouterr().err
    envelopes = mailing.inbox.envelopes
    assert [to for _sender, to in envelopes] == [[HAPPY], [ONCALL]]  # dependency first
    subjects = [m["Subject"] for m in mailing.inbox.messages]
    assert COMPANY_JOB in subjects[0] and "Success" in subjects[0]
    assert PERSON_JOB in subjects[1] and "Partial Success" in subjects[1]
    assert f"mailed {COMPANY_JOB}: Success to {HAPPY}" in err
    assert f"mailed {PERSON_JOB}: Partial Success to {ONCALL}" in err


def test_run_json_keeps_stdout_pure_while_mailing(home: Path, mailing: SmtpServer,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(home, "run", COMPANY_JOB, "--json") == 0
    assert json.loads(capsys.readouterr().out)["status"] == "Success"
    assert len(mailing.inbox.messages) == 1


def test_no_email_and_dry_run_send_nothing(home: Path, mailing: SmtpServer,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(home, "run", PERSON_JOB, "--no-email") == 3
    assert _cli(home, "run", COMPANY_JOB, "--dry-run") == 0
    assert mailing.inbox.messages == []
    assert "mailed" not in capsys.readouterr().err


def test_a_mail_server_down_is_a_warning_not_the_run_s_exit_code(
    home: Path, connect: Callable[..., None], capsys: pytest.CaptureFixture[str],
) -> None:
    connect()
    _mail_to(_free_port())  # nothing listens there
    assert _cli(home, "run", COMPANY_JOB) == 0
    (line,) = [x for x in capsys.readouterr().err.splitlines() if x.startswith("warning:")]
    assert f"run e-mail of {COMPANY_JOB} not sent: Could not send mail through 127.0.0.1" in line
    assert "--no-email" in line


def test_a_chain_run_mails_each_job_to_the_chain_s_lists(home: Path, mailing: SmtpServer,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(home, "chain", "create", "--name", "Nightly", "--success", "chain@example.com",
                "--failure", "ops@example.com") == 0
    assert _cli(home, "chain", "run") == 3
    assert [to for _sender, to in mailing.inbox.envelopes] == [["chain@example.com"],
                                                                ["ops@example.com"]]


def test_a_chain_run_with_no_email_sends_nothing(home: Path, mailing: SmtpServer,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(home, "chain", "create", "--name", "Nightly", "--success", "chain@example.com",
                "--failure", "ops@example.com") == 0
    assert _cli(home, "chain", "run", "--no-email") == 3
    assert mailing.inbox.messages == []
    assert "mailed" not in capsys.readouterr().err
