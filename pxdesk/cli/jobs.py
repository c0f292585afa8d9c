"""`pxdesk-cli jobs list|show|export|import|history|diff|restore`: job configurations as JSON,
and their saved versions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pxdesk.cli import job_alerts
from pxdesk.cli.connection import admin_user
from pxdesk.cli.history import print_diff, print_versions
from pxdesk.cli.output import EXIT_FAILURE, EXIT_OK
from pxdesk.core.context import AppContext
from pxdesk.core.errors import ConfigError


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("jobs", help="list, show, export or import the sync jobs")
    sub = parser.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="the jobs with their schedule and blockers").set_defaults(
        handler=list_jobs)
    show = sub.add_parser("show", help="print a job's configuration (JSON)")
    show.add_argument("job", help="job name, e.g. 'Company Sync_PX'")
    show.set_defaults(handler=show_job)
    export = sub.add_parser("export", help="write a job's configuration to a JSON file")
    export.add_argument("job")
    export.add_argument("file", type=Path)
    export.set_defaults(handler=export_job)
    imp = sub.add_parser("import", help="apply a JSON configuration to the job of its kind",
                         description="Validated like the wizard; nothing changes on an error.")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=import_job)
    history = sub.add_parser("history", help="the job's saved versions, newest first")
    history.add_argument("job")
    history.set_defaults(handler=job_history)
    diff = sub.add_parser("diff", help="what changed between two versions (unified diff)")
    diff.add_argument("job")
    diff.add_argument("old", type=int, metavar="V1")
    diff.add_argument("new", type=int, metavar="V2")
    diff.set_defaults(handler=job_diff)
    restore = sub.add_parser("restore", help="save an earlier version again (a new version)",
                             description="Validated like the wizard; audited; nothing changes "
                                         "on an error.")
    restore.add_argument("job")
    restore.add_argument("version", type=int, metavar="V")
    restore.set_defaults(handler=job_restore)
    job_alerts.register(sub)


def list_jobs(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.chain_service import chain_of_job
    from pxdesk.core.config.job_config import load_job_config
    from pxdesk.core.config.job_service import JobService
    from pxdesk.core.sync.run_lease import JobLeases, running_text

    service = JobService(user=admin_user())
    jobs = service.jobs()
    running = JobLeases().holders()
    if not jobs:
        print("No jobs: create the PX connection first.")
        return EXIT_OK
    for job in jobs:
        config = load_job_config(job)
        schedule = config.schedule
        when = f"{schedule.kind}, {'enabled' if schedule.enabled else 'disabled'}"
        if (chain := chain_of_job(job.id)) is not None:
            when = f"ignored: scheduled by chain {chain.name}"
        print(f"{job.name}  [{job.kind}, {job.modification_type}, schedule {when}]")
        if (lease := running.get(job.name)) is not None:
            print(f"  {running_text(lease)}")
        for blocker in service.run_blockers(job):
            print(f"  cannot run: {blocker}")
    return EXIT_OK


def show_job(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.job_service import JobService

    sys.stdout.write(JobService(user=admin_user()).export_json(args.job))
    return EXIT_OK


def export_job(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.job_service import JobService

    text = JobService(user=admin_user()).export_json(args.job)
    try:
        args.file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot write {args.file}: {exc}") from None
    print(f"Exported '{args.job}' to {args.file}")
    return EXIT_OK


def import_job(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.job_service import JobService, read_job_file

    config = read_job_file(args.file)
    service = JobService(user=admin_user())
    job = service.get_by_kind(config.kind)
    issues = service.validate(job, config)
    if issues:
        print(f"Not imported: {len(issues)} problem(s) in {args.file}", file=sys.stderr)
        for issue in issues:
            print(f"{issue.stage}: {issue.field}: {issue.message}", file=sys.stderr)
        return EXIT_FAILURE
    service.save(job, config)
    print(f"Imported {args.file} into '{config.name}'")
    return EXIT_OK


def job_history(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.job_service import JobService

    versions = JobService(user=admin_user()).history(args.job)
    if not versions:
        print(f"No versions of '{args.job}' yet: every save from now on is kept.")
        return EXIT_OK
    print_versions(versions)
    return EXIT_OK


def job_diff(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.job_service import JobService

    print_diff(JobService(user=admin_user()).diff(args.job, args.old, args.new), args.old,
               args.new)
    return EXIT_OK


def job_restore(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.job_service import JobService

    version = JobService(user=admin_user()).restore(args.job, args.version)
    if version is None:
        print(f"Version {args.version} is the current configuration: nothing to restore.")
    else:
        print(f"Restored version {args.version} of '{args.job}' as version {version.number} "
              f"({version.summary})")
    return EXIT_OK
