"""Stale-data alerts, once per episode: checks the rule, remembers what was alerted, mails it.

An episode of "no successful run for N hours" opens when the rule first finds it and closes
when a successful run ends it (the job's `stale_alert_at`); a long run's episode is that run
(`long_run_alert_run_id`). Kept in the job row, so a restart does not mail an episode again.
Blocking (SMTP): call it off the GUI thread. It opens no Qt object.
"""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

from pxdesk.core.errors import ConfigError
from pxdesk.core.logs.stale import StaleAlert, StaleKind, stale_alerts
from pxdesk.core.notify.email import (
    NotificationError,
    SmtpSettings,
    new_message,
    one_line,
    send_message,
)
from pxdesk.core.store.base import database, now_ms
from pxdesk.core.store.models import Job

log = logging.getLogger(__name__)

Send = Callable[[SmtpSettings, EmailMessage, "ssl.SSLContext | None"], None]


@dataclass(frozen=True)
class StaleCheck:
    """What one check found: every alert now, and those whose episode began with it."""

    current: tuple[StaleAlert, ...] = ()
    new: tuple[StaleAlert, ...] = ()
    mailed: tuple[str, ...] = field(default=())  # job names whose alert mail went out

    def by_job(self) -> dict[str, list[StaleAlert]]:
        found: dict[str, list[StaleAlert]] = {}
        for alert in self.current:
            found.setdefault(alert.job_name, []).append(alert)
        return found


def open_episodes(alerts: Sequence[StaleAlert], now: int) -> list[StaleAlert]:
    """Record the episodes `alerts` open, close those that ended; returns the new ones."""
    new: list[StaleAlert] = []
    stale_jobs = {a.job_id for a in alerts if a.kind is StaleKind.NO_SUCCESS}
    with database().atomic():
        for alert in alerts:
            job = Job.get_or_none(Job.id == alert.job_id)
            if job is None:
                continue
            if alert.kind is StaleKind.NO_SUCCESS and job.stale_alert_at is None:
                Job.update(stale_alert_at=now).where(Job.id == job.id).execute()
                new.append(alert)
            elif alert.kind is StaleKind.LONG_RUN and job.long_run_alert_run_id != alert.run_id:
                Job.update(long_run_alert_run_id=alert.run_id).where(Job.id == job.id).execute()
                new.append(alert)
        # A successful run (or the alert turned off) ends the episode: the next one mails again.
        Job.update(stale_alert_at=None).where(Job.stale_alert_at.is_null(False)
                                              & Job.id.not_in(list(stale_jobs) or [0])).execute()
    return new


def alert_message(alert: StaleAlert, recipients: list[str], sender: str,
                  now: datetime) -> EmailMessage:
    """The mail of one stale-data alert, to the job's failure recipients."""
    message = new_message(sender, recipients,
                          f"[pxdesk] {one_line(alert.job_name)}: {alert.summary()}")
    advice = ("Check its schedule, the connection and its last runs in pxdesk > Logs."
              if alert.kind is StaleKind.NO_SUCCESS else
              "A run this long may be stuck or PX may be slow: look at the run in pxdesk > "
              "Logs, and cancel it from the jobs table if it does not move.")
    message.set_content("\n".join([
        f"Job:     {alert.job_name}", f"Alert:   {alert.summary()}",
        f"Checked: {now:%Y-%m-%d %H:%M} UTC", "", advice,
        "pxdesk sends this once; it mails again only after the job has recovered.", "",
        "-- pxdesk"]) + "\n")
    return message


class StaleNotifier:
    """`check()` applies the rule at `clock()`, opens and closes episodes and mails the new
    ones; a mail that cannot go is logged, never raised (the episode still counts as told)."""

    def __init__(self, load_settings: Callable[[], SmtpSettings], *,
                 clock: Callable[[], int] = now_ms, send: Send = send_message,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._load_settings = load_settings
        self._clock = clock
        self._send = send
        self._ssl_context = ssl_context

    def check(self) -> StaleCheck:
        now = self._clock()
        alerts = stale_alerts(now)
        new = open_episodes(alerts, now)
        mailed = [alert.job_name for alert in new if self._mail(alert, now)]
        return StaleCheck(tuple(alerts), tuple(new), tuple(mailed))

    def _mail(self, alert: StaleAlert, now: int) -> bool:
        job = Job.get_or_none(Job.id == alert.job_id)
        recipients = list(json.loads(job.failure_recipients or "[]")) if job else []
        if not recipients:
            return False
        try:
            settings = self._load_settings()
            settings.validate()
            moment = datetime.fromtimestamp(now / 1000, UTC)
            self._send(settings, alert_message(alert, recipients, settings.sender, moment),
                       self._ssl_context)
        except (ConfigError, NotificationError) as exc:
            log.warning("Stale-data alert for %s not mailed: %s", alert.job_name, exc)
            return False
        return True
