"""Rules every admin-entered text obeys, whichever way it came in (wizard, CLI, import file).

A name or URL is printed in logs, mails, CSV files and one-line error messages, so it must be
valid Unicode, hold no control or bidi characters, and have a bounded length. The bounds are
product decisions (docs/decisions.md).
"""

from __future__ import annotations

import json
import unicodedata

from pxdesk.core.errors import ConfigError

MAX_JOB_NAME = 80  # names appear in tables, mail subjects, log lines
# A connection name ends the default job names ("Company Person Sync_" is 20 characters).
MAX_CONNECTION_NAME = MAX_JOB_NAME - 20
MAX_FIELD_PATH = 200  # a PX field path such as customAttributes.plan
MAX_URL = 2_048  # what browsers and proxies reliably carry
MAX_EMAIL = 254  # RFC 5321 path limit
MAX_RECIPIENTS = 100  # per list (success, failure)
MAX_FILTER_VALUE = 1_000  # one filter value (each item of an in-list); PX gets it in the URL
MAX_FILE_BYTES = 1_000_000  # a job export is a few KB; 1 MB leaves room for long in-lists

# Unicode gives control characters (Cc) no name; format characters (Cf) have one.
_CONTROL_NAMES = {"\t": "tab", "\n": "line feed", "\r": "carriage return", "\x00": "NUL",
                  "\x1b": "escape", "\x7f": "delete"}


def char_name(ch: str) -> str:
    """U+000A (line feed): the code point, and a name when Unicode or we know one."""
    name = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "").lower()
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def shown(value: str, limit: int = 60) -> str:
    """`value` quoted for a one-line message: control characters escaped, long text cut."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return repr(text)


def text_problem(value: str, label: str, *, max_len: int, spaces: bool = True) -> str | None:
    """Why `value` cannot be saved as `label` (a sentence saying what to fix), or None."""
    if len(value) > max_len:  # first: bounded work however long the value is
        return f"{label} is {len(value):,} characters long: use at most {max_len:,}"
    for i, ch in enumerate(value, start=1):
        category = unicodedata.category(ch)
        if category == "Cs":  # a lone surrogate: an undecodable byte (argv surrogateescape)
            return (f"{label} contains a byte that is not valid UTF-8 at character {i}: retype "
                    "it, or fix the encoding of the file or terminal it came from")
        if category in ("Cc", "Cf"):
            return (f"{label} contains the control character {char_name(ch)} at character "
                    f"{i}: remove it")
        if not spaces and ch.isspace():
            return f"{label} contains a space at character {i}: remove it, or write it as %20"
    return None


def check_text(value: str, label: str, field: str, *, max_len: int,
               spaces: bool = True) -> str:
    """`value` unchanged, or ConfigError(field) with the text_problem sentence."""
    problem = text_problem(value, label, max_len=max_len, spaces=spaces)
    if problem is not None:
        raise ConfigError(problem, field=field)
    return value


def check_job_name(name: str) -> str:
    """A job name typed to look a job up: refused before it reaches a query (an undecodable
    byte from the command line would make SQLite raise instead of answering "no such job")."""
    return check_text(name, "The job name", "name", max_len=MAX_JOB_NAME)


def stored_emails(text: str | None) -> list[str]:
    """A recipient list as a job or chain row stores it (JSON); whatever else is in the row
    reads as no recipient rather than failing a notification."""
    try:
        values = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v).strip() for v in values if str(v).strip()] if isinstance(values, list) else []
