"""Deterministic generation of PX users, as dicts and as ready-made JSON text (the fast path).

Both forms come from one tuple of values per user, so they always agree (a test checks it).
The JSON form skips dict building and ``json.dumps`` — together the bulk of a page's cost —
by splicing pre-escaped pool strings into one f-string; it is what lets an unfiltered million
user listing stream at tens of thousands of users per second.
"""

from __future__ import annotations

import json
from array import array
from typing import Any

from pxdesk.core.pxsim import pools
from pxdesk.core.pxsim.data import (
    ACCOUNT_ID_PREFIX,
    ACCOUNT_ID_WIDTH,
    DAY_MS,
    HISTORY_MS,
    USER_ID_PREFIX,
    USER_ID_WIDTH,
    SharedPools,
    mix64,
    parse_index,
    uuid_of,
)

_FIRST = tuple(f for f, _ in pools.FIRST_NAMES)
_LAST = tuple(n for n, _ in pools.LAST_NAMES)
_BOOL_J = ("false", "true")
# channelMetricList carries channel and environment as integers in the vendor spec (codes
# whose meanings PX does not publish); clients must not expect "WEB"/"PRODUCTION" strings.
CHANNEL_WEB = 1
ENVIRONMENT_PRODUCTION = 1
_VISIT_SALT = 0x5EE5
_CHURN_SALT = 0xC4A2
# Of the users who ever visited (not in a churning account), the share last seen within a
# day, a week and a month of the anchor (cumulative %); the rest lapsed 31 days to a year ago.
_SEEN_DAY, _SEEN_WEEK, _SEEN_MONTH = 18, 40, 62
_LAPSED_MS = 31 * DAY_MS


def _q(text: str | None) -> str:
    """JSON for a generated string that needs no escaping (ids, ASCII e-mails, phones)."""
    return "null" if text is None else f'"{text}"'


class UserGenerator:
    """Builds user ``i`` on demand; ids are ``user-0000123``; ~3% have no account, ~10% never
    visited, about 1 account in 8 is churning (no user seen in the last 30 days)."""

    kind = "users"
    id_field = "identifyId"

    def __init__(
        self, seed: int, count: int, anchor_ms: int, shared: SharedPools, accounts: int,
        *, ascii_json: bool = False,
    ) -> None:
        def js(values: Any) -> tuple[str, ...]:
            return tuple(json.dumps(v, ensure_ascii=ascii_json, separators=(",", ":"))
                         for v in values)

        self._first_j, self._last_j = js(_FIRST), js(_LAST)
        self._types_j, self._genders_j = js(pools.USER_TYPES), js(pools.GENDERS)
        self._titles_j, self._roles_j = js(pools.TITLES), js(pools.ROLES)
        self._plans_j, self._depts_j = js(pools.USER_PLANS), js(pools.DEPARTMENTS)
        self.count = count
        self.anchor = anchor_ms
        self._sh = shared
        self._accounts = accounts
        self._salt = mix64(shared.salt ^ 0x05E4)
        self._psalt = mix64(shared.salt ^ 0x9E45)
        self._loc_j = js(shared.locations)
        self._agents_j = js(shared.agents)
        self._pk_j = json.dumps(shared.property_keys[0])
        self.columns: dict[str, array[int]] = {"lastModifiedDate": array("q", [0]) * count}
        self._churning = bytes(mix64(self._salt ^ (a + _CHURN_SALT)) % 8 == 0
                               for a in range(accounts))
        # account index per user (-1 = none): drives numberOfUsers of the accounts
        self.account_index = array("l", [0]) * count
        modified = self.columns["lastModifiedDate"]
        for i in range(count):
            acc, _create, _first, _seen, mod = self._base(mix64(self._salt + i))
            self.account_index[i] = acc
            modified[i] = mod

    def _base(self, h: int) -> tuple[int, int, int, int, int]:
        """Account index, createDate, firstVisitDate, lastSeenDate (0: never) and
        lastModifiedDate, from one hash. Sign-ups grow towards the anchor; a visit modifies
        the user, so an incremental sync brings the users seen since the last one."""
        u = ((h >> 10) & 0xFFFFF) / 1048576
        acc = -1 if (h & 0x3FF) < 31 or not self._accounts else int(self._accounts * u * u)
        age = ((h >> 30) & 0xFFFFF) / 1048576
        create = self.anchor - DAY_MS - int(age ** 1.5 * (HISTORY_MS - DAY_MS))
        span = self.anchor - create
        modified = create + int(((h >> 50) & 0x3FFF) / 16384 * span) + (h & 0x3FF)
        v = mix64(h ^ _VISIT_SALT)
        first_visit = min(create + (v >> 8) % (30 * DAY_MS), self.anchor - 1)
        churning = acc >= 0 and self._churning[acc] == 1
        if v % 10 == 0 or (churning and first_visit > self.anchor - _LAPSED_MS):
            return acc, create, 0, 0, min(modified, self.anchor - 1)  # never visited
        last_seen = max(first_visit, self.anchor - 1 - self._recency(churning, v >> 16))
        return acc, create, first_visit, last_seen, min(max(modified, last_seen),
                                                        self.anchor - 1)

    def _recency(self, churning: bool, bits: int) -> int:
        """How long before the anchor a visitor was last seen."""
        pick, spread = bits % 100, bits >> 7
        if pick >= _SEEN_MONTH or churning:
            return _LAPSED_MS + spread % (334 * DAY_MS)
        window = (DAY_MS if pick < _SEEN_DAY else 7 * DAY_MS if pick < _SEEN_WEEK
                  else 30 * DAY_MS)
        return spread % window

    def id_of(self, i: int) -> str:
        return f"{USER_ID_PREFIX}{i:0{USER_ID_WIDTH}d}"

    def index_of(self, record_id: str) -> int | None:
        return parse_index(record_id, USER_ID_PREFIX, self.count, self.id_of)

    def _values(self, i: int) -> tuple[Any, ...]:
        """Every generated value of user ``i``; pooled strings/objects as pool indexes."""
        h = mix64(self._salt + i)
        h1 = mix64(h)
        h2 = mix64(h1)
        acc, create, first_visit, last_seen, modified = self._base(h)
        # ~0.8% are the same person (name + e-mail) as a nearby user, usually in another account
        p = i - 1 - ((h1 >> 7) & 7) if (h1 & 0x7F) == 0 and i >= 8 else i
        hp = mix64(self._psalt + p)
        first = hp % len(pools.FIRST_NAMES)
        last = (hp >> 8) % len(pools.LAST_NAMES)
        flag = (hp >> 16) % 200
        email: str | None = "" if flag == 1 else None
        if flag >= 2:
            domain = pools.EMAIL_DOMAINS[(hp >> 24) % len(pools.EMAIL_DOMAINS)]
            email = f"{pools.FIRST_NAMES[first][1]}.{pools.LAST_NAMES[last][1]}{p}@{domain}"
        visits = 0 if last_seen == 0 else (h1 >> 14) % 500 + 1
        loc = (h1 >> 40) % 20  # ~35% of users have no known location
        loc = loc if loc < len(pools.LOCATIONS) else -1
        custom = None
        if (h2 & 0x1F) != 0:
            trial = create + 14 * DAY_MS if (h2 >> 24) % 3 else None
            custom = ((h2 >> 5) % len(pools.USER_PLANS), (h2 >> 9) % len(pools.DEPARTMENTS),
                      (h2 >> 13) % 1000, (h2 >> 23) & 1, trial)
        return (
            uuid_of(h1, h2), self.id_of(i), (h2 >> 30) % len(pools.USER_TYPES),
            (h2 >> 34) % len(pools.GENDERS), email, first, last,
            (h2 >> 37) % len(pools.TITLES),
            None if (h2 >> 41) % 3 == 0 else f"+49 30 {(h2 >> 44) % 10_000_000:07d}",
            (h2 >> 54) % len(pools.ROLES),
            None if (h1 >> 50) & 1 else f"0035g0000{h1 & 0xFFFFFFFFF:09X}",
            "" if acc < 0 else f"{ACCOUNT_ID_PREFIX}{acc:0{ACCOUNT_ID_WIDTH}d}",
            (h1 >> 52) % 101, visits, last_seen,
            0 if (h1 >> 59) % 7 == 0 else create + (h1 >> 20) % DAY_MS,  # 0 = never signed up
            first_visit, create, modified, (h2 >> 58) % 25 == 0, loc,
            loc >= 0 and (h2 >> 60) % 4 == 0,  # lastInferredLocation = location, else null
            custom,
            -1 if visits == 0 or (h1 >> 61) % 4 else (h2 >> 61) % len(pools.USER_AGENTS),
            (h2 >> 62) == 0,  # title and phone absent altogether
        )

    def record(self, i: int) -> dict[str, Any]:
        (aptr, ident, typ, gender, email, first, last, title, phone, role, sfdc, account,
         score, visits, last_seen, signup, first_visit, create, modified, unsub, loc,
         inferred, custom, agent, absent) = self._values(i)
        sh = self._sh
        location = sh.locations[loc] if loc >= 0 else None
        cust: dict[str, Any] | None = None
        if custom is not None:
            plan, dept, logins, beta, trial = custom
            cust = {"plan": pools.USER_PLANS[plan], "department": pools.DEPARTMENTS[dept],
                    "loginCount": logins, "betaOptIn": bool(beta)}
            if trial is not None:
                cust["trialEndDate"] = trial
        rec: dict[str, Any] = {
            "aptrinsicId": aptr, "identifyId": ident, "id": ident,
            "type": pools.USER_TYPES[typ],
            "gender": pools.GENDERS[gender], "email": email, "firstName": _FIRST[first],
            "lastName": _LAST[last], "title": pools.TITLES[title], "phone": phone,
            "role": pools.ROLES[role], "subscriptionId": "", "sfdcContactId": sfdc,
            "globalId": "", "accountId": account, "score": score, "numberOfVisits": visits,
            "lastSeenDate": last_seen, "signUpDate": signup, "firstVisitDate": first_visit,
            "createDate": create, "lastModifiedDate": modified, "globalUnsubscribe": unsub,
            "location": location, "lastInferredLocation": location if inferred else None,
            "propertyKeys": [sh.property_keys[0]], "customAttributes": cust,
            "channelMetricList": [] if visits == 0 else [{
                "groupId": sh.property_keys[0], "channel": CHANNEL_WEB,
                "environment": ENVIRONMENT_PRODUCTION,
                "firstSeenDate": first_visit, "lastSeenDate": last_seen}],
            "lastVisitedUserAgentData": sh.agents[agent] if agent >= 0 else None,
        }
        if absent:
            del rec["title"], rec["phone"]
        return rec

    def record_json(self, i: int) -> str:
        """User ``i`` as compact JSON, equal to ``json.dumps(record(i))`` once parsed."""
        (aptr, ident, typ, gender, email, first, last, title, phone, role, sfdc, account,
         score, visits, last_seen, signup, first_visit, create, modified, unsub, loc,
         inferred, custom, agent, absent) = self._values(i)
        loc_j = self._loc_j[loc] if loc >= 0 else "null"
        pk = self._pk_j
        cust = "null"
        if custom is not None:
            plan, dept, logins, beta, trial = custom
            trial_j = "" if trial is None else f',"trialEndDate":{trial}'
            cust = (f'{{"plan":{self._plans_j[plan]},"department":{self._depts_j[dept]},'
                    f'"loginCount":{logins},"betaOptIn":{_BOOL_J[beta]}{trial_j}}}')
        channels = "[]" if visits == 0 else (
            f'[{{"groupId":{pk},"channel":{CHANNEL_WEB},'
            f'"environment":{ENVIRONMENT_PRODUCTION},'
            f'"firstSeenDate":{first_visit},"lastSeenDate":{last_seen}}}]')
        title_phone = "" if absent else f'"title":{self._titles_j[title]},"phone":{_q(phone)},'
        return (
            f'{{"aptrinsicId":"{aptr}","identifyId":"{ident}","id":"{ident}",'
            f'"type":{self._types_j[typ]},'
            f'"gender":{self._genders_j[gender]},"email":{_q(email)},'
            f'"firstName":{self._first_j[first]},"lastName":{self._last_j[last]},{title_phone}'
            f'"role":{self._roles_j[role]},"subscriptionId":"",'
            f'"sfdcContactId":{_q(sfdc)},'
            f'"globalId":"","accountId":"{account}","score":{score},"numberOfVisits":{visits},'
            f'"lastSeenDate":{last_seen},"signUpDate":{signup},"firstVisitDate":{first_visit},'
            f'"createDate":{create},"lastModifiedDate":{modified},'
            f'"globalUnsubscribe":{_BOOL_J[unsub]},"location":{loc_j},'
            f'"lastInferredLocation":{loc_j if inferred else "null"},"propertyKeys":[{pk}],'
            f'"customAttributes":{cust},"channelMetricList":{channels},'
            f'"lastVisitedUserAgentData":{self._agents_j[agent] if agent >= 0 else "null"}}}'
        )
