"""Log values in the words the UI uses (labels, Yes/No, day names), also for rows that earlier
versions wrote raw: the audit and connection logs and error reasons are read through here."""

from __future__ import annotations

import re
from typing import Any

from pxdesk.core.schedule.rules import DAY_NAMES
from pxdesk.core.store.custom_fields import list_custom_fields
from pxdesk.core.store.enums import ModificationType, ScheduleKind
from pxdesk.core.store.standard_fields import STANDARD_FIELDS

# Gainsight API names end in __gc; a plain word is left alone (it may be a PX source path).
_API_NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9_]*__gc\b")
_DAY_NUMBERS = re.compile(r"^[0-6](, [0-6])*$")
_BOOLEANS = {"True": "Yes", "False": "No"}
_DAY_WORDS = {"everyday": "Every day", "weekdays": "Weekdays (Mon-Fri)"}  # the wizard's words
# Audit sub-attributes whose raw values have a label in the UI.
_LABELLED = {"Type": ScheduleKind.label_of, "Data Modification Type": ModificationType.label_of}

Labels = dict[str, str]


def field_labels() -> Labels:
    """API name -> label of every standard and custom field (read once per page of rows)."""
    labels = {f.api_name: f.label for fields in STANDARD_FIELDS.values() for f in fields}
    labels.update({str(f.api_name): str(f.label) for f in list_custom_fields()})
    return labels


def with_field_labels(text: str | None, labels: Labels | None = None) -> str | None:
    """`text` with each field API name (`PX_Account_ID__gc`) replaced by the field's label."""
    if not text or "__gc" not in text:
        return text
    known = field_labels() if labels is None else labels
    return _API_NAME.sub(lambda m: known.get(m.group(0), m.group(0)), text)


def days_text(days: Any) -> str:
    """Schedule days as the wizard shows them: "Mon, Wed", "Every day"."""
    if isinstance(days, list | tuple):
        return ", ".join(DAY_NAMES[d] if isinstance(d, int) and 0 <= d < 7 else str(d)
                         for d in days)
    return "" if days is None else _DAY_WORDS.get(str(days), str(days))


def audit_value(sub_attribute: str | None, value: str | None, labels: Labels | None = None,
                ) -> str | None:
    """An audit old/new value as the UI says it."""
    if value is None:
        return None
    if value in _BOOLEANS:
        return _BOOLEANS[value]
    if sub_attribute in _LABELLED:
        return _LABELLED[sub_attribute](value)
    if sub_attribute == "Days":
        return days_text([int(d) for d in value.split(", ")] if _DAY_NUMBERS.match(value)
                         else value)
    return with_field_labels(value, labels)


def connection_value(value: str | None) -> str | None:
    """A connection-log value as the UI says it ("No", not "False")."""
    return _BOOLEANS.get(value, value) if value is not None else None
