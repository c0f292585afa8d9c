"""Fixtures of the store tests: a fresh, migrated temp database per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from peewee import Database

from pxdesk.core.store.db import close_database, open_database, open_store
from pxdesk.core.store.store_url import parse_store_url


@pytest.fixture
def store_db(tmp_path: Path, store_url: str | None) -> Iterator[Database]:
    if store_url is not None:  # PXDESK_TEST_STORE=postgresql
        yield open_store(parse_store_url(store_url))
        close_database()
        return
    db = open_database(tmp_path / "data" / "pxdesk.sqlite3", backup_dir=tmp_path / "backups")
    yield db
    close_database()
