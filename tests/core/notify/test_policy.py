"""The digest rule on plain data: 3 failures in a row, then at most one mail a day until success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pxdesk.core.notify.policy import HistoryEntry, failure_streak, should_send
from pxdesk.core.store.enums import RunStatus

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
F, S, P, K = RunStatus.FAILURE, RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS, RunStatus.SKIPPED


def hourly(*statuses: str) -> list[HistoryEntry]:
    """History, newest first, from statuses given oldest first, one run per hour from T0."""
    entries = [HistoryEntry(s, T0 + timedelta(hours=i)) for i, s in enumerate(statuses)]
    return entries[::-1]


def test_success_partial_and_first_failures_are_sent_normally() -> None:
    for statuses in ([S], [P], [F], [S, F, F], [F, F, S], [F, F, F, F, P]):
        decision = should_send(hourly(*statuses), None, T0 + timedelta(days=3))
        assert decision.send and not decision.digest, statuses


def test_third_consecutive_failure_is_the_first_digest() -> None:
    history = hourly(S, F, F, F)
    decision = should_send(history, None, history[0].ended_at)
    assert decision.send and decision.digest
    assert decision.consecutive_failures == 3
    assert decision.streak_started_at == T0 + timedelta(hours=1)


def test_failures_after_a_digest_are_silenced_for_a_day() -> None:
    digest_at = T0 + timedelta(hours=2)  # sent at the 3rd failure
    history = hourly(F, F, F, F)
    assert not should_send(history, digest_at, history[0].ended_at).send
    later = hourly(*([F] * 26))  # 23 h after the digest
    assert not should_send(later, digest_at, later[0].ended_at).send


def test_a_day_after_the_digest_another_digest_is_sent() -> None:
    digest_at = T0 + timedelta(hours=2)
    history = hourly(*([F] * 27))  # newest ends 26 h after T0, 24 h after the digest
    decision = should_send(history, digest_at, history[0].ended_at)
    assert decision.send and decision.digest and decision.consecutive_failures == 27


def test_a_digest_of_an_earlier_streak_does_not_silence_a_new_one() -> None:
    old_digest = T0 + timedelta(hours=2)
    history = hourly(F, F, F, S, F, F, F, F)  # new streak starts at hour 4
    decision = should_send(history, old_digest, history[0].ended_at)
    assert decision.send and decision.digest and decision.consecutive_failures == 4


def test_success_resets_the_streak() -> None:
    digest_at = T0 + timedelta(hours=2)
    history = hourly(F, F, F, F, S)
    decision = should_send(history, digest_at, history[0].ended_at)
    assert decision.send and not decision.digest and decision.consecutive_failures == 0


def test_skipped_runs_neither_count_nor_break_a_streak() -> None:
    assert failure_streak(hourly(S, F, K, F, K)) == (2, T0 + timedelta(hours=1))
    decision = should_send(hourly(S, F, K, F, F), None, T0 + timedelta(hours=5))
    assert decision.digest and decision.consecutive_failures == 3


def test_unnotified_status_and_empty_history_send_nothing() -> None:
    assert not should_send(hourly(F, F, K), None, T0).send
    assert not should_send(hourly(S, RunStatus.CANCELLED), None, T0).send
    assert not should_send([], None, T0).send
