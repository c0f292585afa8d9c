"""PX regions and the rules for a custom base URL (simulator and tests only)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pxdesk.core.errors import ConfigError
from pxdesk.core.inputs import MAX_URL, check_text

REGIONS: dict[str, str] = {
    "us": "https://api.aptrinsic.com/v1",
    "eu": "https://api-eu.aptrinsic.com/v1",
    "us2": "https://api-us2.aptrinsic.com/v1",
}


def resolve_base_url(region: str | None = None, base_url: str | None = None) -> str:
    """Return the API base URL for a region or a checked custom URL (exactly one of them).

    A custom URL must be https, or plain http to a loopback host only, so the API key never
    travels in clear text over a network. The result has no trailing slash.
    """
    has_region = bool(region and region.strip())
    has_url = bool(base_url and base_url.strip())
    if has_region == has_url:
        raise ConfigError(
            "Choose either a PX region (US, EU, US2) or a custom base URL (exactly one of them)",
            field="region",
        )
    if has_region:
        assert region is not None
        key = region.strip().lower()
        if key not in REGIONS:
            choices = ", ".join(name.upper() for name in REGIONS)
            raise ConfigError(f"Unknown PX region {region!r}: choose one of {choices}", "region")
        return REGIONS[key]
    assert base_url is not None
    return _check_custom_url(base_url.strip())


def _check_custom_url(url: str) -> str:
    """Validate a custom base URL and strip its trailing slashes."""
    # Before urlsplit, which silently drops tabs and newlines that httpx then refuses.
    check_text(url, "The base URL", "base_url", max_len=MAX_URL, spaces=False)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port  # raises ValueError on a bad port
    except ValueError as exc:
        raise ConfigError(f"The base URL {url!r} is not a valid URL: {exc}", "base_url") from None
    if parts.netloc.endswith(":") or port == 0:
        raise ConfigError(f"The base URL {url!r} has an empty port or port 0 after the host: "
                          "write a port from 1 to 65535 (e.g. :8080) or none", "base_url")
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise ConfigError(
            f"The base URL {url!r} must start with https:// and name a host, "
            "e.g. https://api.aptrinsic.com/v1",
            "base_url",
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError("The base URL must not contain a user name or password", "base_url")
    if parts.query or parts.fragment:
        raise ConfigError(
            f"The base URL {url!r} must not contain a query (?...) or fragment (#...)", "base_url"
        )
    if scheme == "http" and not is_loopback_host(host):
        raise ConfigError(
            f"The base URL {url!r} uses plain http to a host that is not this machine: "
            "use https://, or http:// only with 127.0.0.1, localhost or ::1",
            "base_url",
        )
    return url.rstrip("/")


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (the only hosts plain http may reach)."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
