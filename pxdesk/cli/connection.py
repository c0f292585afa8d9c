"""`pxdesk-cli connection create|edit|test|show|delete|history|diff|restore`: the PX
connection, headless.

The API key is never a command-line argument (it would land in shell history and `ps`): it
comes from $PXDESK_API_KEY, else a pipe on stdin, else a hidden prompt. Create and edit test
what they are about to save and save nothing when the test fails, unless --no-test.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from pxdesk.cli.output import EXIT_FAILURE, EXIT_OK
from pxdesk.core.context import AppContext
from pxdesk.core.errors import ConfigError
from pxdesk.core.store.enums import Region

if TYPE_CHECKING:
    from pxdesk.core.config.connection import ConnectionService, TestResult

KEY_ENV = "PXDESK_API_KEY"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("connection", help="create, test, show or delete the PX "
                                 "connection")
    sub = parser.add_subparsers(dest="connection_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="create the connection and its two jobs",
                            description=f"The API key is read from ${KEY_ENV} or prompted "
                                        "for (hidden); it is never an argument.")
    create.add_argument("--name", required=True, help="connection name, e.g. PX")
    where = create.add_mutually_exclusive_group(required=True)
    where.add_argument("--region", choices=[r.value for r in Region], help="PX region")
    where.add_argument("--base-url", help="custom API base URL (https, or http to 127.0.0.1)")
    create.add_argument("--multi-instance", action="store_true",
                        help="several PX accounts roll up to one Company")
    _add_no_test(create)
    create.set_defaults(handler=create_connection)
    edit = sub.add_parser("edit", help="rotate the key, change the region, URL or name; jobs, "
                          "windows and logs stay",
                          description=f"With --rotate-key the new API key is read from "
                                      f"${KEY_ENV}, else stdin (piped), else a hidden prompt.")
    edit.add_argument("--name", help="new connection name (default job names follow it)")
    moved = edit.add_mutually_exclusive_group()
    moved.add_argument("--region", choices=[r.value for r in Region], help="new PX region")
    moved.add_argument("--base-url", help="new custom API base URL")
    edit.add_argument("--multi-instance", action=argparse.BooleanOptionalAction, default=None,
                      help="several PX accounts roll up to one Company (or not)")
    edit.add_argument("--rotate-key", action="store_true", help="replace the API key")
    _add_no_test(edit)
    edit.set_defaults(handler=edit_connection)
    sub.add_parser("test", help="call PX with the saved connection").set_defaults(
        handler=test_connection)
    sub.add_parser("show", help="print the connection (key masked)").set_defaults(
        handler=show_connection)
    delete = sub.add_parser("delete", help="delete the connection and its jobs (logs stay)")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(handler=delete_connection)
    sub.add_parser("history", help="the connection's saved versions (never the key)"
                   ).set_defaults(handler=connection_history)
    diff = sub.add_parser("diff", help="what changed between two versions (unified diff)")
    diff.add_argument("old", type=int, metavar="V1")
    diff.add_argument("new", type=int, metavar="V2")
    diff.set_defaults(handler=connection_diff)
    restore = sub.add_parser("restore", help="save an earlier version again (the key stays)")
    restore.add_argument("version", type=int, metavar="V")
    restore.set_defaults(handler=connection_restore)


def _add_no_test(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-test", action="store_true",
                        help="save without calling PX (by default a failed test saves nothing "
                             "and exits 1)")


def admin_user() -> str:
    """Who the logs name: the Admin Name setting, else the OS user."""
    from pxdesk.core.store.settings import ADMIN_NAME, get_setting

    return str(get_setting(ADMIN_NAME) or "") or getpass.getuser()


def read_api_key() -> str:
    """$PXDESK_API_KEY, else the first line piped on stdin, else a hidden prompt."""
    key = os.environ.get(KEY_ENV, "").strip()
    if key:
        return key
    if sys.stdin is None or not sys.stdin.isatty():
        try:
            key = sys.stdin.readline().strip() if sys.stdin is not None else ""
        except (OSError, ValueError):  # no stdin to read (a service, a closed descriptor)
            key = ""
        if not key:
            raise ConfigError(f"No API key: set ${KEY_ENV} or pipe the key on stdin (the key "
                              "is never an argument)", field="api_key")
        return key
    return getpass.getpass("PX API key (hidden): ").strip()


def _service(ctx: AppContext) -> ConnectionService:
    from pxdesk.core.config.connection import ConnectionService

    return ConnectionService(ctx.secrets, user=admin_user())


def _test_first(service: ConnectionService, args: argparse.Namespace, key: str | None,
                what: str) -> TestResult | None:
    """The test of what is about to be saved; ConfigError (nothing saved) when it fails.
    None with --no-test: PX is not called."""
    if args.no_test:
        return None
    from pxdesk.core.px.regions import resolve_base_url

    if args.region is not None or args.base_url is not None:
        resolve_base_url(args.region, args.base_url)  # a typo is named as such, not "failed"
    result = service.test(key, region=args.region, base_url=args.base_url)
    print(f"Test: {'OK' if result.ok else 'FAILED'}: {result.message}")
    if not result.ok:
        raise ConfigError(f"{what}: the test failed. Fix the key, region or URL, or pass "
                          "--no-test to save it untested", field="no_test")
    return result


def _print_test(result: TestResult | None) -> None:
    if result is None:
        print("Test: skipped (--no-test)")


def create_connection(args: argparse.Namespace, ctx: AppContext) -> int:
    service = _service(ctx)
    key = read_api_key()
    # A second connection is refused by create itself, before PX is called.
    result = None if service.get() is not None else _test_first(service, args, key,
                                                                 "Not created")
    conn = service.create(args.name, key, region=args.region,
                          base_url=args.base_url, multi_instance=args.multi_instance)
    if result is not None:
        service.record_test(result)
    print(f"Created the PX connection '{conn.name}' and its jobs:")
    for job in sorted(conn.jobs, key=lambda j: j.kind):
        print(f"  {job.name}")
    _print_test(result)
    print("Before running Company Sync, mark its upsert key (normally id -> PX Account ID):"
          " export the job, edit it, import it, or use the desktop app.")
    return EXIT_OK


def edit_connection(args: argparse.Namespace, ctx: AppContext) -> int:
    """Like the desktop app's Edit: the same service call (validated, logged, a new version),
    so the jobs, their windows and the logs stay. A rename or Multi Instance alone changes
    nothing PX sees, so only a new key or location is tested."""
    service = _service(ctx)
    if service.get() is None:
        raise ConfigError("There is no PX connection yet: create it first with `pxdesk-cli "
                          "connection create`", field="name")
    if args.name is None and args.region is None and args.base_url is None \
            and args.multi_instance is None and not args.rotate_key:
        raise ConfigError("Nothing to change: pass --name, --region, --base-url, "
                          "--[no-]multi-instance or --rotate-key", field="name")
    key = read_api_key() if args.rotate_key else None
    moves = key is not None or args.region is not None or args.base_url is not None
    result = _test_first(service, args, key, "Not saved") if moves else None
    conn = service.edit(name=args.name, api_key=key, region=args.region,
                        base_url=args.base_url, multi_instance=args.multi_instance)
    if result is not None:
        service.record_test(result)
    print(f"Saved the PX connection '{conn.name}'; its jobs, their windows and the logs stay.")
    if moves:
        _print_test(result)
    return EXIT_OK


def test_connection(args: argparse.Namespace, ctx: AppContext) -> int:
    result = _service(ctx).test()
    print(f"{'OK' if result.ok else 'FAILED'}: {result.message}")
    return EXIT_OK if result.ok else EXIT_FAILURE


def _when(ms: int | None) -> str:
    return "never" if ms is None else datetime.fromtimestamp(ms / 1000).strftime(
        "%Y-%m-%d %H:%M:%S")


def show_connection(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.logs.request_budget import budget_text
    from pxdesk.core.store.base import now_ms

    conn = _service(ctx).get()
    if conn is None:
        print("No PX connection: create one with `pxdesk-cli connection create`.")
        return EXIT_FAILURE
    tested = "not tested yet" if conn.last_test_at is None else (
        f"{'OK' if conn.last_test_ok else 'FAILED'} at {_when(conn.last_test_at)}: "
        f"{conn.last_test_message}")
    rows = [
        ("Name", conn.name),
        ("Region", Region.label_of(conn.region or "") or "-"),
        ("Base URL", conn.base_url or "-"),
        ("Multi Instance", "yes" if conn.multi_instance else "no"),
        ("API key", conn.key_hint or "****"),
        ("Key stored in", ctx.secrets.backend_name),
        ("Last test", tested),
        ("PX requests today (UTC)", budget_text(conn.name, now_ms())),
        ("Jobs", ", ".join(j.name for j in sorted(conn.jobs, key=lambda j: j.kind))),
    ]
    for label, value in rows:
        print(f"{label + ':':16} {value}")
    return EXIT_OK


def delete_connection(args: argparse.Namespace, ctx: AppContext) -> int:
    service = _service(ctx)
    if service.get() is None:
        print("No PX connection to delete.")
        return EXIT_FAILURE
    print(service.describe_delete())
    if not args.yes:
        if not sys.stdin.isatty():
            print("Not deleted: confirm with --yes when not at a terminal.", file=sys.stderr)
            return EXIT_FAILURE
        if input("Delete? [y/N] ").strip().lower() not in ("y", "yes"):
            print("Not deleted.")
            return EXIT_FAILURE
    summary = service.delete()
    print(f"Deleted '{summary.connection_name}' and the jobs {', '.join(summary.jobs)}; "
          f"{summary.runs_kept} runs stay in the logs.")
    return EXIT_OK


def connection_history(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.cli.history import print_versions

    print_versions(_service(ctx).history())
    return EXIT_OK


def connection_diff(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.cli.history import print_diff

    print_diff(_service(ctx).diff(args.old, args.new), args.old, args.new)
    return EXIT_OK


def connection_restore(args: argparse.Namespace, ctx: AppContext) -> int:
    version = _service(ctx).restore(args.version)
    if version is None:
        print(f"Version {args.version} is the current configuration: nothing to restore.")
    else:
        print(f"Restored version {args.version} of the connection as version "
              f"{version.number} ({version.summary})")
    return EXIT_OK
