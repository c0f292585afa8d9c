"""Every table of the store, in creation order (parents first; reverse it to drop)."""

from __future__ import annotations

from peewee import Model

from pxdesk.core.store.config_versions import ConfigVersion
from pxdesk.core.store.leases import JobLease
from pxdesk.core.store.models import (
    AuditLog,
    Company,
    CompanyInstance,
    CompanyPerson,
    Connection,
    ConnectionLog,
    CustomField,
    DerivedMapping,
    ExecutionRun,
    FieldMapping,
    Job,
    JobChain,
    JobChainMember,
    JobDependency,
    JobFilter,
    Person,
    RecordError,
    RequestLog,
    Schedule,
    Setting,
)
from pxdesk.core.store.sync_state import (
    AdoptionSnapshot,
    RetryRecord,
    RowChange,
    SourceLink,
    SourceRecord,
    UserActivity,
)

ALL_MODELS: list[type[Model]] = [
    Connection, Job, JobDependency, FieldMapping, DerivedMapping, JobFilter, Schedule,
    JobChain, JobChainMember, Setting, CustomField, ExecutionRun, RecordError, RequestLog,
    AuditLog, ConnectionLog,
    Company, Person, CompanyPerson, CompanyInstance, SourceLink, RetryRecord, UserActivity,
    AdoptionSnapshot, ConfigVersion, SourceRecord, RowChange, JobLease,
]
