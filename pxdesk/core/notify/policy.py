"""The digest rule: after 3 consecutive failures of a job, at most one mail a day until it recovers.

Pure functions over plain data, so the rule is tested without a store or an SMTP server.
Only runs that ended with Success, Partial Success or Failure count; Skipped, Cancelled and
open runs neither extend nor break a streak. Partial Success and Success both end a streak of
Failures (the job ran), so a flaky-but-working job is never silenced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pxdesk.core.store.enums import RunStatus

DIGEST_AFTER = 3  # the 3rd consecutive failure is the first digest
DIGEST_INTERVAL = timedelta(days=1)
NOTIFIED_STATUSES = frozenset({RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS, RunStatus.FAILURE})


@dataclass(frozen=True)
class HistoryEntry:
    """One finished run of the job: its status and when it ended (aware datetime)."""

    status: str
    ended_at: datetime


@dataclass(frozen=True)
class Decision:
    """Whether to mail the run just finished, and in which form."""

    send: bool
    digest: bool = False  # send a digest; the caller then records `now` as the last digest time
    consecutive_failures: int = 0
    streak_started_at: datetime | None = None
    reason: str = ""


def failure_streak(history: Sequence[HistoryEntry]) -> tuple[int, datetime | None]:
    """Consecutive Failures counted from the newest counted run, and when the streak began."""
    count, started = 0, None
    for entry in history:
        if entry.status not in NOTIFIED_STATUSES:
            continue
        if entry.status != RunStatus.FAILURE:
            break
        count, started = count + 1, entry.ended_at
    return count, started


def should_send(
    history: Sequence[HistoryEntry], last_digest_at: datetime | None, now: datetime
) -> Decision:
    """Decide for the newest run of `history` (newest first, the run just finished included)."""
    if not history:
        return Decision(send=False, reason="no finished run to notify")
    if history[0].status not in NOTIFIED_STATUSES:
        return Decision(send=False, reason=f"status {history[0].status} is not notified")
    streak, started = failure_streak(history)
    if streak < DIGEST_AFTER:
        return Decision(send=True, consecutive_failures=streak, streak_started_at=started,
                        reason="normal notification")
    # A digest sent before this streak began belongs to an earlier streak: it does not count.
    in_streak = last_digest_at is not None and started is not None and last_digest_at >= started
    if in_streak and last_digest_at is not None and now - last_digest_at < DIGEST_INTERVAL:
        return Decision(send=False, consecutive_failures=streak, streak_started_at=started,
                        reason="failure digest already sent within the last day")
    return Decision(send=True, digest=True, consecutive_failures=streak,
                    streak_started_at=started, reason="failure digest")
