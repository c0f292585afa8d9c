"""peewee models of the local store, in one namespace: configuration (config_models.py), logs
(log_models.py) and the Gainsight-side target objects (target_models.py).

Design note (details in docs/store.md):
- Timestamps are INTEGER epoch milliseconds, UTC (`*_at` columns, `window_*`, `paused_until`).
  Date / DateTime *field values* (RenewalDate, custom dates) are ISO text ("2024-05-31",
  "2024-05-31T10:00:00.000Z") so they sort and read well in JSON.
- Target objects (Company, Person, CompanyPerson, CompanyInstance) have a TEXT `gsid` primary
  key (uuid4, 36 chars) that the writer supplies; peewee fills it when rows go through models.
  Raw-SQL writers (executemany) must pass gsid, created_at, modified_at themselves.
- Custom field values live in the `custom` TEXT column as a JSON object {api_name: value};
  expression indexes on json_extract make lookups fast (see custom_fields.py).
- Enumerated text columns carry CHECK constraints; use the StrEnums of enums.py (re-exported
  here), never literals. A bad value raises peewee.IntegrityError.
- Booleans are INTEGER 0/1. JSON columns are TEXT holding JSON (lists default to '[]').
- Foreign key columns are named `<field>_id` (peewee default), e.g. company_person.person_id.
  Each model declares the `<field>_id` attribute peewee adds for its foreign keys, and spells
  out the `id = AutoField()` primary key peewee would add, so mypy knows both (same schema).
- Timestamps and the store are UTC; BaseModel, database_proxy and now_ms live in base.py.
- The schema is frozen as SQL (schema_v1.py + later steps in migrations.py); a test checks
  these models create the same schema. Changing a model therefore needs a new migration.
"""

from __future__ import annotations

from pxdesk.core.store.base import BaseModel, now_ms, one_of
from pxdesk.core.store.config_models import (
    Connection,
    CustomField,
    DerivedMapping,
    FieldMapping,
    Job,
    JobChain,
    JobChainMember,
    JobDependency,
    JobFilter,
    Schedule,
    Setting,
)
from pxdesk.core.store.enums import (
    CALLTYPE_APPLICATION_DATA,
    AuditAction,
    AuditAttribute,
    FieldType,
    JobKind,
    LookupObject,
    ModificationType,
    OnMultiple,
    OnNone,
    Region,
    RunStatus,
    ScheduleKind,
    SourceObject,
    TargetObject,
    Trigger,
)
from pxdesk.core.store.log_models import (
    AuditLog,
    ConnectionLog,
    ExecutionRun,
    RecordError,
    RequestLog,
)
from pxdesk.core.store.standard_fields import (
    STANDARD_FIELDS,
    SYSTEM_FIELDS,
    StandardField,
    standard_field,
)
from pxdesk.core.store.target_models import (
    PERSON_EMAIL_EXPR,
    TARGET_MODELS,
    Company,
    CompanyInstance,
    CompanyPerson,
    Person,
    TargetRecord,
    new_gsid,
)

# Re-exported so the engine and UI can import everything store-shaped from one module.
__all__ = [
    "CALLTYPE_APPLICATION_DATA",
    "PERSON_EMAIL_EXPR",
    "STANDARD_FIELDS",
    "SYSTEM_FIELDS",
    "TARGET_MODELS",
    "AuditAction",
    "AuditAttribute",
    "AuditLog",
    "BaseModel",
    "Company",
    "CompanyInstance",
    "CompanyPerson",
    "Connection",
    "ConnectionLog",
    "CustomField",
    "DerivedMapping",
    "ExecutionRun",
    "FieldMapping",
    "FieldType",
    "Job",
    "JobChain",
    "JobChainMember",
    "JobDependency",
    "JobFilter",
    "JobKind",
    "LookupObject",
    "ModificationType",
    "OnMultiple",
    "OnNone",
    "Person",
    "RecordError",
    "Region",
    "RequestLog",
    "RunStatus",
    "Schedule",
    "ScheduleKind",
    "Setting",
    "SourceObject",
    "StandardField",
    "TargetObject",
    "TargetRecord",
    "Trigger",
    "new_gsid",
    "now_ms",
    "one_of",
    "standard_field",
]
