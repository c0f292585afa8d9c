"""The PX REST API's behaviour, independent of HTTP plumbing: request in, Response out.

Decisions where px-api.md is unverified:

* Order of checks: injected faults (network/gateway), then method (405 for non-GET), then the
  API key (401, before routing: a bad key on an unknown path is 401 too), then the route.
* 401 uses the ``externalapierror`` envelope; its message is the vendor's text
  ``Authentication failed in loginAwareAuthentication``.
* Errors use the ``externalapierror`` envelope, except injected 502/503/504 which answer with
  the flat ``{"errorMessage": ...}`` shape a gateway would.
* ``pageSize`` must be an integer in 1..1000 (else 400, also when sent empty); absent means
  25 on a first page and the scroll's first page size on later ones. Later pages may change
  the size. ``page_size_cap`` (default 1000) makes the server serve fewer than asked, as a
  server capping its pages does.
* With a ``scrollId`` the ``filter``/``sort`` params are ignored: the scroll already fixed
  the result set. An unknown, expired or other-entity scrollId is a 400.
* ``Retry-After`` is written as seconds, fractional when the injected value is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from pxdesk.core.pxsim.faults import BACKEND_FAULTS, Fault, FaultQueue
from pxdesk.core.pxsim.filters import FilterError, parse_filters, parse_sort
from pxdesk.core.pxsim.scrolls import Scroll, ScrollMode, ScrollRegistry
from pxdesk.core.pxsim.store import RecordStore

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 25
AUTH_FAILED = "Authentication failed in loginAwareAuthentication"
HTML_403 = (
    b"<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head>"
    b"<body><h1>403 Forbidden</h1><p>Request blocked.</p></body></html>\n"
)
_GATEWAY = (502, 503, 504)


@dataclass
class Response:
    """What to send; ``drop`` closes the connection instead; ``cut`` closes it halfway through
    the body; ``after`` runs once it is sent."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False
    cut: bool = False
    after: Callable[[], None] | None = None


def error_body(status: int, message: str) -> bytes:
    """The vendor's ``externalapierror`` envelope."""
    try:
        name = HTTPStatus(status).name
    except ValueError:
        name = str(status)
    return json.dumps({"externalapierror": {
        "status": name, "message": message, "debugMessage": None, "subErrors": None,
    }}).encode()


def error(status: int, message: str) -> Response:
    return Response(status, error_body(status, message))


class PxApi:
    """Routes one GET to accounts/users listings, single records or metadata."""

    def __init__(
        self, *, api_key: str, accounts: RecordStore, users: RecordStore,
        scrolls: ScrollRegistry, faults: FaultQueue,
        metadata: Callable[[str], list[dict[str, Any]]],
        date_filter_supported: Callable[[], bool],
        sleep: Callable[[float], None] = time.sleep, ascii_json: bool = False,
        scroll_mode: Callable[[], ScrollMode] = lambda: "cursor",
        page_size_cap: Callable[[], int] = lambda: MAX_PAGE_SIZE,
    ) -> None:
        self._ascii = ascii_json
        self._key = api_key
        self._stores = {"accounts": accounts, "users": users}
        self._scrolls = scrolls
        self._faults = faults
        self._metadata = metadata
        self._date_filter_supported = date_filter_supported
        self._sleep = sleep
        self._scroll_mode = scroll_mode
        self._page_size_cap = page_size_cap

    def handle(
        self, method: str, path: str, query: list[tuple[str, str]], api_key: str | None
    ) -> Response:
        scroll_id = _last(query, "scrollId")
        fault = self._faults.take(path, bool(scroll_id))
        if fault is not None and fault.kind not in BACKEND_FAULTS:
            response = self._apply_fault(fault, path, scroll_id)
            if response is not None:
                return response
            fault = None
        if method != "GET":
            return error(405, f"Request method '{method}' is not supported")
        if api_key != self._key:
            return error(401, AUTH_FAILED)
        if path in ("/v1/accounts", "/v1/users"):
            return self._list(self._stores[path[4:]], query, fault)
        return self._route(path)

    def _apply_fault(self, fault: Fault, path: str, scroll_id: str | None) -> Response | None:
        if fault.kind == "latency":
            self._sleep(fault.delay)
            return None
        if fault.kind == "drop":
            return Response(0, drop=True)
        if fault.kind == "html403":
            return Response(403, HTML_403, content_type="text/html; charset=utf-8")
        if fault.kind == "malformed":
            kind = "users" if path.startswith("/v1/users") else "accounts"
            return Response(200, f'{{"{kind}":[{{"id":"trunc'.encode())
        if fault.kind == "scroll_expired":
            self._scrolls.discard(scroll_id or "")
            return error(400, f"Invalid scroll id: {scroll_id}")
        status = fault.status
        message = "Rate limit exceeded" if status == 429 else _phrase(status)
        if status in _GATEWAY:  # gateways answer with the flat shape some errors use
            body = json.dumps({"errorMessage": message}).encode()
            response = Response(status, body)
        else:
            response = error(status, message)
        if fault.retry_after is not None:
            response.headers.append(("Retry-After", format(fault.retry_after, "g")))
        return response

    def _route(self, path: str) -> Response:
        if path == "/v1/admin/model/account/attributes":
            return Response(200, self._dumps(self._metadata("account")))
        if path == "/v1/admin/model/user/attributes":
            return Response(200, self._dumps(self._metadata("user")))
        for kind, noun in (("accounts", "Account"), ("users", "User")):
            prefix = f"/v1/{kind}/"
            rest = path[len(prefix):]
            if path.startswith(prefix) and rest and "/" not in rest:
                record_id = unquote(rest)
                try:
                    record = self._stores[kind].get(record_id)
                except KeyError:
                    return error(404, f"{noun} with id '{record_id}' not found")
                return Response(200, self._dumps(record))
        return error(404, f"No handler found for GET {path}")

    def _dumps(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=self._ascii, separators=(",", ":")).encode()

    def _list(
        self, store: RecordStore, query: list[tuple[str, str]], fault: Fault | None
    ) -> Response:
        raw_size = _last(query, "pageSize")
        size: int | None = None
        if raw_size is not None:
            try:
                size = int(raw_size)
            except ValueError:
                return error(400, f"pageSize must be a number, got '{raw_size}'")
            if size < 1:
                return error(400, "pageSize must be greater than 0")
            if size > MAX_PAGE_SIZE:
                return error(400, f"pageSize must be less than or equal to {MAX_PAGE_SIZE}")
        scroll_id = _last(query, "scrollId")
        start: int | None = None
        if scroll_id:
            try:
                scroll, start = self._scrolls.get(store.kind, scroll_id)
            except KeyError:
                return error(400, f"Invalid scroll id: {scroll_id}")
        else:
            try:
                flt = parse_filters(v for k, v in query if k == "filter")
                sort = parse_sort(v for k, v in query if k == "sort")
            except FilterError as exc:
                return error(400, str(exc))
            if "lastModifiedDate" in flt.fields and not self._date_filter_supported():
                return error(400, "Filtering by lastModifiedDate is not supported")
            snapshot = store.snapshot(flt, sort)
            scroll = self._scrolls.open(
                store, snapshot, size or DEFAULT_PAGE_SIZE, self._scroll_mode())
        page_size = min(size or scroll.page_size, self._page_size_cap())
        if fault is not None:
            return self._misbehave(fault, scroll, start, page_size)
        body = scroll.next_page(page_size, start)
        return Response(200, body, after=lambda: scroll.prefetch(page_size))

    @staticmethod
    def _misbehave(fault: Fault, scroll: Scroll, start: int | None, size: int) -> Response:
        """A listing page as a misbehaving backend serves it (see faults.BACKEND_FAULTS)."""
        if fault.kind == "cut":
            return Response(200, scroll.next_page(size, start), cut=True)
        if fault.kind == "repeat" and scroll.last_page is not None:
            last_start, last_size = scroll.last_page
            return Response(200, scroll.next_page(last_size, last_start, advance=False))
        at = scroll.position if start is None else start
        if fault.kind == "rewind":
            return Response(200, scroll.next_page(size, max(0, at - fault.count)))
        if fault.kind == "vanish":
            body = scroll.next_page(size - fault.count, at + fault.count)
            return Response(200, body)
        extra = [json.dumps(item) for item in fault.items]
        return Response(200, scroll.next_page(size, start, extra=extra))


def _last(query: list[tuple[str, str]], name: str) -> str | None:
    """The last value of a case-sensitive parameter (``scrollID`` is not ``scrollId``)."""
    found = None
    for key, value in query:
        if key == name:
            found = value
    return found


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"
