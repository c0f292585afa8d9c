"""RunMailer mails a finished run tree off the GUI thread through the core's one function."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from pxdesk.core.notify import notifier
from pxdesk.core.notify.notifier import NotifyOutcome
from pxdesk.core.store.enums import RunStatus
from pxdesk.core.sync.results import RunResult
from pxdesk.ui import run_mailer
from pxdesk.ui.run_mailer import RunMailer


def test_the_app_and_the_cli_mail_a_tree_by_the_same_function() -> None:
    assert run_mailer.notify_run_tree is notifier.notify_run_tree


def test_a_chain_s_runs_are_mailed_in_run_order_off_the_gui_thread(qtbot: QtBot) -> None:
    calls: list[tuple[int, bool]] = []

    def notify_run(run_id: int) -> NotifyOutcome:
        calls.append((run_id, threading.current_thread() is threading.main_thread()))
        return NotifyOutcome(True, None, None)

    mailer = RunMailer(notify_run)
    tree = RunResult(2, "Company Person Sync_PX", RunStatus.SUCCESS,
                     dependencies=[RunResult(1, "Company Sync_PX", RunStatus.SUCCESS)])
    with qtbot.waitSignal(mailer.mailed, timeout=10_000) as mailed:
        mailer.on_run_finished("chain", tree)
    assert calls == [(1, False), (2, False)]
    assert [o.sent for o in mailed.args[0]] == [True, True]
    assert mailer.pending() == 0


def test_quitting_just_after_a_mail_went_out_does_not_wait_out_the_thread() -> None:
    """The mail's thread idles in its event loop once sent; at quit nobody delivers the
    'sent' signal that would stop it, so `wait` must stop it itself (it waited 30 s)."""
    sent = threading.Event()

    def notify_run(_run_id: int) -> NotifyOutcome:
        sent.set()
        return NotifyOutcome(True, None, None)

    mailer = RunMailer(notify_run)
    mailer.on_run_finished("Company Sync_PX", RunResult(1, "Company Sync_PX", RunStatus.SUCCESS))
    assert sent.wait(10)
    (call,) = mailer._calls
    mailer.wait(timeout_ms=2_000)
    assert not call.is_running()
