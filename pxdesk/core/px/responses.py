"""Turn PX HTTP answers into JSON or typed errors with messages an admin can act on."""

from __future__ import annotations

import json
from typing import Any

import httpx
import orjson

from pxdesk.core.errors import (
    AuthError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    ProtocolError,
    PxError,
    RateLimitedError,
    ServerError,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# orjson turns an integer beyond 64 bits into a float; 19+ digits in a row may be one, so such a
# body goes to the json module, which keeps it exact. Digits -> "0", then one substring search.
_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_DIGITS = b"0" * 19
_MAX_MESSAGE = 300


class MalformedJsonError(ValueError):
    """A 2xx answer declared JSON but its body did not parse (possibly truncated in transit)."""


def is_json_response(response: httpx.Response) -> bool:
    """True when the Content-Type says JSON; anything else (HTML pages) is never parsed."""
    media: str = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def parse_json(response: httpx.Response, body: bytes | None = None) -> Any:
    """Parse a 2xx body (`body`, else the response's content); ProtocolError when it is not
    JSON at all, MalformedJsonError if broken."""
    if not is_json_response(response):
        media = response.headers.get("content-type", "no content type")
        raise ProtocolError(
            f"PX answered with {media!r} instead of JSON (status {response.status_code}): "
            "check the region / base URL, or a proxy may be intercepting the request",
            status=response.status_code,
            url=str(response.request.url),
        )
    try:
        return loads(response.content if body is None else body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedJsonError(f"invalid JSON at position {getattr(exc, 'pos', '?')}") from None


def loads(body: bytes) -> Any:
    """Parse JSON bytes with orjson (a 1 MB page in about half the time of the json module,
    with the GIL held either way); whatever orjson refuses or might change (NaN, lone
    surrogates, integers over 64 bits) goes to the json module, so results are identical."""
    if body.translate(_DIGITS_TO_ZERO).find(_LONG_DIGITS) < 0:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return json.loads(body)


def px_message(response: httpx.Response) -> str | None:
    """PX's own error text: JSON `externalapierror.message` / `errorMessage`, or short plain text.

    HTML bodies (gateway pages) are never parsed nor shown.
    """
    if is_json_response(response):
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            return None
        return _message_from_json(body)
    media = response.headers.get("content-type", "").lower()
    if media.startswith("text/plain"):
        return _shorten(response.text)
    return None


def _message_from_json(body: Any) -> str | None:
    if isinstance(body, dict):
        nested = body.get("externalapierror")
        if isinstance(nested, dict) and nested.get("message"):
            return _shorten(str(nested["message"]))
        for key in ("errorMessage", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return _shorten(value)
    return None


def _shorten(text: str) -> str | None:
    flat = " ".join(text.split())
    if not flat:
        return None
    return flat if len(flat) <= _MAX_MESSAGE else flat[: _MAX_MESSAGE - 1] + "…"


def error_for_status(
    response: httpx.Response, *, host: str, attempts: int, retry_after: float | None = None
) -> PxError:
    """The typed error for a non-2xx answer (after retries, for the retryable statuses)."""
    status = response.status_code
    url = str(response.request.url)
    said = px_message(response)
    html = "text/html" in response.headers.get("content-type", "").lower()
    detail = f" PX said: {said}" if said else ""
    if status == 401:
        return AuthError(
            "API key rejected by PX (401): check the key and the region. The key is wrong or "
            "revoked: copy it again from PX Administration > REST API, for the subscription of "
            f"the region chosen.{detail}",
            status=status, url=url,
        )
    if status == 403 and html:  # PX answers JSON: an HTML page comes from something in between
        return ForbiddenError(
            "PX refused access (403): a gateway or proxy between this computer and PX blocked "
            "the request (it answered with an HTML page, not PX's JSON); ask your network "
            f"administrator to allow {host}.",
            status=status, url=url,
        )
    if status == 403:
        return ForbiddenError(
            "PX refused access (403): the API key lacks a permission for this request; in PX "
            f"Administration > REST API give the key Read permission.{detail}",
            status=status, url=url,
        )
    if status == 404:
        return NotFoundError(
            f"Not found on PX (404): {said or 'no such record or endpoint'}. "
            "Check the region / base URL",
            status=status, url=url,
        )
    if status == 400:
        return BadRequestError(
            f"PX rejected the request (400): {said or 'no reason given'}", status=status, url=url
        )
    tries = f" after {attempts} attempt{'s' if attempts != 1 else ''}"
    if status == 429:
        return RateLimitedError(
            f"PX rate limit exceeded (429){tries}: the subscription's quota (about 200 requests/s, "
            f"1,000,000/day) is used up; try again later.{detail}",
            retry_after=retry_after, status=status, url=url,
        )
    if status >= 500:
        return ServerError(
            f"PX server error ({status}){tries} at {host}: try again later.{detail}",
            status=status, url=url,
        )
    if 300 <= status < 400:
        return ProtocolError(
            f"PX answered with a redirect ({status}) that pxdesk does not follow: "
            "check the region / base URL",
            status=status, url=url,
        )
    return PxError(f"Unexpected answer from PX ({status}).{detail}", status=status, url=url)
