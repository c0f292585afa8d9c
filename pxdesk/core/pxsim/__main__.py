"""``python -m pxdesk.core.pxsim``: run a simulator in the foreground (used by the benchmark)."""

from __future__ import annotations

import argparse

from pxdesk.core.pxsim import (
    DEFAULT_ACCOUNTS,
    DEFAULT_API_KEY,
    DEFAULT_SEED,
    DEFAULT_USERS,
    serve,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pxdesk.core.pxsim", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS)
    parser.add_argument("--users", type=int, default=DEFAULT_USERS)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--ascii-json", action="store_true",
                        help="escape non-ASCII text as \\uXXXX (faster for clients to parse)")
    parser.add_argument("--anchor-ms", type=int, default=None,
                        help="epoch ms every generated date precedes (default: now)")
    args = parser.parse_args(argv)
    serve(port=args.port, accounts=args.accounts, users=args.users, api_key=args.api_key,
          seed=args.seed, ascii_json=args.ascii_json, anchor_ms=args.anchor_ms)


if __name__ == "__main__":
    main()
