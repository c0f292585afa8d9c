"""pxdesk-cli: headless commands on the same core as the desktop app (for servers and cron)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pxdesk import __version__
from pxdesk.cli import (
    adoption,
    chain,
    connection,
    data,
    desktop_entry,
    fields,
    jobs,
    logs,
    run,
    scheduler,
    settings,
    simulate,
    store,
    support,
)
from pxdesk.cli.output import EXIT_INTERRUPTED, flushed, print_error, silence_broken_pipe
from pxdesk.core.context import AppContext, open_context
from pxdesk.core.errors import PxdeskError
from pxdesk.core.paths import AppPaths
from pxdesk.core.store.errors import store_errors

# Each command module exposes register(subparsers); its handlers return an exit code.
COMMAND_MODULES = (simulate, connection, jobs, run, chain, logs, data, adoption, desktop_entry,
                   support, settings, fields, scheduler, store)
# Commands that never open the store: handler(args). Every other one is handler(args, ctx) on
# the one store this process opens, after the runs a dead process left are closed.
STORELESS_COMMANDS = frozenset({"simulate", "install-desktop-entry"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pxdesk-cli",
        description="Headless pxdesk: manage the PX connection, run sync jobs, export logs.",
    )
    parser.add_argument("--home", help="keep all data, config and logs under this folder "
                        "(default: $PXDESK_HOME, else the platform's folders)")
    parser.add_argument("--store", metavar="URL", help="the store: sqlite:///path/file or "
                        "postgresql://user@host/db (default: $PXDESK_STORE, else the SQLite "
                        "file in the home)")
    parser.add_argument("--version", action="version", version=f"pxdesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        with store_errors(AppPaths.resolve(args.home).db_path):
            if args.command in STORELESS_COMMANDS:
                return flushed(int(args.handler(args)))
            with open_context(args.home, args.store) as ctx:
                close_interrupted_runs(ctx)
                return flushed(int(args.handler(args, ctx)))
    except PxdeskError as exc:  # a store failure too: one line, never a traceback
        return print_error(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return silence_broken_pipe()


def close_interrupted_runs(ctx: AppContext) -> int:
    """Runs left Queued / In Progress by a killed process end as Failure, and the indexes its
    large load deferred are built, before a command reads the logs or the data."""
    from pxdesk.core.sync.engine import SyncEngine

    engine = SyncEngine(ctx.secrets, user="cli", runs_dir=ctx.paths.runs_dir)
    return engine.close_interrupted_runs()


if __name__ == "__main__":
    sys.exit(main())
