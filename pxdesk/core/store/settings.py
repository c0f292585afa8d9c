"""Application settings stored as JSON in the `setting` table: every key it holds, typed defaults.

Two kinds of key live in the table: the admin's settings (`DEFAULTS`, edited in the Settings
dialog and saved together by `config.settings_service.save_settings`) and pxdesk's private
state (`PRIVATE_KEYS`, `DIGEST_KEY_PREFIX`), written by the code that owns it. A key not
declared here is not written by pxdesk.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.models import Setting

PERSON_RESOLUTION_KEY = "person_resolution_key"
DEFAULT_TIMEZONE = "default_timezone"
ADMIN_NAME = "admin_name"
ADMIN_EMAIL = "admin_email"
SMTP_HOST = "smtp_host"
SMTP_PORT = "smtp_port"
SMTP_SECURITY = "smtp_security"
SMTP_USER = "smtp_user"
SMTP_PASSWORD_REF = "smtp_password_ref"
SMTP_FROM = "smtp_from"
RETENTION_DAYS = "retention_days"
CATCH_UP_MISSED = "catch_up_missed_runs"
WINDOW_LOOKBACK_MINUTES = "window_lookback_minutes"
RETRY_MAX_ATTEMPTS = "retry_max_attempts"
RUNS_MAX_MB = "runs_max_mb"
DAILY_REQUEST_BUDGET = "daily_request_budget"

# Defaults of the known settings. A None default accepts any JSON value.
DEFAULTS: dict[str, Any] = {
    # Person field api names (standard or custom) that identify a Person; several are ANDed.
    PERSON_RESOLUTION_KEY: ["Email"],
    DEFAULT_TIMEZONE: None,  # IANA name; None = the machine's zone
    ADMIN_NAME: "",
    ADMIN_EMAIL: "",
    SMTP_HOST: "",
    SMTP_PORT: 587,
    SMTP_SECURITY: "starttls",  # "starttls" | "ssl" | "none"
    SMTP_USER: "",
    SMTP_PASSWORD_REF: "",  # keyring reference; the password itself never enters the database
    SMTP_FROM: "",
    RETENTION_DAYS: 180,  # days of runs and their files to keep (the last run of a job stays)
    CATCH_UP_MISSED: True,  # run a job once at start-up / wake-up when its slot passed unseen
    # Incremental runs re-read this much before the last window end: PX clock skew and late
    # indexing never lose a record; what comes back unchanged is not written again.
    WINDOW_LOOKBACK_MINUTES: 5,
    # A record that failed is fetched again by the next runs until it goes through or has
    # failed this many times (then it waits until PX changes it).
    RETRY_MAX_ATTEMPTS: 5,
    # Run files (error and success files) beyond this many MB go, oldest runs first; 0 = no cap.
    RUNS_MAX_MB: 2048,
    # PX requests a connection may send per UTC day; a run that would cross it is held.
    DAILY_REQUEST_BUDGET: 1_000_000,
}

SMTP_SECURITIES = ("starttls", "ssl", "none")

# Private state: pxdesk writes these itself, the admin never edits them (save_settings refuses
# them); a missing row means "not set", so their readers pass their own default.
DEMO_SETTING = "demo_simulator"  # {"port": int}: the demo connection points at this port
PAUSE_SETTING = "schedules_paused"  # {"until": epoch ms or None}; no row = not paused
TRAY_HINT_SETTING = "tray_close_hint_shown"  # True once the "still running" message was shown
WINDOW_GEOMETRY_SETTING = "window_geometry"  # the main window's saveGeometry(), base64 text
ADMIN_EMAIL_ASKED = "admin_email_asked"  # True once the first launch asked for the Admin email
DIGEST_KEY_PREFIX = "notify_last_digest_job_"  # + job id; value: epoch ms of the last digest
# + "<UTC day>:<connection name>"; value: PX requests made outside runs that day (today only).
OUTSIDE_RUN_REQUESTS_PREFIX = "px_requests_outside_runs:"
PRIVATE_KEYS = frozenset({DEMO_SETTING, PAUSE_SETTING, TRAY_HINT_SETTING,
                          WINDOW_GEOMETRY_SETTING, ADMIN_EMAIL_ASKED})


def is_private(key: str) -> bool:
    """True for a key of pxdesk's own state rather than an admin setting."""
    return key in PRIVATE_KEYS or key.startswith((DIGEST_KEY_PREFIX, OUTSIDE_RUN_REQUESTS_PREFIX))


_MISSING = object()


def get_setting(key: str, default: Any = _MISSING) -> Any:
    """The stored value of `key`; else `default`; else the built-in default of a known key."""
    row = Setting.get_or_none(Setting.key == key)
    if row is not None:
        return json.loads(row.value)
    if default is not _MISSING:
        return default
    if key in DEFAULTS:
        return copy.deepcopy(DEFAULTS[key])  # callers may mutate lists safely
    raise ConfigError(f"Unknown setting {key!r}.", field=key)


def setting_json(key: str, value: Any) -> str:
    """`value` as the JSON text stored under `key`; ConfigError(key) when it cannot be."""
    known = DEFAULTS.get(key)
    if known is not None and value is not None:
        expected = type(known)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"Setting {key} expects {expected.__name__}, got {type(value).__name__}.",
                field=key)
    if key == PERSON_RESOLUTION_KEY and (
        not value or not all(isinstance(v, str) and v for v in value)
    ):
        raise ConfigError("The person resolution key needs at least one field.", field=key)
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Setting {key} is not JSON-serialisable: {exc}", field=key) from exc


def set_setting(key: str, value: Any) -> None:
    """Store `value` (any JSON-serialisable value) under `key`, replacing the old one."""
    text = setting_json(key, value)
    Setting.insert(key=key, value=text).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: text}).execute()


def delete_setting(key: str) -> None:
    """Forget the stored value so the default applies again."""
    Setting.delete().where(Setting.key == key).execute()


def all_settings() -> dict[str, Any]:
    """Every known setting with its effective value, plus any other stored key."""
    values = {key: copy.deepcopy(default) for key, default in DEFAULTS.items()}
    for row in Setting.select():
        values[row.key] = json.loads(row.value)
    return values


def person_resolution_key() -> list[str]:
    return list(get_setting(PERSON_RESOLUTION_KEY))


def retention_days() -> int:
    return int(get_setting(RETENTION_DAYS))


def runs_max_mb() -> int:
    return max(0, int(get_setting(RUNS_MAX_MB)))


def retry_max_attempts() -> int:
    return max(1, int(get_setting(RETRY_MAX_ATTEMPTS)))


def window_lookback_ms() -> int:
    return max(0, int(get_setting(WINDOW_LOOKBACK_MINUTES))) * 60_000
