"""pxdesk-cli: headless commands on the same core as the desktop app (for servers and cron)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pxdesk import __version__
from pxdesk.cli import connection, data, desktop_entry, jobs, logs, run, simulate
from pxdesk.core.errors import PxdeskError
from pxdesk.core.paths import AppPaths
from pxdesk.core.store.errors import store_errors

# Each command module exposes register(subparsers); its handlers return an exit code.
COMMAND_MODULES = (simulate, connection, jobs, run, logs, data, desktop_entry)
# Commands that never open the store; every other one first closes runs a dead process left.
STORELESS_COMMANDS = frozenset({"simulate", "install-desktop-entry"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pxdesk-cli",
        description="Headless pxdesk: manage the PX connection, run sync jobs, export logs.",
    )
    parser.add_argument("--home", help="keep all data, config and logs under this folder "
                        "(default: $PXDESK_HOME, else the platform's folders)")
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
            if args.command not in STORELESS_COMMANDS:
                close_interrupted_runs(args.home)
            return int(args.handler(args))
    except PxdeskError as exc:  # a store failure too: one line, never a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def close_interrupted_runs(home: str | None) -> int:
    """Runs left Queued / In Progress by a killed process end as Failure, and the indexes its
    large load deferred are built, before a command reads the logs or the data."""
    from pxdesk.core.context import open_context
    from pxdesk.core.sync.engine import SyncEngine

    ctx = open_context(home)
    try:
        engine = SyncEngine(ctx.secrets, user="cli", runs_dir=ctx.paths.runs_dir)
        return engine.close_interrupted_runs()
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
