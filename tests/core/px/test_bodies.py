"""Page bodies are freed as soon as they are parsed, without waiting for the garbage collector:
a sync run collects garbage rarely, and an httpx response lives in a reference cycle."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from pxdesk.core.px.client import PxClient
from pxdesk.core.pxsim import PxSimulator
from tests.core.px.conftest import KEY


def test_listing_frees_each_body_by_reference_counting() -> None:
    with PxSimulator(accounts=5, users=600, api_key=KEY, seed=1) as sim:
        _list_without_gc(sim)


def _list_without_gc(sim: Any) -> None:
    client = PxClient(sim.base_url, KEY)
    try:
        list(client.list("users", page_size=10))  # warm up: connection, caches
        enabled = gc.isenabled()
        gc.collect()
        gc.disable()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            pages = 0
            for page in client.list("users", page_size=200):  # 3 pages of ~240 kB
                pages += 1
                del page
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
            if enabled:
                gc.enable()
    finally:
        client.close()
    assert pages == 3
    assert grown < 150_000, f"{grown:,} bytes still held after the listing"
