"""Settings: defaults, JSON round-trip, type checks."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import SqliteDatabase

import pxdesk
from pxdesk.core.errors import ConfigError
from pxdesk.core.store import settings
from pxdesk.core.store.settings import (
    all_settings,
    delete_setting,
    get_setting,
    person_resolution_key,
    retention_days,
    set_setting,
)


def test_defaults_apply_until_set(store_db: SqliteDatabase) -> None:
    assert person_resolution_key() == ["Email"]
    assert retention_days() == 180
    assert get_setting(settings.DEFAULT_TIMEZONE) is None
    assert get_setting("unknown", "fallback") == "fallback"
    with pytest.raises(ConfigError):
        get_setting("unknown")


def test_round_trip_and_delete(store_db: SqliteDatabase) -> None:
    set_setting(settings.PERSON_RESOLUTION_KEY, ["Email", "Employee_ID__gc"])
    set_setting(settings.RETENTION_DAYS, 30)
    set_setting(settings.DEFAULT_TIMEZONE, "Europe/Paris")
    set_setting("ui.window", {"w": 800, "h": 600})
    assert person_resolution_key() == ["Email", "Employee_ID__gc"]
    assert get_setting("ui.window") == {"w": 800, "h": 600}
    assert all_settings()[settings.DEFAULT_TIMEZONE] == "Europe/Paris"
    set_setting(settings.RETENTION_DAYS, 7)  # replaces
    assert retention_days() == 7
    delete_setting(settings.RETENTION_DAYS)
    assert retention_days() == 180


def test_default_lists_are_copies(store_db: SqliteDatabase) -> None:
    get_setting(settings.PERSON_RESOLUTION_KEY).append("Name")
    assert person_resolution_key() == ["Email"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (settings.RETENTION_DAYS, "30"),
        (settings.RETENTION_DAYS, True),
        (settings.SMTP_HOST, 25),
        (settings.PERSON_RESOLUTION_KEY, []),
        (settings.PERSON_RESOLUTION_KEY, "Email"),
        ("anything", object()),
    ],
)
def test_bad_values_are_refused(store_db: SqliteDatabase, key: str, value: object) -> None:
    with pytest.raises(ConfigError):
        set_setting(key, value)


def _setting_calls() -> Iterator[tuple[str, ast.expr]]:
    """(module, first argument) of every get/set/delete_setting call in pxdesk."""
    for path in sorted(Path(pxdesk.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and node.args
                    and isinstance(node.func, ast.Name | ast.Attribute)
                    and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
                    in ("get_setting", "set_setting", "delete_setting")):
                yield path.name, node.args[0]


def test_every_key_the_store_holds_is_declared_beside_the_defaults() -> None:
    """A reader of settings.py sees every key: each call names a constant declared there,
    either an admin setting (DEFAULTS) or pxdesk's private state."""
    calls = list(_setting_calls())
    assert len(calls) > 20
    for module, arg in calls:
        if module == "settings.py" and isinstance(arg, ast.Name) and arg.id == "key":
            continue  # the functions themselves
        root = arg.left if isinstance(arg, ast.BinOp) else arg  # PREFIX + job id
        name = root.id if isinstance(root, ast.Name) else getattr(root, "attr", None)
        assert name is not None and hasattr(settings, name), (module, ast.unparse(arg))
        key = getattr(settings, name)
        assert key in settings.DEFAULTS or settings.is_private(key), (module, name)
    assert not settings.PRIVATE_KEYS & settings.DEFAULTS.keys()
