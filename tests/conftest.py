"""Shared fixtures: every test gets its own pxdesk home, and never touches the real keyring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
