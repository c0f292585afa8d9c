"""RunNotifier: after a run ends, apply the digest rule and mail the right list; and
`notify_run_tree`, the one rule for mailing a whole run tree (the app and the CLI call it).

Blocking (SMTP): call it off the GUI thread. It opens no Qt object and reads only the store.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pxdesk.core.errors import ConfigError
from pxdesk.core.notify.context import (
    NotificationContext,
    clear_digest,
    context_for_run,
    job_history,
    last_digest_at,
    record_digest,
)
from pxdesk.core.notify.email import (
    NotificationError,
    SmtpSettings,
    send_run_notification,
)
from pxdesk.core.notify.policy import Decision, should_send
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.store.models import ExecutionRun
from pxdesk.core.sync.results import RunOutcome, tree_run_ids

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyOutcome:
    """What happened to one run's notification (for the log and the tray)."""

    sent: bool
    context: NotificationContext | None
    decision: Decision | None
    error: str | None = None


class RunNotifier:
    """Reads a finished run, decides with the digest rule, sends, remembers digests."""

    def __init__(
        self, load_settings: Callable[[], SmtpSettings], runs_dir: Path | None = None, *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._load_settings = load_settings
        self._runs_dir = runs_dir
        self._clock = clock
        self._ssl_context = ssl_context

    def notify_run(self, run_id: int) -> NotifyOutcome:
        """Mail the run `run_id` if its status and the digest rule say so; never raises."""
        run = ExecutionRun.get_or_none(ExecutionRun.id == run_id)
        if run is None:
            return NotifyOutcome(False, None, None, error=f"run {run_id} not found")
        ctx = context_for_run(run, self._runs_dir)
        now = self._clock()
        last = last_digest_at(run.job_id) if run.job_id is not None else None
        decision = should_send(job_history(run), last, now)
        if run.job_id is not None and run.status in (RunStatus.SUCCESS,
                                                     RunStatus.PARTIAL_SUCCESS):
            clear_digest(run.job_id)
        if not decision.send or not ctx.recipients:
            return NotifyOutcome(False, ctx, decision)
        try:
            settings = self._load_settings()
            send_run_notification(settings, ctx, decision, self._ssl_context)
        except (ConfigError, NotificationError) as exc:
            log.warning("Notification for run %s not sent: %s", run_id, exc)
            return NotifyOutcome(False, ctx, decision, error=str(exc))
        if decision.digest and run.job_id is not None:
            record_digest(run.job_id, now)
        return NotifyOutcome(True, ctx, decision)


def notify_run_tree(notify_run: Callable[[int], NotifyOutcome],
                    outcome: RunOutcome) -> list[NotifyOutcome]:
    """Mail every run of a finished run tree (a job after its dependencies, a chain's jobs) in
    the order they ran; what was not sent is logged. A crash without a run row mails nothing.

    Blocking (SMTP): the app calls it in a worker thread, `pxdesk-cli run` after the run.
    """
    outcomes = [notify_run(run_id) for run_id in tree_run_ids(outcome)]
    for sent in outcomes:
        if sent.error:
            log.warning("Run e-mail not sent: %s", sent.error)
    return outcomes
