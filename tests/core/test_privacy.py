"""Synced people (emails, names) stay private: folders 0700, store and run files 0600, even
under a permissive umask and for an install made before this rule."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pxdesk.core.logs.run_files import RunFiles
from pxdesk.core.paths import AppPaths
from pxdesk.core.store.db import close_database, open_database
from pxdesk.core.store.migrations import backup_database

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """What many systems ship: new files 0644, new folders 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_folders_are_owner_only(tmp_path: Path) -> None:
    paths = AppPaths.resolve(tmp_path / "h")
    paths.data_dir.mkdir(parents=True, mode=0o755)  # made by an older pxdesk
    paths.ensure()
    for folder in (paths.data_dir, paths.config_dir, paths.log_dir, paths.runs_dir):
        assert mode(folder) == 0o700, folder


def test_database_and_its_wal_files_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "pxdesk.sqlite3"
    db = open_database(path)
    try:
        db.execute_sql("CREATE TABLE probe (x)")  # writes the -wal and -shm files
        for name in ("pxdesk.sqlite3", "pxdesk.sqlite3-wal", "pxdesk.sqlite3-shm"):
            assert mode(tmp_path / name) == 0o600, name
    finally:
        close_database()


def test_an_existing_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "pxdesk.sqlite3"
    open_database(path)
    close_database()
    path.chmod(0o644)
    open_database(path)
    close_database()
    assert mode(path) == 0o600


def test_run_files_are_owner_only(tmp_path: Path) -> None:
    with RunFiles(tmp_path / "runs", 3) as files:
        files.add_success("1", "g", "Inserted")
    assert mode(files.folder) == 0o700
    assert mode(files.error_path) == mode(files.success_path) == 0o600


def test_backups_before_a_migration_are_owner_only(tmp_path: Path) -> None:
    db = open_database(tmp_path / "pxdesk.sqlite3")
    try:
        backup = backup_database(db, tmp_path / "backups", 1)
    finally:
        close_database()
    assert mode(backup.parent) == 0o700 and mode(backup) == 0o600
