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


def test_gsids_are_version_7_with_the_rfc_variant_and_the_current_time():
    import time

    now_ms = time.time_ns() // 1_000_000
    for gsid in gsid_batch(300):
        parsed = uuid.UUID(gsid)
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
        assert abs((parsed.int >> 80) - now_ms) < 60_000


@pytest.mark.parametrize("data", [
    {"Sign_up_date__gc": "2024-01-02", "n": 3, "f": 2.5, "b": True, "none": None},
    {"text": "ünïcødé \u2028 \"quoted\" \\ back", "tiny": 5e-324, "big": 1e300},
    {"huge": 2**70, "neg": -(2**70)},  # beyond orjson's 64 bits: the json module writes it
])
def test_custom_json_round_trips_exactly(data):
    import json

    from pxdesk.core.sync.writer import compact_json

    text = compact_json(data)
    assert json.loads(text) == data and list(json.loads(text)) == list(data)


def test_custom_json_with_a_lone_surrogate_behaves_as_before():
    import json

    from pxdesk.core.sync.writer import compact_json

    data = {"s": "\ud800"}
    assert compact_json(data) == json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def test_email_keys_fold_like_sqlite_lower():
    import sqlite3

    from pxdesk.core.sync.fields import ascii_lower

    texts = ["Bob@Example.COM", "ÄNNE@MÜLLER.DE", "İstanbul@X.TR", "ß@ẞ.de", "plain@x.io"]
    con = sqlite3.connect(":memory:")
    for text in texts:
        assert ascii_lower(text) == con.execute("SELECT lower(?)", (text,)).fetchone()[0]
    con.close()


def test_single_field_upsert_key_matches_the_general_key(context):
    from pxdesk.core.sync.fields import resolve_field
    from pxdesk.core.sync.writer import KeyedUpsert, Shape, key_of

    email = resolve_field("person", "Email")
    shape = Shape("person", [resolve_field("person", "FirstName"), email])
    upsert = KeyedUpsert(context.db, shape, [email], update_only=False, label="person")
    for value in ["Bob@Example.COM", "ÄNNE@MÜLLER.DE", None]:
        values = ["First", value]
        general, empty = key_of(values, [1], [email])
        key, reason = upsert.key(values)
        assert key == general
        assert (reason is None) == (general is not None) and (empty == -1) == (key is not None)


@pytest.mark.sqlite_only("WAL checkpoint PRAGMAs")
def test_bulk_writes_checkpoint_less_often_and_restore_the_settings(context):
    from pxdesk.core.store.db import BULK_WAL_PAGES, bulk_writes

    def read() -> tuple[int, int]:
        return tuple(context.db.execute_sql(f"PRAGMA {p}").fetchone()[0]
                     for p in ("wal_autocheckpoint", "journal_size_limit"))

    before = read()
    with bulk_writes(context.db):
        assert read()[0] == BULK_WAL_PAGES
    assert read() == before
    with pytest.raises(RuntimeError), bulk_writes(context.db):
        raise RuntimeError("a failing run")
    assert read() == before


def test_relaxed_gc_restores_thresholds_after_the_last_run():
    import gc
    import threading

    from pxdesk.core.sync.gc_pause import RUN_GEN0_THRESHOLD, RelaxedGc

    before = gc.get_threshold()
    first, second = RelaxedGc(), RelaxedGc()
    with first:
        assert gc.get_threshold()[0] == max(before[0], RUN_GEN0_THRESHOLD)
        second.__enter__()  # a run on another thread starts ...
    assert gc.get_threshold()[0] == max(before[0], RUN_GEN0_THRESHOLD)  # ... and still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
    threads = [threading.Thread(target=lambda: RelaxedGc().__enter__().__exit__(None, None, None))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == before
