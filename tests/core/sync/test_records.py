"""Dot-path access: missing anywhere gives None, compiled and one-off lookups agree."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from pxdesk.core.sync.records import compile_path, get_path

RECORD: dict[str, Any] = {
    "id": "acc-1",
    "score": 0,
    "active": False,
    "title": "",
    "location": {"countryCode": "DE", "coordinates": {"latitude": 52.5, "longitude": 0.0}},
    "customAttributes": None,
    "lastInferredLocation": "not a map",
}

CASES = [
    ("id", "acc-1"),
    ("score", 0),
    ("active", False),
    ("title", ""),
    ("missing", None),
    ("location.countryCode", "DE"),
    ("location.city", None),
    ("location.coordinates.latitude", 52.5),
    ("location.coordinates.longitude", 0.0),
    ("location.coordinates.altitude", None),
    ("customAttributes.plan", None),
    ("customAttributes.plan.tier", None),
    ("lastInferredLocation.countryCode", None),
    ("nothing.here.at.all", None),
    ("id.length", None),
]


@pytest.mark.parametrize(("path", "expected"), CASES)
def test_compiled_and_one_off_lookups_agree(path: str, expected: Any) -> None:
    assert compile_path(path)(RECORD) == expected
    assert get_path(RECORD, path) == expected
    assert type(get_path(RECORD, path)) is type(expected)  # 0 / False / "" are not turned to None


def test_custom_attributes_present() -> None:
    record = {"customAttributes": {"plan": "gold", "seats": 12}}
    assert compile_path("customAttributes.plan")(record) == "gold"
    assert get_path(record, "customAttributes.seats") == 12


def test_any_mapping_type_works() -> None:
    record = MappingProxyType({"location": MappingProxyType({"city": "Berlin"})})
    assert compile_path("location.city")(record) == "Berlin"
    assert compile_path("location")(record)["city"] == "Berlin"
    assert get_path(record, "location.city") == "Berlin"


@pytest.mark.parametrize("path", ["", ".", "a.", ".a", "a..b"])
def test_malformed_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="field path"):
        compile_path(path)
    with pytest.raises(ValueError, match="field path"):
        get_path(RECORD, path)


def test_compiled_getter_is_reusable_across_records() -> None:
    get = compile_path("customAttributes.plan")
    records = [{"customAttributes": {"plan": f"p{i}"}} if i % 2 else {} for i in range(1000)]
    values = [get(r) for r in records]
    assert values[1] == "p1" and values[0] is None
    assert sum(v is not None for v in values) == 500
