"""Migrations: a migrated database equals a fresh one and the models; backup; refusals."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from pxdesk.core.errors import StoreError
from pxdesk.core.store import migrations
from pxdesk.core.store.db import PRAGMAS, close_database, open_database
from pxdesk.core.store.migrations import SCHEMA_VERSION, migrate, user_version
from pxdesk.core.store.models import AuditLog, Company
from pxdesk.core.store.schema import ALL_MODELS


def _normalise(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql.replace("IF NOT EXISTS ", ""))
    return re.sub(r"\s*([(),])\s*", r"\1", sql).strip()


def schema(path_or_db: Path | SqliteDatabase) -> dict[tuple[str, str], str]:
    """(type, name) -> normalised SQL of every table, index and trigger."""
    sql = "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
    if isinstance(path_or_db, SqliteDatabase):
        rows = path_or_db.execute_sql(sql).fetchall()
    else:
        con = sqlite3.connect(path_or_db)
        rows = con.execute(sql).fetchall()
        con.close()
    return {(kind, name): _normalise(text) for kind, name, text in rows}


def _version(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("PRAGMA user_version").fetchone()[0])
    finally:
        con.close()


def _db_at_version(path: Path, version: int) -> None:
    db = SqliteDatabase(str(path), pragmas=PRAGMAS)
    migrate(db, target=version)
    db.execute_sql("INSERT INTO company (gsid, created_at, modified_at, created_by, modified_by,"
                   " name) VALUES ('00000000-0000-0000-0000-000000000001', 1, 1, '', '', 'Old')")
    db.close()


def test_versions_are_numbered_consecutively() -> None:
    assert [m.version for m in migrations.MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    assert SCHEMA_VERSION >= 2


def test_migrated_v1_equals_fresh_and_keeps_data(tmp_path: Path) -> None:
    old, fresh = tmp_path / "old.sqlite3", tmp_path / "fresh.sqlite3"
    _db_at_version(old, 1)
    assert _version(old) == 1
    assert ("index", "person_email_lower") not in schema(old)

    open_database(old, backup_dir=tmp_path / "backups")
    assert Company.get().name == "Old"
    close_database()
    open_database(fresh)
    close_database()

    assert _version(old) == _version(fresh) == SCHEMA_VERSION
    assert schema(old) == schema(fresh)


def test_models_create_the_migrated_schema(tmp_path: Path) -> None:
    """Catches a model changed without a migration (or a migration the models lack)."""
    fresh = tmp_path / "fresh.sqlite3"
    open_database(fresh)
    close_database()
    from_models = SqliteDatabase(":memory:")
    with from_models.bind_ctx(ALL_MODELS):
        from_models.create_tables(ALL_MODELS)
    assert schema(from_models) == schema(fresh)


def test_backup_before_migrating_an_older_database(tmp_path: Path) -> None:
    old, backups = tmp_path / "old.sqlite3", tmp_path / "backups"
    _db_at_version(old, 1)
    open_database(old, backup_dir=backups)
    close_database()
    files = list(backups.glob("old-v1-*.sqlite3"))
    assert len(files) == 1
    assert _version(files[0]) == 1
    con = sqlite3.connect(files[0])
    assert con.execute("SELECT name FROM company").fetchall() == [("Old",)]
    con.close()


def test_backup_defaults_next_to_the_database(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    _db_at_version(old, 1)
    open_database(old)
    close_database()
    assert len(list((tmp_path / "backups").glob("*.sqlite3"))) == 1


def test_new_database_is_not_backed_up(tmp_path: Path) -> None:
    open_database(tmp_path / "new.sqlite3", backup_dir=tmp_path / "backups")
    close_database()
    assert not (tmp_path / "backups").exists()


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    _db_at_version(path, SCHEMA_VERSION)
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer than this pxdesk"):
        open_database(path, backup_dir=tmp_path / "b")
    assert _version(path) == SCHEMA_VERSION + 1  # untouched


def test_failed_step_rolls_back_schema_and_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    _db_at_version(path, 1)

    def broken(db: SqliteDatabase) -> None:
        db.execute_sql("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    monkeypatch.setattr(
        migrations, "MIGRATIONS", (migrations.MIGRATIONS[0], migrations.Migration(2, "b", broken))
    )
    db = SqliteDatabase(str(path), pragmas=PRAGMAS)
    with pytest.raises(RuntimeError):
        migrate(db, tmp_path / "b")
    assert user_version(db) == 1
    assert ("table", "half_done") not in schema(db)
    db.close()


def test_v2_runs_get_an_unchanged_count_of_zero(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    db = SqliteDatabase(str(path), pragmas=PRAGMAS)
    migrate(db, target=2)
    db.execute_sql("INSERT INTO execution_run (job_name, connection_name, calltype, trigger, "
                   "status, success_count, failure_count, inserted_count, updated_count, "
                   "queued_at, pages) VALUES ('J', '', 'APPLICATION_DATA', 'manual', "
                   "'Success', 3, 0, 1, 2, 1, 1)")
    db.close()
    open_database(path, backup_dir=tmp_path / "backups")
    from pxdesk.core.store.models import ExecutionRun

    run = ExecutionRun.get()
    assert (run.success_count, run.unchanged_count) == (3, 0)
    close_database()


def test_migration_4_keeps_the_audit_log_and_lets_it_record_key_changes(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    db = SqliteDatabase(str(old), pragmas=PRAGMAS)
    migrate(db, target=3)
    db.execute_sql("INSERT INTO audit_log (at, user, job_name, attribute, sub_attribute, action) "
                   "VALUES (5, 'ann', 'Company Sync_PX', 'Mapping', 'name', 'Create')")
    db.close()
    open_database(old, backup_dir=tmp_path / "backups")
    kept = AuditLog.get()
    assert (kept.at, kept.user, kept.attribute) == (5, "ann", "Mapping")
    AuditLog.create(at=6, user="sync", job_name="Company Sync_PX", attribute="Record",
                    sub_attribute="Company: Name", action="Edit")
    assert AuditLog.select().count() == 2
    close_database()
