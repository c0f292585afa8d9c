"""`pxdesk-cli support-bundle FILE`: the zip a helper needs, without secrets or personal data."""

from __future__ import annotations

import argparse
from pathlib import Path

from pxdesk.cli.output import EXIT_OK, print_error
from pxdesk.core.context import AppContext
from pxdesk.core.support.bundle import DEFAULT_RUNS, write_support_bundle


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "support-bundle", help="write a support bundle (zip): versions, settings, jobs, "
        "the last runs and logs; no API key or SMTP password")
    parser.add_argument("file", type=Path, metavar="FILE", help="the .zip to write")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, metavar="N",
                        help=f"the last N runs with their requests (default {DEFAULT_RUNS})")
    parser.add_argument("--include-personal-data", action="store_true",
                        help="keep emails and names (removed by default)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.runs < 0:
        return print_error("--runs must be 0 or more")
    try:
        result = write_support_bundle(args.file, ctx.paths, ctx.secrets, runs=args.runs,
                                      include_personal_data=args.include_personal_data)
    except OSError as exc:
        return print_error(f"cannot write {args.file}: {exc.strerror or exc}")
    print(result.summary())
    return EXIT_OK
