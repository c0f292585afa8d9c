"""The simulator is no more forgiving than PX: record shapes, scroll ids, parameters."""

from __future__ import annotations

import httpx
import pytest

from pxdesk.core.pxsim import PxSimulator

from .conftest import KEY


def test_users_carry_id_as_a_copy_of_identify_id(client: httpx.Client) -> None:
    users = client.get("/users", params={"pageSize": "50"}).json()["users"]
    assert users and all(u["id"] == u["identifyId"] for u in users)
    one = client.get(f"/users/{users[0]['identifyId']}").json()
    assert one["id"] == one["identifyId"]


def test_channel_metrics_use_integers_as_the_spec(client: httpx.Client) -> None:
    users = client.get("/users", params={"pageSize": "300"}).json()["users"]
    metrics = [m for u in users for m in u["channelMetricList"]]
    assert metrics
    for metric in metrics:
        assert type(metric["channel"]) is int and type(metric["environment"]) is int


@pytest.mark.parametrize("mode", ["cursor", "fresh"])
def test_scroll_ids_need_url_encoding(mode: str) -> None:
    with PxSimulator(accounts=5, users=30, api_key=KEY, scroll_mode=mode) as sim:
        headers = {"X-APTRINSIC-API-KEY": KEY}
        with httpx.Client(base_url=sim.base_url, headers=headers, timeout=10) as http:
            first = http.get("/users", params={"pageSize": "10"}).json()
            token = first["scrollId"]
            assert set("+/=") <= set(token)
            encoded = http.get("/users", params={"pageSize": "10", "scrollId": token})
            assert encoded.status_code == 200
            raw = http.get(f"/users?pageSize=10&scrollId={token}")  # '+' read as a space
            assert raw.status_code == 400


def test_empty_page_size_is_refused(client: httpx.Client) -> None:
    response = client.get("/users?pageSize=")
    assert response.status_code == 400
    assert "pageSize" in response.text


def test_lone_surrogate_is_served_as_legal_json(sim: PxSimulator, client: httpx.Client) -> None:
    sim.add_account({"id": "acc-poison", "name": "bad \ud800 name"})
    response = client.get("/accounts", params={"pageSize": "1000"})
    assert response.status_code == 200
    assert b"\\ud800" in response.content
    names = {a["id"]: a["name"] for a in response.json()["accounts"]}
    assert names["acc-poison"] == "bad \ud800 name"
