"""Scroll paging over PX accounts and users: completeness, de-duplication and restarts.

The rules (px-api.md, paging): a listing ends on an empty page, a null scrollId, or a short
page that brings the distinct records to totalHits; a short page alone is not the end (a
server may cap the page size). Records are handed out once per id, whatever the server
repeats. When a resend could skip records (the answer to a scroll request was lost and the
scroll's cursor may already have moved) or PX rejects a scrollId or serves the same page twice,
the listing restarts from page 1, a bounded number of times, and says so in `notes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pxdesk.core.errors import (
    AnswerLostError,
    CancelledError,
    ProtocolError,
    PxError,
    ShortfallError,
)
from pxdesk.core.px.idset import IdSet

_log = logging.getLogger("pxdesk.px")

MAX_PAGE_SIZE = 1000
# PX documents 400 for a bad scrollId; an expired scroll may plausibly surface as 404 or 410.
_SCROLL_REJECTED = frozenset({400, 404, 410})
MAX_RESTARTS = 3  # restarts of one listing before it gives up, loudly
MAX_REPEAT_RESTARTS = 1  # a server that serves the same page again gets one more chance
ID_FIELDS = {"accounts": ("id",), "users": ("identifyId", "id")}


class Fetch(Protocol):
    """(path, query params) -> parsed JSON body; raises typed PxError subclasses."""

    def __call__(self, path: str, params: list[tuple[str, str]], *,
                 resend_safe: bool = True) -> Any: ...


@dataclass(frozen=True)
class Page:
    """One page of a listing: the records not handed out before (any JSON value PX put in
    the array: a non-object item is passed on for the consumer to fail)."""

    records: list[Any]
    number: int  # 1-based, counted from the last (re)start
    total_hits: int
    received: int  # distinct records received so far, all passes included


class _RestartError(Exception):
    """Internal: abandon this pass of the listing and start again from page 1."""

    def __init__(self, reason: str, *, repeat: bool = False) -> None:
        super().__init__(reason)
        self.repeat = repeat


class Listing:
    """A lazy, single-pass scroll over `/accounts` or `/users`; iterate it for `Page`s.

    Streams page by page (a generator inside): only the current page is held in memory, plus
    8 bytes per id handed out. `received` counts distinct records (items without an id count
    once each); `shortfall` is what totalHits announced beyond that. When the listing cannot
    finish (restarts used up), ShortfallError says how many records arrived of how many.
    `cancel()` is checked before each page request after the first; when it returns True,
    CancelledError is raised between pages, never mid-page.
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
        self._seen = IdSet()
        self._unkeyed = 0
        self._repeats = 0
        self.total_hits: int | None = None
        self.pages = 0  # successful page requests, all passes included
        self.restarts = 0
        self.duplicates = 0  # records dropped because their id was handed out already
        self.complete = False
        self.notes: list[str] = []  # what the run should tell the admin (restarts)

    @property
    def received(self) -> int:
        """Distinct records received so far (all passes)."""
        return len(self._seen) + self._unkeyed

    def has(self, record_id: object) -> bool:
        """Whether the listing handed out a record with this id (a 64-bit hash: a collision
        can only say yes wrongly, never no)."""
        return record_id in self._seen

    @property
    def shortfall(self) -> int:
        """Records announced by totalHits but not received."""
        if self.total_hits is None:
            return 0
        return max(0, self.total_hits - self.received)

    def __repr__(self) -> str:
        return (
            f"Listing({self.kind!r}, filters={list(self.filters)!r}, sort={self.sort!r}, "
            f"received={self.received}, total_hits={self.total_hits}, complete={self.complete})"
        )

    def records(self) -> Iterator[Any]:
        """The records of every page, flattened."""
        for page in self:
            yield from page.records

    def __iter__(self) -> Iterator[Page]:
        if self._started:
            raise RuntimeError("a Listing can be iterated only once; ask the client for a new one")
        self._started = True
        return self._run()

    def _run(self) -> Iterator[Page]:
        while True:
            try:
                yield from self._pass()
                break
            except _RestartError as restart:
                self._restart(restart)
        self.complete = True
        self._report_shortfall()

    def _base_params(self) -> list[tuple[str, str]]:
        params = [("filter", f) for f in self.filters]
        if self.sort:
            params.append(("sort", self.sort))
        params.append(("pageSize", str(self.page_size)))
        return params

    def _pass(self) -> Iterator[Page]:
        """One pass from page 1; raises _RestartError when it cannot go on safely."""
        scroll_id: str | None = None
        sent: str | None = None  # the scrollId of the previous request
        previous_ids: set[Any] | None = None
        number = 0
        while True:
            if number > 0 and self._cancel is not None and self._cancel():
                raise CancelledError(
                    f"Listing of PX {self.kind} cancelled after {self.pages} pages"
                )
            params = self._base_params()
            if scroll_id is not None:
                params.append(("scrollId", scroll_id))
            # A resend repeats the page only when each page has its own scrollId; a scrollId
            # used twice (or not yet known to change) may name a cursor that already moved.
            safe = scroll_id is None or (sent is not None and scroll_id != sent)
            try:
                body = self._fetch(f"/{self.kind}", params, resend_safe=safe)
            except AnswerLostError as exc:
                raise _RestartError(f"{exc}, and a resend could have skipped records") from None
            except PxError as exc:
                if scroll_id is None or exc.status not in _SCROLL_REJECTED:
                    raise
                raise _RestartError(f"PX rejected the scrollId ({exc})") from None
            rows, total, next_scroll = self._parse(body)
            self.pages += 1
            number += 1
            if number == 1:
                self.total_hits = total
            ids = self._ids(rows)
            if ids and ids == previous_ids:
                raise _RestartError("PX served the same page twice", repeat=True)
            fresh = self._fresh(rows)
            if fresh:
                yield Page(fresh, number, self.total_hits or 0, self.received)
            if not rows or not next_scroll:
                return
            if len(rows) < self.page_size and total is not None and self.received >= total:
                return
            sent, scroll_id, previous_ids = scroll_id, next_scroll, ids

    def _ids(self, rows: list[Any]) -> set[Any]:
        fields = ID_FIELDS[self.kind]
        ids = set()
        for row in rows:
            if isinstance(row, dict):
                key = _id_of(row, fields)
                if key is not None:
                    ids.add(key)
        return ids

    def _fresh(self, rows: list[Any]) -> list[Any]:
        """The rows whose id was not handed out before (rows without an id always pass)."""
        fields, add = ID_FIELDS[self.kind], self._seen.add
        fresh = []
        for row in rows:
            key = _id_of(row, fields) if isinstance(row, dict) else None
            if key is None:
                self._unkeyed += 1
            elif not add(key):
                self.duplicates += 1
                continue
            fresh.append(row)
        return fresh

    def _restart(self, restart: _RestartError) -> None:
        """Start again from page 1, or give up loudly when restarting cannot help."""
        if restart.repeat:
            self._repeats += 1
            if self._repeats > MAX_REPEAT_RESTARTS:
                raise ProtocolError(
                    f"PX served the same page of the {self.kind} listing again after a "
                    f"restart: {self.progress}. Try the run again later"
                )
        if self.restarts >= MAX_RESTARTS:
            raise ShortfallError(
                f"The PX {self.kind} listing could not finish ({restart}; restarted "
                f"{self.restarts} times): {self.progress}. Try the run again later"
            )
        self.restarts += 1
        note = (f"The PX {self.kind} listing restarted from page 1 after {restart} "
                f"(records already received were not counted twice)")
        self.notes.append(note)
        _log.warning("%s", note)

    @property
    def progress(self) -> str:
        """How far the listing got, for messages: "received 1,000 of 2,500 users"."""
        total = "?" if self.total_hits is None else f"{self.total_hits:,}"
        return f"received {self.received:,} of {total} {self.kind}"

    def _parse(self, body: Any) -> tuple[list[Any], int | None, str | None]:
        if not isinstance(body, dict):
            raise ProtocolError(f"PX answered the {self.kind} listing with something not an object")
        rows = body.get(self.kind)
        if rows is None:
            rows = []
        if not isinstance(rows, list):
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


def _id_of(row: dict[str, Any], fields: tuple[str, ...]) -> Any:
    """The record's PX id (a string or number), or None when it has none usable."""
    for name in fields:
        value = row.get(name)
        if (isinstance(value, str) and value) or type(value) is int:
            return value
    return None
