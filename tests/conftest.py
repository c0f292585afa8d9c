"""Shared fixtures: every test gets its own pxdesk home, and never touches the real keyring.

With PXDESK_TEST_STORE=postgresql each test's store is a fresh database on a throw-away
PostgreSQL cluster (tests/pgcluster.py; PXDESK_TEST_PG_CLUSTER names a running one) instead of
the SQLite file in its home; tests marked `sqlite_only` are skipped then."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from tests import pgcluster

# Qt must never try to open a real display in tests; no test may reach the OS keyring.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


TEST_STORE_ENV = "PXDESK_TEST_STORE"
PG_CLUSTER_ENV = "PXDESK_TEST_PG_CLUSTER"


def on_postgres() -> bool:
    """Whether this test session runs its stores on PostgreSQL."""
    return os.environ.get(TEST_STORE_ENV, "sqlite") == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not on_postgres():
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = marker.args[0] if marker.args else "SQLite-only behaviour"
            item.add_marker(pytest.mark.skip(reason=f"sqlite_only: {reason}"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Path | None]:
    """The PostgreSQL cluster of this session (None on SQLite); started here unless given."""
    if not on_postgres():
        yield None
        return
    given = os.environ.get(PG_CLUSTER_ENV)
    if given:
        yield Path(given)
        return
    folder = pgcluster.start()
    yield folder
    pgcluster.stop(folder)


@pytest.fixture(scope="session")
def any_pg_cluster(pg_cluster: Path | None) -> Iterator[Path]:
    """A PostgreSQL cluster also in an SQLite session (copy tests); skips without one."""
    if pg_cluster is not None:
        yield pg_cluster
        return
    if not pgcluster.available():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not installed")
    folder = pgcluster.start()
    yield folder
    pgcluster.stop(folder)


@contextmanager
def _fresh_database(cluster: Path) -> Iterator[str]:
    import psycopg

    name = f"t{uuid4().hex[:16]}"
    with psycopg.connect(pgcluster.base_url(cluster), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pgcluster.database_url(cluster, name)
    from pxdesk.core.store.db import close_database

    close_database()  # a test that left its store open must not keep the database busy
    with psycopg.connect(pgcluster.base_url(cluster), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def store_url(pg_cluster: Path | None) -> Iterator[str | None]:
    """A fresh, empty PostgreSQL database for this test, or None on SQLite."""
    if pg_cluster is None:
        yield None
        return
    with _fresh_database(pg_cluster) as url:
        yield url


@pytest.fixture
def postgres_url(any_pg_cluster: Path) -> Iterator[str]:
    """Another fresh, empty PostgreSQL database, whatever the session's store."""
    with _fresh_database(any_pg_cluster) as url:
        yield url


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str | None) -> Path:
    """A fresh PXDESK_HOME for this test (and a fresh PostgreSQL store when testing on it)."""
    folder = tmp_path / "pxdesk-home"
    monkeypatch.setenv("PXDESK_HOME", str(folder))
    if store_url is not None:
        monkeypatch.setenv("PXDESK_STORE", store_url)
    else:
        monkeypatch.delenv("PXDESK_STORE", raising=False)
    return folder


@pytest.fixture
def context(home: Path) -> Iterator[object]:
    """An open AppContext (store migrated) under the test's home."""
    from pxdesk.core.context import open_context

    ctx = open_context(home)
    yield ctx
    ctx.close()


@pytest.fixture
def busy_store(context: Any) -> Iterator[Callable[[], None]]:
    """Another program holds the store's write lock until the test calls the fixture's value
    (or ends); this connection gives up at once instead of waiting out busy_timeout."""
    context.db.execute_sql("PRAGMA busy_timeout = 0")
    other = sqlite3.connect(context.paths.db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    def release() -> None:
        other.close()  # rolls its transaction back; closing twice is a no-op
        context.db.execute_sql("PRAGMA busy_timeout = 5000")

    yield release
    release()
