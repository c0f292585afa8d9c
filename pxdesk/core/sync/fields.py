"""Target fields as SQL: a standard column or a custom field's JSON expression, and its type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pxdesk.core.errors import ConfigError
from pxdesk.core.store.custom_fields import (
    custom_field,
    custom_field_expr,
    person_email_expr,
    table_for,
)
from pxdesk.core.store.enums import FieldType, TargetObject
from pxdesk.core.store.standard_fields import standard_field
from pxdesk.core.sync.mapping import compile_converter

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, exactly as SQLite's lower() does (str.lower() is the
    same for ASCII text and much faster than translate)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


@dataclass(frozen=True)
class FieldRef:
    """One field of a target object; `column` is None for a custom field (JSON `custom`)."""

    obj: str
    api_name: str
    field_type: str
    column: str | None

    @property
    def table(self) -> str:
        return table_for(self.obj)

    @property
    def is_email(self) -> bool:
        return self.field_type == FieldType.EMAIL

    def expr(self, alias: str | None = None) -> str:
        """SQL reading the field; emails are folded (lower) so comparisons ignore case and
        the person email index is used."""
        if self.obj == TargetObject.PERSON and self.column == "email":
            return person_email_expr(alias=alias)
        if self.column is None:
            sql = custom_field_expr(self.obj, self.api_name, alias=alias)
        else:
            sql = f'"{alias}"."{self.column}"' if alias else f'"{self.column}"'
        return f"lower({sql})" if self.is_email else sql

    def key_normaliser(self) -> Callable[[Any], Any]:
        """Convert a source value to this field's stored form (raises ConversionError), folding
        emails, so Python keys equal what `expr()` returns from the database."""
        convert = compile_converter(self.field_type)
        if not self.is_email:
            return convert

        def email_key(value: Any) -> Any:
            converted = convert(value)
            return ascii_lower(converted) if isinstance(converted, str) else converted

        return email_key

    def stored_key(self, value: Any) -> Any:
        """A value read back through `expr()`, as a Python key."""
        if self.field_type == FieldType.BOOLEAN and isinstance(value, int):
            return bool(value)
        return value


def resolve_field(obj: str, api_name: str) -> FieldRef:
    """The standard, system or custom field `api_name` of target object `obj`."""
    std = standard_field(obj, api_name)
    if std is not None:
        return FieldRef(obj, api_name, str(std.type), std.column)
    custom = custom_field(obj, api_name)
    if custom is not None:
        return FieldRef(obj, api_name, str(custom.field_type), None)
    raise ConfigError(f"The {obj} object has no field {api_name}.", field="target_field")
