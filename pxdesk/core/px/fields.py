"""Catalog of the standard PX account and user fields, merged with attribute metadata."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

FieldType = Literal["STRING", "NUMBER", "BOOLEAN", "DATE_TIME"]
_TYPES: frozenset[str] = frozenset({"STRING", "NUMBER", "BOOLEAN", "DATE_TIME"})
_HIDDEN_STATES = frozenset({"DELETED", "DISABLED"})


@dataclass(frozen=True)
class SourceField:
    """A PX field the mapping picker and the filter editor can offer."""

    path: str  # dot path in the record, e.g. "location.countryCode", "customAttributes.plan"
    label: str
    type: FieldType
    custom: bool


def _fields(kind: FieldType, names: str) -> list[tuple[str, FieldType]]:
    return [(name, kind) for name in names.split()]


# Location object; coordinates "0.0/0.0" mean unknown, which the converter handles.
_LOCATION: list[tuple[str, FieldType]] = [
    *_fields(
        "STRING",
        "countryName countryCode stateName stateCode city street postalCode continent "
        "regionName timeZone",
    ),
    ("coordinates.latitude", "NUMBER"),
    ("coordinates.longitude", "NUMBER"),
]


def _nested(prefix: str) -> list[tuple[str, FieldType]]:
    return [(f"{prefix}.{name}", kind) for name, kind in _LOCATION]


# Scalar fields only: lists (propertyKeys, channelMetricList, lastVisitedUserAgentData) have no
# single value to map. Epoch-millisecond integers are DATE_TIME.
STANDARD_FIELDS: dict[str, tuple[tuple[str, FieldType], ...]] = {
    "account": (
        ("id", "STRING"),
        ("name", "STRING"),
        *_fields(
            "STRING",
            "trackedSubscriptionId sfdcId dunsNumber industry sicCode naicsCode website plan "
            "parentGroupId gsId csm",
        ),
        *_fields("NUMBER", "numberOfEmployees numberOfUsers healthScore nps"),
        *_fields("DATE_TIME", "lastSeenDate createDate lastModifiedDate renewalDate"),
        *_nested("location"),
    ),
    "user": (
        ("identifyId", "STRING"),
        ("aptrinsicId", "STRING"),
        *_fields(
            "STRING",
            "type gender email firstName lastName title phone role subscriptionId "
            "sfdcContactId globalId accountId",
        ),
        *_fields("NUMBER", "score numberOfVisits"),
        *_fields(
            "DATE_TIME", "lastSeenDate signUpDate firstVisitDate createDate lastModifiedDate"
        ),
        ("globalUnsubscribe", "BOOLEAN"),
        *_nested("location"),
        *_nested("lastInferredLocation"),
    ),
}


def _humanize(path: str) -> str:
    """'location.countryCode' -> 'Location: Country code'."""
    parts = [re.sub(r"(?<!^)(?=[A-Z])", " ", p).lower() for p in path.split(".")]
    text = ": ".join(parts)
    return text[:1].upper() + text[1:]


def _normalize_kind(kind: str) -> Literal["account", "user"]:
    key = kind.lower().rstrip("s")
    if key not in ("account", "user"):
        raise ValueError(f"kind must be 'account' or 'user', not {kind!r}")
    return "account" if key == "account" else "user"


def standard_fields(kind: str) -> list[SourceField]:
    """The standard fields of accounts or users (kind 'account'/'accounts'/'user'/'users')."""
    key = _normalize_kind(kind)
    return [SourceField(path, _humanize(path), t, False) for path, t in STANDARD_FIELDS[key]]


def source_fields(kind: str, attributes: Iterable[dict[str, Any]]) -> list[SourceField]:
    """Standard fields (labels taken from PX metadata when it names them) then enabled custom
    attributes as `customAttributes.<apiName>`, sorted by label. DELETED/DISABLED custom
    attributes are skipped; standard fields are always offered. A DEFAULT attribute the catalog
    does not know is offered at its apiName, since PX knows its own model better than we do.
    """
    standard = standard_fields(kind)
    by_path = {f.path: f for f in standard}
    extra_default: list[SourceField] = []
    custom: dict[str, SourceField] = {}
    for attr in attributes:
        api_name = str(attr.get("apiName") or "").strip()
        if not api_name:
            continue
        label = str(attr.get("name") or "").strip() or _humanize(api_name)
        raw_type = str(attr.get("type") or "").upper()
        field_type = cast(FieldType, raw_type if raw_type in _TYPES else "STRING")
        hidden = str(attr.get("state") or "").upper() in _HIDDEN_STATES
        if str(attr.get("origin") or "").upper() == "CUSTOM":
            path = f"customAttributes.{api_name}"
            if not hidden:
                custom[path] = SourceField(path, label, field_type, True)
        elif api_name in by_path:
            known = by_path[api_name]
            by_path[api_name] = SourceField(known.path, label, known.type, False)
        elif not hidden and not api_name.startswith("customAttributes."):
            extra_default.append(SourceField(api_name, label, field_type, False))
            by_path[api_name] = extra_default[-1]
    merged = [by_path[f.path] for f in standard] + extra_default
    return merged + sorted(custom.values(), key=lambda f: f.label.lower())
