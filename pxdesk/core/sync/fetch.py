"""Fetch pages on a thread while the caller writes: a bounded queue of 2 pages, cancel-aware."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any

from pxdesk.core.errors import CancelledError

_END = object()
QUEUE_PAGES = 2


class PageFetcher:
    """Iterates `make_pages()` on a daemon thread; iterate this object for the same pages.

    Exceptions raised while fetching are re-raised in the consumer. Closing (or leaving the
    `with` block) stops the thread at its next page boundary; `cancel()` is also checked
    between pages so a cancel never waits for a full queue to drain.
    """

    def __init__(self, make_pages: Callable[[Callable[[], bool]], Iterable[Any]],
                 cancel: Callable[[], bool] | None = None) -> None:
        self._stop = threading.Event()
        self._user_cancel = cancel
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_PAGES)
        self._make_pages = make_pages
        self._thread = threading.Thread(target=self._run, name="pxdesk-fetch", daemon=True)
        self._started = False

    def _cancelled(self) -> bool:
        return self._stop.is_set() or (self._user_cancel is not None and self._user_cancel())

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for page in self._make_pages(self._cancelled):
                if not self._put(page):
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)
            return
        self._put(_END)

    def __iter__(self) -> Iterator[Any]:
        if not self._started:
            self._started = True
            self._thread.start()
        while True:
            try:
                item = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self._user_cancel is not None and self._user_cancel():
                    raise CancelledError("Run cancelled") from None
                continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def ready(self) -> bool:
        """True when the next page (or the end, or an error) is already waiting."""
        return not self._queue.empty()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def __enter__(self) -> PageFetcher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
