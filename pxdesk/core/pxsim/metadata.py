"""Attribute metadata served by /v1/admin/model/{account,user}/attributes (bare JSON arrays).

Like the real API, the user list omits ``sfdcContactId`` and ``globalUnsubscribe`` although
records carry them. Each list ends with one DISABLED custom attribute no record uses, so
pickers meet every ``state``.
"""

from __future__ import annotations

import re
from typing import Any

from pxdesk.core.pxsim.data import DAY_MS, YEAR_MS, mix64, uuid_of

S, N, B, D = "STRING", "NUMBER", "BOOLEAN", "DATE_TIME"

ACCOUNT_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("id", S), ("name", S), ("trackedSubscriptionId", S), ("sfdcId", S), ("dunsNumber", S),
    ("industry", S), ("sicCode", S), ("naicsCode", S), ("website", S), ("plan", S),
    ("parentGroupId", S), ("gsId", S), ("csm", S), ("numberOfEmployees", N),
    ("numberOfUsers", N), ("healthScore", N), ("nps", N), ("lastSeenDate", D),
    ("createDate", D), ("lastModifiedDate", D), ("renewalDate", D),
)
ACCOUNT_CUSTOM: tuple[tuple[str, str], ...] = (
    ("tier", S), ("arr", N), ("isPartner", B), ("contractStartDate", D), ("region", S),
)
USER_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("identifyId", S), ("aptrinsicId", S), ("type", S), ("gender", S), ("email", S),
    ("firstName", S), ("lastName", S), ("title", S), ("phone", S), ("role", S),
    ("subscriptionId", S), ("globalId", S), ("accountId", S), ("score", N),
    ("numberOfVisits", N), ("lastSeenDate", D), ("signUpDate", D), ("firstVisitDate", D),
    ("createDate", D), ("lastModifiedDate", D),
)
USER_CUSTOM: tuple[tuple[str, str], ...] = (
    ("plan", S), ("department", S), ("loginCount", N), ("betaOptIn", B), ("trialEndDate", D),
)
_DISABLED = {"account": ("legacyTier", S), "user": ("oldNewsletter", B)}


def _label(api_name: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", api_name).split()
    return " ".join(w.capitalize() if w.islower() else w for w in words)


def attributes(entity: str, seed: int, anchor_ms: int) -> list[dict[str, Any]]:
    """The metadata list for ``account`` or ``user``: defaults first, then custom ones."""
    defaults, custom = (
        (ACCOUNT_DEFAULTS, ACCOUNT_CUSTOM) if entity == "account" else (USER_DEFAULTS, USER_CUSTOM)
    )
    rows: list[tuple[str, str, str, str]] = [(n, t, "DEFAULT", "ENABLED") for n, t in defaults]
    rows += [(n, t, "CUSTOM", "ENABLED") for n, t in custom]
    rows.append((*_DISABLED[entity], "CUSTOM", "DISABLED"))
    out = []
    for k, (api_name, kind, origin, state) in enumerate(rows):
        h = mix64(seed * 7919 + k + (0 if entity == "account" else 1000))
        created = anchor_ms - 2 * YEAR_MS + k * DAY_MS
        out.append({
            "id": uuid_of(h, mix64(h)),
            "name": _label(api_name),
            "apiName": api_name,
            "internalName": api_name if origin == "DEFAULT" else f"custom_{api_name.lower()}",
            "description": "" if origin == "DEFAULT" else f"Custom {entity} attribute",
            "type": kind,
            "state": state,
            "origin": origin,
            "createdDate": created,
            "modifiedDate": created + (h % 90) * DAY_MS,
            "defaultValue": None,
        })
    return out
