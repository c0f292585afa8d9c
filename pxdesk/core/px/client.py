"""The PX REST client: auth header, retries with backoff, typed errors, scroll listings."""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx
import truststore

from pxdesk.core.errors import (
    AnswerLostError,
    ConfigError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    PxError,
)
from pxdesk.core.px.paging import MAX_PAGE_SIZE, Listing, Page
from pxdesk.core.px.regions import resolve_base_url
from pxdesk.core.px.responses import (
    RETRY_STATUSES,
    MalformedJsonError,
    error_for_status,
    parse_json,
)

__all__ = ["Listing", "Page", "PxClient", "RequestEvent"]

_log = logging.getLogger("pxdesk.px")

API_KEY_HEADER = "X-APTRINSIC-API-KEY"
RETRY_AFTER_CAP = 120.0
# A 200 with a broken JSON body is most likely a truncated transfer: retry it a little, not fully.
MALFORMED_RETRIES = 2
_MIN_REDACTED_KEY = 8


@dataclass(frozen=True)
class RequestEvent:
    """One HTTP attempt, for the run's "PX requests" log; never contains the API key."""

    method: str
    url: str  # full URL with query params
    status: int | None  # None when no response (network error)
    elapsed_ms: float
    attempt: int
    error: str | None


class _ApiKeyAuth(httpx.Auth):
    """Adds the key header per request, so it is not among the client's default headers."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def __repr__(self) -> str:
        return "_ApiKeyAuth(api_key='***')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[API_KEY_HEADER] = self._api_key
        yield request

    def redact(self, text: str) -> str:
        """The text with any occurrence of the key masked (keys too short to be real are left,
        since masking them would garble ordinary words)."""
        if len(self._api_key) < _MIN_REDACTED_KEY:
            return text
        return text.replace(self._api_key, "***")


@dataclass
class _Attempt:
    """What one attempt produced: a response (and its body), or the reason none came."""

    response: httpx.Response | None
    reason: str | None
    body: bytes | None = None
    reached: bool = False  # the request may have reached PX (its answer was lost on the way)


class PxClient:
    """Talks to one PX subscription. Use one client per run and per thread (not thread-safe);
    it keeps its connection alive between requests. Close it, or use it as a context manager.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        timeout: float = 30.0,
        on_request: Callable[[RequestEvent], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = resolve_base_url(base_url=base_url)
        key = (api_key or "").strip()
        if not key:
            raise ConfigError(
                "The PX API key is empty: paste the key from PX > REST API", "api_key"
            )
        if not key.isascii() or not key.isprintable():
            raise ConfigError(
                "The PX API key contains characters a key cannot have: paste it again", "api_key"
            )
        # The key lives only in the auth object, whose repr is masked (crash dumps of vars).
        self._auth = _ApiKeyAuth(key)
        self._host = httpx.URL(self.base_url).host
        self._sleep = sleep
        self._rng = rng
        self._clock = clock
        self.max_retries = max(0, max_retries)
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._timeout = timeout
        self._on_request = on_request
        self._http = httpx.Client(
            transport=transport,
            auth=self._auth,
            headers={"Accept": "application/json", "User-Agent": "pxdesk"},
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,  # a redirect could carry the key to another host
            # The OS trust store, as the admin's browser uses: a TLS-inspecting corporate proxy
            # works; a TLS_CLIENT context always verifies the certificate and the host name.
            verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
        )

    def __repr__(self) -> str:
        return f"PxClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PxClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- endpoints ---------------------------------------------------------------------------

    def get_account(self, account_id: str) -> dict[str, Any]:
        """One account by its PX id (case-sensitive)."""
        return self._get_object(f"/accounts/{quote(account_id, safe='')}")

    def get_user(self, identify_id: str) -> dict[str, Any]:
        """One user by identifyId (case-sensitive)."""
        return self._get_object(f"/users/{quote(identify_id, safe='')}")

    def find(self, kind: Literal["accounts", "users"], record_id: str) -> dict[str, Any] | None:
        """One record of a listing's kind by its id; None when PX has no such record (404)."""
        try:
            return self._get_object(f"/{kind}/{quote(record_id, safe='')}")
        except NotFoundError:
            return None

    def attributes(self, kind: Literal["account", "user"]) -> list[dict[str, Any]]:
        """Attribute metadata (standard and custom) of accounts or users, for the mapping picker."""
        if kind not in ("account", "user"):
            raise ValueError(f"kind must be 'account' or 'user', not {kind!r}")
        body = self.get_json(f"/admin/model/{kind}/attributes")
        if isinstance(body, dict):  # tolerate an envelope, though PX documents a bare array
            body = next((v for v in body.values() if isinstance(v, list)), None)
        if not isinstance(body, list):
            raise ProtocolError(f"PX answered the {kind} attribute list with something not a list")
        return [item for item in body if isinstance(item, dict)]

    def test_connection(self) -> int:
        """One cheap call that proves key and region; returns the number of users (totalHits)."""
        body = self.get_json("/users", [("pageSize", "1")])
        total = body.get("totalHits") if isinstance(body, dict) else None
        if isinstance(body, dict) and "users" in body and total is None:
            return len(body.get("users") or [])
        if isinstance(total, bool) or not isinstance(total, int | str):
            raise ProtocolError("PX answered the user listing without a totalHits count")
        try:
            return int(total)
        except ValueError:
            raise ProtocolError("PX answered the user listing with a bad totalHits") from None

    def list(
        self,
        kind: Literal["accounts", "users"],
        *,
        filters: Sequence[str] = (),
        sort: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        cancel: Callable[[], bool] | None = None,
    ) -> Listing:
        """A lazy scroll listing; see `Listing` for stop rules, restarts and shortfall."""
        return Listing(
            self.get_json, kind, filters=filters, sort=sort, page_size=page_size, cancel=cancel
        )

    def _get_object(self, path: str) -> dict[str, Any]:
        body = self.get_json(path)
        if not isinstance(body, dict):
            raise ProtocolError(f"PX answered {path} with something not a JSON object")
        return body

    # ---- transport, retries, errors ------------------------------------------------------------

    def get_json(
        self, path: str, params: Sequence[tuple[str, str]] = (), *, resend_safe: bool = True
    ) -> Any:
        """GET base_url+path with retries; the parsed JSON body, or a typed PxError.

        With `resend_safe` False (a scroll request whose cursor may move on every call), an
        answer lost after the request may have reached PX (a body cut mid-transfer, a read
        timeout, malformed JSON from a truncated body) raises AnswerLostError instead of
        resending: the resend could return the next page and skip this one. Errors PX
        answered (429, 5xx) and connections that never opened are retried either way.
        """
        url = self.base_url + path
        malformed = 0
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(url, tuple(params), attempt)
            response = outcome.response
            if outcome.reached and not resend_safe:
                raise AnswerLostError(
                    f"The answer from PX was lost on the way ({outcome.reason})", url=url)
            if response is not None and response.is_success:
                try:
                    return parse_json(response, outcome.body)
                except MalformedJsonError as exc:
                    if not resend_safe:
                        raise AnswerLostError(
                            f"PX's answer arrived incomplete ({exc})", url=url) from None
                    malformed += 1
                    if malformed > MALFORMED_RETRIES or attempt > self.max_retries:
                        raise ProtocolError(
                            f"PX answered with malformed JSON ({exc}), {malformed} time(s) in "
                            f"{attempt} attempt(s): try again later",
                            status=response.status_code, url=str(response.request.url),
                        ) from None
                    self._wait(attempt, None)
                    continue
            if response is not None and response.status_code not in RETRY_STATUSES:
                raise self._redact(error_for_status(response, host=self._host, attempts=attempt))
            retry_after = _retry_after_seconds(response, self._clock) if response else None
            if attempt > self.max_retries:
                raise self._exhausted(outcome, url, attempt, retry_after)
            self._wait(attempt, retry_after)

    def _attempt(self, url: str, params: tuple[tuple[str, str], ...], attempt: int) -> _Attempt:
        """Send one request; never lets an httpx exception (which holds the request) escape."""
        request = self._http.build_request("GET", url, params=params)
        full_url = str(request.url)
        started = time.perf_counter()
        response: httpx.Response | None = None
        reason: str | None = None
        body: bytes | None = None
        reached = False
        try:
            response = self._http.send(request, stream=True)
            body = _read_body(response)
        except httpx.TimeoutException as exc:
            reason = f"no answer within {self._timeout:g} s (timeout)"
            reached = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
        except httpx.TransportError as exc:
            reason = _describe_transport_error(exc)
            reached = not isinstance(exc, httpx.ConnectError)
        if reason is not None:
            response, body = None, None  # headers without a whole body are no answer either
        elapsed = (time.perf_counter() - started) * 1000.0
        status = response.status_code if response is not None else None
        error = None if response is None or response.is_success else f"HTTP {status}"
        event = RequestEvent("GET", full_url, status, round(elapsed, 1), attempt, reason or error)
        _log.debug(
            "GET %s -> %s in %.0f ms (attempt %d)",
            full_url, status if status is not None else reason, elapsed, attempt,
        )
        if self._on_request is not None:
            self._on_request(event)
        return _Attempt(response, self._redact_text(reason) if reason else None, body, reached)

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        """Sleep before retry `attempt`: Retry-After when sent, else capped full jitter."""
        if retry_after is not None:
            delay = min(RETRY_AFTER_CAP, max(0.0, retry_after))
        else:
            ceiling = min(self._backoff_cap, self._backoff_base * 2 ** (attempt - 1))
            delay = ceiling * self._rng()
        _log.debug("retrying in %.2f s (attempt %d failed)", delay, attempt)
        self._sleep(delay)

    def _exhausted(
        self, outcome: _Attempt, url: str, attempts: int, retry_after: float | None
    ) -> PxError:
        if outcome.response is not None:
            return self._redact(
                error_for_status(
                    outcome.response, host=self._host, attempts=attempts, retry_after=retry_after
                )
            )
        return NetworkError(
            f"Cannot reach PX at {self._host}: {outcome.reason} "
            f"(after {attempts} attempt{'s' if attempts != 1 else ''}). "
            "Check the network and the region",
            url=url,
        )

    def _redact_text(self, text: str) -> str:
        return self._auth.redact(text)

    def _redact(self, error: PxError) -> PxError:
        """Belt and braces: a server echoing the key must not put it into our error text."""
        text = str(error)
        masked = self._redact_text(text)
        if masked != text:
            error.args = (masked, *error.args[1:])
        return error


def _read_body(response: httpx.Response) -> bytes | None:
    """Read and close a streamed response. A success body is returned, not kept on the
    response: httpx responses sit in a reference cycle, and a megabyte page must be freed as
    soon as it is parsed, not when the garbage collector next runs. An error body stays on
    the response (error messages read it) and None is returned."""
    try:
        if response.is_success:
            return b"".join(response.iter_bytes())
        response.read()
        return None
    finally:
        response.close()


def _describe_transport_error(exc: httpx.TransportError) -> str:
    """A short reason for a transport failure, without the request (and its headers)."""
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({str(exc) or 'refused'})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection was dropped ({str(exc) or 'no response'})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"the connection broke ({str(exc) or type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _retry_after_seconds(response: httpx.Response, clock: Callable[[], float]) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - clock())
