"""Parsing and evaluation of the PX ``filter`` and ``sort`` query parameters.

Decisions where px-api.md is silent (the sync engine re-checks filters locally anyway):

* A term is ``field{op}value``; the operator is the first one found scanning left to right
  (two-character operators win at the same position). The field must be a dotted identifier
  path. Anything else - no operator, ``=`` alone, an empty field - is a 400.
* Empty ``filter=`` parameters and empty ``;`` terms are ignored. Unknown fields are allowed.
* A missing or null field (or a path through a non-object) matches only the negative
  operators ``!=`` and ``!~`` - as "not equal to anything" in Elasticsearch, which PX wraps.
  Objects compare like null; empty lists too.
* Strings compare case-insensitively (casefold), ``<``/``>`` lexicographically. Numbers and
  dates (epoch ms) compare numerically; a non-numeric value never equals a number (so ``!=``
  matches). Booleans compare as the words ``true``/``false``.
* ``~`` is a whole-value wildcard match (``*`` any run, ``?`` one character), also on the
  text form of numbers. Lists (``propertyKeys``) match when any element matches; ``!=`` and
  ``!~`` on a list match when no element matches the positive form.
* Sort keys: missing/null values sort last in both directions; numbers before strings;
  strings by casefold; ties keep insertion order (the sort is stable).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_TWO_CHAR_OPS = ("==", "!=", "<=", ">=", "!~")
_ONE_CHAR_OPS = ("~", "<", ">")
ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class FilterError(ValueError):
    """A filter or sort parameter the API would refuse with 400."""


def get_path(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a dotted path, or None when any step is missing or not an object."""
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class Term:
    """One ``field{op}value`` comparison."""

    __slots__ = ("field", "number", "op", "path", "pattern", "text", "value")

    def __init__(self, field: str, op: str, value: str) -> None:
        self.field = field
        self.path = tuple(field.split("."))
        self.op = op
        self.value = value
        self.text = value.casefold()
        try:
            self.number: float | None = float(value)
        except ValueError:
            self.number = None
        self.pattern: re.Pattern[str] | None = None
        if op in ("~", "!~"):
            regex = "".join(
                ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value
            )
            self.pattern = re.compile(regex, re.IGNORECASE | re.DOTALL)

    @property
    def negative(self) -> bool:
        return self.op in ("!=", "!~")

    def matches(self, record: dict[str, Any]) -> bool:
        return self.matches_value(get_path(record, self.path))

    def matches_value(self, value: Any) -> bool:
        """Whether ``value`` (the field's content) satisfies the term."""
        if isinstance(value, list):
            hit = any(self._positive(v) for v in value if v is not None)
            return not hit if self.negative else hit
        if value is None or isinstance(value, dict):
            return self.negative
        hit = self._positive(value)
        return not hit if self.negative else hit

    def _positive(self, value: Any) -> bool:
        """The term with ``!=``/``!~`` read as ``==``/``~``."""
        op = self.op
        if self.pattern is not None:
            text = _text_of(value)
            return text is not None and self.pattern.fullmatch(text) is not None
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, int | float):
            if self.number is None:
                return False
            if op in ("==", "!="):
                return value == self.number
            return ORDER_OPS[op](value, self.number)
        if not isinstance(value, str):
            return False
        folded = value.casefold()
        if op in ("==", "!="):
            return folded == self.text
        return ORDER_OPS[op](folded, self.text)


def _text_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


@dataclass(frozen=True)
class Filter:
    """Repeated ``filter`` params ORed; each is a group of ``;``-separated terms ANDed."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(t.field for g in self.groups for t in g)

    def matches(self, record: dict[str, Any]) -> bool:
        if not self.groups:
            return True
        return any(all(t.matches(record) for t in g) for g in self.groups)


def parse_term(text: str) -> Term:
    for pos in range(len(text)):
        pair = text[pos : pos + 2]
        op = pair if pair in _TWO_CHAR_OPS else text[pos] if text[pos] in _ONE_CHAR_OPS else None
        if op is None:
            continue
        field = text[:pos].strip()
        if not _FIELD_RE.fullmatch(field):
            raise FilterError(f"Invalid filter field in '{text}'")
        return Term(field, op, text[pos + len(op) :])
    raise FilterError(f"Invalid filter '{text}': expected field{{op}}value with op one of "
                      "==, !=, <, <=, >, >=, ~, !~")


def parse_filters(params: Iterable[str]) -> Filter:
    """The Filter for all ``filter`` query values of one request."""
    groups = []
    for param in params:
        terms = tuple(parse_term(t) for t in param.split(";") if t.strip())
        if terms:
            groups.append(terms)
    return Filter(tuple(groups))


@dataclass(frozen=True)
class SortKey:
    path: tuple[str, ...]
    descending: bool


def parse_sort(params: Iterable[str]) -> tuple[SortKey, ...]:
    """Sort keys from ``sort`` values like ``name;-lastModifiedDate`` (all params joined)."""
    keys = []
    for param in params:
        for item in param.split(";"):
            item = item.strip()
            if not item:
                continue
            descending = item.startswith("-")
            field = item.lstrip("+-")
            if not _FIELD_RE.fullmatch(field):
                raise FilterError(f"Invalid sort field '{item}'")
            keys.append(SortKey(tuple(field.split(".")), descending))
    return tuple(keys)


def sort_value(value: Any) -> tuple[int, Any] | None:
    """A comparable key for one field value; None for values that sort last."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).casefold())


def sort_indexes(
    indexes: list[int], keys: tuple[SortKey, ...], value_of: Callable[[int, SortKey], Any]
) -> list[int]:
    """Indexes ordered by ``keys``: stable sorts from the last key to the first."""
    ordered = indexes
    for key in reversed(keys):
        valued = [(sort_value(value_of(i, key)), i) for i in ordered]
        present = [(v, i) for v, i in valued if v is not None]
        missing = [i for v, i in valued if v is None]
        present.sort(key=operator.itemgetter(0), reverse=key.descending)
        ordered = [i for _, i in present] + missing
    return ordered
