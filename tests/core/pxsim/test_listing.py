"""Scroll paging of /v1/users and /v1/accounts: envelopes, limits, stop rules, quirks."""

from __future__ import annotations

import httpx

from pxdesk.core.pxsim import PxSimulator
from tests.core.pxsim.conftest import page_all


def test_first_page_envelope_and_default_page_size(client: httpx.Client) -> None:
    response = client.get("/users")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    body = response.json()
    assert set(body) == {"users", "totalHits", "scrollId"}
    assert len(body["users"]) == 25
    assert body["totalHits"] == 300
    assert isinstance(body["scrollId"], str) and body["scrollId"]


def test_accounts_envelope(client: httpx.Client) -> None:
    body = client.get("/accounts", params={"pageSize": 5}).json()
    assert set(body) == {"accounts", "totalHits", "scrollId"}
    assert [a["id"] for a in body["accounts"]] == [f"acct-{i:06d}" for i in range(5)]
    assert body["totalHits"] == 20


def test_page_size_limits(client: httpx.Client) -> None:
    assert len(client.get("/users", params={"pageSize": 1000}).json()["users"]) == 300
    too_big = client.get("/users", params={"pageSize": 1001})
    assert too_big.status_code == 400
    assert "1000" in too_big.json()["externalapierror"]["message"]
    assert client.get("/users", params={"pageSize": 0}).status_code == 400
    assert client.get("/users", params={"pageSize": "ten"}).status_code == 400


def test_paging_to_the_end_returns_every_user_once(client: httpx.Client) -> None:
    rows, pages = page_all(client, "/users", {}, page_size=70)
    ids = [r["identifyId"] for r in rows]
    assert len(ids) == 300 and len(set(ids)) == 300
    assert [len(p["users"]) for p in pages] == [70, 70, 70, 70, 20]
    assert all(p["totalHits"] == 300 for p in pages)
    assert len({p["scrollId"] for p in pages}) == 1


def test_scroll_id_stays_non_null_after_the_last_page(client: httpx.Client) -> None:
    first = client.get("/users", params={"pageSize": 300}).json()
    assert len(first["users"]) == 300
    for _ in range(2):  # exact multiple: the page after the end is empty, scrollId kept
        after = client.get("/users", params={"pageSize": 300, "scrollId": first["scrollId"]})
        assert after.status_code == 200
        assert after.json()["users"] == []
        assert after.json()["scrollId"] == first["scrollId"]
        assert after.json()["totalHits"] == 300


def test_scroll_id_param_is_case_sensitive(client: httpx.Client) -> None:
    first = client.get("/users", params={"pageSize": 10}).json()
    again = client.get("/users", params={"pageSize": 10, "scrollID": first["scrollId"]}).json()
    assert [u["identifyId"] for u in again["users"]] == [u["identifyId"] for u in first["users"]]
    assert again["scrollId"] != first["scrollId"]


def test_unknown_scroll_id_is_400(client: httpx.Client) -> None:
    response = client.get("/users", params={"pageSize": 10, "scrollId": "nope"})
    assert response.status_code == 400
    assert "scroll" in response.json()["externalapierror"]["message"].lower()


def test_scroll_id_of_users_is_not_valid_for_accounts(client: httpx.Client) -> None:
    sid = client.get("/users", params={"pageSize": 5}).json()["scrollId"]
    assert client.get("/accounts", params={"pageSize": 5, "scrollId": sid}).status_code == 400


def test_scroll_keeps_page_size_when_later_requests_omit_it(client: httpx.Client) -> None:
    sid = client.get("/users", params={"pageSize": 40}).json()["scrollId"]
    assert len(client.get("/users", params={"scrollId": sid}).json()["users"]) == 40


def test_scroll_is_a_point_in_time_snapshot(sim: PxSimulator, client: httpx.Client) -> None:
    first = client.get("/users", params={"pageSize": 100, "sort": "-lastModifiedDate"}).json()
    tail_id = "user-0000299"
    sim.update_user(tail_id, title="Changed")  # would now sort first
    sim.delete_user("user-0000001")
    sim.add_user({"identifyId": "new-user", "email": "n@example.com"})
    rows = list(first["users"])
    sid = first["scrollId"]
    while True:
        page = client.get("/users", params={"pageSize": 100, "scrollId": sid}).json()["users"]
        rows += page
        if len(page) < 100:
            break
    ids = [r["identifyId"] for r in rows]
    assert len(ids) == 300 and len(set(ids)) == 300
    assert "new-user" not in ids and "user-0000001" in ids
    assert next(r for r in rows if r["identifyId"] == tail_id).get("title") != "Changed"
    fresh = client.get("/users", params={"pageSize": 1000}).json()
    assert fresh["totalHits"] == 300  # one deleted, one added
    assert "new-user" in {u["identifyId"] for u in fresh["users"]}


def test_scroll_expires_after_ttl() -> None:
    with PxSimulator(accounts=2, users=30, api_key="k", seed=1, scroll_ttl=0.0) as sim:
        headers = {"X-APTRINSIC-API-KEY": "k"}
        with httpx.Client(base_url=sim.base_url, headers=headers) as http:
            sid = http.get("/users", params={"pageSize": 5}).json()["scrollId"]
            response = http.get("/users", params={"pageSize": 5, "scrollId": sid})
            assert response.status_code == 400


def test_keep_alive_reuses_one_connection(sim: PxSimulator, client: httpx.Client) -> None:
    page_all(client, "/users", {}, page_size=100)
    assert client.get("/accounts").headers.get("connection", "keep-alive") != "close"
    assert len(sim._server._conns) == 1  # type: ignore[union-attr]
