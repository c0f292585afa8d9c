"""Typed conversion of PX values into local field types (job stage 2, Field Mappings).

Decisions (ConversionError.reason is what the admin reads in the error file):

- **Empty**: None, "" and an empty list/dict become None (an empty field) for every type;
  whitespace-only text too, except for String. Date/DateTime also treat epoch 0 as empty
  (PX uses 0 for "never").
- **String**: text is stored as given (not trimmed); booleans as "true"/"false"; numbers as
  Python prints them; lists and dicts as compact JSON text (key order kept).
- **Number, Currency, Percentage**: an int stays int, any other finite real becomes float.
  Numeric text ("12", "-3.5", "1e3") is accepted; thousands separators and currency symbols are
  not (their meaning depends on the locale). Booleans are rejected: a boolean mapped to a number
  is nearly always a mapping mistake, and the error says so. NaN and infinity are rejected.
  Percentage also accepts a trailing "%" ("45%" -> 45); the number is kept as written, not /100.
- **Boolean**: bool; the numbers 0/1; text true/false/1/0/yes/no in any case, trimmed.
- **Date**: epoch ms (int, float or integer text) or ISO 8601 date / date-time text, stored as
  "YYYY-MM-DD" in UTC. A date-time with an offset is moved to UTC first; one without an offset
  is taken as UTC.
- **DateTime**: the same inputs, stored as "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC. Fixed width, so
  text order is time order; millisecond precision matches PX's epoch ms.
- **Email**: trimmed, validated by a pragmatic pattern (one @, no spaces, a dotted domain whose
  last label is alphabetic or punycode), stored with its case preserved.
- **URL**: trimmed, must be http(s) with a host. A bare host such as "acme.com/x" (PX website
  fields often hold these) gets "https://" put in front; other schemes are rejected.
- **GSID**: a 36-character UUID (8-4-4-4-12 hex), stored lower-case so lookups compare equal.
- **Picklist**: one scalar value as trimmed text; lists and dicts are rejected.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pxdesk.core.errors import ConfigError

FIELD_TYPES = (
    "String", "Number", "Boolean", "Date", "DateTime", "Email", "URL", "Percentage", "Currency",
    "GSID", "Picklist",
)

Converter = Callable[[Any], Any]
_T = TypeVar("_T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT_RE = re.compile(r"[+-]?[0-9]+")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)"
_EMAIL_RE = re.compile(rf"([^\s@\"(),:;<>\[\]\\]+)@((?:{_LABEL}\.)+{_TLD})", re.IGNORECASE)
_BARE_HOST_RE = re.compile(rf"(?:{_LABEL}\.)+{_TLD}(?::[0-9]+)?(?:[/?#]\S*)?", re.IGNORECASE)
_GSID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


class ConversionError(ValueError):
    """A value cannot be stored in the target field type; ``reason`` is for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def show_value(value: Any) -> str:
    """Short, quoted rendering of a value for error messages."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f"'{text}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return repr(value)


def is_valid_text(text: str) -> bool:
    """False for text holding a lone surrogate: legal in JSON (\\ud800) and in a Python str,
    but not encodable as UTF-8, so SQLite and the run files cannot store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, tuple, dict)) and not value


def _skip_blank(fn: Callable[[Any], _T]) -> Callable[[Any], _T | None]:
    def convert_or_none(value: Any) -> _T | None:
        if value is None or _blank(value):
            return None
        return fn(value)

    return convert_or_none


def _finite(number: float, value: Any) -> float:
    if not math.isfinite(number):
        raise ConversionError(f"{show_value(value)} is not a finite number")
    return number


def _number(value: Any) -> int | float:
    if type(value) is int:
        return value
    if isinstance(value, bool):
        raise ConversionError(f"{show_value(value)} is a boolean, not a number")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (float, Decimal)):
        return _finite(float(value), value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_RE.fullmatch(text):
            if _INT_RE.fullmatch(text):
                return int(text)
            return _finite(float(text), value)
    raise ConversionError(f"{show_value(value)} is not a number")


def _percentage(value: Any) -> int | float:
    if isinstance(value, str) and value.strip().endswith("%"):
        return _number(value.strip()[:-1])
    return _number(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ConversionError(f"{show_value(value)} is not a boolean (use true/false, yes/no or 1/0)")


def _not_a_date(value: Any) -> ConversionError:
    return ConversionError(
        f"{show_value(value)} is not a date (use YYYY-MM-DD, an ISO 8601 date-time "
        "or epoch milliseconds)"
    )


def _datetime_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _ONE_MS


def _parse_iso(text: str, value: Any) -> tuple[int, bool]:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return _datetime_ms(datetime(day.year, day.month, day.day)), True
    try:
        return _datetime_ms(datetime.fromisoformat(text)), False
    except ValueError:
        raise _not_a_date(value) from None


def parse_instant(value: Any) -> tuple[int, bool] | None:
    """Return (epoch ms, is date only) for a date value, or None when it is empty.

    Empty means None, blank text, or 0 (PX's "never"). Raises ConversionError otherwise.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _not_a_date(value)
    if isinstance(value, int):
        return (value, False) if value else None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _not_a_date(value)
        return (int(value), False) if int(value) else None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _INT_RE.fullmatch(text):
            ms = int(text)
            return (ms, False) if ms else None
        return _parse_iso(text, value)
    if isinstance(value, datetime):
        return _datetime_ms(value), False
    if isinstance(value, date):
        return _datetime_ms(datetime(value.year, value.month, value.day)), True
    raise _not_a_date(value)


def _utc(ms: int) -> datetime:
    try:
        return _EPOCH + timedelta(milliseconds=ms)
    except (OverflowError, ValueError):
        raise ConversionError(f"{ms} is outside the supported date range") from None


def format_date(ms: int) -> str:
    """Epoch ms -> "YYYY-MM-DD" (UTC)."""
    moment = _utc(ms)
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


def format_datetime(ms: int) -> str:
    """Epoch ms -> "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, fixed width, sortable as text)."""
    moment = _utc(ms)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def _date(value: Any) -> str | None:
    instant = parse_instant(value)
    return None if instant is None else format_date(instant[0])


def _datetime(value: Any) -> str | None:
    instant = parse_instant(value)
    return None if instant is None else format_datetime(instant[0])


_DAY_MS = 86_400_000
_FIRST_DAY, _LAST_DAY = -719_162, 2_932_896  # 0001-01-01 and 9999-12-31 in days from 1970


@lru_cache(maxsize=1 << 14)  # days: ~45 years of distinct dates
def _day_text(day: int) -> str:
    return format_date(day * _DAY_MS)


def _date_fast(value: Any) -> str | None:
    """Date of epoch ms, PX's own form: a floor division and a memo of day -> text; the
    same result as the general path, which every other input takes."""
    if type(value) is int:
        if not value:
            return None
        day = value // _DAY_MS
        return _day_text(day) if _FIRST_DAY <= day <= _LAST_DAY else format_date(value)
    return _date_or_blank(value)


def _email(value: Any) -> str:
    if isinstance(value, str):
        return _checked_email(value.strip(), value)
    raise ConversionError(f"{show_value(value)} is not a valid email address")


def _checked_email(text: str, value: Any) -> str:
    match = _EMAIL_RE.fullmatch(text) if len(text) <= 254 else None
    local = match.group(1) if match else ""
    if match and len(local) <= 64 and ".." not in local and local[0] != "." != local[-1]:
        return text
    raise ConversionError(f"{show_value(value)} is not a valid email address")


def _email_fast(value: Any) -> str | None:
    """Email from text (the common case) with one strip; anything else via the general path."""
    if type(value) is str:
        text = value.strip()
        return _checked_email(text, value) if text else None
    return _email_or_blank(value)


def _number_fast(value: Any) -> Any:
    return value if type(value) is int else _number_or_blank(value)


def _url(value: Any) -> str:
    text = value.strip() if isinstance(value, str) and len(value) <= 4096 else ""
    if text and "://" not in text and _BARE_HOST_RE.fullmatch(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        valid = (
            parts.scheme.lower() in ("http", "https")
            and bool(parts.hostname)
            and not any(ch.isspace() for ch in text)
        )
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        valid = False
    if not valid:
        raise ConversionError(
            f"{show_value(value)} is not a valid URL (use http:// or https:// and a host name)"
        )
    return text


def _gsid(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not _GSID_RE.fullmatch(text):
        raise ConversionError(f"{show_value(value)} is not a GSID (a 36-character UUID)")
    return text.lower()


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _picklist(value: Any) -> str | None:
    if isinstance(value, (list, tuple, dict)):
        raise ConversionError(f"{show_value(value)} is not a single picklist value")
    return _scalar_text(value).strip() or None


def _string(value: Any) -> str | None:
    if type(value) is str:
        return value or None
    if value is None or _blank(value):
        return None
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return _scalar_text(value)


_date_or_blank = _skip_blank(_date)
_email_or_blank = _skip_blank(_email)
_number_or_blank = _skip_blank(_number)

_CONVERTERS: dict[str, Converter] = {
    "string": _string,
    "number": _number_fast,
    "currency": _number_fast,
    "percentage": _skip_blank(_percentage),
    "boolean": _skip_blank(_boolean),
    "date": _date_fast,
    "datetime": _skip_blank(_datetime),
    "email": _email_fast,
    "url": _skip_blank(_url),
    "gsid": _skip_blank(_gsid),
    "picklist": _skip_blank(_picklist),
}


def compile_converter(field_type: str) -> Converter:
    """Return the converter for a field type (case-insensitive); look it up once per mapping."""
    try:
        return _CONVERTERS[field_type.lower()]
    except (KeyError, AttributeError):
        raise ConfigError(
            f"Unknown field type {field_type!r}; expected one of {', '.join(FIELD_TYPES)}",
            field="field_type",
        ) from None


def convert(value: Any, field_type: str) -> Any:
    """Convert one value to what a field of ``field_type`` stores; raises ConversionError."""
    return compile_converter(field_type)(value)
