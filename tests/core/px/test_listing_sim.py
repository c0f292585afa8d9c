"""Scroll listings against the embedded simulator: stop rules, params, cancel, restart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pxdesk.core.errors import CancelledError, ShortfallError
from pxdesk.core.px.client import PxClient

from .conftest import KEY


def _user_requests(sim: Any) -> list[Any]:
    return [r for r in sim.requests if r.path.rstrip("/").endswith("/users")]


def _params(request: Any, name: str) -> list[str]:
    return [v for k, v in request.query if k == name]


def test_lists_25000_users_in_pages_of_1000(make_client: Callable[..., PxClient]) -> None:
    from pxdesk.core.pxsim import PxSimulator

    with PxSimulator(accounts=50, users=25_000, api_key=KEY, seed=7) as big:
        client = make_client(big.base_url)
        listing = client.list("users", page_size=1000)
        ids: list[str] = []
        for page in listing:
            assert len(page.records) == 1000
            ids.extend(r["identifyId"] for r in page.records)
            assert page.received == len(ids)
            assert page.total_hits == 25_000
        requests = _user_requests(big)
    assert len(ids) == 25_000 and len(set(ids)) == 25_000
    assert listing.complete and listing.shortfall == 0 and listing.restarts == 0
    assert listing.total_hits == 25_000 and listing.received == 25_000
    data_requests = [r for r in requests if r.status == 200]
    assert len(data_requests) == len(requests)
    # 25 full pages; PX keeps the scrollId after the last one, so a 26th request is needed to
    # see the end (an empty page): stopping on totalHits would trust a count PX may cap.
    assert len(requests) == 26
    assert listing.pages == 26 and listing.received == 25_000
    for number, request in enumerate(requests):
        assert _params(request, "pageSize") == ["1000"]
        assert len(_params(request, "scrollId")) == (0 if number == 0 else 1)
        assert "scrollID" not in [k for k, _ in request.query]


def test_short_page_stops_without_an_extra_request(
    sim: Any, make_client: Callable[..., PxClient]
) -> None:
    listing = make_client(sim.base_url).list("users", page_size=1000)
    sizes = [len(p.records) for p in listing]
    assert sizes == [1000, 1000, 500]  # 2500 users
    assert len(_user_requests(sim)) == 3
    assert listing.complete and listing.received == 2500 == sim.user_count


def test_page_numbers_and_received_count(sim: Any, make_client: Callable[..., PxClient]) -> None:
    pages = list(make_client(sim.base_url).list("users", page_size=1000))
    assert [(p.number, p.received) for p in pages] == [(1, 1000), (2, 2000), (3, 2500)]


def test_empty_result_stops_after_one_request(
    sim: Any, make_client: Callable[..., PxClient]
) -> None:
    listing = make_client(sim.base_url).list("users", filters=["email==nobody@nowhere.invalid"])
    assert list(listing) == []  # an empty page is not yielded
    assert len(_user_requests(sim)) == 1
    assert listing.complete and listing.total_hits == 0 and listing.shortfall == 0


def _wanted(record: dict[str, Any]) -> bool:
    kind, gender = record.get("type"), record.get("gender")
    return kind == "LEAD" or (kind == "VISITOR" and gender == "FEMALE")


def test_filters_and_sort_sent_on_every_request(
    sim: Any, make_client: Callable[..., PxClient]
) -> None:
    filters = ["type==LEAD", "type==visitor;gender==FEMALE"]  # OR between, AND inside
    listing = make_client(sim.base_url).list(
        "users", filters=filters, sort="-lastModifiedDate;email", page_size=100
    )
    rows = list(listing.records())
    requests = _user_requests(sim)
    assert len(requests) >= 2  # several pages, so the params repeat
    for request in requests:
        assert _params(request, "filter") == filters  # separate params, in order, as given
        assert _params(request, "sort") == ["-lastModifiedDate;email"]
        assert _params(request, "pageSize") == ["100"]
    expected = {uid for uid in sim.user_ids() if _wanted(sim.get_user(uid))}
    assert 0 < len(expected) < sim.user_count
    assert {r["identifyId"] for r in rows} == expected and len(rows) == len(expected)
    assert listing.shortfall == 0 and listing.total_hits == len(expected)
    modified = [r.get("lastModifiedDate") or 0 for r in rows]
    assert modified == sorted(modified, reverse=True)  # the simulator honoured the sort


def test_cancel_is_checked_between_pages_only(
    sim: Any, make_client: Callable[..., PxClient]
) -> None:
    calls: list[int] = []
    received: list[int] = []

    def cancel() -> bool:
        calls.append(len(received))
        return len(received) >= 2

    listing = make_client(sim.base_url).list("users", page_size=500, cancel=cancel)
    with pytest.raises(CancelledError):
        for page in listing:
            received.append(len(page.records))
    assert received == [500, 500]  # whole pages only
    assert calls == [1, 2]  # not consulted before the first page
    assert len(_user_requests(sim)) == 2
    assert not listing.complete and listing.shortfall == 1500  # what never arrived


def test_rejected_scroll_id_restarts_once(sim: Any, make_client: Callable[..., PxClient]) -> None:
    from pxdesk.core.pxsim import Fault

    sim.inject(Fault(kind="scroll_expired", times=1, path="/v1/users"))
    listing = make_client(sim.base_url).list("users", page_size=1000)
    ids = [r["identifyId"] for r in listing.records()]
    assert listing.restarts == 1 and listing.complete
    assert sorted(ids) == sorted(sim.user_ids())  # nothing lost, nothing given twice
    assert listing.received == 2500 and listing.shortfall == 0
    requests = _user_requests(sim)
    assert [bool(_params(r, "scrollId")) for r in requests] == [False, True, False, True, True]
    assert [r.status for r in requests] == [200, 400, 200, 200, 200]


def test_scroll_rejections_beyond_the_restarts_end_loudly(
    sim: Any, make_client: Callable[..., PxClient]
) -> None:
    from pxdesk.core.pxsim import Fault

    sim.inject(Fault(kind="scroll_expired", times=4, path="/v1/users"))
    listing = make_client(sim.base_url).list("users", page_size=1000)
    with pytest.raises(ShortfallError, match=r"could not finish .* received 1,000 of 2,500"):
        list(listing)
    assert listing.restarts == 3 and not listing.complete


def test_accounts_listing_and_single_records(
    sim: Any, make_client: Callable[..., PxClient]
) -> None:
    client = make_client(sim.base_url)
    accounts = list(client.list("accounts", page_size=7).records())
    assert len(accounts) == 20 and len({a["id"] for a in accounts}) == 20
    assert client.get_account(accounts[3]["id"])["id"] == accounts[3]["id"]
    user_id = list(sim.user_ids())[5]
    assert client.get_user(user_id)["identifyId"] == user_id
    assert client.test_connection() == 2500


def test_attribute_metadata(sim: Any, make_client: Callable[..., PxClient]) -> None:
    client = make_client(sim.base_url)
    for kind in ("account", "user"):
        attrs = client.attributes(kind)
        assert attrs and all("apiName" in a for a in attrs)


@pytest.mark.parametrize("size", [0, 1001])
def test_page_size_bounds(sim: Any, make_client: Callable[..., PxClient], size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        make_client(sim.base_url).list("users", page_size=size)


def test_listing_is_single_pass(sim: Any, make_client: Callable[..., PxClient]) -> None:
    listing = make_client(sim.base_url).list("users", page_size=1000)
    list(listing)
    with pytest.raises(RuntimeError, match="only once"):
        list(listing)
