"""Scroll paging over PX accounts and users: stop rules, restart on a rejected scrollId."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pxdesk.core.errors import BadRequestError, CancelledError, ProtocolError, PxError

_log = logging.getLogger("pxdesk.px")

MAX_PAGE_SIZE = 1000
# PX documents 400 for a bad scrollId; an expired scroll may plausibly surface as 404 or 410.
_SCROLL_REJECTED = frozenset({400, 404, 410})

Fetch = Callable[[str, list[tuple[str, str]]], Any]
"""(path, query params) -> parsed JSON body; raises typed PxError subclasses."""


@dataclass(frozen=True)
class Page:
    """One page of a listing as PX returned it."""

    records: list[dict[str, Any]]
    number: int  # 1-based, counted from the last (re)start
    total_hits: int
    received: int  # cumulative records received so far in this pass of the listing


class Listing:
    """A lazy, single-pass scroll over `/accounts` or `/users`; iterate it for `Page`s.

    Streams page by page (a generator inside): only the current page is held in memory.
    Stops on a short page, an empty page (not yielded) or a null/empty/missing scrollId; it never
    loops on scrollId alone. When PX rejects a scrollId, the listing restarts from page 1 once
    (`restarts` becomes 1): **the consumer must tolerate records it has already seen**
    (upsert by key). A second rejection raises. `received` counts the records of the current
    pass. Once exhausted, `shortfall` is max(0, total_hits - received); a shortfall is logged as a
    warning, not raised. `cancel()` is checked before each page request after the first; when it
    returns True, CancelledError is raised between pages, never mid-page.
    """

    def __init__(
        self,
        fetch: Fetch,
        kind: Literal["accounts", "users"],
        *,
        filters: Sequence[str] = (),
        sort: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        cancel: Callable[[], bool] | None = None,
    ) -> None:
        if kind not in ("accounts", "users"):
            raise ValueError(f"kind must be 'accounts' or 'users', not {kind!r}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
        if isinstance(filters, str):
            raise TypeError("filters is a sequence of filter strings, not one string")
        self.kind = kind
        self.filters = tuple(filters)
        self.sort = sort
        self.page_size = page_size
        self._fetch = fetch
        self._cancel = cancel
        self._started = False
        self.total_hits: int | None = None
        self.received = 0
        self.pages = 0  # successful page requests, all passes included
        self.restarts = 0
        self.complete = False

    @property
    def shortfall(self) -> int:
        """Records announced by totalHits but not received (0 until the listing is complete)."""
        if not self.complete or self.total_hits is None:
            return 0
        return max(0, self.total_hits - self.received)

    def __repr__(self) -> str:
        return (
            f"Listing({self.kind!r}, filters={list(self.filters)!r}, sort={self.sort!r}, "
            f"received={self.received}, total_hits={self.total_hits}, complete={self.complete})"
        )

    def records(self) -> Iterator[dict[str, Any]]:
        """The records of every page, flattened."""
        for page in self:
            yield from page.records

    def __iter__(self) -> Iterator[Page]:
        if self._started:
            raise RuntimeError("a Listing can be iterated only once; ask the client for a new one")
        self._started = True
        return self._run()

    def _base_params(self) -> list[tuple[str, str]]:
        params = [("filter", f) for f in self.filters]
        if self.sort:
            params.append(("sort", self.sort))
        params.append(("pageSize", str(self.page_size)))
        return params

    def _run(self) -> Iterator[Page]:
        scroll_id: str | None = None
        number = 0
        while True:
            if number > 0 and self._cancel is not None and self._cancel():
                raise CancelledError(
                    f"Listing of PX {self.kind} cancelled after {self.pages} pages"
                )
            params = self._base_params()
            if scroll_id is not None:
                params.append(("scrollId", scroll_id))
            try:
                body = self._fetch(f"/{self.kind}", params)
            except PxError as exc:
                if scroll_id is None or exc.status not in _SCROLL_REJECTED:
                    raise
                self._restart_after(exc)
                scroll_id, number = None, 0
                continue
            rows, total, next_scroll = self._parse(body)
            self.pages += 1
            number += 1
            if number == 1:
                self.total_hits = total
            self.received += len(rows)
            if rows:
                yield Page(rows, number, self.total_hits or 0, self.received)
            if len(rows) < self.page_size or not next_scroll:
                break
            scroll_id = next_scroll
        self.complete = True
        self._report_shortfall()

    def _restart_after(self, exc: PxError) -> None:
        """Restart once from page 1 after a rejected scrollId; raise on the second rejection."""
        if self.restarts >= 1:
            raise BadRequestError(
                f"PX rejected the scrollId of the {self.kind} listing again after a restart "
                f"({exc}); try the run again later",
                status=exc.status, url=exc.url,
            ) from None
        self.restarts += 1
        _log.warning(
            "PX rejected the scrollId of the %s listing after %d records (status %s): "
            "restarting from page 1; records already received will come again",
            self.kind, self.received, exc.status,
        )
        self.received = 0
        self.total_hits = None

    def _parse(self, body: Any) -> tuple[list[dict[str, Any]], int | None, str | None]:
        if not isinstance(body, dict):
            raise ProtocolError(f"PX answered the {self.kind} listing with something not an object")
        rows = body.get(self.kind)
        if rows is None:
            rows = []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ProtocolError(
                f"PX answered the {self.kind} listing with a malformed '{self.kind}' list"
            )
        total = body.get("totalHits")
        try:
            total_hits = int(total) if total is not None and total != "" else None
        except (TypeError, ValueError):
            total_hits = None
        scroll = body.get("scrollId")
        next_scroll = scroll if isinstance(scroll, str) and scroll.strip() else None
        return rows, total_hits, next_scroll

    def _report_shortfall(self) -> None:
        if self.shortfall:
            _log.warning(
                "PX listing of %s ended with %d of %d records announced by totalHits: "
                "%d missing (records deleted during the listing, or a PX paging fault)",
                self.kind, self.received, self.total_hits, self.shortfall,
            )
        elif self.total_hits is not None and self.received > self.total_hits:
            _log.info(
                "PX listing of %s returned %d records, more than totalHits %d",
                self.kind, self.received, self.total_hits,
            )
