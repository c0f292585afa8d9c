"""`pxdesk-cli settings get|set`: the Settings dialog's keys, labels and checks, headless.

Values are typed from the setting's default (on/off, whole numbers, comma-separated lists) and
saved through `settings_service.save_settings`, the dialog's own save: one set of rules. The
SMTP password is never an argument nor printed: it is read from stdin or a hidden prompt.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from pxdesk.cli.output import EXIT_OK, print_json, print_table
from pxdesk.core.context import AppContext
from pxdesk.core.errors import ConfigError
from pxdesk.core.store import settings as st

SMTP_PASSWORD = "smtp_password"  # the admin's name for the secret behind smtp_password_ref
MACHINE_ZONE = "machine"  # default_timezone: follow the machine's zone (stored as null)
_ON = ("on", "true", "yes", "1")
_OFF = ("off", "false", "no", "0")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("settings", help="show or change the settings (SMTP, admin "
                                 "email, Person Resolution Key, time zone, retention...)")
    sub = parser.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    get = sub.add_parser("get", help="every setting with its label, or the value of one")
    get.add_argument("key", nargs="?", help="a setting key, e.g. smtp_host")
    get.add_argument("--json", action="store_true", help="print JSON: key -> label and value")
    get.set_defaults(handler=get_settings)
    put = sub.add_parser(
        "set", help="check and save one setting",
        description="Lists are comma-separated (person_resolution_key: Email,Name); on/off for "
                    f"switches; default_timezone '{MACHINE_ZONE}' follows the machine. "
                    f"`set {SMTP_PASSWORD}` reads the password from stdin or a hidden prompt.")
    put.add_argument("key", help="a setting key (see `pxdesk-cli settings get`)")
    put.add_argument("value", nargs="?", help="the new value (never the SMTP password)")
    put.set_defaults(handler=set_setting)


def admin_keys() -> list[str]:
    """The keys the admin sets, in the dialog's order, the password in place of its ref."""
    from pxdesk.core.config.settings_service import LABELS

    return [SMTP_PASSWORD if key == st.SMTP_PASSWORD_REF else key for key in LABELS]


def label_of(key: str) -> str:
    from pxdesk.core.config.settings_service import LABELS

    return LABELS[st.SMTP_PASSWORD_REF if key == SMTP_PASSWORD else key]


def current_value(key: str) -> Any:
    if key == SMTP_PASSWORD:
        return "(set)" if st.get_setting(st.SMTP_PASSWORD_REF) else "(not set)"
    return st.get_setting(key)


def shown(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None and key == st.DEFAULT_TIMEZONE:
        from pxdesk.core.schedule.rules import machine_timezone

        return f"{MACHINE_ZONE} ({machine_timezone()})"
    return str(value)


def _known(key: str) -> str:
    if key not in admin_keys():
        raise ConfigError(f"{key} is not a setting pxdesk knows: see `pxdesk-cli settings get`",
                          field=key)
    return key


def get_settings(args: argparse.Namespace, ctx: AppContext) -> int:
    keys = [_known(args.key)] if args.key else admin_keys()
    values = {key: current_value(key) for key in keys}
    if args.json:
        print_json({key: {"label": label_of(key), "value": value}
                    for key, value in values.items()})
    elif args.key:
        print(shown(args.key, values[args.key]))
    else:
        print_table(("Key", "Setting", "Value"),
                    [(key, label_of(key), shown(key, value)) for key, value in values.items()])
    return EXIT_OK


def parse_value(key: str, text: str) -> Any:
    """The typed value of `text` for `key`, from the type of its default; what the type alone
    cannot tell (ranges, addresses, zones) is save_settings' to check."""
    default = st.DEFAULTS.get(key)
    text = text.strip()
    if key == st.DEFAULT_TIMEZONE:
        return None if text.lower() in ("", MACHINE_ZONE) else text
    if isinstance(default, bool):
        if text.lower() in _ON + _OFF:
            return text.lower() in _ON
        return text  # save_settings names the expected type ("on or off")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(default, list):
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def read_password() -> str:
    """The SMTP password from a pipe (first line) or a hidden prompt."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("SMTP password (hidden): ")
    try:
        text = sys.stdin.readline().rstrip("\r\n") if sys.stdin is not None else ""
    except (OSError, ValueError):
        text = ""
    if not text:
        raise ConfigError("No SMTP password: pipe it on stdin or type it at the prompt",
                          field=SMTP_PASSWORD)
    return text


def set_setting(args: argparse.Namespace, ctx: AppContext) -> int:
    from pxdesk.core.config.settings_service import save_settings

    key = args.key
    if key == SMTP_PASSWORD:
        if args.value is not None:
            raise ConfigError("The SMTP password is never an argument (shell history, ps): "
                              f"pipe it on stdin or run `settings set {SMTP_PASSWORD}` at a "
                              "terminal", field=SMTP_PASSWORD)
        save_settings({}, ctx.secrets, smtp_password=read_password())
        print(f"{label_of(key)}: saved in the {ctx.secrets.backend_name} secret store")
        return EXIT_OK
    if args.value is None:
        raise ConfigError(f"Give the new value: `pxdesk-cli settings set {key} VALUE`",
                          field=key)
    filled = save_settings({key: parse_value(key, args.value)}, ctx.secrets)  # as the dialog
    print(f"{label_of(key) if key in admin_keys() else key}: "
          f"{shown(key, current_value(key))}")
    if filled:  # the Admin email went to every empty recipient list, as in the dialog
        print(f"Recipients filled with {current_value(key)}: {', '.join(filled)}")
    return EXIT_OK
