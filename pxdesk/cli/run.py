"""`pxdesk-cli run JOB`: run a sync job (and its dependencies) now and print the summary."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from pxdesk.cli import dry_run
from pxdesk.cli.output import print_json
from pxdesk.core.context import AppContext
from pxdesk.core.errors import ConfigError
from pxdesk.core.notify.alert import failure_rate_of
from pxdesk.core.store.enums import RunStatus, Trigger
from pxdesk.core.sync.results import RunResult

if TYPE_CHECKING:  # imported when a run starts: `pxdesk-cli --help` stays quick
    from pxdesk.core.notify.notifier import RunNotifier
    from pxdesk.core.sync.engine import SyncEngine

EXIT_CODES = {RunStatus.SUCCESS: 0, RunStatus.PARTIAL_SUCCESS: 3}


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "run", help="run a sync job now (exit 0 Success, 3 Partial Success, 1 otherwise)",
        description="Run a job after its dependencies. With --from/--to it is an Import From "
                    "Date: it reads that lastModifiedDate range and does not move the window.")
    parser.add_argument("job", help="job name, e.g. 'Company Sync_PX'")
    parser.add_argument("--from", dest="date_from", help="range start: YYYY-MM-DD (00:00 UTC) "
                        "or an ISO date-time")
    parser.add_argument("--to", dest="date_to", help="range end: YYYY-MM-DD (that whole day, "
                        "UTC) or an ISO date-time; default now")
    parser.add_argument("--reconcile", action="store_true",
                        help="also list every id PX has and mark (or delete, as the job says) "
                             "the rows of records deleted in PX")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_no_email_argument(parser)
    dry_run.add_arguments(parser)
    parser.set_defaults(handler=run)


def add_no_email_argument(parser: argparse.ArgumentParser) -> None:
    """`--no-email`, for every command that runs jobs (run, chain run)."""
    parser.add_argument("--no-email", action="store_true",
                        help="send no run e-mail (by default every run of the tree is mailed "
                             "as the app does: the job's lists, the digest rule)")


def parse_date(text: str, *, end: bool = False) -> int:
    """Epoch ms of a CLI date; a bare date as `--to` means the end of that day (exclusive)."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return int((moment + timedelta(days=1 if end else 0)).timestamp() * 1000)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{text!r} is not a date: use YYYY-MM-DD or an ISO date-time",
                          field="date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _date_range(args: argparse.Namespace) -> tuple[int, int] | None:
    if args.date_from is None and args.date_to is None:
        return None
    if args.date_from is None:
        raise ConfigError("--to needs --from (the start of the Import From Date range)")
    from pxdesk.core.px.data_retention import retention_warning

    start = parse_date(args.date_from)
    end = parse_date(args.date_to, end=True) if args.date_to else \
        int(datetime.now(UTC).timestamp() * 1000)
    warning = retention_warning(start, datetime.now(UTC))
    if warning is not None:
        print(f"warning: {warning}", file=sys.stderr)
    return start, end


def _summary(result: RunResult, indent: str = "") -> list[str]:
    c = result.counts
    lines = [f"{indent}{result.job_name}: {result.status}"]
    lines.append(f"{indent}  success {c.success}, failure {c.failure}, "
                 f"inserted {c.inserted}, updated {c.updated}, "
                 f"filtered out {c.filtered}, pages {c.pages}"
                 + (f", retried {c.retried}" if c.retried else "")
                 + (f", gone from PX {c.deleted}" if c.deleted else ""))
    rate = failure_rate_of(result.run_id)
    if rate is not None and rate.alerted:
        lines.append(f"{indent}  alert: {rate.summary()}")
    if result.reason:
        lines.append(f"{indent}  reason: {result.reason}")
    if result.error_file and c.failure:
        lines.append(f"{indent}  error file: {result.error_file}")
    if result.success_file and c.success:
        lines.append(f"{indent}  success file: {result.success_file}")
    for dep in result.dependencies:
        lines += _summary(dep, indent + "  (dependency) ")
    return lines


def _as_json(result: RunResult) -> dict[str, Any]:
    """The result with its counters at the top level (the shape scripts read), and whether it
    crossed its job's failure alert: `alert`, `failed_percent` (null when no record was
    processed) and `alert_above_percent` (null when the job is gone)."""
    def flat(data: dict[str, Any]) -> dict[str, Any]:
        data.update(data.pop("counts"))
        rate = failure_rate_of(data["run_id"])
        data["alert"] = rate is not None and rate.alerted
        data["failed_percent"] = None if rate is None else rate.percent
        data["alert_above_percent"] = None if rate is None else rate.threshold
        data["dependencies"] = [flat(dep) for dep in data["dependencies"]]
        return data

    return flat(dataclasses.asdict(result))


def run_and_report(ctx: AppContext, as_json: bool,
                   call: Callable[[SyncEngine, Callable[[], bool]], RunResult], *,
                   email: bool = True) -> RunResult:
    """Run `call(engine, cancel)` with Ctrl+C meaning "cancel at the next page" (the run ends
    as Cancelled, what was written stays), print its result as text or JSON, then mail every
    run of the tree as the app does (unless `email` is False)."""
    from pxdesk.core.sync.engine import SyncEngine

    stop = threading.Event()

    def on_sigint(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        print("cancelling at the next page...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        result = call(SyncEngine(ctx.secrets, user="cli", runs_dir=ctx.paths.runs_dir),
                      stop.is_set)
    finally:
        signal.signal(signal.SIGINT, previous)
    if as_json:
        print_json(_as_json(result))
    else:
        print("\n".join(_summary(result)))
    sys.stdout.flush()  # the result before the (slower) mail lines
    if email:
        mail_run_tree(ctx, result)
    return result


def mail_run_tree(ctx: AppContext, result: RunResult) -> None:
    """The app's run e-mails, by the same core function; one line each on stderr (stdout
    stays the result). A mail that could not be sent is a warning, not the run's exit code."""
    from pxdesk.core.notify.notifier import notify_run_tree

    for sent in notify_run_tree(run_notifier(ctx).notify_run, result):
        job = sent.context.job_name if sent.context is not None else "the run"
        if sent.error:
            print(f"warning: run e-mail of {job} not sent: {sent.error} (--no-email skips "
                  "run e-mails)", file=sys.stderr)
        elif sent.sent and sent.context is not None:
            print(f"mailed {job}: {sent.context.status} to "
                  f"{', '.join(sent.context.recipients)}", file=sys.stderr)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.inputs import check_job_name

    check_job_name(args.job)
    dry_run.check_arguments(args)
    if args.dry_run:
        return dry_run.dry_run(args, ctx)
    date_range = _date_range(args)
    result = run_and_report(ctx, args.json, lambda engine, cancel: engine.run_job(
        args.job, trigger=Trigger.MANUAL, date_range=date_range, cancel=cancel,
        reconcile=args.reconcile), email=not args.no_email)
    return EXIT_CODES.get(result.status, 1)


def run_notifier(ctx: AppContext) -> RunNotifier:
    """The app's RunNotifier on this process's store, secrets and run files."""
    from pxdesk.core.notify.email import load_smtp_settings
    from pxdesk.core.notify.notifier import RunNotifier

    return RunNotifier(lambda: load_smtp_settings(ctx.secrets), ctx.paths.runs_dir)
