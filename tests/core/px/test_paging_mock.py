"""Paging rules the simulator cannot produce, on httpx.MockTransport (null scrollId, shortfall).

Everything else talks HTTP to the embedded simulator; these two rules need a server that
misbehaves in ways the simulator does not offer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pxdesk.core.px.client import PxClient

KEY = "mock-secret-key-123"
BASE = "http://127.0.0.1:1/v1"


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> PxClient:
    return PxClient(BASE, KEY, transport=httpx.MockTransport(handler), sleep=lambda _s: None)


def _page(rows: list[dict[str, Any]], total: int, scroll: Any, *, omit: bool = False) -> bytes:
    body: dict[str, Any] = {"users": rows, "totalHits": total}
    if not omit:
        body["scrollId"] = scroll
    return json.dumps(body).encode()


@pytest.mark.parametrize("scroll", [None, "", "   ", "missing"])
def test_full_page_with_null_or_missing_scroll_id_stops(scroll: str | None) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        rows = [{"identifyId": f"u{len(calls)}-{i}"} for i in range(3)]
        body = _page(rows, 9, scroll, omit=scroll == "missing")
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    with _client(handler) as client:
        listing = client.list("users", page_size=3)
        pages = list(listing)
    assert len(calls) == 1  # a full page, but no scrollId to continue with
    assert [len(p.records) for p in pages] == [3]
    assert listing.complete
    assert listing.shortfall == 6


def test_shortfall_is_logged_and_exposed_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """totalHits announces 10, the scroll ends after 7 (records deleted mid-listing)."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        start = 5 * (len(calls) - 1)
        rows = [{"identifyId": f"u{i}"} for i in range(start, min(start + 5, 7))]
        return httpx.Response(
            200, content=_page(rows, 10, "s1"), headers={"content-type": "application/json"}
        )

    caplog.set_level(logging.WARNING, logger="pxdesk.px")
    with _client(handler) as client:
        listing = client.list("users", page_size=5)
        ids = [r["identifyId"] for r in listing.records()]
    assert len(ids) == 7
    assert len(calls) == 3  # a short page below totalHits is not the end: an empty one is
    assert listing.complete and listing.total_hits == 10 and listing.received == 7
    assert listing.shortfall == 3
    warnings = [r for r in caplog.records if r.name == "pxdesk.px" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "3 missing" in warnings[0].getMessage()


def test_no_shortfall_warning_when_counts_match(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        rows = [{"identifyId": "a"}, {"identifyId": "b"}]
        return httpx.Response(
            200, content=_page(rows, 2, "s"), headers={"content-type": "application/json"}
        )

    caplog.set_level(logging.WARNING, logger="pxdesk.px")
    with _client(handler) as client:
        listing = client.list("users", page_size=5)
        assert len(list(listing.records())) == 2
    assert listing.shortfall == 0 and listing.complete
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
