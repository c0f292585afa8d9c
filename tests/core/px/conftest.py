"""Fixtures: the embedded PX simulator on 127.0.0.1 and clients with a recording fake sleep."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pxdesk.core.px.client import PxClient, RequestEvent

KEY = "sim-secret-key-XYZ-0042"


class Recorder:
    """Stands in for time.sleep and collects RequestEvents: no real waiting in tests."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.events: list[RequestEvent] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def event(self, event: RequestEvent) -> None:
        self.events.append(event)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sim() -> Iterator[Any]:
    from pxdesk.core.pxsim import PxSimulator

    with PxSimulator(accounts=20, users=2500, api_key=KEY, seed=1) as simulator:
        yield simulator


@pytest.fixture
def make_client(recorder: Recorder) -> Iterator[Callable[..., PxClient]]:
    clients: list[PxClient] = []

    def factory(base_url: str, api_key: str = KEY, **kwargs: Any) -> PxClient:
        kwargs.setdefault("sleep", recorder.sleep)
        kwargs.setdefault("on_request", recorder.event)
        kwargs.setdefault("rng", lambda: 0.5)
        kwargs.setdefault("timeout", 5.0)
        client = PxClient(base_url, api_key, **kwargs)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
