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

    # `label` has a default only so that a lookup by value, `JobKind("company")`, type-checks:
    # Enum answers a lookup without calling __new__, and every member names its label.
    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def label_of(cls, value: str, default: str | None = None) -> str:
        """The label of `value`; for a value that is no member (read from a file or an old
        row), `default`, else the value itself."""
        for member in cls:
            if member.value == value:
                return member.label
        return value if default is None else default


class Region(LabelledEnum):
    US = "us", "US"
    EU = "eu", "EU"
    US2 = "us2", "US2"


class SourceObject(LabelledEnum):
    ACCOUNT = "account", "PX Account"
    USER = "user", "PX User"


class ModificationType(LabelledEnum):
    UPDATE = "update", "Update"
    UPSERT = "upsert", "Upsert"


class TargetObject(LabelledEnum):
    COMPANY = "company", "Company"
    PERSON = "person", "Person"
    COMPANY_PERSON = "company_person", "Company Person"
    COMPANY_INSTANCE = "company_instance", "Company Instance"


class LookupObject(LabelledEnum):
    COMPANY = "company", "Company"
    PERSON = "person", "Person"
    COMPANY_PERSON = "company_person", "Company Person"
    SELF = "self", "Same object (self lookup)"


ARROW = "→"  # the one arrow shown from a source to its target


class JobKind(LabelledEnum):
    COMPANY = "company", "Company Sync"
    COMPANY_PERSON = "company_person", "Company Person Sync"

    @property
    def source(self) -> SourceObject:
        """The PX object the job reads."""
        return SourceObject.ACCOUNT if self is JobKind.COMPANY else SourceObject.USER

    @property
    def targets(self) -> tuple[TargetObject, ...]:
        """The objects the job writes (Company Instance aside: it follows the connection)."""
        if self is JobKind.COMPANY:
            return (TargetObject.COMPANY,)
        return (TargetObject.PERSON, TargetObject.COMPANY_PERSON)

    @property
    def flow(self) -> str:
        """What the job reads and writes, e.g. "PX Account → Company"."""
        return f"{self.source.label} {ARROW} {', '.join(t.label for t in self.targets)}"


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


class ScheduleKind(LabelledEnum):
    HOURLY = "hourly", "Hourly"
    DAILY_ONCE = "daily_once", "Daily Once"
    DAILY_REPEAT = "daily_repeat", "Daily Repeat"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class DeletionPolicy(LabelledEnum):
    """What a reconcile does with a record the job wrote that PX no longer has."""

    MARK = "mark", "Keep and mark as deleted in PX"
    DELETE = "delete", "Delete"


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
    RECORD = "Record"  # a synced row whose key value changed in PX (identity kept)


class AuditAction(StrEnum):
    CREATE = "Create"
    EDIT = "Edit"
    DELETE = "Delete"


CALLTYPE_APPLICATION_DATA = "APPLICATION_DATA"
