"""Run-time changes (update/add/delete) and what listings see afterwards."""

from __future__ import annotations

import httpx
import pytest

from pxdesk.core.pxsim import PxSimulator
from tests.core.pxsim.conftest import NOW_MS, FakeClock, page_all


def test_update_moves_last_modified_to_the_clock(
    sim: PxSimulator, client: httpx.Client, clock: FakeClock
) -> None:
    located = [u for u in sim.user_ids() if (sim.get_user(u)["location"] or {}).get("city")]
    target = located[0]
    city = sim.get_user(target)["location"]["city"]
    neighbour = next(u for u in located[1:] if sim.get_user(u)["location"]["city"] == city)
    before = sim.get_user(target)
    assert before["lastModifiedDate"] < NOW_MS
    clock.now = NOW_MS + 5
    new = sim.update_user(target, {"location.city": "Zürich"}, title="CEO")
    assert new["lastModifiedDate"] == NOW_MS + 5
    assert new["title"] == "CEO" and new["location"]["city"] == "Zürich"
    assert new["firstName"] == before["firstName"]
    rows, _ = page_all(client, "/users", {"filter": f"lastModifiedDate>={NOW_MS}"})
    assert [r["identifyId"] for r in rows] == [target]
    assert rows[0] == sim.get_user(target)
    assert sim.get_user(neighbour)["location"]["city"] == city  # shared pools untouched


def test_update_keeps_explicit_last_modified_and_dot_paths(sim: PxSimulator) -> None:
    new = sim.update_user("user-0000001", **{"customAttributes.plan": "gold",
                                             "lastModifiedDate": 123})
    assert new["lastModifiedDate"] == 123
    assert new["customAttributes"]["plan"] == "gold"
    account = sim.update_account("acct-000001", {"customAttributes.tier": "VIP"})
    assert account["customAttributes"]["tier"] == "VIP"
    assert account["lastModifiedDate"] == NOW_MS


def test_returned_records_are_copies(sim: PxSimulator) -> None:
    record = sim.get_user("user-0000002")
    record["firstName"] = "Mallory"
    if record.get("location"):
        record["location"]["city"] = "Nowhere"
    again = sim.get_user("user-0000002")
    assert again["firstName"] != "Mallory"
    assert (again.get("location") or {}).get("city") != "Nowhere"


def test_identify_id_cannot_change(sim: PxSimulator) -> None:
    with pytest.raises(ValueError):
        sim.update_user("user-0000001", identifyId="other")


def test_add_and_delete(sim: PxSimulator, client: httpx.Client) -> None:
    sim.add_user({"identifyId": "Ext-1", "email": "ext@example.com", "accountId": "acct-000002"})
    sim.add_account({"id": "acct-new", "name": "Neu GmbH"})
    assert sim.user_count == 301 and sim.account_count == 21
    assert client.get("/users/Ext-1").json()["lastModifiedDate"] == NOW_MS
    assert client.get("/users/ext-1").status_code == 404
    with pytest.raises(ValueError):
        sim.add_user({"identifyId": "Ext-1"})
    with pytest.raises(ValueError):
        sim.add_user({"email": "no-id@example.com"})
    sim.delete_user("user-0000000")
    sim.delete_account("acct-new")
    assert client.get("/users/user-0000000").status_code == 404
    with pytest.raises(KeyError):
        sim.get_user("user-0000000")
    with pytest.raises(KeyError):
        sim.delete_user("user-0000000")
    rows, _ = page_all(client, "/users", {}, 100)
    assert [r["identifyId"] for r in rows][-1] == "Ext-1"
    assert "user-0000000" not in {r["identifyId"] for r in rows}
    assert list(sim.user_ids()) == [r["identifyId"] for r in rows]
    assert "acct-new" not in set(sim.account_ids())
    sim.add_user({"identifyId": "user-0000000"})  # a deleted id can come back
    assert sim.get_user("user-0000000")["identifyId"] == "user-0000000"


def test_number_of_users_follows_user_changes(sim: PxSimulator) -> None:
    counts: dict[str, int] = {}
    for uid in sim.user_ids():
        account_id = sim.get_user(uid)["accountId"]
        counts[account_id] = counts.get(account_id, 0) + 1
    for aid in sim.account_ids():
        assert sim.get_account(aid)["numberOfUsers"] == counts.get(aid, 0)
    target = "acct-000019"
    before = sim.get_account(target)["numberOfUsers"]
    mover = next(u for u in sim.user_ids() if sim.get_user(u)["accountId"] not in ("", target))
    sim.update_user(mover, accountId=target)
    sim.add_user({"identifyId": "x1", "accountId": target})
    assert sim.get_account(target)["numberOfUsers"] == before + 2
    sim.delete_user("x1")
    assert sim.get_account(target)["numberOfUsers"] == before + 1


def test_filters_see_changed_records(sim: PxSimulator, client: httpx.Client) -> None:
    sim.update_user("user-0000007", {"customAttributes.plan": "unobtainium"})
    rows, _ = page_all(client, "/users", {"filter": "customAttributes.plan==UNOBTAINIUM"})
    assert [r["identifyId"] for r in rows] == ["user-0000007"]
    sim.update_user("user-0000008", lastModifiedDate=1)
    rows, _ = page_all(client, "/users", {"filter": "lastModifiedDate<2"})
    assert [r["identifyId"] for r in rows] == ["user-0000008"]


def test_stop_is_idempotent_and_context_manager_restarts() -> None:
    key = "secret-sim-key"
    headers = {"X-APTRINSIC-API-KEY": key}
    sim = PxSimulator(accounts=1, users=3, api_key=key, seed=1)
    with sim:
        url = sim.base_url
        assert key not in repr(sim)
        assert httpx.get(f"{url}/users", headers=headers).status_code == 200
    sim.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/users", headers=headers, timeout=2)
    with sim:  # can start again after a stop
        assert httpx.get(f"{sim.base_url}/users", headers=headers).status_code == 200
