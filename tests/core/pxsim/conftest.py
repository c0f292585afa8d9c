"""Fixtures: a small simulator on a free port and an httpx client that sends its key."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pxdesk.core.pxsim import PxSimulator

KEY = "test-key"
NOW_MS = 1_800_000_000_000  # a fixed "now" after every generated date


class FakeClock:
    """Epoch-ms clock the tests move by hand."""

    def __init__(self, now: int = NOW_MS) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[PxSimulator]:
    with PxSimulator(accounts=20, users=300, api_key=KEY, seed=7, clock=clock) as simulator:
        yield simulator


@pytest.fixture
def client(sim: PxSimulator) -> Iterator[httpx.Client]:
    headers = {"X-APTRINSIC-API-KEY": KEY, "Accept": "application/json"}
    with httpx.Client(base_url=sim.base_url, headers=headers, timeout=10) as http:
        yield http


def page_all(
    client: httpx.Client, path: str, params: dict[str, str] | list[tuple[str, str]],
    page_size: int = 50,
) -> tuple[list[dict], list[dict]]:
    """The documented paging loop; returns (rows, raw page bodies)."""
    base = list(params.items()) if isinstance(params, dict) else list(params)
    base.append(("pageSize", str(page_size)))
    key = path.strip("/")
    rows: list[dict] = []
    pages: list[dict] = []
    scroll_id = None
    for _ in range(1000):
        query = base + ([("scrollId", scroll_id)] if scroll_id else [])
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        rows += body[key]
        scroll_id = body.get("scrollId")
        if len(body[key]) < page_size or not scroll_id:
            return rows, pages
    raise AssertionError("paging never stopped")
