"""Standard and system fields of each target object: api name, label, type, column."""

from __future__ import annotations

from typing import NamedTuple

from pxdesk.core.store.enums import FieldType, TargetObject


class StandardField(NamedTuple):
    api_name: str
    label: str
    type: FieldType
    required: bool
    column: str


_F = FieldType
STANDARD_FIELDS: dict[str, list[StandardField]] = {
    TargetObject.COMPANY: [
        StandardField("Name", "Name", _F.STRING, True, "name"),
        StandardField("Industry", "Industry", _F.PICKLIST, False, "industry"),
        StandardField("Employees", "Employees", _F.NUMBER, False, "employees"),
        StandardField("ARR", "ARR", _F.CURRENCY, False, "arr"),
        StandardField("MRR", "MRR", _F.CURRENCY, False, "mrr"),
        StandardField("Stage", "Stage", _F.PICKLIST, False, "stage"),
        StandardField("Status", "Status", _F.PICKLIST, False, "status"),
        StandardField("RenewalDate", "Renewal Date", _F.DATE, False, "renewal_date"),
        StandardField(
            "OriginalContractDate", "Original Contract Date", _F.DATE, False,
            "original_contract_date",
        ),
        StandardField("ParentCompany", "Parent Company", _F.GSID, False, "parent_company_id"),
        StandardField("CSM", "CSM", _F.STRING, False, "csm"),
    ],
    TargetObject.PERSON: [
        StandardField("Email", "Email", _F.EMAIL, False, "email"),
        StandardField("FirstName", "First Name", _F.STRING, False, "first_name"),
        StandardField("LastName", "Last Name", _F.STRING, False, "last_name"),
        StandardField("Name", "Name", _F.STRING, False, "name"),
        StandardField("Location", "Location", _F.STRING, False, "location"),
        StandardField("Timezone", "Timezone", _F.STRING, False, "timezone"),
        StandardField("LinkedinUrl", "LinkedIn URL", _F.URL, False, "linkedin_url"),
    ],
    TargetObject.COMPANY_PERSON: [
        StandardField("Person_ID", "Person ID", _F.GSID, True, "person_id"),
        StandardField("Company_ID", "Company ID", _F.GSID, True, "company_id"),
        StandardField("Title", "Title", _F.STRING, False, "title"),
        StandardField("Role", "Role", _F.PICKLIST, False, "role"),
        StandardField("Phone", "Phone", _F.STRING, False, "phone"),
        StandardField("Active", "Active", _F.BOOLEAN, False, "active"),
        StandardField("IsPrimaryCompany", "Is Primary Company", _F.BOOLEAN, False,
                      "is_primary_company"),
    ],
    TargetObject.COMPANY_INSTANCE: [
        StandardField("PxAccountId", "PX Account ID", _F.STRING, True, "px_account_id"),
        StandardField("Name", "Name", _F.STRING, False, "name"),
        StandardField("Company_ID", "Company ID", _F.GSID, False, "company_id"),
    ],
}

# Read-only system fields of every target object (usable as lookup fields, never mapped to).
SYSTEM_FIELDS: list[StandardField] = [
    StandardField("Gsid", "GSID", _F.GSID, False, "gsid"),
    StandardField("CreatedDate", "Created Date", _F.DATETIME, False, "created_at"),
    StandardField("ModifiedDate", "Modified Date", _F.DATETIME, False, "modified_at"),
    StandardField("CreatedBy", "Created By", _F.STRING, False, "created_by"),
    StandardField("ModifiedBy", "Modified By", _F.STRING, False, "modified_by"),
    StandardField("DeletedInPx", "Deleted in PX", _F.DATETIME, False, "deleted_in_px_at"),
]


def standard_field(obj: str, api_name: str) -> StandardField | None:
    """The standard (or system) field `api_name` of target object `obj`, if any."""
    for field in [*STANDARD_FIELDS.get(obj, []), *SYSTEM_FIELDS]:
        if field.api_name == api_name:
            return field
    return None
