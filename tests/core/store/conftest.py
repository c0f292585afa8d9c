"""Fixtures of the store tests: a fresh, migrated temp database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from pxdesk.core.store.db import close_database, open_database


@pytest.fixture
def store_db(tmp_path: Path) -> Iterator[SqliteDatabase]:
    db = open_database(tmp_path / "data" / "pxdesk.sqlite3", backup_dir=tmp_path / "backups")
    yield db
    close_database()
