"""Both scroll behaviours and the backend faults a client must survive (cut, repeat, ...)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pxdesk.core.pxsim import Fault, PxSimulator

from .conftest import KEY


@pytest.fixture
def http() -> Iterator[tuple[PxSimulator, httpx.Client]]:
    with PxSimulator(accounts=5, users=100, api_key=KEY, seed=3) as sim:
        headers = {"X-APTRINSIC-API-KEY": KEY}
        with httpx.Client(base_url=sim.base_url, headers=headers, timeout=10) as client:
            yield sim, client


def _ids(body: dict) -> list[str]:
    return [u["identifyId"] for u in body["users"]]


def _page(client: httpx.Client, scroll: str | None = None, size: int = 10) -> dict:
    params = [("pageSize", str(size))] + ([("scrollId", scroll)] if scroll else [])
    response = client.get("/users", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_cursor_mode_keeps_one_id_and_a_resend_moves_on(http: tuple) -> None:
    _sim, client = http
    first = _page(client)
    second = _page(client, first["scrollId"])
    resent = _page(client, first["scrollId"])
    assert second["scrollId"] == resent["scrollId"] == first["scrollId"]
    assert _ids(resent) != _ids(second)  # the cursor moved: a resend is the next page


def test_fresh_mode_names_each_page_and_a_resend_repeats_it(http: tuple) -> None:
    sim, client = http
    sim.scroll_mode = "fresh"
    first = _page(client)
    second = _page(client, first["scrollId"])
    resent = _page(client, first["scrollId"])
    assert len({first["scrollId"], second["scrollId"]}) == 2
    assert _ids(resent) == _ids(second)
    third = _page(client, second["scrollId"])
    assert not set(_ids(third)) & set(_ids(second))


def test_page_size_cap_serves_fewer_than_asked(http: tuple) -> None:
    sim, client = http
    sim.page_size_cap = 7
    first = _page(client, size=50)
    assert len(first["users"]) == 7 and first["totalHits"] == 100
    assert len(_page(client, first["scrollId"], size=50)["users"]) == 7


def test_cut_body_closes_mid_transfer_after_the_cursor_moved(http: tuple) -> None:
    sim, client = http
    first = _page(client)
    sim.inject(Fault("cut"))
    with pytest.raises(httpx.RemoteProtocolError):
        _page(client, first["scrollId"])
    after = _page(client, first["scrollId"])
    assert _ids(after)[0] == "user-0000020"  # user-0000010..19 were served and lost


def test_repeat_serves_the_previous_page_again(http: tuple) -> None:
    sim, client = http
    first = _page(client)
    second = _page(client, first["scrollId"])
    sim.inject(Fault("repeat"))
    assert _ids(_page(client, first["scrollId"])) == _ids(second)
    assert _ids(_page(client, first["scrollId"]))[0] == "user-0000020"


def test_rewind_repeats_ids_across_pages(http: tuple) -> None:
    sim, client = http
    first = _page(client)
    sim.inject(Fault("rewind", count=3))
    second = _page(client, first["scrollId"])
    assert _ids(second)[:3] == _ids(first)[-3:]


def test_items_puts_non_objects_in_the_array(http: tuple) -> None:
    sim, client = http
    sim.inject(Fault("items", items=(None, "oops", 42)))
    body = _page(client)
    assert body["users"][-3:] == [None, "oops", 42]
    assert len(body["users"]) == 13


def test_backend_faults_leave_other_paths_alone(http: tuple) -> None:
    sim, client = http
    sim.inject(Fault("cut"))
    assert client.get("/users/user-0000001").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        _page(client)
