"""Run notification e-mails: build the message from a NotificationContext and send it via SMTP."""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pxdesk.core.errors import ConfigError, PxdeskError
from pxdesk.core.notify.context import NotificationContext
from pxdesk.core.notify.policy import Decision
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store.settings import (
    SMTP_FROM,
    SMTP_HOST,
    SMTP_PASSWORD_REF,
    SMTP_PORT,
    SMTP_SECURITIES,
    SMTP_SECURITY,
    SMTP_USER,
    get_setting,
)

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 1_000_000  # "small": attach below 1 MB, else point to the Logs tab
DEFAULT_TIMEOUT = 30.0


class NotificationError(PxdeskError):
    """A message could not be sent; the text is safe to show and log (never the password)."""


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server; the password is kept out of repr."""

    host: str
    port: int = 587
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    timeout: float = DEFAULT_TIMEOUT

    def validate(self) -> None:
        if not self.host.strip():
            raise ConfigError("No SMTP server is set: enter it in Settings > Notifications.",
                              field=SMTP_HOST)
        if self.security not in SMTP_SECURITIES:
            raise ConfigError(f"SMTP security must be one of {', '.join(SMTP_SECURITIES)}.",
                              field=SMTP_SECURITY)
        if not 0 < self.port < 65536:
            raise ConfigError(f"SMTP port {self.port} is out of range.", field=SMTP_PORT)
        if "@" not in self.sender:
            raise ConfigError("The sender address (From) is missing or invalid.", field=SMTP_FROM)


def load_smtp_settings(secrets: SecretStore) -> SmtpSettings:
    """The SMTP settings of the store, with the password fetched from the secret store."""
    ref = str(get_setting(SMTP_PASSWORD_REF) or "")
    return SmtpSettings(
        host=str(get_setting(SMTP_HOST)), port=int(get_setting(SMTP_PORT)),
        security=str(get_setting(SMTP_SECURITY)), user=str(get_setting(SMTP_USER)),
        password=(secrets.get(ref) or "") if ref else "", sender=str(get_setting(SMTP_FROM)),
    )


# ---------------------------------------------------------------- message


def one_line(text: str) -> str:
    """Header-safe text: a job name with a newline must not inject headers."""
    return " ".join(text.split())


def subject_for(ctx: NotificationContext, decision: Decision | None = None) -> str:
    subject = (f"[pxdesk] {one_line(ctx.job_name)}: {ctx.status} "
               f"({ctx.success} ok, {ctx.failure} failed)")
    if ctx.failure_rate is not None and ctx.failure_rate.alerted:
        subject += f" - {ctx.failure_rate.summary()}"
    if decision is not None and decision.digest:
        subject += f" - {decision.consecutive_failures} failures in a row (daily digest)"
    return subject


def _time(value: datetime | None, zone: tzinfo) -> str:
    if value is None:
        return "-"
    local = value.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''} ({zone})".replace("  ", " ")


def _duration(ctx: NotificationContext) -> str:
    if ctx.started_at is None or ctx.ended_at is None:
        return "-"
    seconds = max(0, round((ctx.ended_at - ctx.started_at).total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min {seconds} s"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} KB"


def _attachable(path: Path | None) -> tuple[bytes | None, str]:
    """The error file's bytes when small enough, and the body line that describes it."""
    if path is None or not path.is_file():
        return None, ""
    size = path.stat().st_size
    if size >= MAX_ATTACHMENT_BYTES:
        return None, (f"Error file: too large to attach ({_size(size)}); "
                      f"open it from the Logs tab or at {path}")
    return path.read_bytes(), f"Error file: attached ({path.name}, {_size(size)})"


def _digest_lines(ctx: NotificationContext, decision: Decision | None) -> list[str]:
    if decision is None or not decision.digest:
        return []
    since = _time(decision.streak_started_at, ctx.timezone)
    return [
        f"This job has failed {decision.consecutive_failures} times in a row (since {since}).",
        "Until it succeeds again, pxdesk sends at most one message a day about it.", "",
    ]


def body_for(ctx: NotificationContext, decision: Decision | None = None,
             attachment_line: str = "") -> str:
    lines = _digest_lines(ctx, decision)
    lines += [
        f"Job:        {ctx.job_name}",
        f"Connection: {ctx.connection_name or '-'}",
        f"Status:     {ctx.status}",
        f"Started:    {_time(ctx.started_at, ctx.timezone)}",
        f"Ended:      {_time(ctx.ended_at, ctx.timezone)}",
        f"Duration:   {_duration(ctx)}",
        f"Records:    {ctx.success} succeeded ({ctx.inserted} inserted, {ctx.updated} updated, "
        f"{ctx.unchanged} unchanged), {ctx.failure} failed",
    ]
    if ctx.failure_rate is not None and ctx.failure_rate.alerted:
        lines.append(f"Alert:      {ctx.failure_rate.summary()}")
    if ctx.reason:
        lines.append(f"Reason:     {ctx.reason}")
    if ctx.top_reasons:
        lines += ["", "Top error reasons:"]
        lines += [f"  {count:>6} x {reason}" for reason, count in ctx.top_reasons]
    if ctx.quality is not None and (report := ctx.quality.lines()):
        lines += ["", "Run quality:"]
        lines += [f"  {line}" for line in report]
    if attachment_line:
        lines += ["", attachment_line]
    run = f" (run {ctx.run_id})" if ctx.run_id is not None else ""
    lines += ["", f"Details{run}: open pxdesk > Logs > Execution log.", "", "-- pxdesk"]
    return "\n".join(lines) + "\n"


def _attachment_name(ctx: NotificationContext) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in ctx.job_name)
    run = f"-run{ctx.run_id}" if ctx.run_id is not None else ""
    return f"{safe}{run}-errors.csv"


def build_run_message(ctx: NotificationContext, sender: str,
                      decision: Decision | None = None) -> EmailMessage:
    """The e-mail of one run, with the error file attached when it is small."""
    data, attachment_line = _attachable(ctx.error_file)
    message = new_message(sender, ctx.recipients, subject_for(ctx, decision))
    message.set_content(body_for(ctx, decision, attachment_line))
    if data is not None:
        message.add_attachment(data, maintype="text", subtype="csv",
                               filename=_attachment_name(ctx))
    return message


def new_message(sender: str, to: list[str], subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(one_line(address) for address in to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="pxdesk.local")
    return message


# ---------------------------------------------------------------- sending


def _scrub(text: str, password: str) -> str:
    """Remove the password, and its base64 forms used by AUTH, from a server or library text."""
    if not password:
        return text
    forms = {password, base64.b64encode(password.encode()).decode()}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "****")
    return text


def _deliver(settings: SmtpSettings, message: EmailMessage, context: ssl.SSLContext) -> None:
    smtp: smtplib.SMTP
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.security == "starttls":
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)


def send_message(settings: SmtpSettings, message: EmailMessage,
                 ssl_context: ssl.SSLContext | None = None) -> None:
    """Send through the configured server; every failure becomes a NotificationError."""
    settings.validate()
    context = ssl_context if ssl_context is not None else ssl.create_default_context()
    try:
        _deliver(settings, message, context)
    except smtplib.SMTPAuthenticationError as exc:
        detail = _scrub(str(exc.smtp_error, errors="replace")
                        if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error),
                        settings.password)
        error = NotificationError(f"The SMTP server refused the login of "
                                  f"{settings.user!r}: {exc.smtp_code} {detail}")
    except (smtplib.SMTPException, OSError) as exc:
        error = NotificationError(
            f"Could not send mail through {settings.host}:{settings.port} "
            f"({settings.security}): {_scrub(str(exc) or type(exc).__name__, settings.password)}")
    else:
        log.info("Mail %r sent to %s", message["Subject"], message["To"])
        return
    log.warning("%s", error)
    raise error  # raised outside the except block: no chained traceback with library frames


def send_run_notification(settings: SmtpSettings, ctx: NotificationContext,
                          decision: Decision | None = None,
                          ssl_context: ssl.SSLContext | None = None) -> bool:
    """Mail the run to its recipients; False (nothing sent) when the list is empty."""
    if not ctx.recipients:
        return False
    send_message(settings, build_run_message(ctx, settings.sender, decision), ssl_context)
    return True


def send_test_email(settings: SmtpSettings, to: str,
                    ssl_context: ssl.SSLContext | None = None) -> None:
    """Send a short test message so the admin can check the SMTP settings."""
    if "@" not in to:
        raise ConfigError(f"{to!r} is not an e-mail address.")
    message = new_message(settings.sender, [to], "[pxdesk] Test message")
    message.set_content(
        "This is a test message from pxdesk.\n\n"
        f"Server: {settings.host}:{settings.port} ({settings.security})\n"
        f"Login:  {settings.user or '(none)'}\n\n"
        "If you can read this, run notifications will reach you.\n\n-- pxdesk\n"
    )
    send_message(settings, message, ssl_context)
