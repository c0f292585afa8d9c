"""Scroll cursors: a listing snapshot, a position, and the next page rendered ahead of time.

PX (Elasticsearch underneath) serves a scroll from a point-in-time view, so pages never shift
when data changes mid-listing. Two scroll behaviours are plausible and both are served, so
clients are tested against each (``ScrollMode``):

* ``cursor``: one scrollId for the whole listing whose cursor moves server-side on every call
  (Elasticsearch's own scroll). Resending a scrollId after a lost answer skips a page.
* ``fresh``: every page carries a new scrollId that names the page after it; resending a
  scrollId serves the same page again.

Scroll ids are base64 with ``+ / =`` as real ones may hold, so a client must URL-encode them.
After answering a page the server renders the next one while the client parses (see
``Scroll.prefetch``). The scrollId stays valid after the last page (the vendor quirk); idle
scrolls expire after ``ttl`` seconds and only the ``limit`` most recently used are kept.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Literal

from pxdesk.core.pxsim.store import RecordStore, Snapshot

ScrollMode = Literal["cursor", "fresh"]
SCROLL_MODES: tuple[str, ...] = ("cursor", "fresh")
# Leading bytes that encode as "++++////", so every id needs URL-encoding; 22 bytes in all
# give "==" padding.
_TOKEN_PREFIX = b"\xfb\xef\xbe\xff\xff\xff"


def new_token() -> str:
    return base64.b64encode(_TOKEN_PREFIX + secrets.token_bytes(16)).decode("ascii")


class Scroll:
    """One open listing; every access happens under ``lock``."""

    def __init__(self, token: str, store: RecordStore, snapshot: Snapshot, page_size: int,
                 mode: ScrollMode = "cursor") -> None:
        self.token = token
        self.store = store
        self.kind = store.kind
        self.snapshot = snapshot
        self.page_size = page_size
        self.mode: ScrollMode = mode
        self.position = 0
        self.lock = threading.Lock()
        self.tokens: dict[int, str] = {0: token}  # fresh mode: position -> the id naming it
        self.positions: dict[str, int] = {token: 0}
        self.last_page: tuple[int, int] | None = None  # (start, size) of the last page served
        self._ahead: tuple[int, int, bytes] | None = None  # (start, size, body)

    @property
    def total(self) -> int:
        return len(self.snapshot.indexes)

    def token_at(self, position: int) -> str:
        """The scrollId a page ending at ``position`` carries."""
        if self.mode == "cursor":
            return self.token
        token = self.tokens.get(position)
        if token is None:
            token = self.tokens[position] = new_token()
            self.positions[token] = position
        return token

    def _render(self, start: int, size: int, extra: Sequence[str] = ()) -> bytes:
        snap = self.snapshot
        json_at = self.store.json_at
        rows = [json_at(i, snap.overlay) for i in snap.indexes[start : start + size]]
        items = ",".join([*rows, *extra])
        token = self.token_at(min(start + size, self.total))
        return (f'{{"{self.kind}":[{items}],"totalHits":{self.total},'
                f'"scrollId":"{token}"}}').encode()

    def next_page(self, size: int, start: int | None = None, *, advance: bool = True,
                  extra: Sequence[str] = ()) -> bytes:
        """The body of the page at ``start`` (default: the cursor), with ``extra`` JSON items
        appended; moves the cursor past it unless ``advance`` is False."""
        with self.lock:
            if start is None:
                start = self.position
            ahead = self._ahead
            self._ahead = None
            if not extra and ahead is not None and ahead[0] == start and ahead[1] == size:
                body = ahead[2]
            else:
                body = self._render(start, size, extra)
            if advance:
                self.position = min(start + size, self.total)
            self.last_page = (start, size)
            return body

    def prefetch(self, size: int) -> None:
        """Render the following page now, while the client is busy with the last one."""
        with self.lock:
            if self._ahead is None and self.position < self.total:
                self._ahead = (self.position, size, self._render(self.position, size))


class ScrollRegistry:
    """Open scrolls by token, bounded in number and idle time."""

    def __init__(
        self, *, ttl: float = 600.0, limit: int = 32,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._limit = limit
        self._now = monotonic
        self._lock = threading.Lock()
        self._scrolls: OrderedDict[str, tuple[Scroll, float]] = OrderedDict()

    def open(self, store: RecordStore, snapshot: Snapshot, page_size: int,
             mode: ScrollMode = "cursor") -> Scroll:
        scroll = Scroll(new_token(), store, snapshot, page_size, mode)
        with self._lock:
            self._scrolls[scroll.token] = (scroll, self._now())
            while len(self._scrolls) > self._limit:
                self._scrolls.popitem(last=False)
        return scroll

    def get(self, kind: str, token: str) -> tuple[Scroll, int | None]:
        """The live scroll of ``kind`` that ``token`` belongs to, and the position the token
        names (None: the cursor's); KeyError when unknown or expired."""
        with self._lock:
            for scroll, used in self._scrolls.values():
                if scroll.kind != kind:
                    continue
                start = scroll.positions.get(token)
                if start is None:
                    continue
                if scroll.mode == "cursor":
                    start = None
                now = self._now()
                if now - used > self._ttl:
                    del self._scrolls[scroll.token]
                    raise KeyError(token)
                self._scrolls[scroll.token] = (scroll, now)
                self._scrolls.move_to_end(scroll.token)
                return scroll, start
            raise KeyError(token)

    def discard(self, token: str) -> None:
        with self._lock:
            for key, (scroll, _) in list(self._scrolls.items()):
                if token in scroll.positions:
                    del self._scrolls[key]

    def clear(self) -> None:
        with self._lock:
            self._scrolls.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._scrolls)
