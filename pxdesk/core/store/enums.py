"""Enumerated values of the store's text columns; the schema's CHECK constraints use them.

A `LabelledEnum` member carries the one text the admin reads for it (`JobKind.COMPANY.label`),
so the validator, the wizards, the views and the CLI show the same words.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    """A text value with its display label: members are written `NAME = "value", "Label"`."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Region(StrEnum):
    US = "us"
    EU = "eu"
    US2 = "us2"


class JobKind(StrEnum):
    COMPANY = "company"
    COMPANY_PERSON = "company_person"


class SourceObject(StrEnum):
    ACCOUNT = "account"
    USER = "user"


class ModificationType(StrEnum):
    UPDATE = "update"
    UPSERT = "upsert"


class TargetObject(StrEnum):
    COMPANY = "company"
    PERSON = "person"
    COMPANY_PERSON = "company_person"
    COMPANY_INSTANCE = "company_instance"


class LookupObject(StrEnum):
    COMPANY = "company"
    PERSON = "person"
    COMPANY_PERSON = "company_person"
    SELF = "self"


class FieldType(StrEnum):
    STRING = "String"
    NUMBER = "Number"
    BOOLEAN = "Boolean"
    DATE = "Date"
    DATETIME = "DateTime"
    EMAIL = "Email"
    URL = "URL"
    PERCENTAGE = "Percentage"
    CURRENCY = "Currency"
    GSID = "GSID"
    PICKLIST = "Picklist"


class OnMultiple(StrEnum):
    USE_ANY = "use_any"
    ERROR = "error"


class OnNone(StrEnum):
    ERROR = "error"
    DEFAULT = "default"


class ScheduleKind(StrEnum):
    HOURLY = "hourly"
    DAILY_ONCE = "daily_once"
    DAILY_REPEAT = "daily_repeat"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Trigger(StrEnum):
    MANUAL = "manual"
    SCHEDULED = "scheduled"
    DEPENDENCY = "dependency"
    IMPORT_FROM_DATE = "import_from_date"


class RunStatus(StrEnum):
    QUEUED = "Queued"
    IN_PROGRESS = "In Progress"
    SUCCESS = "Success"
    PARTIAL_SUCCESS = "Partial Success"
    FAILURE = "Failure"
    SKIPPED = "Skipped"
    CANCELLED = "Cancelled"


class AuditAttribute(StrEnum):
    JOB_CONFIGURATION = "Job Configuration"
    MAPPING = "Mapping"
    DERIVED_MAPPING = "Derived Mapping"
    FILTER = "Filter"
    SCHEDULE = "Schedule"


class AuditAction(StrEnum):
    CREATE = "Create"
    EDIT = "Edit"
    DELETE = "Delete"


CALLTYPE_APPLICATION_DATA = "APPLICATION_DATA"
