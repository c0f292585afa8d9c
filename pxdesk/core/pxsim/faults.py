"""Injectable faults: queued misbehaviours the simulator applies to the next matching requests.

Most faults act like the network or a gateway in front of PX: they are checked before the API
key and never advance a scroll (the request "did not reach" the backend), except
``scroll_expired`` which discards the scroll it names, as a real expiry would. The
``BACKEND_FAULTS`` act like a PX backend that misbehaves: they apply to listing requests after
the key is checked, and ``cut`` advances the scroll before the answer is lost.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["status", "latency", "drop", "malformed", "html403", "scroll_expired",
                    "cut", "repeat", "rewind", "items", "vanish"]
BACKEND_FAULTS: tuple[str, ...] = ("cut", "repeat", "rewind", "items", "vanish")
FAULT_KINDS: tuple[str, ...] = (
    "status", "latency", "drop", "malformed", "html403", "scroll_expired", *BACKEND_FAULTS,
)
LISTING_PATHS = ("/v1/accounts", "/v1/users")
_NEEDS_SCROLL = ("scroll_expired", "repeat", "rewind")


@dataclass
class Fault:
    """One misbehaviour for the next ``times`` requests whose path starts with ``path``.

    status: answer ``status`` with a JSON error body (429: "Rate limit exceeded"), plus a
        ``Retry-After`` header (seconds, may be fractional) when ``retry_after`` is set.
    latency: sleep ``delay`` seconds, then serve normally.
    drop: close the connection without any response.
    malformed: 200 with truncated, invalid JSON.
    html403: 403 with a text/html page, as a gateway would.
    scroll_expired: only requests carrying a ``scrollId``; 400, and the scroll is gone.
    cut: a listing page is served (its scroll advances) but the connection closes halfway
        through the body, as a proxy dropping a transfer would.
    repeat: only with a ``scrollId``: the previous page of the scroll again, cursor unmoved
        (a server that ignores the cursor).
    rewind: only with a ``scrollId``: the cursor steps back ``count`` records first, so the
        page repeats ids of the page before (duplicate ids across pages).
    items: the page's array also holds ``items`` (non-object values such as null).
    vanish: the page leaves out its first ``count`` records though totalHits counted them
        (records deleted while the listing ran); the cursor moves past them.
    """

    kind: FaultKind
    status: int = 500
    retry_after: float | None = None
    delay: float = 0.0
    times: int = 1
    path: str | None = None
    count: int = 0
    items: tuple[Any, ...] = (None,)
    every: int = 1  # act on every Nth matching request only (the others pass untouched)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")
        if self.times < 1 or self.every < 1:
            raise ValueError("times and every must be at least 1")

    def applies_to(self, path: str, has_scroll: bool) -> bool:
        if self.path is not None and not path.startswith(self.path):
            return False
        if self.kind in BACKEND_FAULTS and path not in LISTING_PATHS:
            return False
        return has_scroll or self.kind not in _NEEDS_SCROLL


class FaultQueue:
    """Faults in injection order; the first that matches a request is used up by one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[tuple[Fault, int, int]] = []  # (fault, uses left, requests seen)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append((fault, fault.times, 0))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str, has_scroll: bool) -> Fault | None:
        """The fault for this request, if any, counting one use of it."""
        with self._lock:
            for pos, (fault, left, seen) in enumerate(self._faults):
                if not fault.applies_to(path, has_scroll):
                    continue
                seen += 1
                if seen % fault.every:
                    self._faults[pos] = (fault, left, seen)
                    return None
                if left <= 1:
                    del self._faults[pos]
                else:
                    self._faults[pos] = (fault, left - 1, seen)
                return fault
            return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)
