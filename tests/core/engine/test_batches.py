"""Write transactions: several pages only while the next one is already fetched; a failure in
the middle keeps every page before it (written, counted and in the files) and nothing of it."""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.errors import ServerError
from pxdesk.core.px.paging import Listing, Page
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import ExecutionRun, Job, Person, RunStatus
from pxdesk.core.sync import job_run as runner_module
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.fetch import PageFetcher
from pxdesk.core.sync.pipeline import PageProcessor
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB

PAGE = 50
Pages = Callable[[str, list[list[dict[str, Any]]]], Iterator[Page]]


class ScriptedListing(Listing):
    """A listing whose pages come from a script instead of HTTP; complete when it ends."""

    def __init__(self, kind: Any, pages: Iterator[Page]) -> None:
        super().__init__(lambda *_a, **_k: None, kind)
        self._pages = pages

    def __iter__(self) -> Iterator[Page]:
        for page in self._pages:
            self.total_hits, self._unkeyed = page.total_hits, page.received
            yield page
        self.complete = True


class ScriptedClient:
    """Serves the simulator's records as pages through `script(kind, chunks)`."""

    def __init__(self, sim: PxSimulator, script: Pages) -> None:
        self._sim, self._script = sim, script

    def list(self, kind: str, **_: Any) -> Listing:
        if kind == "accounts":
            records = [self._sim.get_account(i) for i in self._sim.account_ids()]
        else:
            records = [self._sim.get_user(i) for i in self._sim.user_ids()]
        chunks = [records[i:i + PAGE] for i in range(0, len(records), PAGE)]
        return ScriptedListing(kind, self._script(kind, chunks))

    def close(self) -> None:
        pass


def pages_of(chunks: list[list[dict[str, Any]]]) -> Iterator[Page]:
    total = sum(map(len, chunks))
    received = 0
    for number, chunk in enumerate(chunks, 1):
        received += len(chunk)
        yield Page(chunk, number, total, received)


def scripted_engine(context: Any, sim: PxSimulator, script: Pages) -> SyncEngine:
    return SyncEngine(context.secrets, runs_dir=Path(context.paths.runs_dir),
                      client_factory=lambda _on_request: ScriptedClient(sim, script))


def success_rows(result: Any) -> list[list[str]]:
    with open(result.success_file, encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))[1:]


@pytest.mark.sqlite_only("reads the store file with a second sqlite3 connection")
def test_a_transaction_never_waits_for_the_next_page(connect, context, sim):
    """Page 1 must be committed (visible to another connection) while page 2 is still being
    fetched: the write lock is never held across a PX request."""
    connect()
    visible: list[int] = []

    def slow_second_page(kind: str, chunks: list[list[dict[str, Any]]]) -> Iterator[Page]:
        pages = pages_of(chunks)
        yield next(pages)
        if kind == "users":  # runs on the fetch thread, while page 1 is being written
            reader = sqlite3.connect(context.paths.db_path)
            deadline = time.monotonic() + 5
            count = 0
            while count == 0 and time.monotonic() < deadline:
                count = reader.execute("SELECT count(*) FROM person").fetchone()[0]
                time.sleep(0.005)
            reader.close()
            visible.append(count)
        yield from pages

    result = scripted_engine(context, sim, slow_second_page).run_job(PERSON_JOB)
    assert result.status in (RunStatus.SUCCESS, RunStatus.PARTIAL_SUCCESS)
    assert visible and 0 < visible[0] <= PAGE


@pytest.mark.parametrize(("ready", "batch_records", "transactions"), [
    (True, 100_000, 1),  # every next page already fetched: one transaction for the listing
    (True, 2 * PAGE, 3),  # ... holding at most BATCH_RECORDS records
    (False, 100_000, 6),  # the next page not there yet: commit (6 pages of 50)
])
def test_pages_share_a_transaction_only_while_the_next_is_ready(
        connect, context, sim, monkeypatch, ready, batch_records, transactions):
    connect()
    engine = scripted_engine(context, sim, lambda _kind, chunks: pages_of(chunks))
    engine.run_job(COMPANY_JOB)
    monkeypatch.setattr(PageFetcher, "ready", lambda self: ready)
    monkeypatch.setattr(runner_module, "BATCH_RECORDS", batch_records)
    commits: list[int] = []  # the run row is saved once in each page transaction
    real = engine.log.progress
    monkeypatch.setattr(engine.log, "progress", lambda run, counts: (
        commits.append(counts.pages) if run.job_name == PERSON_JOB else None,
        real(run, counts)))
    result = engine.run_job(PERSON_JOB)
    c = result.counts
    assert c.pages == 6 and c.success + c.failure + c.filtered == 300
    assert len(commits) == transactions
    assert commits[-1] == 6
    assert len(success_rows(result)) == result.counts.success


def user_chunks(sim: PxSimulator) -> list[list[dict[str, Any]]]:
    users = [sim.get_user(i) for i in sim.user_ids()]
    return [users[i:i + PAGE] for i in range(0, len(users), PAGE)]


def assert_only_pages_written(result: Any, sim: PxSimulator, pages: int) -> None:
    """The store, the counters and the success file hold exactly the first `pages` pages."""
    kept = [u for chunk in user_chunks(sim)[:pages] for u in chunk]
    emails = {(u.get("email") or "").strip().lower() for u in kept}
    stored = {p.email.lower() for p in Person.select()}
    assert stored and stored <= emails
    rows = success_rows(result)
    assert 0 < len(rows) == result.counts.success
    assert {r[0] for r in rows} <= {u["identifyId"] for u in kept}
    run = ExecutionRun.get_by_id(result.run_id)
    assert (run.success_count, run.pages) == (result.counts.success, pages)
    assert Job.get(Job.name == PERSON_JOB).window_end is None


def test_failing_page_rolls_back_alone_and_earlier_pages_stay(connect, context, sim,
                                                              monkeypatch):
    connect()
    engine = scripted_engine(context, sim, lambda _kind, chunks: pages_of(chunks))
    monkeypatch.setattr(PageFetcher, "ready", lambda self: True)  # all pages in one batch
    real = PageProcessor.process
    calls: list[int] = []

    def third_page_breaks(self: PageProcessor, records: Any, **kwargs: Any) -> Any:
        calls.append(1) if "identifyId" in records[0] else None
        if len(calls) == 3 and "identifyId" in records[0]:
            real(self, records, **kwargs)  # writes its rows, then fails: rolled back
            raise RuntimeError("boom")
        return real(self, records, **kwargs)

    monkeypatch.setattr(PageProcessor, "process", third_page_breaks)
    result = engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.FAILURE and "boom" in (result.reason or "")
    assert result.counts.pages == 2
    assert_only_pages_written(result, sim, 2)


def test_px_error_mid_listing_keeps_the_pages_before(connect, context, sim, monkeypatch):
    connect()
    monkeypatch.setattr(PageFetcher, "ready", lambda self: True)

    def fails_after_two(kind: str, chunks: list[list[dict[str, Any]]]) -> Iterator[Page]:
        pages = pages_of(chunks)
        yield next(pages)
        if kind == "users":
            yield next(pages)
            raise ServerError("PX server error (503)", status=503)
        yield from pages

    result = scripted_engine(context, sim, fails_after_two).run_job(PERSON_JOB)
    assert result.status == RunStatus.FAILURE and "503" in (result.reason or "")
    assert result.counts.pages == 2
    assert_only_pages_written(result, sim, 2)
