"""Typed errors with messages an admin can act on; none of them ever carries the API key."""

from __future__ import annotations


class PxdeskError(Exception):
    """Base of every error pxdesk raises on purpose."""


class ConfigError(PxdeskError):
    """A configuration the admin entered is invalid; the message says what to fix."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StoreError(PxdeskError):
    """The local database cannot be opened or migrated."""


class PxError(PxdeskError):
    """Any failure talking to the PX REST API."""

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class AuthError(PxError):
    """401: the API key was rejected."""


class ForbiddenError(PxError):
    """403: the key lacks permission, or a gateway refused the request."""


class NotFoundError(PxError):
    """404: the record or endpoint does not exist (often a wrong region or base URL)."""


class BadRequestError(PxError):
    """400: PX refused the request parameters (for example an unsupported filter)."""


class RateLimitedError(PxError):
    """429 after every retry: the subscription's request quota is exhausted."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = 429,
        url: str | None = None,
    ) -> None:
        super().__init__(message, status=status, url=url)
        self.retry_after = retry_after


class ServerError(PxError):
    """5xx after every retry."""


class NetworkError(PxError):
    """No answer: DNS, connection refused or dropped, timeout."""


class ProtocolError(PxError):
    """PX answered something that is not the documented JSON (HTML page, malformed body)."""


class ShortfallError(PxError):
    """A listing could not finish and received fewer records than its totalHits announced."""


class AnswerLostError(NetworkError):
    """A request reached PX but its answer was lost (cut mid-body, timed out while reading).
    Raised instead of resending when a resend could skip records (a scroll cursor that moves
    on every call); the listing restarts instead."""


class LeaseLostError(PxdeskError):
    """The run's job lease was taken by another holder (this run was thought dead): it stops
    writing at the next transaction so that two runs never write one job at once."""


class CancelledError(PxdeskError):
    """The admin cancelled the operation; raised at a safe boundary (between pages)."""
