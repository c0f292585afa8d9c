"""One-shot calls off the GUI thread: a slow query, a file copy, a connection test.

With `core/workers.py` (the runs), the only modules that create QThreads (style rule 4). The
worker reports to its owner through queued signals; the owner quits and waits the thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial

from peewee import Database
from PySide6.QtCore import QObject, QThread, Signal, Slot

THREAD_WAIT_MS = 30_000


class _CallWorker(QObject):
    """Calls one function in its thread and reports the value or the exception."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[], object], db: Database | None) -> None:
        super().__init__()
        self._fn = fn
        self._db = db

    @Slot()
    def run(self) -> None:
        try:
            if self._db is not None:
                with self._db.connection_context():
                    value = self._fn()
            else:
                value = self._fn()
        except Exception as exc:
            self.failed.emit(exc)
            return
        self.succeeded.emit(value)


class BackgroundCall(QObject):
    """Runs a function once in a QThread: the GUI stays responsive during a slow PX call.

    `finished(value)` or `failed(message)` is emitted in the thread that owns this object.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(
        self, fn: Callable[[], object], db: Database | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._worker = _CallWorker(fn, db)
        self._thread: QThread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a BackgroundCall runs once")
        self._thread = QThread()
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.succeeded.connect(self._on_worker_succeeded)
        self._worker.failed.connect(self._on_worker_failed)
        self._thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def quit_and_wait(self, timeout_ms: int = THREAD_WAIT_MS) -> bool:
        """Block until the function returns and the thread ends (its owner is going away:
        the result will not be delivered); True when it did."""
        if self._thread is None:
            return True
        self._thread.quit()  # taken into account once the function returns
        return self._thread.wait(timeout_ms)

    @Slot(object)
    def _on_worker_succeeded(self, value: object) -> None:
        self._stop_thread()
        self.finished.emit(value)

    @Slot(object)
    def _on_worker_failed(self, exc: object) -> None:
        self._stop_thread()
        self.failed.emit(str(exc) or type(exc).__name__)

    def _stop_thread(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(THREAD_WAIT_MS)


class ConnectionTestWorker(BackgroundCall):
    """TEST CONNECTION off the GUI thread: `finished(TestResult)` when ConnectionService.test
    returns (it never raises PX errors; anything else arrives as `failed`)."""

    def __init__(
        self, test: Callable[..., object], *, api_key: str | None, region: str | None,
        base_url: str | None, db: Database | None = None, parent: QObject | None = None,
    ) -> None:
        def call() -> object:
            return test(api_key=api_key, region=region, base_url=base_url)

        super().__init__(call, db, parent)


# Calls whose owner went away before they ended (see detach). A call stops its own thread
# when its function returns; ended ones are let go at the next detach.
_DETACHED: set[BackgroundCall] = set()


def detach(call: BackgroundCall) -> None:
    """Let `call` end on its own after its owner goes (a dialog cancelled while PX is slow):
    its reports go nowhere, its thread stops when the function returns, and the GUI never
    waits for it. `wait_detached` (at quit) waits for those still running."""
    _DETACHED.difference_update([c for c in _DETACHED if not c.is_running()])
    if call in _DETACHED or not call.is_running():
        return
    for signal in (call.finished, call.failed):
        with contextlib.suppress(RuntimeError, TypeError):  # nothing was connected
            signal.disconnect()
    call.setParent(None)  # outlives its owner; held here
    _DETACHED.add(call)


def wait_detached(timeout_ms: int = THREAD_WAIT_MS) -> None:
    """At quit (and after a test): let detached calls end, then stop their threads."""
    for call in list(_DETACHED):
        call.quit_and_wait(timeout_ms)
    _DETACHED.clear()


def _wait_for_calls(calls: list[BackgroundCall]) -> None:
    """Let each call's function end, then its thread: its report is no longer awaited."""
    for call in list(calls):
        call.quit_and_wait()


class BackgroundCalls:
    """The BackgroundCalls of one owner: each kept until it reports, and all waited for when
    the owner is destroyed (a QObject announces that before deleting its children, so no
    QThread is destroyed while it runs when a view closes in the middle of a long query)."""

    def __init__(self, owner: QObject, db: Database | None) -> None:
        self._owner = owner
        self._db = db
        self._calls: list[BackgroundCall] = []
        # Not a bound method: the owner is being destroyed when this runs.
        owner.destroyed.connect(partial(_wait_for_calls, self._calls))

    def start(self, fn: Callable[[], object], on_finished: Callable[[object], None],
              on_failed: Callable[[str], None]) -> None:
        """Run `fn` in a worker; `on_finished`/`on_failed` (bound methods of GUI-thread
        objects) hear how it went."""
        call = BackgroundCall(fn, self._db, self._owner)
        call.finished.connect(on_finished)
        call.failed.connect(on_failed)
        call.finished.connect(self._on_call_ended)
        call.failed.connect(self._on_call_ended)
        self._calls.append(call)
        call.start()

    def is_running(self) -> bool:
        return bool(self._calls)

    def _on_call_ended(self, _value: object) -> None:
        for call in [c for c in self._calls if not c.is_running()]:
            self._calls.remove(call)
            call.deleteLater()
