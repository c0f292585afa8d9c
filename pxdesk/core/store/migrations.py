"""Numbered schema migrations (version in PRAGMA user_version on SQLite, a table on PostgreSQL),
with a backup before upgrading an SQLite database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from pxdesk.core.errors import StoreError
from pxdesk.core.paths import private_dir, private_file
from pxdesk.core.store.schema_v1 import SCHEMA_V1_SQL
from pxdesk.core.store.store_url import database_name


class Migration(NamedTuple):
    version: int
    description: str
    apply: Callable[[Database], None]


def _run_script(db: Database, script: str) -> None:
    """Run ';'-separated DDL one statement at a time (executescript would COMMIT our txn)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute_sql(statement)


def _m1_create_schema(db: Database) -> None:
    _run_script(db, SCHEMA_V1_SQL)


def _m2_person_email_index(db: Database) -> None:
    # Person resolution by email is case-insensitive; the engine queries lower(email) = lower(?).
    db.execute_sql('CREATE INDEX "person_email_lower" ON "person" (lower(email))')


def _m3_unchanged_count(db: Database) -> None:
    # Records a run read again (the window's lookback) without a change: not rewritten.
    db.execute_sql('ALTER TABLE "execution_run" ADD COLUMN "unchanged_count" INTEGER NOT NULL '
                   "DEFAULT 0")


_M4_COLUMNS = (
    ("job", """"deletion_policy" TEXT NOT NULL DEFAULT 'mark' CHECK ("deletion_policy" IN """
            "('mark', 'delete'))"),
    ("job", '"reconcile_days" INTEGER NOT NULL DEFAULT 7'),
    ("job", '"reconciled_at" INTEGER'),
    ("job", '"alert_failure_percent" REAL NOT NULL DEFAULT 5.0'),
    ("execution_run", '"deleted_count" INTEGER NOT NULL DEFAULT 0'),
    ("execution_run", '"retried_count" INTEGER NOT NULL DEFAULT 0'),
    *((table, '"deleted_in_px_at" INTEGER')
      for table in ("company", "person", "company_person", "company_instance")),
)
_M4_TABLES = (
    """CREATE TABLE "source_link" ("job_id" INTEGER NOT NULL, "source_id" TEXT NOT NULL,
    "target_object" TEXT NOT NULL CHECK ("target_object" IN ('company', 'person',
    'company_person', 'company_instance')), "gsid" TEXT NOT NULL, "person_gsid" TEXT,
    "run_id" INTEGER, PRIMARY KEY ("job_id", "source_id"),
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE) WITHOUT ROWID""",
    """CREATE TABLE "retry_record" ("job_id" INTEGER NOT NULL, "source_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL, "attempts" INTEGER NOT NULL, "first_failed_at" INTEGER NOT NULL,
    "last_run_id" INTEGER, PRIMARY KEY ("job_id", "source_id"),
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE) WITHOUT ROWID""",
)


# The audit log also records a synced row whose key value changed in PX ('Record'): a CHECK
# cannot be altered, so the table is rebuilt (SQLite's documented 12-step way).
_M4_AUDIT_LOG = """CREATE TABLE "audit_log_new" ("id" INTEGER NOT NULL PRIMARY KEY,
    "at" INTEGER NOT NULL, "user" TEXT NOT NULL, "job_id" INTEGER, "job_name" TEXT NOT NULL,
    "attribute" TEXT NOT NULL CHECK ("attribute" IN ('Job Configuration', 'Mapping',
    'Derived Mapping', 'Filter', 'Schedule', 'Record')), "sub_attribute" TEXT NOT NULL,
    "action" TEXT NOT NULL CHECK ("action" IN ('Create', 'Edit', 'Delete')), "old_value" TEXT,
    "new_value" TEXT, "additional_info" TEXT,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE SET NULL)"""


def _m4_identity_retries_deletions(db: Database) -> None:
    # Which PX record wrote which row (reconcile, identity), failed records to fetch again,
    # "Deleted in PX" on every target row, and each job's deletion and alert policy.
    for table, column in _M4_COLUMNS:
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN {column}')
    for statement in _M4_TABLES:
        db.execute_sql(statement)
    for table in ("company", "person", "company_person", "company_instance"):
        db.execute_sql(f'CREATE INDEX "{table}_deleted_in_px" ON "{table}" ("deleted_in_px_at") '
                       "WHERE deleted_in_px_at IS NOT NULL")
    db.execute_sql(_M4_AUDIT_LOG)
    db.execute_sql('INSERT INTO "audit_log_new" SELECT * FROM "audit_log"')
    db.execute_sql('DROP TABLE "audit_log"')
    db.execute_sql('ALTER TABLE "audit_log_new" RENAME TO "audit_log"')
    db.execute_sql('CREATE INDEX "audit_log_at" ON "audit_log" ("at")')
    db.execute_sql('CREATE INDEX "audit_log_job_id" ON "audit_log" ("job_id")')


_M5_STATEMENTS = (
    """CREATE TABLE "job_chain" ("id" INTEGER NOT NULL PRIMARY KEY,
    "connection_id" INTEGER NOT NULL, "name" TEXT NOT NULL, "enabled" INTEGER NOT NULL,
    "success_recipients" TEXT NOT NULL, "failure_recipients" TEXT NOT NULL,
    "kind" TEXT NOT NULL CHECK ("kind" IN ('hourly', 'daily_once', 'daily_repeat', 'weekly',
    'monthly')), "every_hours" INTEGER NOT NULL, "time" TEXT, "start_time" TEXT,
    "end_time" TEXT, "days" TEXT NOT NULL, "day_of_month" INTEGER, "timezone" TEXT NOT NULL,
    "paused_until" INTEGER, "created_at" INTEGER NOT NULL, "modified_at" INTEGER NOT NULL,
    FOREIGN KEY ("connection_id") REFERENCES "connection" ("id") ON DELETE CASCADE)""",
    'CREATE UNIQUE INDEX "job_chain_connection_id" ON "job_chain" ("connection_id")',
    'CREATE UNIQUE INDEX "job_chain_name" ON "job_chain" ("name")',
    """CREATE TABLE "job_chain_member" ("id" INTEGER NOT NULL PRIMARY KEY,
    "chain_id" INTEGER NOT NULL, "job_id" INTEGER NOT NULL, "position" INTEGER NOT NULL,
    FOREIGN KEY ("chain_id") REFERENCES "job_chain" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE)""",
    'CREATE UNIQUE INDEX "job_chain_member_job_id" ON "job_chain_member" ("job_id")',
    'CREATE UNIQUE INDEX "job_chain_member_chain_id_position" ON "job_chain_member" '
    '("chain_id", "position")',
    'ALTER TABLE "execution_run" ADD COLUMN "chain_name" TEXT',
)


def _m5_job_chain(db: Database) -> None:
    # The optional job chain (its own schedule and recipients) and, on each run, the chain it
    # ran in: the trigger CHECK stays as it is (changing it would rebuild execution_run).
    for statement in _M5_STATEMENTS:
        db.execute_sql(statement)


_M6_STATEMENTS = (
    """CREATE TABLE "user_activity" ("px_user_id" TEXT NOT NULL PRIMARY KEY,
    "account_id" TEXT, "company_gsid" TEXT, "last_seen_date" INTEGER, "sign_up_date" INTEGER,
    "first_visit_date" INTEGER, "number_of_visits" INTEGER NOT NULL,
    "modified_at" INTEGER NOT NULL) WITHOUT ROWID""",
    # Covering: a company's figures, and the companies table grouped by company, read this
    # index alone (0.6 s instead of 6 s at a million users: no lookup into the table a row).
    'CREATE INDEX "user_activity_company" ON "user_activity" ("company_gsid", '
    '"last_seen_date", "first_visit_date", "sign_up_date", "number_of_visits")',
    'CREATE INDEX "user_activity_sign_up_date" ON "user_activity" ("sign_up_date")',
    """CREATE TABLE "adoption_snapshot" ("day" TEXT NOT NULL, "company_gsid" TEXT NOT NULL,
    "users" INTEGER NOT NULL, "active_1" INTEGER NOT NULL, "active_7" INTEGER NOT NULL,
    "active_30" INTEGER NOT NULL, PRIMARY KEY ("day", "company_gsid")) WITHOUT ROWID""",
)


def _m6_adoption(db: Database) -> None:
    # Adoption insight: each PX user's activity (whatever the job maps) and a daily snapshot
    # per company ('' = all) written at the end of each Company Person Sync run.
    for statement in _M6_STATEMENTS:
        db.execute_sql(statement)


_M7_COLUMNS = (
    '"stale_after_hours" INTEGER NOT NULL DEFAULT 0',
    '"long_run_minutes" INTEGER NOT NULL DEFAULT 0',
    '"stale_alert_at" INTEGER',
    '"long_run_alert_run_id" INTEGER',
)


def _m7_stale_alerts(db: Database) -> None:
    # Per job: warn after N hours without a successful run, or a run longer than M minutes
    # (0 = off), and which episode was already alerted, so a restart does not mail it again.
    for column in _M7_COLUMNS:
        db.execute_sql(f'ALTER TABLE "job" ADD COLUMN {column}')


ACTIVITY_ACCOUNT_INDEX_SQL = (
    'CREATE INDEX "user_activity_account" ON "user_activity" ("account_id", "company_gsid", '
    '"last_seen_date", "first_visit_date", "sign_up_date", "number_of_visits")')


def _m8_adoption_per_account(db: Database) -> None:
    # Covering, in PX account order: the figures per PX account (Multi Instance) of all
    # companies and of one account read this index alone instead of scanning and sorting
    # the table (benchmarks/adoption_bench.py; docs/decisions.md).
    db.execute_sql(ACTIVITY_ACCOUNT_INDEX_SQL)


def _m9_run_quality(db: Database) -> None:
    # A run's quality report (failures by kind and field, lookup misses, filter removals,
    # received vs totalHits): a few hundred bytes of JSON, read with its run only.
    db.execute_sql('ALTER TABLE "execution_run" ADD COLUMN "quality" TEXT')


_M10_STATEMENTS = (
    """CREATE TABLE "config_version" ("id" INTEGER NOT NULL PRIMARY KEY,
    "subject" TEXT NOT NULL CHECK ("subject" IN ('job', 'connection')), "connection_id" INTEGER,
    "job_id" INTEGER, "number" INTEGER NOT NULL, "at" INTEGER NOT NULL, "user" TEXT NOT NULL,
    "action" TEXT NOT NULL, "summary" TEXT NOT NULL, "config" TEXT NOT NULL,
    FOREIGN KEY ("connection_id") REFERENCES "connection" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE)""",
    'CREATE INDEX "config_version_subject_job_id_number" ON "config_version" ("subject", '
    '"job_id", "number")',
    """CREATE TABLE "source_record" ("job_id" INTEGER NOT NULL, "source_id" TEXT NOT NULL,
    "px_record" BLOB NOT NULL, PRIMARY KEY ("job_id", "source_id"),
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE) WITHOUT ROWID""",
    """CREATE TABLE "row_change" ("id" INTEGER NOT NULL PRIMARY KEY, "gsid" TEXT NOT NULL,
    "run_id" INTEGER NOT NULL, "at" INTEGER NOT NULL, "target_object" TEXT NOT NULL,
    "field" TEXT NOT NULL, "old_value" TEXT, "new_value" TEXT)""",
    'CREATE INDEX "row_change_gsid" ON "row_change" ("gsid")',
)


def _m10_history_and_lineage(db: Database) -> None:
    # Config history (every saved version of a job or the connection) and record lineage
    # (the raw PX record of each source link, the fields runs changed on each row).
    for statement in _M10_STATEMENTS:
        db.execute_sql(statement)


_M11_JOB_LEASE = """CREATE TABLE "job_lease" ("job_id" INTEGER NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL, "host" TEXT NOT NULL, "pid" INTEGER NOT NULL,
    "taken_at" INTEGER NOT NULL, "heartbeat_at" INTEGER NOT NULL, "expires_at" INTEGER NOT NULL,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE)"""


def _m11_job_lease(db: Database) -> None:
    # One run of a job at a time across processes and machines on one store: the lease of
    # the run going on (holder, host, pid, heartbeat, expiry); see core/store/leases.py.
    db.execute_sql(_M11_JOB_LEASE)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "Create the v1 schema", _m1_create_schema),
    Migration(2, "Index lower(email) for case-insensitive lookups", _m2_person_email_index),
    Migration(3, "Count the unchanged records of a run", _m3_unchanged_count),
    Migration(4, "Source links, retries, deletions and alert policy",
              _m4_identity_retries_deletions),
    Migration(5, "Job chain with its own schedule and recipients", _m5_job_chain),
    Migration(6, "User activity and daily adoption snapshots", _m6_adoption),
    Migration(7, "Stale-data and long-run alerts per job", _m7_stale_alerts),
    Migration(8, "Index the user activity by PX account", _m8_adoption_per_account),
    Migration(9, "Quality report of each run", _m9_run_quality),
    Migration(10, "Config history and record lineage", _m10_history_and_lineage),
    Migration(11, "Job leases: one run of a job at a time across machines", _m11_job_lease),
)
SCHEMA_VERSION: int = MIGRATIONS[-1].version


# PostgreSQL has no user_version: the version lives in a one-row table of its own.
VERSION_TABLE = "pxdesk_schema_version"


def user_version(db: Database) -> int:
    """The schema version recorded in the database (0 = never migrated)."""
    if isinstance(db, PostgresqlDatabase):
        if not db.table_exists(VERSION_TABLE):
            return 0
        row = db.execute_sql(f'SELECT max(version) FROM "{VERSION_TABLE}"').fetchone()
        return int(row[0] or 0)
    row = db.execute_sql("PRAGMA user_version").fetchone()
    return int(row[0])


def _set_version(db: Database, version: int) -> None:
    """Record `version` in the step's own transaction: a failed step leaves the old one."""
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(f'CREATE TABLE IF NOT EXISTS "{VERSION_TABLE}" (version INTEGER NOT NULL)')
        db.execute_sql(f'DELETE FROM "{VERSION_TABLE}"')
        db.execute_sql(f'INSERT INTO "{VERSION_TABLE}" (version) VALUES ({int(version)})')
    else:  # PRAGMA user_version is transactional
        db.execute_sql(f"PRAGMA user_version = {int(version)}")


def _has_tables(db: Database) -> bool:
    if isinstance(db, PostgresqlDatabase):
        return bool(db.get_tables())
    sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return bool(db.execute_sql(sql).fetchone()[0])


def _is_file_db(db: Database) -> bool:
    if not isinstance(db, SqliteDatabase):
        return False  # a PostgreSQL server keeps its own backups (pg_dump), not pxdesk
    name = str(db.database)
    return bool(name) and name != ":memory:" and not name.startswith("file::memory:")


def backup_database(
    db: SqliteDatabase, backup_dir: Path, version: int, *, now: datetime | None = None
) -> Path:
    """Copy the whole database with sqlite3's online backup API; returns the backup file."""
    private_dir(backup_dir)  # a copy of every synced person: owner-only, as the store
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    stem = Path(str(db.database)).stem
    target = backup_dir / f"{stem}-v{version}-{stamp}.sqlite3"
    counter = 1
    while target.exists():  # two migrations in the same second must not overwrite
        counter += 1
        target = backup_dir / f"{stem}-v{version}-{stamp}-{counter}.sqlite3"
    dest = sqlite3.connect(private_file(target))
    try:
        db.connection().backup(dest)
    finally:
        dest.close()
    return target


def check_version(db: Database) -> int:
    """The current version, refusing databases this code cannot safely open."""
    current = user_version(db)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"The database {database_name(db)} has schema version {current}, newer than this "
            f"pxdesk knows ({SCHEMA_VERSION}). Install a newer pxdesk or open a backup."
        )
    if current == 0 and _has_tables(db):
        raise StoreError(f"{database_name(db)} is not a pxdesk database (it has tables but no "
                         "version).")
    return current


def migrate(
    db: Database, backup_dir: Path | None = None, *, target: int = SCHEMA_VERSION
) -> Path | None:
    """Bring the schema to `target`, each step in its own transaction with its version bump.

    An existing database at an older version is backed up first (into `backup_dir`, default
    a `backups` folder next to it). Returns the backup path, or None when none was needed.
    """
    current = check_version(db)
    if target > SCHEMA_VERSION or target < current:
        raise StoreError(f"Cannot migrate from version {current} to {target}.")
    if current == target:
        return None
    backup: Path | None = None
    if current > 0 and isinstance(db, SqliteDatabase) and _is_file_db(db):
        folder = backup_dir or Path(str(db.database)).parent / "backups"
        backup = backup_database(db, folder, current)
    for step in MIGRATIONS:
        if current < step.version <= target:
            with db.atomic():
                step.apply(db)
                _set_version(db, step.version)
    return backup
