"""PxSimulator: wires data, stores, scrolls and faults to an HTTP server; ``serve`` for the CLI."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from types import FrameType, TracebackType
from typing import Any, TextIO

from pxdesk.core.pxsim.api import MAX_PAGE_SIZE, PxApi
from pxdesk.core.pxsim.data import AccountGenerator, SharedPools
from pxdesk.core.pxsim.faults import Fault, FaultQueue
from pxdesk.core.pxsim.metadata import attributes
from pxdesk.core.pxsim.scrolls import ScrollMode, ScrollRegistry
from pxdesk.core.pxsim.server import SimHttpServer, SimRequest
from pxdesk.core.pxsim.store import Record, RecordStore
from pxdesk.core.pxsim.users import UserGenerator

DEFAULT_ACCOUNTS = 200
DEFAULT_USERS = 5000
DEFAULT_API_KEY = "pxsim-demo-key"
DEFAULT_SEED = 1
MAX_RECORDED_REQUESTS = 100_000


def _epoch_ms() -> int:
    return int(time.time() * 1000)


class PxSimulator:
    """A PX-compatible REST server on 127.0.0.1 with deterministic data for one seed."""

    def __init__(
        self, accounts: int = DEFAULT_ACCOUNTS, users: int = DEFAULT_USERS,
        api_key: str = DEFAULT_API_KEY, seed: int = DEFAULT_SEED, port: int = 0,
        clock: Callable[[], int] | None = None, *, scroll_ttl: float = 600.0,
        max_scrolls: int = 32, ascii_json: bool = False, scroll_mode: ScrollMode = "cursor",
        page_size_cap: int = MAX_PAGE_SIZE, anchor_ms: int | None = None,
    ) -> None:
        """Generate the data (cheap: two compact columns per user); ``start`` serves it.

        ``clock`` returns epoch ms for lastModifiedDate of run-time changes. Generated dates
        all precede ``anchor_ms``, by default the clock's now, so the demo's users were seen
        in the last days (the Adoption tab has active users); pass a fixed anchor
        (data.FIXED_ANCHOR_MS) for data that does not depend on the day. Scrolls idle
        longer than ``scroll_ttl`` seconds expire; only the ``max_scrolls`` most recent stay
        open. ``ascii_json`` escapes non-ASCII text as \\uXXXX: equal once parsed and about
        a quarter faster for clients to parse; the default sends raw UTF-8, as most Java
        services do.
        ``scroll_mode`` and ``page_size_cap`` (attributes, changeable while serving) choose
        how scrolls behave and the most records a page holds (see scrolls.py and api.py).
        """
        self._clock = clock or _epoch_ms
        self._api_key = api_key
        self._requested_port = port
        self.seed = seed
        self.anchor_ms = self._clock() if anchor_ms is None else anchor_ms
        self.date_filter_supported = True
        self.scroll_mode: ScrollMode = scroll_mode
        self.page_size_cap = page_size_cap
        shared = SharedPools(seed)
        self._account_gen = AccountGenerator(seed, accounts, self.anchor_ms, shared)
        user_gen = UserGenerator(
            seed, users, self.anchor_ms, shared, accounts, ascii_json=ascii_json)
        self._ascii_json = ascii_json
        self._base_counts = [0] * accounts
        for acc in user_gen.account_index:
            if acc >= 0:
                self._base_counts[acc] += 1
        self._count_delta: dict[str, int] = {}
        self._count_lock = threading.Lock()
        self._accounts = RecordStore(
            self._account_gen, finalize=self._with_user_count, ascii_json=ascii_json)
        self._users = RecordStore(user_gen, ascii_json=ascii_json)
        self._faults = FaultQueue()
        self._scrolls = ScrollRegistry(ttl=scroll_ttl, limit=max_scrolls)
        # bounded so a long-running demo server does not grow without end
        self._requests: deque[SimRequest] = deque(maxlen=MAX_RECORDED_REQUESTS)
        self._requests_lock = threading.Lock()
        self._server: SimHttpServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> PxSimulator:
        if self._server is not None:
            return self
        api = PxApi(
            api_key=self._api_key, accounts=self._accounts, users=self._users,
            scrolls=self._scrolls, faults=self._faults,
            metadata=lambda entity: attributes(entity, self.seed, self.anchor_ms),
            date_filter_supported=lambda: self.date_filter_supported,
            ascii_json=self._ascii_json,
            scroll_mode=lambda: self.scroll_mode,
            page_size_cap=lambda: self.page_size_cap,
        )
        self._server = SimHttpServer(self._requested_port, api, self._record)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"pxsim-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.close()
        if thread is not None:
            thread.join(timeout=5)
        self._scrolls.clear()

    def __enter__(self) -> PxSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def api_key(self) -> str:
        return self._api_key

    def __repr__(self) -> str:  # never shows the key
        state = f"port={self.port}" if self._server else "stopped"
        return f"PxSimulator({state}, accounts={self.account_count}, users={self.user_count})"

    # ---- requests and faults --------------------------------------------------------------

    def _record(self, request: SimRequest) -> None:
        with self._requests_lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[SimRequest]:
        """A copy of the requests received so far (the last 100,000), in arrival order."""
        with self._requests_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    def inject(self, fault: Fault) -> None:
        self._faults.add(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    # ---- data -----------------------------------------------------------------------------

    def _with_user_count(self, record: Record) -> Record:
        account_id = record.get("id")
        i = self._account_gen.index_of(account_id) if isinstance(account_id, str) else None
        count = (self._base_counts[i] if i is not None else 0)
        count += self._count_delta.get(account_id, 0) if isinstance(account_id, str) else 0
        return {**record, "numberOfUsers": count}

    def _move_user(self, old: str | None, new: str | None) -> None:
        if old == new:
            return
        with self._count_lock:
            for account_id, step in ((old, -1), (new, 1)):
                if isinstance(account_id, str) and account_id:
                    self._count_delta[account_id] = self._count_delta.get(account_id, 0) + step

    def _changes(self, changes: dict[str, Any] | None, fields: dict[str, Any]) -> dict[str, Any]:
        merged = {**(changes or {}), **fields}
        merged.setdefault("lastModifiedDate", self._clock())
        return merged

    def update_user(
        self, identify_id: str, changes: dict[str, Any] | None = None, /, **fields: Any
    ) -> dict[str, Any]:
        """Change a user (dot paths allowed); lastModifiedDate = clock() unless given."""
        old, new = self._users.update(identify_id, self._changes(changes, fields))
        self._move_user(old.get("accountId"), new.get("accountId"))
        return new

    def update_account(
        self, account_id: str, changes: dict[str, Any] | None = None, /, **fields: Any
    ) -> dict[str, Any]:
        """Change an account (dot paths allowed); lastModifiedDate = clock() unless given."""
        self._accounts.update(account_id, self._changes(changes, fields))
        return self._accounts.get(account_id)

    def add_user(self, record: dict[str, Any]) -> None:
        """Add a user (needs identifyId); dates default to clock()."""
        now = self._clock()
        identify_id = record.get("identifyId")
        self._users.add(
            {"createDate": now, "lastModifiedDate": now, "id": identify_id, **record})
        self._move_user(None, record.get("accountId"))

    def add_account(self, record: dict[str, Any]) -> None:
        """Add an account (needs id); dates default to clock()."""
        now = self._clock()
        self._accounts.add({"createDate": now, "lastModifiedDate": now, **record})

    def delete_user(self, identify_id: str) -> None:
        old = self._users.delete(identify_id)
        self._move_user(old.get("accountId"), None)

    def delete_account(self, account_id: str) -> None:
        self._accounts.delete(account_id)

    def get_user(self, identify_id: str) -> dict[str, Any]:
        return self._users.get(identify_id)

    def get_account(self, account_id: str) -> dict[str, Any]:
        return self._accounts.get(account_id)

    def user_ids(self) -> Iterator[str]:
        return self._users.ids()

    def account_ids(self) -> Iterator[str]:
        return self._accounts.ids()

    @property
    def user_count(self) -> int:
        return self._users.count

    @property
    def account_count(self) -> int:
        return self._accounts.count


def serve(
    *, port: int = 0, accounts: int, users: int, api_key: str, seed: int,
    out: TextIO = sys.stdout, ascii_json: bool = False, scroll_mode: ScrollMode = "cursor",
    page_size_cap: int = MAX_PAGE_SIZE, anchor_ms: int | None = None,
) -> None:
    """Run a simulator until Ctrl+C or SIGTERM; the base URL is the first line printed."""
    stop = threading.Event()
    previous: Any = None
    in_main = threading.current_thread() is threading.main_thread()

    def _on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    if in_main:
        previous = signal.signal(signal.SIGTERM, _on_term)
    sim = PxSimulator(accounts=accounts, users=users, api_key=api_key, seed=seed, port=port,
                      ascii_json=ascii_json, scroll_mode=scroll_mode, page_size_cap=page_size_cap,
                      anchor_ms=anchor_ms)
    try:
        sim.start()
        out.write(f"{sim.base_url}\n")
        out.write(f"api key: {api_key}  accounts: {accounts}  users: {users}  seed: {seed}\n")
        out.flush()
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        if in_main:
            signal.signal(signal.SIGTERM, previous)
