"""Saving the admin's settings: every value checked first, then one transaction with the
SMTP password rotated beside it, so a save either happens whole or changes nothing. A saved
Admin email also fills every empty recipient list of the jobs and the job chain, in that
same transaction."""

from __future__ import annotations

import contextlib
import getpass
import uuid
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from pxdesk.core.config.chain_service import ChainService
from pxdesk.core.config.job_service import fill_empty_recipients
from pxdesk.core.config.validation import is_email
from pxdesk.core.errors import ConfigError
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store import settings as st
from pxdesk.core.store.base import database
from pxdesk.core.store.errors import store_errors
from pxdesk.core.store.models import Setting

# What the admin sees each setting called (the Settings dialog's labels): problems name it.
LABELS: dict[str, str] = {
    st.PERSON_RESOLUTION_KEY: "Person Resolution Key",
    st.DEFAULT_TIMEZONE: "Default time zone",
    st.ADMIN_NAME: "Admin name",
    st.ADMIN_EMAIL: "Admin email",
    st.RETENTION_DAYS: "Keep runs for",
    st.CATCH_UP_MISSED: "Run missed scheduled jobs",
    st.WINDOW_LOOKBACK_MINUTES: "Window look-back",
    st.RETRY_MAX_ATTEMPTS: "Retry failed records",
    st.RUNS_MAX_MB: "Keep run files up to",
    st.DAILY_REQUEST_BUDGET: "Daily PX request budget",
    st.SMTP_FROM: "Sender address",
    st.SMTP_HOST: "SMTP server",
    st.SMTP_PORT: "SMTP port",
    st.SMTP_SECURITY: "SMTP security",
    st.SMTP_USER: "SMTP user name",
    st.SMTP_PASSWORD_REF: "SMTP password",
}
_TYPE_NAMES = {bool: "on or off", int: "a whole number", str: "text", list: "a list"}


class SettingsError(ConfigError):
    """The changes were refused before anything was written; one line per problem.

    `field` is the key of the first problem, so a form can focus it.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = [line for _key, line in problems]
        super().__init__("\n".join(self.problems), field=problems[0][0])


def save_settings(
    changes: Mapping[str, Any], secrets: SecretStore, *, smtp_password: str | None = None,
    user: str | None = None,
) -> list[str]:
    """Store every key of `changes`, and the SMTP password unless it is None ("" clears it).
    A non-empty Admin email among them is given to every empty recipient list (see
    `give_admin_email`; `user` signs the audit rows: by default the Admin name, else the OS
    user). Returns the names of the jobs and chain whose lists it filled.

    Order, so that no failure leaves a half-saved state:
    1. every value is checked; SettingsError lists all problems and nothing is written;
    2. a new password goes under a *new* reference, so the saved one stays readable;
    3. the settings and the new reference are written in one transaction;
    4. only after the commit is the old secret deleted (a failure there leaves an orphan
       secret that nothing points to, never a setting that points to nothing).
    If step 3 fails, the transaction rolls back and the new secret is deleted: the database
    and the secrets are as before. Overwriting the secret in place instead would lose the old
    password whenever the database write failed. Store failures raise their StoreError.
    """
    check_settings(changes)
    admin_email = str(changes.get(st.ADMIN_EMAIL) or "").strip()
    texts = {key: st.setting_json(key, value.strip() if key == st.ADMIN_EMAIL and isinstance(
        value, str) else value) for key, value in changes.items()}
    old_ref = str(st.get_setting(st.SMTP_PASSWORD_REF) or "")
    new_ref = old_ref
    if smtp_password is not None:
        new_ref = secrets.put(smtp_password, f"smtp-password-{uuid.uuid4()}") if (
            smtp_password) else ""
        texts[st.SMTP_PASSWORD_REF] = st.setting_json(st.SMTP_PASSWORD_REF, new_ref)
    try:
        with store_errors(database().database), database().atomic():
            for key, text in texts.items():
                Setting.insert(key=key, value=text).on_conflict(
                    conflict_target=[Setting.key], update={Setting.value: text}).execute()
            filled = give_admin_email(admin_email, user=user or _user(changes))
    except BaseException:
        if new_ref and new_ref != old_ref:
            with contextlib.suppress(Exception):  # the original failure is the one to report
                secrets.delete(new_ref)
        raise
    if old_ref and old_ref != new_ref:
        with contextlib.suppress(Exception):  # an orphan secret is harmless, the save stands
            secrets.delete(old_ref)
    return filled


def _user(changes: Mapping[str, Any]) -> str:
    """Who saves: the Admin name being saved or saved before, else the OS user (as the app
    and the CLI name the audit's user)."""
    name = str(changes.get(st.ADMIN_NAME) or st.get_setting(st.ADMIN_NAME) or "").strip()
    return name or getpass.getuser()


def give_admin_email(email: str, *, user: str) -> list[str]:
    """The one rule for an Admin email being saved (here, by Settings or by the first-launch
    question): every *empty* success or failure list of every job and of the job chain gets
    it, audited under `user`, in the caller's transaction; lists the admin filled keep their
    addresses. Returns the names of the jobs, then the chain, that changed."""
    if not email:
        return []
    return fill_empty_recipients([email], user) + ChainService(user=user).fill_empty_recipients(
        [email])


def default_recipients() -> list[str]:
    """Who hears of a job's runs until the admin says otherwise: the Admin email, when set.

    The one rule for recipients: the seeded jobs start with it, and saving an Admin email
    gives it to every list still empty (`give_admin_email`).
    """
    admin = str(st.get_setting(st.ADMIN_EMAIL) or "").strip()
    return [admin] if admin else []


def needs_admin_email() -> bool:
    """True on a first launch: no Admin email yet and the admin was never asked (an answer
    or a Skip both end the question; Settings still edits the address)."""
    return not default_recipients() and not st.get_setting(st.ADMIN_EMAIL_ASKED, False)


def skip_admin_email() -> None:
    """The admin declined to give an address now: never ask again."""
    with store_errors(database().database):
        st.set_setting(st.ADMIN_EMAIL_ASKED, True)


def save_admin_email(email: str, *, user: str) -> list[str]:
    """Save the Admin email (checked like Settings does) and give it to every empty recipient
    list of the jobs and the chain, in one transaction; returns the names of the jobs, then
    the chain, whose lists it filled.

    SettingsError for an empty or invalid address: nothing is written then.
    """
    email = email.strip()
    problem = _email(email) if email else "enter an address, or skip."
    if problem is not None:
        raise SettingsError([(st.ADMIN_EMAIL, f"{LABELS[st.ADMIN_EMAIL]}: {problem}")])
    with store_errors(database().database), database().atomic():
        st.set_setting(st.ADMIN_EMAIL, email)
        st.set_setting(st.ADMIN_EMAIL_ASKED, True)
        return give_admin_email(email, user=user)


def check_settings(changes: Mapping[str, Any]) -> None:
    """SettingsError with every refused change, or None; writes nothing.

    A form calls it before any side effect of its own (the login entry) that a refused save
    would otherwise have to undo.
    """
    found = [(key, problem) for key, value in changes.items()
             if (problem := _problem(key, value)) is not None]
    if found:
        raise SettingsError(found)


def _problem(key: str, value: Any) -> str | None:
    if st.is_private(key):
        return f"{key} is pxdesk's own state, not a setting: it cannot be saved here."
    if key == st.SMTP_PASSWORD_REF:
        return (f"{LABELS[key]}: pass the password itself; its reference is pxdesk's to "
                "choose.")
    if key not in st.DEFAULTS:
        return f"{key} is not a setting pxdesk knows."
    label = LABELS.get(key, key)
    default = st.DEFAULTS[key]
    if default is not None and value is not None and (
        not isinstance(value, type(default)) or (type(default) is int and isinstance(value, bool))
    ):
        expected = _TYPE_NAMES.get(type(default), type(default).__name__)
        return f"{label}: expects {expected}, got {type(value).__name__}."
    rule = _RULES.get(key)
    detail = rule(value) if rule is not None else None
    return f"{label}: {detail}" if detail is not None else None


def _resolution_key(value: list[Any]) -> str | None:
    if not value or not all(isinstance(v, str) and v for v in value):
        return "tick at least one field."
    return None


def _timezone(value: Any) -> str | None:
    if value is None:
        return None  # the machine's zone
    if not isinstance(value, str) or value not in zoneinfo.available_timezones():
        return f"unknown time zone {value!r}: pick one from the list."
    return None


def _email(value: str) -> str | None:
    text = value.strip()
    return f"{text!r} is not an email address." if text and not is_email(text) else None


def _port(value: int) -> str | None:
    return None if 0 < value < 65536 else f"{value} is out of range: use 1 to 65535."


def _security(value: str) -> str | None:
    if value in st.SMTP_SECURITIES:
        return None
    return f"{value!r} is not one of {', '.join(st.SMTP_SECURITIES)}."


def _not_negative(hint: str) -> Callable[[int], str | None]:
    def check(value: int) -> str | None:
        return None if value >= 0 else f"{value} is below 0: use 0 {hint}."
    return check


def _at_least_one(value: int) -> str | None:
    return None if value >= 1 else f"{value} is below 1: a record is tried at least once."


def _budget(value: int) -> str | None:
    if value >= 1:
        return None
    return f"{value} is below 1: PX counts every request, allow at least one."


# Rules beyond the type, per key; each returns what to fix, or None.
_RULES: dict[str, Callable[[Any], str | None]] = {
    st.PERSON_RESOLUTION_KEY: _resolution_key,
    st.DEFAULT_TIMEZONE: _timezone,
    st.ADMIN_EMAIL: _email,
    st.SMTP_FROM: _email,
    st.SMTP_PORT: _port,
    st.SMTP_SECURITY: _security,
    st.RETENTION_DAYS: _not_negative("to keep runs forever"),
    st.WINDOW_LOOKBACK_MINUTES: _not_negative("for no look-back"),
    st.RETRY_MAX_ATTEMPTS: _at_least_one,
    st.RUNS_MAX_MB: _not_negative("for no size cap"),
    st.DAILY_REQUEST_BUDGET: _budget,
}
