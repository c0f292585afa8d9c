"""Deterministic, on-demand generation of PX account and user records from (seed, index).

Nothing is stored per record: record ``i`` is rebuilt from a 64-bit mix of (seed, i) each
time, so a million users cost only two compact columns (lastModifiedDate and the account
each user belongs to). Nested objects such as locations are shared between records and must
be treated as read-only (the store deep-copies before any change).
"""

from __future__ import annotations

from array import array
from typing import Any

from pxdesk.core.pxsim import pools

_M64 = (1 << 64) - 1
DAY_MS = 86_400_000
YEAR_MS = 365 * DAY_MS
# Generated dates precede an anchor: by default the clock's now (the demo's users were seen
# recently); tests and benchmarks that pin values pass this fixed one instead.
FIXED_ANCHOR_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
# How far back records were created: under PX's 36 months of retention (docs/decisions.md).
HISTORY_MS = 1065 * DAY_MS

ACCOUNT_ID_PREFIX = "acct-"
USER_ID_PREFIX = "user-"
USER_ID_WIDTH = 7
ACCOUNT_ID_WIDTH = 6


def mix64(x: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread hash of one integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def hex_prefix(h: int, n: int) -> str:
    return f"{h:016x}"[:n]


def uuid_of(a: int, b: int) -> str:
    s = f"{a:016x}{b:016x}"
    return f"{s[:8]}-{s[8:12]}-4{s[13:16]}-a{s[17:20]}-{s[20:32]}"


def location_of(row: pools.LocationRow) -> dict[str, Any]:
    city, state, state_code, country, cc, continent, region, tz, lat, lon, postal = row
    return {
        "countryName": country, "countryCode": cc, "stateName": state, "stateCode": state_code,
        "city": city, "street": "", "postalCode": postal, "continent": continent,
        "regionName": region, "timeZone": tz,
        "coordinates": {"latitude": lat, "longitude": lon},
    }


class SharedPools:
    """Per-seed pools shared by both generators (product keys, locations, agents)."""

    def __init__(self, seed: int) -> None:
        self.salt = mix64(seed & _M64)
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        keys = []
        for k in range(3):
            h = mix64(self.salt ^ (0xA11CE + k))
            body = "".join(alphabet[(h >> (6 * j)) % len(alphabet)] for j in range(10))
            keys.append(f"AP-{body}-2")
        self.property_keys: tuple[str, ...] = tuple(keys)
        self.locations: tuple[dict[str, Any], ...] = tuple(location_of(r) for r in pools.LOCATIONS)
        self.agents: tuple[list[dict[str, Any]], ...] = tuple(
            [{"propertyKey": keys[0], "userAgent": {
                "rawUserAgent": raw, "device": dev, "platformType": plat,
                "platformVersion": pver, "browserType": btype, "browserVersion": bver}}]
            for raw, dev, plat, pver, btype, bver in pools.USER_AGENTS
        )


class AccountGenerator:
    """Builds account ``i`` on demand; ids are ``acct-000123`` (index encoded, case-sensitive)."""

    kind = "accounts"
    id_field = "id"

    def __init__(self, seed: int, count: int, anchor_ms: int, shared: SharedPools) -> None:
        self.count = count
        self.anchor = anchor_ms
        self._shared = shared
        self._salt = mix64(shared.salt ^ 0xACC0)
        self.columns: dict[str, array[int]] = {"lastModifiedDate": array("q", [0]) * count}
        self._created = array("q", [0]) * count
        for i in range(count):
            create, modified = self._dates(mix64(self._salt + i))
            self._created[i] = create
            self.columns["lastModifiedDate"][i] = modified

    def _dates(self, h: int) -> tuple[int, int]:
        back = int(((h >> 8) & 0xFFFFF) / 1048576 * (HISTORY_MS - 30 * DAY_MS))
        create = self.anchor - 30 * DAY_MS - back
        span = self.anchor - create
        modified = create + int(((h >> 28) & 0xFFFFF) / 1048576 * span) + (h & 0xFF)
        return create, min(modified, self.anchor - 1)

    def id_of(self, i: int) -> str:
        return f"{ACCOUNT_ID_PREFIX}{i:0{ACCOUNT_ID_WIDTH}d}"

    def index_of(self, record_id: str) -> int | None:
        return parse_index(record_id, ACCOUNT_ID_PREFIX, self.count, self.id_of)

    def name_of(self, i: int) -> str:
        h = mix64(self._salt ^ (i * 0x9E37 + 7))
        parts = (
            pools.COMPANY_PREFIXES[h % len(pools.COMPANY_PREFIXES)],
            pools.COMPANY_CORES[(h >> 8) % len(pools.COMPANY_CORES)],
            pools.COMPANY_SUFFIXES[(h >> 16) % len(pools.COMPANY_SUFFIXES)],
        )
        name = " ".join(p for p in parts if p)
        return name if i < 512 else f"{name} {i}"  # keep big data sets free of clashes

    def record(self, i: int) -> dict[str, Any]:
        h = mix64(self._salt + i)
        h1 = mix64(h)
        h2 = mix64(h1)
        sh = self._shared
        create = self._created[i]
        name = self.name_of(i)
        slug = "".join(c for c in name.lower() if c.isascii() and c.isalnum())[:24] or "company"
        industry, sic, naics = pools.INDUSTRIES[h1 % len(pools.INDUSTRIES)]
        loc_pick = (h1 >> 8) % 16
        custom: dict[str, Any] | None = None
        if (h2 & 0x1F) != 0:
            custom = {
                "tier": pools.TIERS[(h2 >> 5) % len(pools.TIERS)],
                "arr": round(((h2 >> 10) & 0xFFFFF) * 1.7, 2),
                "isPartner": bool((h2 >> 30) & 1),
                "contractStartDate": create + ((h2 >> 31) & 0x3FFFFFF) * 100,
                "region": pools.SALES_REGIONS[(h2 >> 57) % len(pools.SALES_REGIONS)],
            }
        return {
            "id": self.id_of(i),
            "name": name,
            "trackedSubscriptionId": "" if h1 & 0x100000 else sh.property_keys[0],
            "sfdcId": "" if (h1 >> 21) % 10 == 0 else f"0015g0000{hex_prefix(h2, 9).upper()}",
            "dunsNumber": "" if h1 & 0x400000 else f"{(h1 >> 23) % 1_000_000_000:09d}",
            "industry": industry,
            "sicCode": sic,
            "naicsCode": naics,
            "website": f"https://www.{slug}.example.com",
            "plan": pools.ACCOUNT_PLANS[(h1 >> 33) % len(pools.ACCOUNT_PLANS)],
            "parentGroupId": "" if (h1 >> 36) % 4 else f"grp-{(h1 >> 38) % 10:02d}",
            "gsId": "" if (h1 >> 42) % 3 == 0 else uuid_of(h2, h1),
            "csm": pools.CSM_NAMES[(h1 >> 44) % len(pools.CSM_NAMES)],
            "numberOfEmployees": 1 + ((h >> 48) & 0xFFFF) % 20000,
            "numberOfUsers": 0,
            "healthScore": (h1 >> 50) % 101,
            "nps": None if (h2 >> 40) % 5 == 0 else round(((h2 >> 43) % 2001 - 1000) / 10, 1),
            "lastSeenDate": 0 if (h2 >> 54) % 10 == 0 else max(
                create, self.anchor - 1 - (h2 >> 20) % YEAR_MS),
            "createDate": create,
            "lastModifiedDate": self.columns["lastModifiedDate"][i],
            "renewalDate": 0 if (h1 >> 56) % 4 == 0 else self.anchor + ((h1 >> 8) % YEAR_MS),
            "location": None if loc_pick >= len(sh.locations) else sh.locations[loc_pick],
            "propertyKeys": list(sh.property_keys[: 1 + (h2 >> 60) % 2]),
            "customAttributes": custom,
        }


def parse_index(record_id: str, prefix: str, count: int, id_of: Any) -> int | None:
    """The index encoded in a generated id, or None when the id is not exactly one of ours."""
    if not record_id.startswith(prefix):
        return None
    digits = record_id[len(prefix):]
    if not digits.isdigit():
        return None
    i = int(digits)
    return i if i < count and id_of(i) == record_id else None
