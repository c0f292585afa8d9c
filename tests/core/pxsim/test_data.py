"""Generated data: determinism per seed, realism, and the fast JSON path's fidelity."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.data import DAY_MS, FIXED_ANCHOR_MS, SharedPools
from pxdesk.core.pxsim.users import UserGenerator
from tests.core.pxsim.conftest import NOW_MS


def everyone(sim: PxSimulator) -> list[dict]:
    return [sim.get_user(u) for u in sim.user_ids()]


@pytest.fixture(scope="module")
def big() -> list[dict]:
    sim = PxSimulator(accounts=50, users=4000, api_key="k", seed=3, clock=lambda: NOW_MS)
    return everyone(sim)  # never started: the data API works without a server


def test_same_seed_same_data_other_seed_other_data() -> None:
    fixed = FIXED_ANCHOR_MS
    a = PxSimulator(accounts=5, users=50, api_key="k", seed=11, anchor_ms=fixed)
    b = PxSimulator(accounts=5, users=50, api_key="other", seed=11, clock=lambda: NOW_MS,
                    anchor_ms=fixed)
    c = PxSimulator(accounts=5, users=50, api_key="k", seed=12, anchor_ms=fixed)
    assert everyone(a) == everyone(b)
    assert [a.get_account(i) for i in a.account_ids()] == [
        b.get_account(i) for i in b.account_ids()]
    assert everyone(a) != everyone(c)


def test_dates_precede_the_clock_within_px_retention() -> None:
    early = 1_600_000_000_000 + 12_345
    sim = PxSimulator(accounts=3, users=100, api_key="k", seed=1, clock=lambda: early)
    assert sim.anchor_ms == early
    retained = early - 36 * 30 * DAY_MS  # PX keeps about 36 months
    for user in everyone(sim):
        assert retained < user["createDate"] <= user["lastModifiedDate"] < early
        assert user["lastSeenDate"] < early and user["firstVisitDate"] < early
        assert user["signUpDate"] < early
        if user["lastSeenDate"]:  # a visit modifies the user: incremental syncs bring it
            assert user["createDate"] <= user["firstVisitDate"] <= user["lastSeenDate"]
            assert user["lastSeenDate"] <= user["lastModifiedDate"]
    for account in (sim.get_account(a) for a in sim.account_ids()):
        assert retained < account["createDate"] <= account["lastModifiedDate"] < early
        assert account["lastSeenDate"] < early


def test_users_were_seen_recently_in_realistic_shares(big: list[dict]) -> None:
    """Anchored at the clock's now: a demo's users were seen in the last day, week, month,
    and sign-ups fall in each of the last 12 weeks."""
    seen = [NOW_MS - u["lastSeenDate"] for u in big if u["lastSeenDate"]]
    share = [sum(1 for s in seen if s <= days * DAY_MS) / len(big) for days in (1, 7, 30)]
    assert 0.08 < share[0] < share[1] < share[2] < 0.7, share
    assert 0.05 < 1 - len(seen) / len(big) < 0.15, "about 10% never visited"
    weeks = {(NOW_MS - u["signUpDate"]) // (7 * DAY_MS) for u in big if u["signUpDate"]}
    assert set(range(12)) <= weeks
    by_account: dict[str, list[int]] = {}
    for user in big:
        if user["accountId"]:
            by_account.setdefault(user["accountId"], []).append(user["lastSeenDate"])
    lapsed = [a for a, s in by_account.items() if all(NOW_MS - x > 30 * DAY_MS for x in s)]
    assert lapsed and len(lapsed) < len(by_account) / 3, "a few accounts are at risk"


def test_users_without_account_and_with_duplicate_emails(big: list[dict]) -> None:
    no_account = sum(1 for u in big if u["accountId"] == "")
    assert 0.015 < no_account / len(big) < 0.05
    by_email: dict[str, set[str]] = {}
    for user in big:
        if user["email"]:
            by_email.setdefault(user["email"], set()).add(user["accountId"])
    shared = [accounts for accounts in by_email.values() if len(accounts) > 1]
    assert len(shared) >= 10  # the same person in two accounts
    blank = Counter(repr(u["email"]) for u in big if not u["email"])
    assert blank["None"] > 0 and blank["''"] > 0
    assert sum(blank.values()) / len(big) < 0.03


def test_realistic_values(big: list[dict]) -> None:
    names = {u["firstName"] for u in big} | {u["lastName"] for u in big}
    assert {"Zoë", "Łukasz", "Müller", "José", "Ünal", "李"} <= names
    assert any(u["signUpDate"] == 0 for u in big)
    assert any(u["lastSeenDate"] == 0 and u["numberOfVisits"] == 0 for u in big)
    assert any(u["customAttributes"] is None for u in big)
    assert any(u["location"] is None for u in big)
    assert any("title" not in u for u in big) and any(u.get("title") == "" for u in big)
    assert any(u.get("phone") is None for u in big)
    assert {u["type"] for u in big} == {"USER", "LEAD", "VISITOR", "EMPTY_USER_TYPE"}
    for user in big[:200]:
        assert len(user["aptrinsicId"]) == 36
        for key in user["propertyKeys"]:
            assert key.startswith("AP-") and key.endswith("-2") and len(key) == 15


def test_accounts_are_realistic() -> None:
    sim = PxSimulator(accounts=60, users=500, api_key="k", seed=5)
    accounts = [sim.get_account(a) for a in sim.account_ids()]
    assert len({a["name"] for a in accounts}) > 50
    assert any(a["location"] is None for a in accounts)
    assert any(a["customAttributes"] is None for a in accounts)
    assert sum(a["numberOfUsers"] for a in accounts) == sum(
        1 for u in everyone(sim) if u["accountId"])
    for account in accounts:
        assert account["website"].startswith("https://")
        assert account["createDate"] <= account["lastModifiedDate"]


@pytest.mark.parametrize("ascii_json", [False, True])
def test_fast_json_equals_the_dict_form(ascii_json: bool) -> None:
    gen = UserGenerator(9, 3000, FIXED_ANCHOR_MS, SharedPools(9), 40, ascii_json=ascii_json)
    texts = [gen.record_json(i) for i in range(3000)]
    assert [json.loads(t) for t in texts] == [gen.record(i) for i in range(3000)]
    assert all(t.isascii() for t in texts) is ascii_json


def test_ascii_json_over_http_parses_the_same() -> None:
    kwargs: dict = {"accounts": 3, "users": 60, "api_key": "k", "seed": 2,
                    "anchor_ms": FIXED_ANCHOR_MS}
    with PxSimulator(**kwargs) as plain, PxSimulator(**kwargs, ascii_json=True) as escaped:
        bodies = []
        for sim in (plain, escaped):
            response = httpx.get(f"{sim.base_url}/users", params={"pageSize": 100},
                                 headers={"X-APTRINSIC-API-KEY": "k"})
            bodies.append(response)
        assert not bodies[0].content.isascii() and bodies[1].content.isascii()
        assert bodies[0].json()["users"] == bodies[1].json()["users"]
