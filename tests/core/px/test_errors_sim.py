"""HTTP errors, retries and backoff against the embedded simulator (fake sleep, no waiting)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pxdesk.core.errors import (
    AuthError,
    BadRequestError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    PxError,
    RateLimitedError,
    ServerError,
)
from pxdesk.core.px.client import PxClient

from .conftest import Recorder


def _fault(**kwargs: Any) -> Any:
    from pxdesk.core.pxsim import Fault

    return Fault(**kwargs)


def _closed_port_url() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_wrong_key_is_auth_error_without_retry(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    client = make_client(sim.base_url, api_key="wrong-key")
    with pytest.raises(AuthError, match=r"API key rejected by PX \(401\): check the key and the "
                       "region") as info:
        client.test_connection()
    assert info.value.status == 401
    assert len(sim.requests) == 1 and recorder.sleeps == []


def test_html_403_is_not_parsed(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.inject(_fault(kind="html403", times=1))
    with pytest.raises(ForbiddenError) as info:
        make_client(sim.base_url).test_connection()
    text = str(info.value)
    assert text.startswith("PX refused access (403): a gateway or proxy")
    assert "HTML page" in text
    assert "<" not in text and "html>" not in text.lower()
    assert len(sim.requests) == 1 and recorder.sleeps == []


def test_404_shows_px_message_and_hint(sim: Any, make_client: Callable[..., PxClient]) -> None:
    with pytest.raises(NotFoundError) as info:
        make_client(sim.base_url).get_user("no-such-user")
    text = str(info.value)
    assert text.startswith("Not found on PX (404): ")
    assert text.endswith("Check the region / base URL")
    assert "no such record or endpoint" not in text  # PX's own message was shown instead
    assert len(sim.requests) == 1


def test_unsupported_date_filter_is_bad_request_with_px_message(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.date_filter_supported = False
    listing = make_client(sim.base_url).list("users", filters=["lastModifiedDate>=1700000000000"])
    with pytest.raises(BadRequestError, match=r"PX rejected the request \(400\): ") as info:
        list(listing)
    assert "no reason given" not in str(info.value)
    assert info.value.status == 400
    assert len(sim.requests) == 1 and recorder.sleeps == []
    assert listing.restarts == 0  # a 400 on page 1 is not a scroll rejection


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, BadRequestError), (401, AuthError), (403, ForbiddenError), (404, NotFoundError)],
)
def test_client_errors_are_never_retried(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder,
    status: int, error: type[PxError],
) -> None:
    sim.inject(_fault(kind="status", status=status, times=3))
    with pytest.raises(error):
        make_client(sim.base_url).test_connection()
    assert len(sim.requests) == 1 and recorder.sleeps == []
    assert [e.status for e in recorder.events] == [status]


def test_malformed_json_retried_then_succeeds(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.inject(_fault(kind="malformed", times=1))
    assert make_client(sim.base_url).test_connection() == 2500
    assert len(sim.requests) == 2 and len(recorder.sleeps) == 1


def test_malformed_json_persisting_is_protocol_error(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.inject(_fault(kind="malformed", times=10))
    with pytest.raises(ProtocolError, match="malformed JSON"):
        make_client(sim.base_url).test_connection()
    assert len(sim.requests) == 3  # the first try and two retries, not the full budget


def test_closed_port_is_network_error_after_retries(
    make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    client = make_client(_closed_port_url(), max_retries=2)
    with pytest.raises(NetworkError) as info:
        client.test_connection()
    text = str(info.value)
    assert text.startswith("Cannot reach PX at 127.0.0.1: ")
    assert text.endswith("Check the network and the region")
    assert "after 3 attempts" in text
    assert len(recorder.sleeps) == 2
    assert [e.status for e in recorder.events] == [None, None, None]
    assert all(e.error for e in recorder.events)
    assert info.value.__cause__ is None  # no httpx exception (holding the request) attached


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retry_then_success(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder, status: int
) -> None:
    sim.inject(_fault(kind="status", status=status, times=2))
    assert make_client(sim.base_url).test_connection() == 2500
    assert [e.status for e in recorder.events] == [status, status, 200]
    assert [e.attempt for e in recorder.events] == [1, 2, 3]
    # full jitter with rng() = 0.5: 0.5 * min(30, 0.5 * 2**n)
    assert recorder.sleeps == [0.25, 0.5]


def test_dropped_connection_is_retried(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.inject(_fault(kind="drop", times=1))
    assert make_client(sim.base_url).test_connection() == 2500
    assert [e.status for e in recorder.events] == [None, 200]
    assert recorder.events[0].error and "dropped" in recorder.events[0].error


def test_timeout_is_retried(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.inject(_fault(kind="latency", delay=1.0, times=1))
    assert make_client(sim.base_url, timeout=0.2).test_connection() == 2500
    assert [e.status for e in recorder.events] == [None, 200]
    assert "timeout" in (recorder.events[0].error or "")


@pytest.mark.parametrize(("status", "error"), [(500, ServerError), (429, RateLimitedError)])
def test_retry_exhaustion(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder,
    status: int, error: type[PxError],
) -> None:
    sim.inject(_fault(kind="status", status=status, times=50))
    client = make_client(sim.base_url, max_retries=3, rng=lambda: 1.0, backoff_cap=1.5)
    with pytest.raises(error, match=f"\\({status}\\) after 4 attempts") as info:
        client.test_connection()
    assert info.value.status == status
    assert len(sim.requests) == 4
    assert recorder.sleeps == [0.5, 1.0, 1.5]  # exponential, capped


def test_retry_after_is_honoured(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.inject(_fault(kind="status", status=429, retry_after=2.0, times=1, path="/v1/users"))
    assert make_client(sim.base_url).test_connection() == 2500
    assert recorder.sleeps == [2.0]


def test_retry_after_is_capped(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    sim.inject(_fault(kind="status", status=503, retry_after=3600.0, times=1))
    assert make_client(sim.base_url).test_connection() == 2500
    assert recorder.sleeps == [120.0]


def test_retry_mid_listing_keeps_the_scroll(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    listing = make_client(sim.base_url).list("users", page_size=1000)
    pages = iter(listing)
    first = next(pages)
    sim.inject(_fault(kind="status", status=502, times=1, path="/v1/users"))
    rest = [r for page in pages for r in page.records]
    ids = {r["identifyId"] for r in first.records} | {r["identifyId"] for r in rest}
    assert len(ids) == 2500 and listing.restarts == 0 and listing.complete
    assert len(recorder.sleeps) == 1


def test_401_and_403_say_different_actionable_things(
    sim: Any, make_client: Callable[..., PxClient], recorder: Recorder
) -> None:
    with pytest.raises(AuthError) as bad_key:
        make_client(sim.base_url, api_key="revoked-key").test_connection()
    sim.inject(_fault(kind="status", status=403, times=1))
    with pytest.raises(ForbiddenError) as no_permission:
        make_client(sim.base_url).test_connection()
    sim.inject(_fault(kind="html403", times=1))
    with pytest.raises(ForbiddenError) as gateway:
        make_client(sim.base_url).test_connection()
    key, permission, blocked = str(bad_key.value), str(no_permission.value), str(gateway.value)
    assert "wrong or revoked" in key and "Administration > REST API" in key
    assert "lacks a permission" in permission and "Read" in permission
    assert "gateway" not in permission
    assert "gateway or proxy" in blocked and "permission" not in blocked
    assert "network administrator" in blocked


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ConnectError(""), "connection failed (refused)"),
        (httpx.RemoteProtocolError(""), "the connection was dropped (no response)"),
        (httpx.ReadError(""), "the connection broke (ReadError)"),
    ],
)
def test_transport_error_without_text_names_a_reason(
    make_client: Callable[..., PxClient], recorder: Recorder, error: httpx.TransportError,
    reason: str,
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    client = make_client("http://127.0.0.1:9/v1", max_retries=0,
                         transport=httpx.MockTransport(fail))
    with pytest.raises(NetworkError) as info:
        client.test_connection()
    assert f"Cannot reach PX at 127.0.0.1: {reason} " in str(info.value)
    assert [e.error for e in recorder.events] == [reason]
