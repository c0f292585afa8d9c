"""`pxdesk-cli scheduler [--once]`: run the job schedules headless, e.g. as a systemd service."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from functools import partial
from types import FrameType

from pxdesk.cli.output import EXIT_OK
from pxdesk.cli.run import add_no_email_argument
from pxdesk.core.context import AppContext

SIGNAL_POLL_MS = 200  # Python handles a signal only when it runs: wake it up this often


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "scheduler", help="run the job schedules headless (as a service) until stopped",
        description="Start scheduled runs as the desktop app does (missed runs, pause, "
                    "dependencies, chains), with no window; logs to the app log and stderr. "
                    "Stops cleanly on SIGTERM or Ctrl+C, cancelling runs at their next page. "
                    "Mails each run as the app does (the job's lists, the digest rule).")
    parser.add_argument("--once", action="store_true",
                        help="start the runs missed since each job's last run, wait for them "
                             "and exit (for cron)")
    add_no_email_argument(parser)
    parser.set_defaults(handler=run_scheduler)


def run_scheduler(args: argparse.Namespace, ctx: AppContext) -> int:
    from PySide6.QtCore import QCoreApplication, QTimer

    from pxdesk.cli.run import run_notifier
    from pxdesk.core.applog import setup_logging
    from pxdesk.core.notify.notifier import notify_run_tree
    from pxdesk.core.schedule.headless import HeadlessScheduler
    from pxdesk.core.sync.engine import SyncEngine

    root = logging.getLogger()
    before = list(root.handlers)
    setup_logging(ctx.paths.log_dir, console=True)
    app = QCoreApplication.instance() or QCoreApplication([])
    engine = SyncEngine(ctx.secrets, user="scheduler", runs_dir=ctx.paths.runs_dir)
    mails = None if args.no_email else partial(notify_run_tree, run_notifier(ctx).notify_run)
    scheduler = HeadlessScheduler(engine, ctx.db, once=args.once, send_run_mails=mails)
    scheduler.idle.connect(app.quit)
    stopped_by: list[str] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopped_by.append(signal.Signals(signum).name)
        QTimer.singleShot(0, app.quit)  # queued: also quits a loop that has not started yet

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    waker = QTimer()
    waker.timeout.connect(_let_python_run)
    waker.start(SIGNAL_POLL_MS)
    try:
        scheduler.start()
        app.exec()
        scheduler.stop()
    finally:
        waker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        scheduler.deleteLater()
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
    if stopped_by:
        print(f"pxdesk scheduler stopped ({stopped_by[0]}); runs going on were cancelled.",
              file=sys.stderr)
    return EXIT_OK


def _let_python_run() -> None:
    """A no-op the Qt loop calls, so a pending SIGTERM / SIGINT handler gets to run."""
