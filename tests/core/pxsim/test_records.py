"""Single records, metadata, auth and error envelopes."""

from __future__ import annotations

import httpx

from pxdesk.core.pxsim import PxSimulator
from tests.core.pxsim.conftest import KEY


def test_single_user_and_account(sim: PxSimulator, client: httpx.Client) -> None:
    user = client.get("/users/user-0000005")
    assert user.status_code == 200
    assert user.json() == sim.get_user("user-0000005")
    account = client.get("/accounts/acct-000003").json()
    assert account == sim.get_account("acct-000003")
    assert account["id"] == "acct-000003"


def test_ids_are_case_sensitive_and_missing_is_404(client: httpx.Client) -> None:
    for path in ("/users/USER-0000005", "/users/user-5", "/accounts/ACCT-000003",
                 "/users/user-0999999"):
        response = client.get(path)
        assert response.status_code == 404, path
        error = response.json()["externalapierror"]
        assert error["status"] == "NOT_FOUND"
        assert set(error) == {"status", "message", "debugMessage", "subErrors"}
        assert error["debugMessage"] is None and error["subErrors"] is None


def test_unknown_path_is_404_envelope(client: httpx.Client) -> None:
    response = client.get("/nothing/here")
    assert response.status_code == 404
    assert response.json()["externalapierror"]["status"] == "NOT_FOUND"
    assert client.get("/users/a/b").status_code == 404


def test_bad_or_missing_key_is_401_with_vendor_text(sim: PxSimulator) -> None:
    with httpx.Client(base_url=sim.base_url) as http:
        for headers in ({}, {"X-APTRINSIC-API-KEY": "wrong"}, {"Authorization": f"Bearer {KEY}"}):
            response = http.get("/users", headers=headers)
            assert response.status_code == 401
            assert "Authentication failed in loginAwareAuthentication" in response.text
        assert http.get("/nothing", headers={}).status_code == 401  # auth before routing


def test_non_get_is_refused(client: httpx.Client) -> None:
    assert client.post("/users", json={}).status_code == 405


def test_attribute_metadata(client: httpx.Client) -> None:
    users = client.get("/admin/model/user/attributes")
    accounts = client.get("/admin/model/account/attributes")
    for response in (users, accounts):
        assert response.status_code == 200
        rows = response.json()
        assert isinstance(rows, list) and rows
        for row in rows:
            assert set(row) == {"id", "name", "apiName", "internalName", "description", "type",
                                "state", "origin", "createdDate", "modifiedDate",
                                "defaultValue"}
            assert row["type"] in {"STRING", "DATE_TIME", "BOOLEAN", "NUMBER"}
            assert row["origin"] in {"CUSTOM", "DEFAULT"}
            assert row["state"] in {"ENABLED", "DISABLED", "DELETED"}
    user_names = {r["apiName"]: r for r in users.json()}
    assert "sfdcContactId" not in user_names and "globalUnsubscribe" not in user_names
    assert user_names["lastModifiedDate"]["type"] == "DATE_TIME"
    assert user_names["plan"]["origin"] == "CUSTOM"
    assert {r["state"] for r in users.json()} >= {"ENABLED", "DISABLED"}


def test_custom_attributes_in_records_are_described(
    sim: PxSimulator, client: httpx.Client
) -> None:
    kinds = {"STRING": str, "NUMBER": int | float, "BOOLEAN": bool, "DATE_TIME": int}
    for entity, ids, get in (("user", sim.user_ids(), sim.get_user),
                             ("account", sim.account_ids(), sim.get_account)):
        meta = {r["apiName"]: r for r in client.get(f"/admin/model/{entity}/attributes").json()
                if r["origin"] == "CUSTOM"}
        seen = set()
        for record_id in ids:
            for name, value in (get(record_id)["customAttributes"] or {}).items():
                assert name in meta, name
                assert isinstance(value, kinds[meta[name]["type"]]), (name, value)
                seen.add(meta[name]["type"])
        assert seen == set(kinds)
