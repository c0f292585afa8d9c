"""Shared fixtures: every test gets its own pxdesk home, and never touches the real keyring."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Qt must never try to open a real display in tests; no test may reach the OS keyring.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh PXDESK_HOME for this test."""
    folder = tmp_path / "pxdesk-home"
    monkeypatch.setenv("PXDESK_HOME", str(folder))
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
