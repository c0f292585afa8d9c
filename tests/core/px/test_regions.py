"""Region and custom base URL rules: the key never travels over plain http off this machine."""

from __future__ import annotations

import re

import pytest

from pxdesk.core.errors import ConfigError
from pxdesk.core.px.regions import REGIONS, resolve_base_url


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("us", "https://api.aptrinsic.com/v1"),
        ("EU", "https://api-eu.aptrinsic.com/v1"),
        (" us2 ", "https://api-us2.aptrinsic.com/v1"),
    ],
)
def test_regions_resolve_to_vendor_hosts(region: str, url: str) -> None:
    assert resolve_base_url(region=region) == url
    assert REGIONS[region.strip().lower()] == url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://px.example.com/v1/", "https://px.example.com/v1"),
        ("http://127.0.0.1:8123/v1", "http://127.0.0.1:8123/v1"),
        ("http://127.5.6.7/v1//", "http://127.5.6.7/v1"),
        ("http://localhost:9000/v1", "http://localhost:9000/v1"),
        ("http://[::1]:9000/v1/", "http://[::1]:9000/v1"),
    ],
)
def test_custom_base_url_accepted_and_normalised(given: str, expected: str) -> None:
    assert resolve_base_url(base_url=given) == expected


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("http://api.aptrinsic.com/v1", "https://"),
        ("http://10.0.0.5/v1", "127.0.0.1"),
        ("http://127.0.0.1.evil.example/v1", "plain http"),
        ("ftp://127.0.0.1/v1", "https://"),
        ("api.aptrinsic.com/v1", "https://"),
        ("https://user:pw@px.example.com/v1", "password"),
        ("https://px.example.com/v1?x=1", "query"),
        ("https://px.example.com:99999/v1", "not a valid URL"),
    ],
)
def test_bad_custom_base_url_says_what_to_fix(given: str, hint: str) -> None:
    with pytest.raises(ConfigError, match=hint.replace(".", r"\.").replace("?", r"\?")) as info:
        resolve_base_url(base_url=given)
    assert info.value.field == "base_url"


@pytest.mark.parametrize(
    ("region", "base_url"), [(None, None), ("us", "https://x.example.com"), ("", "  ")]
)
def test_exactly_one_of_region_and_base_url(region: str | None, base_url: str | None) -> None:
    with pytest.raises(ConfigError, match="exactly one"):
        resolve_base_url(region=region, base_url=base_url)


def test_unknown_region_lists_choices() -> None:
    with pytest.raises(ConfigError, match="US, EU, US2"):
        resolve_base_url(region="apac")


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("http://127.0.0.1:8123/v\n1", "control character U+000A (line feed) at character 24"),
        ("http://127.0.0.1:8123\r/v1", "control character U+000D"),
        ("http://127.0.0.1:8123/\u202ev1", "control character U+202E"),
        ("http://127.0.0.1:8123/\udcffv1", "not valid UTF-8"),
        ("https://px.example.com/my v1", "contains a space"),
        ("http://127.0.0.1:/v1", "empty port or port 0"),
        ("https://px.example.com:0/v1", "empty port or port 0"),
        ("https://px.example.com/" + "v" * 2100, "at most 2,048"),
    ],
)
def test_base_url_httpx_would_refuse_is_refused_first(given: str, hint: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(hint)) as info:
        resolve_base_url(base_url=given)
    assert info.value.field == "base_url"
    assert "\n" not in str(info.value) and "\r" not in str(info.value)
