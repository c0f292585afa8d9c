"""`pxdesk-cli simulate`: serve the embedded PX simulator on 127.0.0.1 until stopped."""

from __future__ import annotations

import argparse

from pxdesk.cli.output import EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from pxdesk.core import pxsim

    parser = commands.add_parser(
        "simulate",
        help="run the embedded PX simulator (prints its base URL on the first line)",
        description="Serve a PX-compatible REST API on 127.0.0.1 with deterministic demo data.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--accounts", type=int, default=pxsim.DEFAULT_ACCOUNTS)
    parser.add_argument("--users", type=int, default=pxsim.DEFAULT_USERS)
    parser.add_argument("--api-key", default=pxsim.DEFAULT_API_KEY,
                        help="the key clients must send (default: the demo key)")
    parser.add_argument("--seed", type=int, default=pxsim.DEFAULT_SEED)
    parser.add_argument("--scroll-mode", choices=pxsim.SCROLL_MODES, default="cursor",
                        help="cursor: one scrollId whose cursor moves on every call (default); "
                             "fresh: a new scrollId per page, a resend repeats the page")
    parser.add_argument("--page-size-cap", type=int, default=pxsim.MAX_PAGE_SIZE,
                        help="serve at most this many records per page, whatever was asked")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pxdesk.core import pxsim

    pxsim.serve(port=args.port, accounts=args.accounts, users=args.users,
                api_key=args.api_key, seed=args.seed, scroll_mode=args.scroll_mode,
                page_size_cap=args.page_size_cap)
    return EXIT_OK
