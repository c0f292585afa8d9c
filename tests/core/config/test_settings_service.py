"""save_settings: every value checked first, then one transaction; the SMTP password rotates
with it, and a failure at any step leaves the stored settings and the secrets as they were."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from peewee import PeeweeException, SqliteDatabase

from pxdesk.core.config.settings_service import SettingsError, save_settings
from pxdesk.core.errors import StoreError
from pxdesk.core.store import settings as st
from pxdesk.core.store.errors import DatabaseBusyError

OLD_PASSWORD = "old-smtp-password"
NEW_PASSWORD = "new-smtp-password"

CHANGES: dict[str, Any] = {
    st.ADMIN_NAME: "Ada Admin",
    st.ADMIN_EMAIL: "ada@example.com",
    st.DEFAULT_TIMEZONE: "Europe/Berlin",
    st.RETENTION_DAYS: 30,
    st.SMTP_HOST: "smtp.example.com",
    st.SMTP_PORT: 2525,
    st.SMTP_USER: "mailer",
}


@pytest.fixture
def saved(context: Any) -> dict[str, Any]:
    """A store with a saved SMTP host and password: what every failed save must leave."""
    st.set_setting(st.SMTP_HOST, "old.example.com")
    st.set_setting(st.SMTP_PASSWORD_REF, context.secrets.put(OLD_PASSWORD, "smtp-password"))
    return st.all_settings()


def _secrets(context: Any) -> dict[str, str]:
    """Every secret held (the tests run on the fallback file: no keyring backend)."""
    path = context.paths.secrets_path
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _assert_unchanged(context: Any, before: dict[str, Any]) -> None:
    assert st.all_settings() == before, "no key written"
    assert _secrets(context) == {"smtp-password": OLD_PASSWORD}, "no secret written or lost"


def test_save_writes_every_key_and_rotates_the_password(
    context: Any, saved: dict[str, Any]
) -> None:
    save_settings(CHANGES, context.secrets, smtp_password=NEW_PASSWORD)
    stored = st.all_settings()
    assert {key: stored[key] for key in CHANGES} == CHANGES
    ref = stored[st.SMTP_PASSWORD_REF]
    assert ref != "smtp-password" and _secrets(context) == {ref: NEW_PASSWORD}, (
        "the new password under a new reference; the old one deleted")
    assert NEW_PASSWORD not in json.dumps(stored)


def test_no_password_keeps_the_saved_one_and_an_empty_one_clears_it(
    context: Any, saved: dict[str, Any]
) -> None:
    save_settings({st.SMTP_HOST: "smtp.example.com"}, context.secrets)
    assert st.get_setting(st.SMTP_PASSWORD_REF) == "smtp-password"
    assert _secrets(context) == {"smtp-password": OLD_PASSWORD}
    save_settings({}, context.secrets, smtp_password="")
    assert st.get_setting(st.SMTP_PASSWORD_REF) == "" and _secrets(context) == {}


def test_a_later_invalid_value_saves_nothing_and_every_problem_names_its_field(
    context: Any, saved: dict[str, Any]
) -> None:
    bad = {**CHANGES, st.SMTP_PORT: 0, st.DEFAULT_TIMEZONE: "Mars/Olympus_Mons",
           st.SMTP_FROM: "pxdesk.example.com"}
    with pytest.raises(SettingsError) as caught:
        save_settings(bad, context.secrets, smtp_password=NEW_PASSWORD)
    assert caught.value.problems == [
        "Default time zone: unknown time zone 'Mars/Olympus_Mons': pick one from the list.",
        "SMTP port: 0 is out of range: use 1 to 65535.",
        "Sender address: 'pxdesk.example.com' is not an email address.",
    ]
    assert str(caught.value) == "\n".join(caught.value.problems)
    assert caught.value.field == st.DEFAULT_TIMEZONE, "the first field to fix"
    _assert_unchanged(context, saved)


@pytest.mark.parametrize(("changes", "problem"), [
    ({st.RETENTION_DAYS: "30"}, "Keep runs for: expects a whole number, got str."),
    ({st.RETENTION_DAYS: -1}, "Keep runs for: -1 is below 0: use 0 to keep runs forever."),
    ({st.DAILY_REQUEST_BUDGET: 0},
     "Daily PX request budget: 0 is below 1: PX counts every request, allow at least one."),
    ({st.DAILY_REQUEST_BUDGET: 1.5},
     "Daily PX request budget: expects a whole number, got float."),
    ({st.PERSON_RESOLUTION_KEY: []},
     "Person Resolution Key: tick at least one field."),
    ({st.SMTP_SECURITY: "tls"}, "SMTP security: 'tls' is not one of starttls, ssl, none."),
    ({st.PAUSE_SETTING: {"until": None}},
     "schedules_paused is pxdesk's own state, not a setting: it cannot be saved here."),
    ({"colour": "blue"}, "colour is not a setting pxdesk knows."),
    ({st.SMTP_PASSWORD_REF: "x"},
     "SMTP password: pass the password itself; its reference is pxdesk's to choose."),
])
def test_each_problem_is_one_line_that_says_what_to_fix(
    context: Any, saved: dict[str, Any], changes: dict[str, Any], problem: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        save_settings(changes, context.secrets, smtp_password=NEW_PASSWORD)
    assert caught.value.problems == [problem]
    _assert_unchanged(context, saved)


@pytest.fixture
def fail_on_key(context: Any) -> Iterator[Any]:
    """Make the store refuse the write of one key: SQLite itself aborts the statement, after
    the keys written before it in the same transaction (a failure midway, no mock)."""
    db: SqliteDatabase = context.db

    def arm(key: str) -> None:
        db.execute_sql(
            "CREATE TEMP TRIGGER fail_setting BEFORE INSERT ON main.setting "
            f"WHEN NEW.key = '{key}' BEGIN SELECT RAISE(ABORT, 'injected write failure'); END")

    yield arm
    db.execute_sql("DROP TRIGGER IF EXISTS temp.fail_setting")


@pytest.mark.sqlite_only("an SQLite temp trigger fails the write")
def test_a_store_failure_midway_saves_nothing_and_drops_the_new_secret(
    context: Any, saved: dict[str, Any], fail_on_key: Any
) -> None:
    last = list(CHANGES)[-1]
    fail_on_key(last)
    with pytest.raises(PeeweeException, match="injected write failure"):
        save_settings(CHANGES, context.secrets, smtp_password=NEW_PASSWORD)
    _assert_unchanged(context, saved)
    assert st.get_setting(st.SMTP_PASSWORD_REF) == "smtp-password"
    assert context.secrets.get("smtp-password") == OLD_PASSWORD, "mail still works"


@pytest.mark.sqlite_only("a second sqlite3 connection holds the file's write lock")
def test_a_busy_store_saves_nothing_and_says_why(
    context: Any, saved: dict[str, Any], busy_store: Callable[[], None]
) -> None:
    with pytest.raises(DatabaseBusyError) as caught:
        save_settings(CHANGES, context.secrets, smtp_password=NEW_PASSWORD)
    assert isinstance(caught.value, StoreError) and "busy" in str(caught.value)
    _assert_unchanged(context, saved)
