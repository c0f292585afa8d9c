"""Custom fields: api names, the JSON expression that reads them, and their expression indexes."""

from __future__ import annotations

import re
import unicodedata

from peewee import IntegrityError

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.base import database
from pxdesk.core.store.enums import FieldType, TargetObject
from pxdesk.core.store.models import PERSON_EMAIL_EXPR, TARGET_MODELS, CustomField
from pxdesk.core.store.standard_fields import standard_field

GAINSIGHT_SUFFIX = "__gc"
# Api names are interpolated into SQL (index DDL, json paths): only this alphabet is allowed.
_API_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")
_ALIAS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def api_name_for(label: str) -> str:
    """Gainsight-style api name of a label: "PX Account ID" -> "PX_Account_ID__gc"."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    core = re.sub(r"[^A-Za-z0-9]+", "_", ascii_label).strip("_")
    if not core:
        raise ConfigError(f"The label {label!r} has no letters or digits.", field="label")
    if not core[0].isalpha():
        core = "F_" + core
    return validate_api_name(core[:76] + GAINSIGHT_SUFFIX)


def validate_api_name(api_name: str) -> str:
    """Return `api_name` when it is safe to put into SQL; ConfigError otherwise."""
    if not _API_NAME_RE.match(api_name):
        raise ConfigError(
            f"Invalid field api name {api_name!r}: use letters, digits and _, letter first.",
            field="api_name",
        )
    return api_name


def table_for(obj: str) -> str:
    """Table name of a target object ("company", "person", ...)."""
    try:
        return str(TARGET_MODELS[TargetObject(obj)]._meta.table_name)
    except (KeyError, ValueError):
        raise ConfigError(f"Unknown target object {obj!r}.", field="object") from None


def custom_field_expr(obj: str, api_name: str, *, alias: str | None = None) -> str:
    """SQL reading a custom field, identical to its index expression so SQLite uses the index.

    Bind values of the stored JSON type: text for String/Email/Date…, numbers for Number.
    `alias` qualifies the column for joins (e.g. "c" -> json_extract("c".custom, ...)).
    """
    table_for(obj)
    validate_api_name(api_name)
    column = "custom"
    if alias is not None:
        if not _ALIAS_RE.match(alias):
            raise ConfigError(f"Invalid table alias {alias!r}.")
        column = f'"{alias}".custom'
    return f"json_extract({column}, '$.{api_name}')"


def person_email_expr(*, alias: str | None = None) -> str:
    """Case-insensitive email expression matching the person_email_lower index.

    Query as `<expr> = lower(?)`: SQLite's lower() folds ASCII only, so fold the bound value
    with the same function rather than with Python's str.lower().
    """
    if alias is None:
        return PERSON_EMAIL_EXPR
    if not _ALIAS_RE.match(alias):
        raise ConfigError(f"Invalid table alias {alias!r}.")
    return f'lower("{alias}".email)'


def index_name(obj: str, api_name: str) -> str:
    return f"ix_{table_for(obj)}_cf_{validate_api_name(api_name)}"


def index_sql(obj: str, api_name: str) -> str:
    """The CREATE INDEX IF NOT EXISTS statement of a custom field's expression index."""
    return (
        f'CREATE INDEX IF NOT EXISTS "{index_name(obj, api_name)}" '
        f'ON "{table_for(obj)}" ({custom_field_expr(obj, api_name)})'
    )


def _create_index(obj: str, api_name: str) -> None:
    database().execute_sql(index_sql(obj, api_name))


def create_custom_field(
    obj: str, label: str, field_type: str, created_by: str, *, api_name: str | None = None
) -> CustomField:
    """Insert the field definition and create its expression index, in one transaction."""
    table_for(obj)
    try:
        ftype = FieldType(field_type)
    except ValueError:
        raise ConfigError(f"Unknown field type {field_type!r}.", field="field_type") from None
    label = label.strip()
    if not label:
        raise ConfigError("A custom field needs a label.", field="label")
    name = validate_api_name(api_name) if api_name else api_name_for(label)
    if standard_field(obj, name) is not None:
        raise ConfigError(f"{name} is a standard field of {obj}.", field="api_name")
    db = database()
    try:
        with db.atomic():
            field = CustomField.create(
                object=obj, label=label, api_name=name, field_type=ftype, created_by=created_by
            )
            _create_index(obj, name)
    except IntegrityError:
        raise ConfigError(
            f"The {obj} object already has a field {name}.", field="api_name"
        ) from None
    return field


def ensure_custom_field(obj: str, label: str, field_type: str, created_by: str) -> CustomField:
    """The existing field with this label's api name (same type), or a newly created one."""
    name = api_name_for(label)
    existing = custom_field(obj, name)
    if existing is None:
        return create_custom_field(obj, label, field_type, created_by, api_name=name)
    if existing.field_type != field_type:
        raise ConfigError(
            f"{obj}.{name} exists with type {existing.field_type}, not {field_type}.",
            field="field_type",
        )
    return existing


def custom_field(obj: str, api_name: str) -> CustomField | None:
    return CustomField.get_or_none(
        (CustomField.object == obj) & (CustomField.api_name == api_name)
    )


def list_custom_fields(obj: str | None = None) -> list[CustomField]:
    """Custom fields, of one object or all, in creation order."""
    query = CustomField.select().order_by(CustomField.id)
    if obj is not None:
        query = query.where(CustomField.object == obj)
    return list(query)


def ensure_custom_field_indexes() -> int:
    """(Re)create the index of every defined custom field; returns how many fields exist."""
    fields = list_custom_fields()
    for field in fields:
        _create_index(field.object, field.api_name)
    return len(fields)
