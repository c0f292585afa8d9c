"""Run e-mails: content, attachment rule, and delivery to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pxdesk.core.errors import ConfigError
from pxdesk.core.notify.alert import FailureRate
from pxdesk.core.notify.context import NotificationContext
from pxdesk.core.notify.email import (
    MAX_ATTACHMENT_BYTES,
    NotificationError,
    SmtpSettings,
    build_run_message,
    send_run_notification,
    send_test_email,
)
from pxdesk.core.notify.policy import Decision
from tests.core.notify.conftest import PASSWORD, USER, SmtpServer

SENDER = "pxdesk@example.com"


def make_context(tmp_path: Path, **changes: object) -> NotificationContext:
    error_file = tmp_path / "errors.csv"
    if not error_file.exists():
        error_file.write_text("Source ID,Field,Value,Error Message\nA-1,id,,No existing record\n")
    base = NotificationContext(
        job_name="Company Sync_X", connection_name="X", status="Partial Success",
        started_at=datetime(2024, 7, 1, 8, 0, 0, tzinfo=UTC),
        ended_at=datetime(2024, 7, 1, 8, 2, 5, tzinfo=UTC),
        success=980, failure=20,
        top_reasons=[("No existing record", 15), ("Invalid email", 5)],
        error_file=error_file, recipients=["ops@example.com", "cs@example.com"],
        timezone=ZoneInfo("Europe/Paris"), run_id=42, inserted=10, updated=900, unchanged=70,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def settings_for(server: SmtpServer, security: str = "none", **changes: object) -> SmtpSettings:
    base = SmtpSettings(host="127.0.0.1", port=server.port, security=security, user=USER,
                        password=PASSWORD, sender=SENDER, timeout=5)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_subject_and_body_say_what_happened(tmp_path: Path) -> None:
    message = build_run_message(make_context(tmp_path), SENDER)
    assert message["Subject"] == "[pxdesk] Company Sync_X: Partial Success (980 ok, 20 failed)"
    body = message.get_body(("plain",)).get_content()
    for expected in ("Job:        Company Sync_X", "Connection: X", "Status:     Partial Success",
                     "2024-07-01 10:00:00 CEST (Europe/Paris)",  # start in the schedule's zone
                     "2024-07-01 10:02:05 CEST", "Duration:   2 min 5 s",
                     "980 succeeded (10 inserted, 900 updated, 70 unchanged), 20 failed",
                     "15 x No existing record", "5 x Invalid email", "run 42"):
        assert expected in body, expected
    assert body.index("No existing record") < body.index("Invalid email")


def test_digest_subject_and_body(tmp_path: Path) -> None:
    decision = Decision(send=True, digest=True, consecutive_failures=5,
                        streak_started_at=datetime(2024, 7, 1, 4, 0, tzinfo=UTC))
    ctx = make_context(tmp_path, status="Failure", success=0, failure=0, reason="Bad API key")
    message = build_run_message(ctx, SENDER, decision)
    assert message["Subject"].endswith("5 failures in a row (daily digest)")
    body = message.get_body(("plain",)).get_content()
    assert "failed 5 times in a row (since 2024-07-01 06:00:00 CEST" in body
    assert "Reason:     Bad API key" in body


def test_small_error_file_is_attached(tmp_path: Path) -> None:
    ctx = make_context(tmp_path)
    attachments = list(build_run_message(ctx, SENDER).iter_attachments())
    assert [a.get_filename() for a in attachments] == ["Company_Sync_X-run42-errors.csv"]
    assert attachments[0].get_content() == Path(str(ctx.error_file)).read_text()


def test_large_error_file_is_not_attached_but_named(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * MAX_ATTACHMENT_BYTES)
    message = build_run_message(make_context(tmp_path, error_file=big), SENDER)
    assert list(message.iter_attachments()) == []
    assert f"too large to attach (1.0 MB); open it from the Logs tab or at {big}" in (
        message.get_body(("plain",)).get_content())


def test_newline_in_job_name_cannot_inject_headers(tmp_path: Path) -> None:
    message = build_run_message(make_context(tmp_path, job_name="A\r\nBcc: evil@x.com"), SENDER)
    assert message["Bcc"] is None and "\n" not in message["Subject"]


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_delivers_with_each_security_and_login(
    tmp_path: Path, smtp_factory: Callable[[str], SmtpServer], security: str
) -> None:
    server = smtp_factory(security)
    ctx = make_context(tmp_path)
    assert send_run_notification(settings_for(server, security), ctx, None, server.client_context)
    assert server.inbox.logins == [USER]
    assert server.inbox.envelopes == [(SENDER, ["ops@example.com", "cs@example.com"])]
    received = server.inbox.messages[0]
    assert received["Subject"] == "[pxdesk] Company Sync_X: Partial Success (980 ok, 20 failed)"
    assert len(list(received.iter_attachments())) == 1


def test_no_recipients_sends_nothing(tmp_path: Path, smtp_server: SmtpServer) -> None:
    ctx = make_context(tmp_path, recipients=[])
    assert send_run_notification(settings_for(smtp_server), ctx) is False
    assert smtp_server.inbox.envelopes == []


def test_test_email(smtp_server: SmtpServer) -> None:
    send_test_email(settings_for(smtp_server), "admin@example.com")
    assert smtp_server.inbox.envelopes == [(SENDER, ["admin@example.com"])]
    message = smtp_server.inbox.messages[0]
    assert message["Subject"] == "[pxdesk] Test message"
    assert f"127.0.0.1:{smtp_server.port} (none)" in message.get_content()
    with pytest.raises(ConfigError):
        send_test_email(settings_for(smtp_server), "not-an-address")


def test_wrong_password_never_leaks(
    smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "Wr0ng-Secret-Value"
    settings = settings_for(smtp_server, password=wrong)
    with caplog.at_level(logging.DEBUG), pytest.raises(NotificationError) as info:
        send_test_email(settings, "admin@example.com")
    assert "refused the login of 'mailer'" in str(info.value)
    assert info.value.__context__ is None and info.value.__cause__ is None
    texts = [str(info.value), repr(info.value), repr(settings), caplog.text]
    assert all(wrong not in text for text in texts)
    assert smtp_server.inbox.envelopes == []


def test_unreachable_server_is_a_notification_error() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=1, security="none", sender=SENDER,
                            password=PASSWORD, timeout=2)
    with pytest.raises(NotificationError, match=r"127\.0\.0\.1:1 \(none\)") as info:
        send_test_email(settings, "admin@example.com")
    assert PASSWORD not in str(info.value)


@pytest.mark.parametrize(("change", "field"), [
    ({"host": ""}, "smtp_host"), ({"security": "tls"}, "smtp_security"),
    ({"port": 0}, "smtp_port"), ({"sender": ""}, "smtp_from"),
])
def test_invalid_settings_are_config_errors(change: dict[str, object], field: str) -> None:
    settings = dataclasses.replace(
        SmtpSettings(host="h", sender=SENDER), **change)  # type: ignore[arg-type]
    with pytest.raises(ConfigError) as info:
        send_test_email(settings, "admin@example.com")
    assert info.value.field == field


def test_an_alerted_run_says_so_in_its_subject_and_body(tmp_path: Path) -> None:
    ctx = make_context(tmp_path, success=875, failure=125,
                       failure_rate=FailureRate(875, 125, 5.0))
    message = build_run_message(ctx, SENDER)
    assert message["Subject"] == ("[pxdesk] Company Sync_X: Partial Success (875 ok, 125 "
                                  "failed) - 12.5% of records failed (alert above 5%)")
    body = message.get_body(("plain",)).get_content()
    assert "Alert:      12.5% of records failed (alert above 5%)" in body
    below = make_context(tmp_path, failure_rate=FailureRate(980, 20, 5.0))
    assert build_run_message(below, SENDER)["Subject"].endswith("(980 ok, 20 failed)")
