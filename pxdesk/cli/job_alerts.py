"""`pxdesk-cli jobs alerts JOB`: show or set a job's stale-data alerts, and whether one is on."""

from __future__ import annotations

import argparse
import sys

from pxdesk.cli.connection import admin_user
from pxdesk.cli.output import EXIT_FAILURE, EXIT_OK
from pxdesk.core.context import AppContext


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `alerts` to the `jobs` command's actions."""
    alerts = sub.add_parser(
        "alerts", help="show or set a job's stale-data alerts (0 = off)",
        description="Without options, shows the job's stale-data alerts and whether one is "
        "raised now. The desktop app checks them every minute, shows them in the tray and the "
        "jobs table and mails the failure recipients once per episode.")
    alerts.add_argument("job", help="job name, e.g. 'Company Sync_PX'")
    alerts.add_argument("--no-success-hours", type=int, metavar="N",
                        help="warn when the job has had no successful run for N hours")
    alerts.add_argument("--long-run-minutes", type=int, metavar="M",
                        help="warn when a run of the job takes longer than M minutes")
    alerts.set_defaults(handler=job_alerts)


def _limit(value: int, unit: str) -> str:
    return f"{value} {unit}" if value else "off"


def job_alerts(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.job_service import JobService
    from pxdesk.core.logs.stale import stale_alerts
    from pxdesk.core.store.base import now_ms

    service = JobService(user=admin_user())
    job = service.get(args.job)
    config = service.config(job.name)
    if args.no_success_hours is not None or args.long_run_minutes is not None:
        if args.no_success_hours is not None:
            config.stale_after_hours = args.no_success_hours
        if args.long_run_minutes is not None:
            config.long_run_minutes = args.long_run_minutes
        issues = service.validate(job, config)
        if issues:
            for issue in issues:
                print(f"error: {issue.message}", file=sys.stderr)
            return EXIT_FAILURE
        service.save(job, config)
    print(f"{job.name}: warn after no successful run for "
          f"{_limit(config.stale_after_hours, 'hours')}; warn when a run takes longer than "
          f"{_limit(config.long_run_minutes, 'minutes')}")
    raised = [a for a in stale_alerts(now_ms()) if a.job_id == job.id]
    for alert in raised:
        print(f"  alert: {alert.summary()}")
    if not raised:
        print("  no alert now")
    return EXIT_OK
