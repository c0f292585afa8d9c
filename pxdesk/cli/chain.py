"""`pxdesk-cli chain show|create|delete|run`: the optional job chain, on the same core."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pxdesk.cli.connection import admin_user
from pxdesk.cli.output import print_json
from pxdesk.cli.run import EXIT_CODES, add_no_email_argument, run_and_report
from pxdesk.core.context import AppContext
from pxdesk.core.store.enums import RunStatus, ScheduleKind, Trigger
from pxdesk.core.sync.results import RunResult, run_tree

if TYPE_CHECKING:
    from pxdesk.core.config.chain_service import ChainService


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "chain", help="the job chain: both jobs in order on the chain's own schedule",
        description="A job chain runs Company Sync, then Company Person Sync, on its own "
                    "schedule and mails its own recipients; while it is enabled the jobs' own "
                    "schedules are ignored. Without one, each job runs on its own schedule.")
    actions = parser.add_subparsers(dest="chain_action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print the chain (or that there is none)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_chain)
    create = actions.add_parser("create", help="create the chain, or change the existing one")
    create.add_argument("--name", help="default: the existing name, or the jobs' names")
    create.add_argument("--disabled", action="store_true",
                        help="keep it but leave the jobs on their own schedules")
    create.add_argument("--success", action="append", default=None, metavar="EMAIL",
                        help="success recipient (repeat for more)")
    create.add_argument("--failure", action="append", default=None, metavar="EMAIL",
                        help="failure recipient (repeat for more)")
    create.add_argument("--kind", choices=[k.value for k in ScheduleKind])
    create.add_argument("--every-hours", type=int)
    create.add_argument("--time", help="HH:MM (daily_once, weekly, monthly)")
    create.add_argument("--start-time", help="HH:MM (daily_repeat)")
    create.add_argument("--end-time", help="HH:MM (daily_repeat)")
    create.add_argument("--days", help="everyday, weekdays, or weekday numbers 0-6 as 0,2,4")
    create.add_argument("--day-of-month", type=int)
    create.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin")
    create.set_defaults(handler=create_chain)
    delete = actions.add_parser("delete", help="delete the chain: jobs use their own schedules")
    delete.set_defaults(handler=delete_chain)
    run = actions.add_parser("run", help="run the chain now (exit 0 Success, 3 Partial "
                                         "Success, 1 otherwise)")
    run.add_argument("--json", action="store_true")
    add_no_email_argument(run)
    run.set_defaults(handler=run_chain)


def _service() -> ChainService:
    from pxdesk.core.config.chain_service import ChainService

    return ChainService(user=admin_user())


def show_chain(args: argparse.Namespace, _ctx: AppContext) -> int:
    config = _service().config()
    if args.json:
        print_json(config.to_dict() if config is not None else None)
    else:
        print(config.summary() if config is not None else
              "No job chain: each job runs on its own schedule.")
    return 0


def _days(text: str) -> list[int] | str:
    if text.strip().lower() in ("everyday", "weekdays"):
        return text.strip().lower()
    from pxdesk.core.errors import ConfigError

    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"--days {text!r}: use everyday, weekdays or numbers such as 0,2,4",
                          field="days") from None


def create_chain(args: argparse.Namespace, _ctx: AppContext) -> int:
    import dataclasses

    service = _service()
    config = service.config() or service.proposal()
    config.enabled = not args.disabled
    config.name = args.name if args.name is not None else config.name
    if args.success is not None:
        config.success_recipients = [a for a in args.success if a]
    if args.failure is not None:
        config.failure_recipients = [a for a in args.failure if a]
    changes = {key: getattr(args, key) for key in (
        "kind", "every_hours", "time", "start_time", "end_time", "day_of_month", "timezone")
        if getattr(args, key) is not None}
    if args.days is not None:
        changes["days"] = _days(args.days)
    config.schedule = dataclasses.replace(config.schedule, enabled=True, **changes)
    service.save(config)
    print((service.config() or config).summary())
    return 0


def delete_chain(_args: argparse.Namespace, _ctx: AppContext) -> int:
    if _service().delete():
        print("Job chain deleted: each job runs on its own schedule again.")
    else:
        print("There is no job chain.")
    return 0


def run_chain(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.errors import ConfigError
    chain = _service().get()
    if chain is None:
        raise ConfigError("There is no job chain: create one with `pxdesk-cli chain create`.")
    result = run_and_report(ctx, args.json, lambda engine, cancel: engine.run_chain(
        chain.name, trigger=Trigger.MANUAL, cancel=cancel), email=not args.no_email)
    return _exit_code(result)


def _exit_code(result: RunResult) -> int:
    """The worst run of the chain decides: one job failing fails the chain."""
    return max(EXIT_CODES.get(r.status, 1) if r.status != RunStatus.SUCCESS else 0
               for r in run_tree(result))
