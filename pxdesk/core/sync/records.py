"""Dot-path access into PX records (``location.countryCode``, ``customAttributes.plan``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Getter = Callable[[Mapping[str, Any]], Any]


def _split(path: str) -> list[str]:
    parts = path.split(".")
    if not path or any(not part for part in parts):
        raise ValueError(f"Invalid field path {path!r}: use names joined by dots (location.city)")
    return parts


def compile_path(path: str) -> Getter:
    """Return a fast getter for ``path``; it answers None when any step is missing or not a map.

    The engine reads the same few paths from millions of records, so the split happens once
    here and the common one- and two-step paths get unrolled closures.
    """
    parts = _split(path)
    if len(parts) == 1:
        (key,) = parts

        def get1(record: Mapping[str, Any]) -> Any:
            return record.get(key)

        return get1
    if len(parts) == 2:
        first, second = parts

        def get2(record: Mapping[str, Any]) -> Any:
            inner = record.get(first)
            # The exact-type test is the fast path for JSON dicts; the ABC check is the fallback.
            if type(inner) is dict or isinstance(inner, Mapping):
                return inner.get(second)
            return None

        return get2

    def get_n(record: Mapping[str, Any]) -> Any:
        value: Any = record
        for key in parts:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    return get_n


def get_path(record: Mapping[str, Any], path: str) -> Any:
    """One-off lookup of ``path`` in ``record``; prefer compile_path in loops."""
    value: Any = record
    for key in _split(path):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value
