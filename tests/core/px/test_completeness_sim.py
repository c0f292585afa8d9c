"""A listing is exact or loud: capped pages, cut bodies, duplicates, repeats, non-objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pxdesk.core.errors import ProtocolError, RateLimitedError, ShortfallError
from pxdesk.core.px.client import PxClient
from pxdesk.core.pxsim import Fault, PxSimulator

from .conftest import KEY


@pytest.fixture
def big() -> Iterator[PxSimulator]:
    with PxSimulator(accounts=50, users=20_000, api_key=KEY, seed=5) as sim:
        yield sim


def _ids(listing: Any) -> list[str]:
    return [r["identifyId"] for r in listing.records() if isinstance(r, dict)]


def test_pages_capped_by_the_server_are_followed_to_the_end(
    big: PxSimulator, make_client: Callable[..., PxClient]
) -> None:
    big.page_size_cap = 500
    listing = make_client(big.base_url).list("users", page_size=1000)
    ids = _ids(listing)
    assert len(ids) == 20_000 == len(set(ids))
    assert listing.complete and listing.shortfall == 0 and listing.received == 20_000


@pytest.mark.parametrize("mode", ["cursor", "fresh"])
def test_a_cut_body_never_skips_a_page(
    sim: PxSimulator, make_client: Callable[..., PxClient], mode: str
) -> None:
    sim.scroll_mode = mode  # type: ignore[assignment]
    sim.inject(Fault("cut", every=3, path="/v1/users"))  # the 3rd page's answer is cut
    listing = make_client(sim.base_url).list("users", page_size=500)
    ids = _ids(listing)
    assert sorted(ids) == sorted(sim.user_ids())  # all 2,500, each exactly once
    assert listing.complete and listing.shortfall == 0 and listing.received == 2500
    if mode == "cursor":  # a resend would have skipped a page: the listing restarted instead
        assert listing.restarts == 1
        assert any("restarted" in note for note in listing.notes)
    else:  # each page has its own scrollId: resending it is safe
        assert listing.restarts == 0 and listing.notes == []


def test_cut_every_4th_answer_on_a_cursor_scroll_ends_loudly(
    big: PxSimulator, make_client: Callable[..., PxClient]
) -> None:
    big.inject(Fault("cut", every=4, times=10_000, path="/v1/users"))
    listing = make_client(big.base_url).list("users", page_size=1000)
    ids: list[str] = []
    with pytest.raises(ShortfallError) as info:
        for page in listing:
            ids += [r["identifyId"] for r in page.records]
    assert len(ids) == len(set(ids)) == listing.received < 20_000
    assert f"received {listing.received:,} of 20,000" in str(info.value)
    assert not listing.complete and listing.shortfall == 20_000 - listing.received


def test_duplicate_ids_across_pages_are_given_once(
    sim: PxSimulator, make_client: Callable[..., PxClient]
) -> None:
    sim.inject(Fault("rewind", count=40, times=2, path="/v1/users"))
    listing = make_client(sim.base_url).list("users", page_size=500)
    ids = _ids(listing)
    assert sorted(ids) == sorted(sim.user_ids())
    assert listing.received == 2500 and listing.duplicates == 80 and listing.complete


def test_a_repeated_page_restarts_once_then_fails_without_looping(
    sim: PxSimulator, make_client: Callable[..., PxClient]
) -> None:
    sim.inject(Fault("repeat", times=1000, path="/v1/users"))
    listing = make_client(sim.base_url).list("users", page_size=500)
    with pytest.raises(ProtocolError, match="same page"):
        _ids(listing)
    assert listing.restarts == 1
    assert len([r for r in sim.requests if r.path == "/v1/users"]) <= 6


def test_one_repeated_page_is_survived(
    sim: PxSimulator, make_client: Callable[..., PxClient]
) -> None:
    sim.inject(Fault("repeat", times=1, path="/v1/users"))
    listing = make_client(sim.base_url).list("users", page_size=500)
    assert sorted(_ids(listing)) == sorted(sim.user_ids())
    assert listing.complete and listing.restarts == 1


def test_non_object_items_reach_the_consumer_one_by_one(
    sim: PxSimulator, make_client: Callable[..., PxClient]
) -> None:
    sim.inject(Fault("items", items=(None, "oops", 7), path="/v1/users"))
    listing = make_client(sim.base_url).list("users", page_size=1000)
    records = list(listing.records())
    assert [r for r in records if not isinstance(r, dict)] == [None, "oops", 7]
    assert len([r for r in records if isinstance(r, dict)]) == 2500
    assert listing.complete


def test_a_429_storm_longer_than_the_retries_names_the_rate_limit(
    sim: PxSimulator, make_client: Callable[..., PxClient]
) -> None:
    sim.inject(Fault("status", status=429, times=50, path="/v1/users"))
    listing = make_client(sim.base_url).list("users", page_size=1000)
    with pytest.raises(RateLimitedError, match="PX rate limit"):
        _ids(listing)
