"""The pages of a job's listing as a run reads them: window and filter pushdown, with the
fallbacks to less pushdown when PX refuses a filter (HTTP 400) before the first page.

Shared by the real run and the dry run, so both read exactly the same records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from pxdesk.core.errors import BadRequestError, CancelledError
from pxdesk.core.px.client import PxClient
from pxdesk.core.px.paging import Listing
from pxdesk.core.sync.fetch import PageFetcher
from pxdesk.core.sync.filters import combine_pushdown
from pxdesk.core.sync.plan import JobPlan
from pxdesk.core.sync.window import Window

_log = logging.getLogger("pxdesk.sync")
DATE_FALLBACK_NOTE = ("PX refused the lastModifiedDate filter (HTTP 400): read the full "
                      "listing and kept the window's records locally")
FILTER_FALLBACK_NOTE = "PX refused the pushed-down filter (HTTP 400): filtered locally only"


class ListingReader:
    """Reads one job's listing; `listing` tells what it received, `notes` (the caller's list
    when given) the fallbacks it took."""

    def __init__(self, client: PxClient, plan: JobPlan, window: Window, page_size: int,
                 cancel: Callable[[], bool] | None, *, notes: list[str] | None = None) -> None:
        self._client, self._plan, self._window = client, plan, window
        self._page_size, self._cancel = page_size, cancel
        self.notes: list[str] = notes if notes is not None else []
        self.listing: Listing | None = None
        self.fetcher: PageFetcher | None = None

    def attempts(self) -> list[tuple[list[str], str | None]]:
        """Filter params to try in order, each with the note to log when it is used."""
        plan, window = self._plan, self._window
        ladder: list[tuple[list[str], str | None]] = [
            (combine_pushdown(window.pushdown(), plan.pushdown), None)]
        if not window.full:
            ladder.append((list(plan.pushdown), DATE_FALLBACK_NOTE))
        if plan.pushdown:
            ladder.append(([], FILTER_FALLBACK_NOTE))
        return ladder

    def pages(self) -> Iterator[Any]:
        """Pages of the listing; a 400 before the first page falls back to less pushdown."""
        ladder = self.attempts()
        for i, (filters, note) in enumerate(ladder):
            if note:
                self.notes.append(note)
                _log.warning("%s: %s", self._plan.job.name, note)
            received = False

            def make(stop: Callable[[], bool], filters: list[str] = filters) -> Listing:
                self.listing = self._client.list(
                    self._plan.listing, filters=filters, page_size=self._page_size,
                    cancel=stop)
                return self.listing

            with PageFetcher(make, self._cancel) as fetcher:
                self.fetcher = fetcher
                try:
                    for page in fetcher:
                        received = True
                        if self._cancel is not None and self._cancel():
                            raise CancelledError("Run cancelled")
                        yield page
                    return
                except BadRequestError:
                    if received or i == len(ladder) - 1:
                        raise

    def ready(self) -> bool:
        """True when the next page is already fetched (a write never waits for PX)."""
        return self.fetcher is not None and self.fetcher.ready()
