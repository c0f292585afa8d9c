"""filter and sort: every operator, wildcards, AND/OR, dot paths, nulls, errors."""

from __future__ import annotations

import itertools

import httpx
import pytest

from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.pxsim.filters import FilterError, parse_filters, parse_sort
from tests.core.pxsim.conftest import page_all

RECORD = {
    "name": "Zoë Müller", "score": 42, "flag": True, "empty": "", "none": None,
    "keys": ["AP-AAA-2", "AP-BBB-2"], "loc": {"countryCode": "DE", "city": "Berlin"},
}


def matches(expr: str, record: dict = RECORD) -> bool:
    return parse_filters([expr]).matches(record)


@pytest.mark.parametrize(("expr", "expected"), [
    ("score==42", True), ("score==42.0", True), ("score!=42", False), ("score<43", True),
    ("score<=42", True), ("score>42", False), ("score>=42", True), ("score==abc", False),
    ("score!=abc", True), ("score~4?", True), ("score!~4*", False),
    ("name==zoë müller", True), ("name!=ZOË MÜLLER", False), ("name~zo*", True),
    ("name~*MÜLL?R", True), ("name~zo", False), ("name!~x*", True), ("name<zz", True),
    ("flag==true", True), ("flag==TRUE", True), ("flag!=false", True),
    ("empty==", True), ("empty!=", False), ("empty~*", True),
    ("none==x", False), ("none!=x", True), ("none~*", False), ("none!~*", True),
    ("none<1", False), ("absent==x", False), ("absent!=x", True),
    ("loc.countryCode==de", True), ("loc.city~ber*", True), ("loc.missing!=x", True),
    ("name.sub==x", False), ("loc==x", False), ("loc!=x", True),
    ("keys==ap-bbb-2", True), ("keys!=AP-BBB-2", False), ("keys~*CCC*", False),
    ("keys!~*CCC*", True), ("name==a<b", False),
])
def test_term_semantics(expr: str, expected: bool) -> None:
    assert matches(expr) is expected


def test_and_within_one_filter_or_across_filters() -> None:
    assert matches("score==42;loc.countryCode==DE")
    assert not matches("score==42;loc.countryCode==FR")
    both = parse_filters(["score==1;name~z*", "loc.city==berlin"])
    assert both.matches(RECORD)
    assert not parse_filters(["score==1", "loc.city==paris"]).matches(RECORD)
    assert parse_filters(["", "score==42;"]).matches(RECORD)  # empty parts ignored


@pytest.mark.parametrize("bad", ["score", "score=42", "=42", "sc ore==1", "a..b==1", ".a==1"])
def test_bad_filter_syntax(bad: str) -> None:
    with pytest.raises(FilterError):
        parse_filters([bad])


def test_bad_sort_field() -> None:
    with pytest.raises(FilterError):
        parse_sort(["name;-bad field"])


def ids(rows: list[dict]) -> list[str]:
    return [r["identifyId"] for r in rows]


def test_filter_over_http_matches_local_evaluation(sim: PxSimulator, client: httpx.Client) -> None:
    everyone = [sim.get_user(i) for i in sim.user_ids()]
    cases = [
        [("filter", "customAttributes.plan==GOLD")],
        [("filter", "location.countryCode==de;score>=50")],
        [("filter", "email~*@example.com"), ("filter", "accountId==")],
        [("filter", "firstName~Z?ë")],
        [("filter", "signUpDate==0")],
        [("filter", "lastName!=müller")],
    ]
    for params in cases:
        rows, pages = page_all(client, "/users", params)
        flt = parse_filters(v for _, v in params)
        expected = [u["identifyId"] for u in everyone if flt.matches(u)]
        assert ids(rows) == expected, params
        assert pages[0]["totalHits"] == len(expected)
        assert expected, f"test data should match {params}"


def test_last_modified_filter_uses_numeric_compare(sim: PxSimulator, client: httpx.Client) -> None:
    dates = sorted(sim.get_user(i)["lastModifiedDate"] for i in sim.user_ids())
    cut = dates[200]
    rows, _ = page_all(client, "/users", {"filter": f"lastModifiedDate>={cut}"})
    assert len(rows) == sum(1 for d in dates if d >= cut)
    assert all(r["lastModifiedDate"] >= cut for r in rows)
    between = {"filter": f"lastModifiedDate>{dates[10]};lastModifiedDate<{dates[20]}"}
    assert len(page_all(client, "/users", between)[0]) == sum(
        1 for d in dates if dates[10] < d < dates[20])


def test_bad_filter_over_http_is_400(client: httpx.Client) -> None:
    for bad in ("score=5", "score", "sc ore==5"):
        response = client.get("/users", params={"filter": bad})
        assert response.status_code == 400
        assert response.json()["externalapierror"]["status"] == "BAD_REQUEST"
    assert client.get("/users", params={"sort": "a b"}).status_code == 400


def test_date_filter_can_be_switched_off(sim: PxSimulator, client: httpx.Client) -> None:
    sim.date_filter_supported = False
    assert client.get("/users", params={"filter": "lastModifiedDate>=1"}).status_code == 400
    assert client.get("/accounts", params={"filter": "score>1;lastModifiedDate>=1"}
                      ).status_code == 400
    assert client.get("/users", params={"filter": "score>=1"}).status_code == 200
    assert client.get("/users", params={"sort": "lastModifiedDate"}).status_code == 200


def test_sort_multi_key_with_nulls_last(sim: PxSimulator, client: httpx.Client) -> None:
    rows, _ = page_all(client, "/users", {"sort": "customAttributes.plan;-score"}, 100)
    assert len(rows) == 300
    plans = [(r["customAttributes"] or {}).get("plan") for r in rows]
    present = [p for p in plans if p is not None]
    assert present == sorted(present)
    assert plans[len(present):] == [None] * (len(plans) - len(present))
    assert len(present) < len(plans)  # some users have null customAttributes
    for (plan_a, a), (plan_b, b) in itertools.pairwise(zip(plans, rows, strict=True)):
        if plan_a == plan_b and plan_a is not None:
            assert a["score"] >= b["score"]


def test_sort_by_column_and_stable_default(client: httpx.Client) -> None:
    rows, _ = page_all(client, "/users", {"sort": "-lastModifiedDate"}, 100)
    dates = [r["lastModifiedDate"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    default, _ = page_all(client, "/users", {}, 100)
    assert ids(default) == [f"user-{i:07d}" for i in range(300)]
    by_name, _ = page_all(client, "/accounts", {"sort": "name"}, 100)
    names = [a["name"].casefold() for a in by_name]
    assert names == sorted(names)
