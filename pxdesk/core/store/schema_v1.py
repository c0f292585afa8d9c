"""Migration 1 frozen as SQL: the whole v1 schema, exactly as the v1 models created it.

Never edit this text: a database created at v1 must stay equal to one migrated through it.
Schema changes go into a new migration in migrations.py (and into models.py).
"""

from __future__ import annotations

SCHEMA_V1_SQL = """
CREATE TABLE "connection" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "singleton" INTEGER NOT NULL CHECK ("singleton" = 1),
    "name" TEXT NOT NULL,
    "region" TEXT CHECK ("region" IN ('us', 'eu', 'us2')),
    "base_url" TEXT,
    "multi_instance" INTEGER NOT NULL,
    "key_ref" TEXT NOT NULL,
    "key_hint" TEXT NOT NULL,
    "last_test_at" INTEGER,
    "last_test_ok" INTEGER,
    "last_test_message" TEXT,
    "created_at" INTEGER NOT NULL,
    "modified_at" INTEGER NOT NULL
);
CREATE UNIQUE INDEX "connection_singleton" ON "connection" ("singleton");
CREATE TABLE "job" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "connection_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL CHECK ("kind" IN ('company', 'company_person')),
    "name" TEXT NOT NULL,
    "source_object" TEXT NOT NULL CHECK ("source_object" IN ('account', 'user')),
    "target_object" TEXT NOT NULL CHECK ("target_object" IN ('company', 'company_person')),
    "modification_type" TEXT NOT NULL CHECK ("modification_type" IN ('update', 'upsert')),
    "success_recipients" TEXT NOT NULL,
    "failure_recipients" TEXT NOT NULL,
    "window_end" INTEGER,
    "created_at" INTEGER NOT NULL,
    "modified_at" INTEGER NOT NULL,
    FOREIGN KEY ("connection_id") REFERENCES "connection" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "job_name" ON "job" ("name");
CREATE UNIQUE INDEX "job_connection_id_kind" ON "job" ("connection_id", "kind");
CREATE TABLE "job_dependency" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "job_id" INTEGER NOT NULL,
    "depends_on_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("depends_on_id") REFERENCES "job" ("id") ON DELETE CASCADE,
    CHECK ("job_id" <> "depends_on_id")
);
CREATE INDEX "job_dependency_depends_on_id" ON "job_dependency" ("depends_on_id");
CREATE UNIQUE INDEX "job_dependency_job_id_depends_on_id" ON "job_dependency" ("job_id",
        "depends_on_id");
CREATE TABLE "field_mapping" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "job_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "source_path" TEXT NOT NULL,
    "source_type" TEXT NOT NULL,
    "target_object" TEXT NOT NULL CHECK ("target_object" IN ('company', 'person',
        'company_person', 'company_instance')),
    "target_field" TEXT NOT NULL,
    "target_type" TEXT NOT NULL CHECK ("target_type" IN ('String', 'Number', 'Boolean',
        'Date', 'DateTime', 'Email', 'URL', 'Percentage', 'Currency', 'GSID', 'Picklist')),
    "is_upsert_key" INTEGER NOT NULL,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "field_mapping_job_id_target_object_target_field" ON "field_mapping"
        ("job_id", "target_object", "target_field");
CREATE TABLE "derived_mapping" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "job_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "target_object" TEXT NOT NULL CHECK ("target_object" IN ('company', 'person',
        'company_person', 'company_instance')),
    "target_field" TEXT NOT NULL,
    "lookup_object" TEXT NOT NULL CHECK ("lookup_object" IN ('company', 'person',
        'company_person', 'self')),
    "match_pairs" TEXT NOT NULL,
    "on_multiple" TEXT NOT NULL CHECK ("on_multiple" IN ('use_any', 'error')),
    "on_none" TEXT NOT NULL CHECK ("on_none" IN ('error', 'default')),
    "default_value" TEXT,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "derived_mapping_job_id_target_object_target_field" ON
        "derived_mapping" ("job_id", "target_object", "target_field");
CREATE TABLE "job_filter" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "job_id" INTEGER NOT NULL,
    "conditions" TEXT NOT NULL,
    "expression" TEXT NOT NULL,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "job_filter_job_id" ON "job_filter" ("job_id");
CREATE TABLE "schedule" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "job_id" INTEGER NOT NULL,
    "enabled" INTEGER NOT NULL,
    "kind" TEXT NOT NULL CHECK ("kind" IN ('hourly', 'daily_once', 'daily_repeat',
        'weekly', 'monthly')),
    "every_hours" INTEGER NOT NULL,
    "time" TEXT,
    "start_time" TEXT,
    "end_time" TEXT,
    "days" TEXT NOT NULL,
    "day_of_month" INTEGER,
    "timezone" TEXT NOT NULL,
    "paused_until" INTEGER,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "schedule_job_id" ON "schedule" ("job_id");
CREATE TABLE "setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);
CREATE TABLE "custom_field" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "object" TEXT NOT NULL CHECK ("object" IN ('company', 'person', 'company_person',
        'company_instance')),
    "label" TEXT NOT NULL,
    "api_name" TEXT NOT NULL,
    "field_type" TEXT NOT NULL CHECK ("field_type" IN ('String', 'Number', 'Boolean',
        'Date', 'DateTime', 'Email', 'URL', 'Percentage', 'Currency', 'GSID', 'Picklist')),
    "created_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL
);
CREATE UNIQUE INDEX "custom_field_object_api_name" ON "custom_field" ("object", "api_name");
CREATE TABLE "execution_run" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "job_id" INTEGER,
    "job_name" TEXT NOT NULL,
    "connection_name" TEXT NOT NULL,
    "calltype" TEXT NOT NULL,
    "trigger" TEXT NOT NULL CHECK ("trigger" IN ('manual', 'scheduled', 'dependency',
        'import_from_date')),
    "status" TEXT NOT NULL CHECK ("status" IN ('Queued', 'In Progress', 'Success',
        'Partial Success', 'Failure', 'Skipped', 'Cancelled')),
    "success_count" INTEGER NOT NULL,
    "failure_count" INTEGER NOT NULL,
    "inserted_count" INTEGER NOT NULL,
    "updated_count" INTEGER NOT NULL,
    "queued_at" INTEGER NOT NULL,
    "started_at" INTEGER,
    "ended_at" INTEGER,
    "window_from" INTEGER,
    "window_to" INTEGER,
    "total_hits" INTEGER,
    "pages" INTEGER NOT NULL,
    "reason" TEXT,
    "error_file" TEXT,
    "success_file" TEXT,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE SET NULL
);
CREATE INDEX "execution_run_job_id_started_at" ON "execution_run" ("job_id", "started_at");
CREATE INDEX "execution_run_started_at" ON "execution_run" ("started_at");
CREATE INDEX "execution_run_status" ON "execution_run" ("status");
CREATE TABLE "record_error" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "run_id" INTEGER NOT NULL,
    "source_id" TEXT,
    "field" TEXT,
    "value" TEXT,
    "reason" TEXT NOT NULL,
    "source_record" TEXT,
    FOREIGN KEY ("run_id") REFERENCES "execution_run" ("id") ON DELETE CASCADE
);
CREATE INDEX "record_error_run_id" ON "record_error" ("run_id");
CREATE TABLE "request_log" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "run_id" INTEGER NOT NULL,
    "method" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "status" INTEGER,
    "elapsed_ms" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" INTEGER NOT NULL,
    "error" TEXT,
    FOREIGN KEY ("run_id") REFERENCES "execution_run" ("id") ON DELETE CASCADE
);
CREATE INDEX "request_log_run_id" ON "request_log" ("run_id");
CREATE TABLE "audit_log" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "at" INTEGER NOT NULL,
    "user" TEXT NOT NULL,
    "job_id" INTEGER,
    "job_name" TEXT NOT NULL,
    "attribute" TEXT NOT NULL CHECK ("attribute" IN ('Job Configuration', 'Mapping',
        'Derived Mapping', 'Filter', 'Schedule')),
    "sub_attribute" TEXT NOT NULL,
    "action" TEXT NOT NULL CHECK ("action" IN ('Create', 'Edit', 'Delete')),
    "old_value" TEXT,
    "new_value" TEXT,
    "additional_info" TEXT,
    FOREIGN KEY ("job_id") REFERENCES "job" ("id") ON DELETE SET NULL
);
CREATE INDEX "audit_log_at" ON "audit_log" ("at");
CREATE INDEX "audit_log_job_id" ON "audit_log" ("job_id");
CREATE TABLE "connection_log" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "connection_name" TEXT NOT NULL,
    "user" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "at" INTEGER NOT NULL,
    "attribute" TEXT NOT NULL,
    "old_value" TEXT,
    "new_value" TEXT
);
CREATE INDEX "connection_log_at" ON "connection_log" ("at");
CREATE TABLE "company" (
    "gsid" TEXT NOT NULL PRIMARY KEY CHECK (length(gsid) = 36),
    "created_at" INTEGER NOT NULL,
    "modified_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "modified_by" TEXT NOT NULL,
    "custom" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
    "name" TEXT NOT NULL,
    "industry" TEXT,
    "employees" INTEGER,
    "arr" REAL,
    "mrr" REAL,
    "stage" TEXT,
    "status" TEXT,
    "renewal_date" TEXT,
    "original_contract_date" TEXT,
    "parent_company_id" TEXT,
    "csm" TEXT,
    FOREIGN KEY ("parent_company_id") REFERENCES "company" ("gsid") ON DELETE SET NULL
);
CREATE INDEX "company_parent_company_id" ON "company" ("parent_company_id");
CREATE INDEX "company_name" ON "company" ("name");
CREATE TABLE "person" (
    "gsid" TEXT NOT NULL PRIMARY KEY CHECK (length(gsid) = 36),
    "created_at" INTEGER NOT NULL,
    "modified_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "modified_by" TEXT NOT NULL,
    "custom" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
    "email" TEXT,
    "first_name" TEXT,
    "last_name" TEXT,
    "name" TEXT,
    "location" TEXT,
    "timezone" TEXT,
    "linkedin_url" TEXT
);
CREATE TABLE "company_person" (
    "gsid" TEXT NOT NULL PRIMARY KEY CHECK (length(gsid) = 36),
    "created_at" INTEGER NOT NULL,
    "modified_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "modified_by" TEXT NOT NULL,
    "custom" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
    "person_id" TEXT NOT NULL,
    "company_id" TEXT NOT NULL,
    "title" TEXT,
    "role" TEXT,
    "phone" TEXT,
    "active" INTEGER,
    "is_primary_company" INTEGER,
    FOREIGN KEY ("person_id") REFERENCES "person" ("gsid") ON DELETE CASCADE,
    FOREIGN KEY ("company_id") REFERENCES "company" ("gsid") ON DELETE CASCADE
);
CREATE INDEX "company_person_company_id" ON "company_person" ("company_id");
CREATE UNIQUE INDEX "company_person_person_id_company_id" ON "company_person" ("person_id",
        "company_id");
CREATE TABLE "company_instance" (
    "gsid" TEXT NOT NULL PRIMARY KEY CHECK (length(gsid) = 36),
    "created_at" INTEGER NOT NULL,
    "modified_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "modified_by" TEXT NOT NULL,
    "custom" TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(custom)),
    "px_account_id" TEXT NOT NULL,
    "name" TEXT,
    "company_id" TEXT,
    FOREIGN KEY ("company_id") REFERENCES "company" ("gsid") ON DELETE SET NULL
);
CREATE UNIQUE INDEX "company_instance_px_account_id" ON "company_instance" ("px_account_id");
CREATE INDEX "company_instance_company_id" ON "company_instance" ("company_id");
"""
