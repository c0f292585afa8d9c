"""Scroll cursors: a listing snapshot, a position, and the next page rendered ahead of time.

PX (Elasticsearch underneath) serves a scroll from a point-in-time view, so pages never shift
when data changes mid-listing. After answering a page the server renders the next one while
the client parses (see ``Scroll.prefetch``): with the simulator in its own process that keeps
both cores busy. The scrollId stays valid after the last page (the vendor quirk); idle scrolls
expire after ``ttl`` seconds and only the ``limit`` most recently used are kept.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from pxdesk.core.pxsim.store import RecordStore, Snapshot


class Scroll:
    """One open listing; every access happens under ``lock``."""

    def __init__(self, token: str, store: RecordStore, snapshot: Snapshot, page_size: int) -> None:
        self.token = token
        self.store = store
        self.kind = store.kind
        self.snapshot = snapshot
        self.page_size = page_size
        self.position = 0
        self.lock = threading.Lock()
        self._ahead: tuple[int, int, bytes] | None = None  # (start, size, body)

    @property
    def total(self) -> int:
        return len(self.snapshot.indexes)

    def _render(self, start: int, size: int) -> bytes:
        snap = self.snapshot
        json_at = self.store.json_at
        rows = ",".join(json_at(i, snap.overlay) for i in snap.indexes[start : start + size])
        body = f'{{"{self.kind}":[{rows}],"totalHits":{self.total},"scrollId":"{self.token}"}}'
        return body.encode()

    def next_page(self, size: int) -> bytes:
        """The body of the page at the cursor; advances the cursor."""
        with self.lock:
            start = self.position
            ahead = self._ahead
            self._ahead = None
            if ahead is not None and ahead[0] == start and ahead[1] == size:
                body = ahead[2]
            else:
                body = self._render(start, size)
            self.position = min(start + size, self.total)
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

    def open(self, store: RecordStore, snapshot: Snapshot, page_size: int) -> Scroll:
        token = secrets.token_urlsafe(24)
        scroll = Scroll(token, store, snapshot, page_size)
        with self._lock:
            self._scrolls[token] = (scroll, self._now())
            while len(self._scrolls) > self._limit:
                self._scrolls.popitem(last=False)
        return scroll

    def get(self, kind: str, token: str) -> Scroll:
        """The live scroll of ``kind`` for ``token``; KeyError when unknown or expired."""
        with self._lock:
            entry = self._scrolls.get(token)
            if entry is None or entry[0].kind != kind:
                raise KeyError(token)
            scroll, used = entry
            now = self._now()
            if now - used > self._ttl:
                del self._scrolls[token]
                raise KeyError(token)
            self._scrolls[token] = (scroll, now)
            self._scrolls.move_to_end(token)
            return scroll

    def discard(self, token: str) -> None:
        with self._lock:
            self._scrolls.pop(token, None)

    def clear(self) -> None:
        with self._lock:
            self._scrolls.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._scrolls)
