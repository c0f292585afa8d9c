"""Each injectable fault, its matching rules and its effect on scrolls."""

from __future__ import annotations

import time

import httpx
import pytest

from pxdesk.core.pxsim import Fault, PxSimulator


def test_status_fault_then_normal(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("status", status=500))
    failed = client.get("/users")
    assert failed.status_code == 500
    assert failed.json()["externalapierror"]["status"] == "INTERNAL_SERVER_ERROR"
    assert client.get("/users").status_code == 200
    assert [r.status for r in sim.requests] == [500, 200]


def test_429_with_retry_after_and_times(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("status", status=429, retry_after=1.5, times=2))
    for _ in range(2):
        response = client.get("/accounts")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1.5"
        assert "Rate limit exceeded" in response.text
    assert client.get("/accounts").status_code == 200


def test_gateway_errors_use_the_flat_body(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("status", status=503))
    response = client.get("/users")
    assert response.status_code == 503
    assert "Retry-After" not in response.headers
    assert set(response.json()) == {"errorMessage"}


def test_fault_path_prefix(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("status", status=502, path="/v1/users"))
    assert client.get("/accounts").status_code == 200
    assert client.get("/users/user-0000001").status_code == 502
    assert client.get("/users").status_code == 200


def test_faults_apply_before_auth(sim: PxSimulator) -> None:
    sim.inject(Fault("html403"))
    with httpx.Client(base_url=sim.base_url) as http:
        response = http.get("/users")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")


def test_latency(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("latency", delay=0.3))
    started = time.monotonic()
    assert client.get("/users").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.get("/users")
    assert time.monotonic() - started < 0.3


def test_drop_closes_without_response(sim: PxSimulator, client: httpx.Client) -> None:
    client.get("/users")  # an idle keep-alive connection exists now
    sim.inject(Fault("drop"))
    with pytest.raises(httpx.TransportError):
        client.get("/users")
    assert sim.requests[-1].status == 0
    assert client.get("/users").status_code == 200


def test_malformed_json(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("malformed"))
    response = client.get("/users")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        response.json()


def test_faults_do_not_advance_the_scroll(sim: PxSimulator, client: httpx.Client) -> None:
    first = client.get("/users", params={"pageSize": 10}).json()
    sim.inject(Fault("malformed"))
    params = {"pageSize": 10, "scrollId": first["scrollId"]}
    assert client.get("/users", params=params).status_code == 200
    second = client.get("/users", params=params).json()
    assert second["users"][0]["identifyId"] == "user-0000010"


def test_scroll_expired_only_hits_scroll_requests(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("scroll_expired"))
    first = client.get("/users", params={"pageSize": 10})
    assert first.status_code == 200  # first pages carry no scrollId: not affected
    params = {"pageSize": 10, "scrollId": first.json()["scrollId"]}
    rejected = client.get("/users", params=params)
    assert rejected.status_code == 400
    assert "scroll" in rejected.json()["externalapierror"]["message"].lower()
    assert client.get("/users", params=params).status_code == 400  # the scroll is gone
    assert client.get("/users", params={"pageSize": 10}).status_code == 200


def test_clear_faults_and_requests(sim: PxSimulator, client: httpx.Client) -> None:
    sim.inject(Fault("status", status=500, times=5))
    sim.clear_faults()
    client.get("/users", params=[("filter", "a==1"), ("filter", "b==2")])
    request = sim.requests[-1]
    assert (request.method, request.path, request.status) == ("GET", "/v1/users", 200)
    assert request.query == [("filter", "a==1"), ("filter", "b==2")]
    sim.clear_requests()
    assert sim.requests == []


def test_bad_fault_kind() -> None:
    with pytest.raises(ValueError):
        Fault("explode")  # type: ignore[arg-type]
