"""The out-of-the-box jobs of a new connection: their default configuration (connector.md)."""

from __future__ import annotations

from pxdesk.core.config.job_config import (
    DerivedConfig,
    JobConfig,
    MappingConfig,
    MatchPair,
    ScheduleConfig,
)
from pxdesk.core.store.enums import (
    FieldType,
    JobKind,
    ModificationType,
    SourceObject,
    TargetObject,
)
from pxdesk.core.sync.filters import FilterSpec, default_email_filter

COMPANY_PREFIX = "Company Sync_"
PERSON_PREFIX = "Company Person Sync_"
JOB_PREFIXES = {JobKind.COMPANY: COMPANY_PREFIX, JobKind.COMPANY_PERSON: PERSON_PREFIX}
SOURCES = {JobKind.COMPANY: SourceObject.ACCOUNT, JobKind.COMPANY_PERSON: SourceObject.USER}
TARGETS = {JobKind.COMPANY: JobKind.COMPANY, JobKind.COMPANY_PERSON: JobKind.COMPANY_PERSON}

# (object, label, type) of the custom fields the connection creates.
CONNECTION_CUSTOM_FIELDS: tuple[tuple[str, str, str], ...] = (
    (TargetObject.COMPANY, "PX Account ID", FieldType.STRING),
    (TargetObject.COMPANY, "Number of Users", FieldType.NUMBER),
    (TargetObject.COMPANY_PERSON, "Sign up date", FieldType.DATE),
)
PX_ACCOUNT_ID = "PX_Account_ID__gc"
NUMBER_OF_USERS = "Number_of_Users__gc"
SIGN_UP_DATE = "Sign_up_date__gc"


def default_job_name(kind: str, connection_name: str) -> str:
    return JOB_PREFIXES[JobKind(kind)] + connection_name


def default_schedule(timezone: str) -> ScheduleConfig:
    """Hourly every hour, stored disabled: nothing runs on its own before the admin has
    reviewed the job (Company Sync cannot even run before an upsert key is ticked)."""
    return ScheduleConfig(enabled=False, kind="hourly", every_hours=1, timezone=timezone)


def company_config(connection_name: str, recipients: list[str], timezone: str) -> JobConfig:
    """Company Sync: PX Account -> Company; no upsert key until the admin ticks one."""
    company = TargetObject.COMPANY.value
    return JobConfig(
        name=default_job_name(JobKind.COMPANY, connection_name),
        kind=JobKind.COMPANY.value, modification_type=ModificationType.UPSERT.value,
        dependencies=[], success_recipients=list(recipients),
        failure_recipients=list(recipients),
        mappings=[
            MappingConfig("name", "STRING", company, "Name", FieldType.STRING.value),
            MappingConfig("numberOfUsers", "NUMBER", company, NUMBER_OF_USERS,
                          FieldType.NUMBER.value),
            MappingConfig("id", "STRING", company, PX_ACCOUNT_ID, FieldType.STRING.value),
        ],
        derived=[], filters=FilterSpec(), schedule=default_schedule(timezone),
    )


def person_config(connection_name: str, recipients: list[str], timezone: str,
                  resolution_key: list[str]) -> JobConfig:
    """Company Person Sync: PX User -> Person + Company Person, after Company Sync."""
    person, link = TargetObject.PERSON.value, TargetObject.COMPANY_PERSON.value
    mappings = [
        MappingConfig("email", "STRING", person, "Email", FieldType.EMAIL.value),
        MappingConfig("firstName", "STRING", person, "FirstName", FieldType.STRING.value),
        MappingConfig("lastName", "STRING", person, "LastName", FieldType.STRING.value),
        MappingConfig("signUpDate", "DATE_TIME", link, SIGN_UP_DATE, FieldType.DATE.value),
    ]
    for mapping in mappings:
        mapping.upsert_key = mapping.target_object == person and \
            mapping.target_field in resolution_key
    # With Multi Instance the same lookup is answered through company_instance (engine).
    company_id = DerivedConfig(
        target_object=link, target_field="Company_ID", lookup_object=TargetObject.COMPANY.value,
        pairs=[MatchPair("accountId", PX_ACCOUNT_ID)], on_multiple="use_any", on_none="error")
    return JobConfig(
        name=default_job_name(JobKind.COMPANY_PERSON, connection_name),
        kind=JobKind.COMPANY_PERSON.value, modification_type=ModificationType.UPSERT.value,
        dependencies=[default_job_name(JobKind.COMPANY, connection_name)],
        success_recipients=list(recipients), failure_recipients=list(recipients),
        mappings=mappings, derived=[company_id],
        filters=FilterSpec((default_email_filter(),)), schedule=default_schedule(timezone),
    )
