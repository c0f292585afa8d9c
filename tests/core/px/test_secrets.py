"""The API key never shows in reprs, error text, exception chains, RequestEvents or logs."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pxdesk.core.errors import PxdeskError
from pxdesk.core.px.client import PxClient

from .conftest import KEY, Recorder


def _fault(**kwargs: Any) -> Any:
    from pxdesk.core.pxsim import Fault

    return Fault(**kwargs)


def _chain_text(exc: BaseException) -> str:
    """Everything a crash report could print: the formatted chain plus reprs of each link."""
    parts = ["".join(traceback.format_exception(exc))]
    link: BaseException | None = exc
    while link is not None:
        parts.append(repr(link))
        parts.extend(repr(a) for a in link.args)
        parts.extend(repr(v) for v in vars(link).values())
        link = link.__cause__ or link.__context__
    return "\n".join(parts)


def test_repr_shows_base_url_only(sim: Any, make_client: Callable[..., PxClient]) -> None:
    client = make_client(sim.base_url)
    assert repr(client) == f"PxClient(base_url={sim.base_url!r})"
    assert KEY not in repr(vars(client))  # not even in its attributes' reprs
    assert KEY not in repr(client.list("users"))


def test_key_is_sent_and_accepted(sim: Any, make_client: Callable[..., PxClient]) -> None:
    assert make_client(sim.base_url).test_connection() == 2500
    assert make_client(sim.base_url, api_key=f"  {KEY}\n").test_connection() == 2500


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 401, "times": 1},
        {"kind": "status", "status": 404, "times": 1},
        {"kind": "status", "status": 400, "times": 1},
        {"kind": "status", "status": 500, "times": 9},
        {"kind": "status", "status": 429, "times": 9, "retry_after": 1.0},
        {"kind": "html403", "times": 1},
        {"kind": "malformed", "times": 9},
        {"kind": "drop", "times": 9},
    ],
)
def test_key_absent_everywhere_on_errors(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder,
    caplog: pytest.LogCaptureFixture, fault: dict[str, Any],
) -> None:
    caplog.set_level(logging.DEBUG)
    sim.inject(_fault(**fault))
    client = make_client(sim.base_url, max_retries=2)
    with pytest.raises(PxdeskError) as info:
        list(client.list("users", filters=["type==USER"]))
    assert KEY not in _chain_text(info.value)
    assert recorder.events and all(KEY not in repr(e) for e in recorder.events)
    logged = [r.getMessage() + repr(r.args) for r in caplog.records]
    assert caplog.records  # DEBUG logging really captured the requests
    assert all(KEY not in text for text in logged)


def test_key_absent_from_logs_on_success(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx/httpcore debug logs included
    list(make_client(sim.base_url).list("users", page_size=1000))
    assert len(recorder.events) >= 3
    assert all(KEY not in repr(e) for e in recorder.events)
    assert all(KEY not in r.getMessage() + repr(r.args) for r in caplog.records)
    assert all(e.url.startswith(sim.base_url + "/users?") for e in recorder.events)


def test_key_sent_with_accept_header() -> None:
    """Header names and values as PX expects them (MockTransport only sees the outgoing request)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"users": [], "totalHits": 0, "scrollId": None})

    with PxClient("http://127.0.0.1:1/v1", KEY, transport=httpx.MockTransport(handler)) as client:
        assert client.test_connection() == 0
    assert seen[0].headers["X-APTRINSIC-API-KEY"] == KEY
    assert seen[0].headers["Accept"] == "application/json"
    assert str(seen[0].url) == "http://127.0.0.1:1/v1/users?pageSize=1"


@pytest.mark.parametrize("bad", ["", "   ", "kéy", "key\x00x"])
def test_bad_key_rejected_without_echo(bad: str) -> None:
    with pytest.raises(PxdeskError) as info:
        PxClient("http://127.0.0.1:1/v1", bad)
    if bad.strip():
        assert bad.strip() not in str(info.value)


def test_key_echoed_by_server_is_masked() -> None:
    """A gateway echoing the key back must not put it into our error text (MockTransport: the
    simulator never echoes the key)."""

    def handler(request: httpx.Request) -> httpx.Response:
        key = request.headers["X-APTRINSIC-API-KEY"]
        return httpx.Response(400, json={"errorMessage": f"bad key {key} for this filter"})

    client = PxClient("http://127.0.0.1:1/v1", KEY, transport=httpx.MockTransport(handler))
    with client, pytest.raises(PxdeskError) as info:
        client.test_connection()
    assert "bad key *** for this filter" in str(info.value)
    assert KEY not in _chain_text(info.value)
