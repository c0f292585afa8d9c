"""Body handling of PX answers: JSON only when declared, PX's message shown, HTML never parsed."""

from __future__ import annotations

import json

import httpx
import pytest

from pxdesk.core.errors import AuthError, ForbiddenError, ProtocolError, PxError, ServerError
from pxdesk.core.px.responses import (
    MalformedJsonError,
    error_for_status,
    loads,
    parse_json,
    px_message,
)

URL = "http://127.0.0.1:1/v1/users?pageSize=1"


def _response(status: int, body: str, content_type: str | None) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return httpx.Response(
        status, content=body.encode(), headers=headers, request=httpx.Request("GET", URL)
    )


def test_json_declared_body_parsed() -> None:
    body = parse_json(_response(200, '{"users": []}', "application/json; charset=utf-8"))
    assert body == {"users": []}


@pytest.mark.parametrize("content_type", ["text/html", "text/plain", None])
def test_undeclared_json_never_parsed(content_type: str | None) -> None:
    with pytest.raises(ProtocolError, match="instead of JSON"):
        parse_json(_response(200, '{"users": []}', content_type))


def test_broken_json_is_malformed() -> None:
    with pytest.raises(MalformedJsonError):
        parse_json(_response(200, '{"users": [{"id": ', "application/json"))


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ('{"externalapierror": {"status": "NOT_FOUND", "message": "User x not found"}}',
         "application/json", "User x not found"),
        ('{"errorMessage": "Invalid filter"}', "application/json", "Invalid filter"),
        ("Authentication failed in loginAwareAuthentication", "text/plain",
         "Authentication failed in loginAwareAuthentication"),
        ('<html><body>{"errorMessage": "x"}</body></html>', "text/html", None),
        ("{not json", "application/json", None),
        ("[]", "application/json", None),
    ],
)
def test_px_message(body: str, content_type: str, expected: str | None) -> None:
    assert px_message(_response(400, body, content_type)) == expected


def test_long_plain_text_is_shortened() -> None:
    message = px_message(_response(500, "x" * 5000, "text/plain"))
    assert message is not None and len(message) <= 300


@pytest.mark.parametrize(
    ("status", "cls", "start"),
    [
        (401, AuthError, "API key rejected by PX (401): check the key and the region."),
        (403, ForbiddenError, "PX refused access (403)"),
        (502, ServerError, "PX server error (502) after 6 attempts at 127.0.0.1"),
        (418, PxError, "Unexpected answer from PX (418)"),
        (301, ProtocolError, "PX answered with a redirect (301)"),
    ],
)
def test_error_for_status(status: int, cls: type[PxError], start: str) -> None:
    error = error_for_status(
        _response(status, '{"errorMessage": "said"}', "application/json"),
        host="127.0.0.1", attempts=6,
    )
    assert type(error) is cls
    assert str(error).startswith(start)
    assert error.status == status and error.url == URL


@pytest.mark.parametrize("text", [
    '{"users": [{"email": "ü@x.de", "n": -0, "f": 1E2, "z": 5e-324, "big": 18446744073709551615}]}',
    '{"id": 123456789012345678901234567890, "neg": -9223372036854775809}',  # beyond 64 bits
    '{"n": NaN, "i": Infinity}',  # not JSON, but what the json module accepts
    '{"s": "\\ud800"}',  # a lone surrogate, escaped
    '{"x": 1e400, "d": 1, "d": 2}',
    '\ufeff{"bom": true}',
])
def test_fast_parse_gives_what_the_json_module_gives(text: str) -> None:
    expected = json.loads(text.encode())
    parsed = loads(text.encode())
    assert repr(parsed) == repr(expected)  # repr: NaN != NaN, and int vs float must not pass


def test_parse_json_reads_the_body_it_is_given() -> None:
    response = _response(200, '{"ignored": 1}', "application/json")
    assert parse_json(response, b'{"users": [1]}') == {"users": [1]}
    with pytest.raises(MalformedJsonError):
        parse_json(response, b'{"users": [')
    with pytest.raises(MalformedJsonError):
        parse_json(response, b'\xff\xfe{')
