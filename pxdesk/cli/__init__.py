"""pxdesk-cli: headless commands on the same core as the desktop app (for servers and cron)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pxdesk import __version__
from pxdesk.cli import connection, data, desktop_entry, jobs, logs, run, simulate
from pxdesk.core.errors import PxdeskError

# Each command module exposes register(subparsers); its handlers return an exit code.
COMMAND_MODULES = (simulate, connection, jobs, run, logs, data, desktop_entry)


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
        return int(args.handler(args))
    except PxdeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
