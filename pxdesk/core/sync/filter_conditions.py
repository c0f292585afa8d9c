"""One Sync Filter condition: its value parsed per PX type, its predicate, its PX filter terms.

The rules (null rule, case, date days, what is never pushed) are written up in filters.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pxdesk.core.sync.mapping import (
    ConversionError,
    compile_converter,
    parse_instant,
    show_value,
)
from pxdesk.core.sync.records import compile_path

Predicate = Callable[[Mapping[str, Any]], bool]
Reader = Callable[[Any], Any]
Conjunct = tuple[str, ...]

DAY_MS = 86_400_000
_NUMBER = compile_converter("Number")
_BOOLEAN = compile_converter("Boolean")
_PUSHABLE = frozenset({"equals", "contains", "starts_with", "ends_with", "greater_than",
                       "greater_or_equal", "less_than", "less_or_equal", "between", "in_list"})
_LIST_FIELDS = frozenset({"propertyKeys", "channelMetricList", "lastVisitedUserAgentData"})
_SAFE_FIELD_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_SAFE_TEXT_RE = re.compile(r"[ -~]+")  # printable ASCII
_UNSAFE_CHARS = frozenset(";*?,=<>!~\\")
_COMPARE = {"greater_than": ">", "greater_or_equal": ">=", "less_than": "<", "less_or_equal": "<="}
_TEXT_PATTERNS = {"equals": "=={}", "in_list": "=={}", "contains": "~*{}*",
                  "starts_with": "~{}*", "ends_with": "~*{}"}


def _scalar(field_type: str, raw: Any) -> Any:
    """One condition value in its compare form: str, int/float, bool, or a [start, end) ms pair."""
    if raw is None or isinstance(raw, (list, tuple, dict)):
        raise ValueError("enter a value" if raw is None or not raw else
                         f"{show_value(raw)} is not a single value")
    if field_type == "STRING":
        text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        if not text.strip():
            raise ValueError("enter a value")
        return text
    if field_type == "DATE_TIME":
        instant = parse_instant(raw)  # ConversionError is a ValueError with the reason
        if instant is None:
            raise ValueError("enter a date")
        ms, whole_day = instant
        return (ms, ms + DAY_MS) if whole_day else (ms, ms + 1)
    value = (_NUMBER if field_type == "NUMBER" else _BOOLEAN)(raw)
    if value is None:
        raise ValueError("enter a value")
    return value


def _order_key(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) else value


def parse_condition_value(field_type: str, operator: str, raw: Any) -> Any:
    """Parse a condition's value for comparison; raises ValueError saying what to enter."""
    if operator in ("is_null", "is_not_null"):
        return None
    if operator == "between":
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            raise ValueError("between needs two values, from and to")
        low, high = (_scalar(field_type, item) for item in raw)
        if _order_key(low) > _order_key(high):
            raise ValueError(f"the lower bound {show_value(raw[0])} is greater than the upper "
                             f"bound {show_value(raw[1])}; swap them")
        return low, high
    if operator == "in_list":
        if not isinstance(raw, (list, tuple)) or not raw:
            raise ValueError("enter at least one value for the list")
        items = []
        for number, item in enumerate(raw, start=1):
            try:
                items.append(_scalar(field_type, item))
            except ValueError as error:
                raise ValueError(f"list item {number}: {error}") from None
        return tuple(items)
    return _scalar(field_type, raw)


def _read_text(value: Any) -> Any:
    if type(value) is str:
        return value.lower() if value else None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        texts = [text for item in value if isinstance(text := _read_text(item), str)]
        return tuple(texts) if texts else None
    return str(value).lower()


def _read_number(value: Any) -> Any:
    if type(value) is int:
        return value
    try:
        return _NUMBER(value)
    except ConversionError:
        return ()  # present but not comparable: fails positive operators


def _read_boolean(value: Any) -> Any:
    try:
        return _BOOLEAN(value)
    except ConversionError:
        return ()


def _read_ms(value: Any) -> Any:
    if type(value) is int:
        return value or None
    if isinstance(value, (list, tuple, dict)) and not value:
        return None
    try:
        instant = parse_instant(value)
    except ConversionError:
        return ()
    return None if instant is None else instant[0]


_READERS: dict[str, Reader] = {"STRING": _read_text, "NUMBER": _read_number,
                               "BOOLEAN": _read_boolean, "DATE_TIME": _read_ms}


def _text_test(operator: str, value: Any) -> Callable[[Any], bool]:
    if operator == "in_list":
        return frozenset(item.lower() for item in value).__contains__
    target = value.lower()
    tests: dict[str, Callable[[Any], bool]] = {
        "equals": lambda v: v == target,
        "contains": lambda v: target in v,
        "starts_with": lambda v: v.startswith(target),
        "ends_with": lambda v: v.endswith(target),
    }
    return tests[operator]


def _ordered_test(operator: str, value: Any) -> Callable[[Any], bool]:
    """Numbers compare directly; dates compare against their [start, end) interval."""
    if operator == "in_list":
        return frozenset(value).__contains__
    if operator == "between":
        low, high = value
        if isinstance(low, tuple):  # dates: from the first day's start to the last day's end
            first, last = low[0], high[1]
            return lambda v: first <= v < last
        return lambda v: low <= v <= high
    start, end = value if isinstance(value, tuple) else (value, None)
    if end is None:  # a number
        tests: dict[str, Callable[[Any], bool]] = {
            "equals": lambda v: v == start, "greater_than": lambda v: v > start,
            "greater_or_equal": lambda v: v >= start, "less_than": lambda v: v < start,
            "less_or_equal": lambda v: v <= start,
        }
    else:
        tests = {
            "equals": lambda v: start <= v < end, "greater_than": lambda v: v >= end,
            "greater_or_equal": lambda v: v >= start, "less_than": lambda v: v < start,
            "less_or_equal": lambda v: v < end,
        }
    return tests[operator]


def compile_condition(field: str, field_type: str, operator: str, raw: Any) -> Predicate:
    """A predicate over records for one validated condition."""
    get = compile_path(field)
    read = _READERS[field_type]
    if operator == "is_null":
        return lambda record: read(get(record)) is None
    if operator == "is_not_null":
        return lambda record: read(get(record)) is not None
    value = parse_condition_value(field_type, operator, raw)
    negative = operator in ("not_equals", "not_contains")
    base = operator.removeprefix("not_") if negative else operator
    if field_type == "STRING":
        test = _text_test(base, value)
    elif field_type == "BOOLEAN":
        test = value.__eq__
    else:
        test = _ordered_test(base, value)

    def matches(record: Mapping[str, Any]) -> bool:
        found = read(get(record))
        if found is None:
            return False  # the null rule: only is_null matches an empty field
        if type(found) is tuple:  # a list field, or () for a value that does not compare
            return any(map(test, found)) != negative
        return test(found) != negative

    return matches


def _number_text(number: Any) -> str | None:
    if isinstance(number, int):
        return str(number)
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = repr(number)
    return None if "e" in text else text


def _safe_text(text: str) -> bool:
    return (bool(_SAFE_TEXT_RE.fullmatch(text)) and text == text.strip()
            and not _UNSAFE_CHARS.intersection(text))


def _date_terms(field: str, operator: str, value: Any) -> list[Conjunct]:
    if operator == "between":
        return [(f"{field}>={value[0][0]}", f"{field}<{value[1][1]}")]
    start, end = value
    terms = {
        "equals": (f"{field}=={start}",) if end - start == 1 else
                  (f"{field}>={start}", f"{field}<{end}"),
        "greater_than": (f"{field}>={end}",), "greater_or_equal": (f"{field}>={start}",),
        "less_than": (f"{field}<{start}",), "less_or_equal": (f"{field}<{end}",),
    }
    return [terms[operator]]


def push_alternatives(field: str, field_type: str, operator: str, raw: Any
                      ) -> list[Conjunct] | None:
    """PX filter alternatives (ORed AND-term tuples) implied by the condition, or None."""
    if (operator not in _PUSHABLE or not _SAFE_FIELD_RE.fullmatch(field)
            or field.split(".")[0] in _LIST_FIELDS):
        return None
    value = parse_condition_value(field_type, operator, raw)
    if field_type == "DATE_TIME":
        return _date_terms(field, operator, value)
    if field_type == "BOOLEAN":
        return [(f"{field}=={'true' if value else 'false'}",)]
    values = value if operator in ("in_list", "between") else (value,)
    if field_type == "STRING":
        if not all(_safe_text(text) for text in values):
            return None
        pattern = _TEXT_PATTERNS[operator]
        return [(f"{field}{pattern.format(text)}",) for text in values]
    texts = [_number_text(number) for number in values]
    if None in texts:
        return None
    if operator == "between":
        return [(f"{field}>={texts[0]}", f"{field}<={texts[1]}")]
    if operator in _COMPARE:
        return [(f"{field}{_COMPARE[operator]}{texts[0]}",)]
    return [(f"{field}=={text}",) for text in texts]
