"""Typed conversion: what each field type stores, and the reasons an admin reads on failure."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from pxdesk.core.errors import ConfigError
from pxdesk.core.sync.mapping import (
    FIELD_TYPES,
    ConversionError,
    compile_converter,
    convert,
    format_date,
    format_datetime,
    parse_instant,
)

MS_2023_11_14 = 1_700_000_000_123  # 2023-11-14T22:13:20.123Z
UUID = "0E7C1D5A-1B2C-4D3E-8F90-A1B2C3D4E5F6"

CONVERTS = [
    # empties become None for every type
    *[(empty, t, None) for t in FIELD_TYPES for empty in (None, "", [], {})],
    *[("   ", t, None) for t in FIELD_TYPES if t != "String"],
    ("   ", "String", "   "),
    # String
    ("  Hello ", "String", "  Hello "),
    (True, "String", "true"),
    (False, "String", "false"),
    (42, "String", "42"),
    (1.5, "String", "1.5"),
    (["AP-1", "AP-2"], "String", '["AP-1","AP-2"]'),
    ({"plan": "gold", "n": 1}, "String", '{"plan":"gold","n":1}'),
    (["ü"], "String", '["ü"]'),
    # Number / Currency / Percentage
    (12, "Number", 12),
    (-3.5, "Number", -3.5),
    ("12", "Number", 12),
    (" -12 ", "Number", -12),
    ("+4", "Number", 4),
    ("3.25", "Number", 3.25),
    (".5", "Number", 0.5),
    ("1e3", "Number", 1000.0),
    (Decimal("2.5"), "Number", 2.5),
    (10**20, "Number", 10**20),
    ("99.95", "Currency", 99.95),
    (45, "Percentage", 45),
    ("45%", "Percentage", 45),
    (" 12.5 % ", "Percentage", 12.5),
    # Boolean
    (True, "Boolean", True),
    (False, "Boolean", False),
    (1, "Boolean", True),
    (0, "Boolean", False),
    (1.0, "Boolean", True),
    ("true", "Boolean", True),
    ("FALSE", "Boolean", False),
    (" Yes ", "Boolean", True),
    ("no", "Boolean", False),
    ("1", "Boolean", True),
    ("0", "Boolean", False),
    # Date / DateTime (UTC)
    (MS_2023_11_14, "Date", "2023-11-14"),
    (MS_2023_11_14, "DateTime", "2023-11-14T22:13:20.123Z"),
    (str(MS_2023_11_14), "DateTime", "2023-11-14T22:13:20.123Z"),
    (float(MS_2023_11_14), "DateTime", "2023-11-14T22:13:20.123Z"),
    (0, "Date", None),
    (0, "DateTime", None),
    ("0", "DateTime", None),
    (0.0, "Date", None),
    (-86_400_000, "Date", "1969-12-31"),
    (1, "DateTime", "1970-01-01T00:00:00.001Z"),
    ("2024-03-05", "Date", "2024-03-05"),
    ("2024-03-05", "DateTime", "2024-03-05T00:00:00.000Z"),
    ("2024-03-05T10:11:12Z", "DateTime", "2024-03-05T10:11:12.000Z"),
    ("2024-03-05T10:11:12.5", "DateTime", "2024-03-05T10:11:12.500Z"),
    ("2024-03-05T23:30:00-05:00", "Date", "2024-03-06"),
    ("2024-03-05T23:30:00-05:00", "DateTime", "2024-03-06T04:30:00.000Z"),
    (datetime(2024, 3, 5, 1, 2, 3, tzinfo=timezone(timedelta(hours=2))), "DateTime",
     "2024-03-04T23:02:03.000Z"),
    (date(2024, 2, 29), "Date", "2024-02-29"),
    # Email: trimmed, case kept
    ("  Bob.Smith+px@Example.COM ", "Email", "Bob.Smith+px@Example.COM"),
    ("anna@sub.domain.co.uk", "Email", "anna@sub.domain.co.uk"),
    ("jörg@müller.de", "Email", "jörg@müller.de"),
    ("x@xn--p1ai.xn--p1ai", "Email", "x@xn--p1ai.xn--p1ai"),
    # URL
    ("https://acme.com/x?y=1", "URL", "https://acme.com/x?y=1"),
    ("HTTP://localhost:8080/", "URL", "HTTP://localhost:8080/"),
    ("acme.com", "URL", "https://acme.com"),
    (" www.acme.io/path ", "URL", "https://www.acme.io/path"),
    # GSID: lower-cased
    (UUID, "GSID", UUID.lower()),
    (f" {UUID.lower()} ", "GSID", UUID.lower()),
    # Picklist
    (" Gold ", "Picklist", "Gold"),
    (3, "Picklist", "3"),
    (True, "Picklist", "true"),
]


@pytest.mark.parametrize(("value", "field_type", "expected"), CONVERTS)
def test_convert(value: Any, field_type: str, expected: Any) -> None:
    result = convert(value, field_type)
    assert result == expected
    assert type(result) is type(expected)


FAILS = [
    ("abc", "Number", "'abc' is not a number"),
    ("1,000", "Number", "'1,000' is not a number"),
    ("$5", "Currency", "'$5' is not a number"),
    ("1_000", "Number", "'1_000' is not a number"),
    ("nan", "Number", "'nan' is not a number"),
    (math.nan, "Number", "nan is not a finite number"),
    (math.inf, "Percentage", "inf is not a finite number"),
    ("1e999", "Number", "'1e999' is not a finite number"),
    (True, "Number", "true is a boolean, not a number"),
    ([1, 2], "Number", "[1, 2] is not a number"),
    ("abc%", "Percentage", "'abc' is not a number"),
    ("maybe", "Boolean", "'maybe' is not a boolean (use true/false, yes/no or 1/0)"),
    (2, "Boolean", "2 is not a boolean"),
    ("y", "Boolean", "'y' is not a boolean"),
    ("yesterday", "Date", "'yesterday' is not a date (use YYYY-MM-DD, an ISO 8601"),
    ("2024-02-30", "Date", "'2024-02-30' is not a date"),
    (True, "DateTime", "true is not a date"),
    (math.inf, "DateTime", "inf is not a date"),
    (10**20, "Date", "100000000000000000000 is outside the supported date range"),
    ("bob@", "Email", "'bob@' is not a valid email address"),
    ("bob", "Email", "'bob' is not a valid email address"),
    ("bob@localhost", "Email", "is not a valid email address"),
    ("bob smith@acme.com", "Email", "is not a valid email address"),
    ("a@@acme.com", "Email", "is not a valid email address"),
    (".bob@acme.com", "Email", "is not a valid email address"),
    ("bob.@acme.com", "Email", "is not a valid email address"),
    ("bo..b@acme.com", "Email", "is not a valid email address"),
    ("bob@acme..com", "Email", "is not a valid email address"),
    ("bob@-acme.com", "Email", "is not a valid email address"),
    ("bob@acme.c", "Email", "is not a valid email address"),
    ("x" * 65 + "@acme.com", "Email", "is not a valid email address"),
    (42, "Email", "42 is not a valid email address"),
    ("ftp://acme.com", "URL", "'ftp://acme.com' is not a valid URL (use http:// or https://"),
    ("https://", "URL", "is not a valid URL"),
    ("http://acme .com", "URL", "is not a valid URL"),
    ("http://acme.com:99999", "URL", "is not a valid URL"),
    ("javascript:alert(1)", "URL", "is not a valid URL"),
    ("not a url", "URL", "is not a valid URL"),
    ("1234", "GSID", "'1234' is not a GSID (a 36-character UUID)"),
    (UUID[:-1] + "g", "GSID", "is not a GSID"),
    (["a", "b"], "Picklist", "is not a single picklist value"),
]


@pytest.mark.parametrize(("value", "field_type", "reason"), FAILS)
def test_conversion_failures_explain_themselves(value: Any, field_type: str, reason: str) -> None:
    with pytest.raises(ConversionError) as caught:
        convert(value, field_type)
    assert reason in caught.value.reason
    assert str(caught.value) == caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_long_values_are_shortened_in_reasons() -> None:
    with pytest.raises(ConversionError) as caught:
        convert("x" * 500, "Number")
    assert len(caught.value.reason) < 100
    assert caught.value.reason.startswith("'xxx") and "...'" in caught.value.reason


def test_every_field_type_has_a_converter_and_lookup_ignores_case() -> None:
    for field_type in FIELD_TYPES:
        assert compile_converter(field_type) is compile_converter(field_type.upper())
    assert compile_converter("datetime")(MS_2023_11_14) == "2023-11-14T22:13:20.123Z"


def test_unknown_field_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Unknown field type 'Money'"):
        compile_converter("Money")


def test_datetime_text_sorts_like_time() -> None:
    stamps = [-5_000_000_000_000, -1, 1, 999, 1000, MS_2023_11_14, 253_402_300_799_999]
    texts = [format_datetime(ms) for ms in stamps]
    assert sorted(texts) == texts
    assert {len(t) for t in texts} == {24}
    assert texts[-1] == "9999-12-31T23:59:59.999Z"
    assert format_date(-1) == "1969-12-31"


def test_datetime_is_millisecond_exact_over_a_range() -> None:
    base = datetime(1970, 1, 1, tzinfo=UTC)
    for ms in range(MS_2023_11_14, MS_2023_11_14 + 2000, 7):
        expected = (base + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        assert convert(ms, "DateTime") == expected + "Z"


def test_parse_instant_reports_whole_days() -> None:
    assert parse_instant("2024-03-05") == (1_709_596_800_000, True)
    assert parse_instant("2024-03-05T00:00:00Z") == (1_709_596_800_000, False)
    assert parse_instant(1_709_596_800_000) == (1_709_596_800_000, False)
    assert parse_instant(0) is None
    assert parse_instant(" ") is None


def test_epoch_ms_dates_agree_with_format_date_over_the_whole_range() -> None:
    """The memoised epoch-ms path of Date gives format_date's answer, errors included."""
    import random

    rng = random.Random(7)
    first, last = -62_135_596_800_000, 253_402_300_799_999  # 0001-01-01, 9999-12-31 (UTC)
    values = [1, -1, 86_399_999, 86_400_000, -86_400_000, -86_400_001, first, last,
              first - 1, last + 1, *(rng.randint(first, last) for _ in range(3000))]
    to_date = compile_converter("Date")
    for ms in values:
        try:
            expected = format_date(ms)
        except ConversionError as exc:
            with pytest.raises(ConversionError) as err:
                to_date(ms)
            assert err.value.reason == exc.reason
        else:
            assert to_date(ms) == expected, ms
