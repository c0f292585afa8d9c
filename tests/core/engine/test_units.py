"""Small pure parts: window planning, status rules, GSIDs, CSV cells, fetch thread errors."""

from __future__ import annotations

import io
import uuid

import pytest

from pxdesk.core.errors import BadRequestError, CancelledError, ConfigError
from pxdesk.core.logs.csv_export import neutralise, write_csv
from pxdesk.core.logs.execution import final_status
from pxdesk.core.store.models import RunStatus
from pxdesk.core.sync.fetch import PageFetcher
from pxdesk.core.sync.window import plan_window
from pxdesk.core.sync.writer import gsid_batch


def test_window_rules():
    first = plan_window(None, 5_000)
    assert (first.start, first.end, first.advances, first.pushdown()) == (0, 5_000, True, [])
    later = plan_window(1_000, 5_000)
    assert later.pushdown() == ["lastModifiedDate>=1000;lastModifiedDate<5000"]
    inside = later.matcher()
    assert inside({"lastModifiedDate": 1_000}) and not inside({"lastModifiedDate": 5_000})
    assert not inside({}) and not inside({"lastModifiedDate": True})
    ranged = plan_window(1_000, 9_000, (10, 20))
    assert (ranged.start, ranged.end, ranged.advances) == (10, 20, False)
    with pytest.raises(ConfigError):
        plan_window(None, 1, (20, 10))


def test_status_rules():
    assert final_status(0, 0) == RunStatus.SUCCESS
    assert final_status(5, 0) == RunStatus.SUCCESS
    assert final_status(5, 1) == RunStatus.PARTIAL_SUCCESS
    assert final_status(0, 3) == RunStatus.FAILURE


def test_gsids_are_valid_unique_ordered_uuids():
    batch = gsid_batch(2000)
    assert len(set(batch)) == 2000 and batch == sorted(batch)
    assert all(len(g) == 36 and str(uuid.UUID(g)) == g for g in batch)


def test_csv_cells_are_neutralised():
    assert [neutralise(t) for t in ("=1", "+1", "-1", "@a", "\ta", "\ra", "a=1", "")] == \
        ["'=1", "'+1", "'-1", "'@a", "'\ta", "'\ra", "a=1", ""]
    out = io.StringIO()
    assert write_csv(out, ["A", "B"], [("=x", None), (True, 3)], bom=True) == 2
    assert out.getvalue() == "\ufeffA,B\r\n'=x,\r\ntrue,3\r\n"


def test_fetcher_propagates_errors_and_cancels():
    def failing(_stop):
        yield 1
        raise BadRequestError("nope", status=400)

    with PageFetcher(failing) as fetcher, pytest.raises(BadRequestError):
        assert list(fetcher) == [1]

    def endless(stop):  # like Listing: raises CancelledError between pages
        n = 0
        while True:
            if stop():
                raise CancelledError("stopped")
            n += 1
            yield n

    flag = []
    with PageFetcher(endless, cancel=lambda: bool(flag)) as fetcher:
        seen = []
        with pytest.raises(CancelledError):
            for page in fetcher:
                seen.append(page)
                if page == 3:
                    flag.append(True)
        assert seen[:3] == [1, 2, 3]
