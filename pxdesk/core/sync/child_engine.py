"""ChildEngine: the desktop's runs, each in a child process (see child_main for why).

It satisfies the runner's RunsJobs like SyncEngine does: the same hooks in the same order on the
calling (worker) thread, the same result, cancel at the next page. If the child dies (killed,
out of memory), the runs it left open are closed as interrupted, its leases are freed and the
caller gets one line: the windows did not move, so the next run picks up where the last
good one ended.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import subprocess
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pxdesk
from pxdesk.core.errors import PxdeskError
from pxdesk.core.logs.execution import OPEN_STATUSES
from pxdesk.core.paths import AppPaths
from pxdesk.core.store.enums import RunStatus, Trigger
from pxdesk.core.store.models import ExecutionRun
from pxdesk.core.store.store_url import StoreUrl
from pxdesk.core.sync.child_wire import CANCEL, ChildRequest, read_message, write_message
from pxdesk.core.sync.engine import EndHook, StartHook, SyncEngine
from pxdesk.core.sync.results import RunProgress, RunResult

_log = logging.getLogger("pxdesk.sync")

CANCEL_POLL_S = 0.1  # how often a quiet run checks whether the admin cancelled
STOP_WAIT_S = 10.0  # after its answer, how long a child may take to exit before it is killed
_STDERR_LINES = 20  # what a dying child's stderr leaves in the log


class SyncChildError(PxdeskError):
    """The sync process failed or died: the message is the one line the admin reads."""


class ChildEngine:
    """Runs jobs and job chains in child processes; `local` is this process's engine, which
    frees what a dead child held."""

    def __init__(self, paths: AppPaths, store: StoreUrl, *, user: str, local: SyncEngine,
                 page_size: int | None = None) -> None:
        self._paths = paths
        self._store = store
        self._user = user
        self._local = local
        self._page_size = page_size or local.page_size
        self._pids: set[int] = set()
        self._lock = threading.Lock()

    def command(self) -> tuple[list[str], dict[str, str]]:
        """How a child is started: this interpreter, and pxdesk importable whatever the
        working folder. Nothing secret: the request goes through stdin."""
        env = dict(os.environ)
        source = str(Path(pxdesk.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
        return [sys.executable, "-m", "pxdesk.core.sync.child_main"], env

    def running_pids(self) -> list[int]:
        """The children running now."""
        with self._lock:
            return sorted(self._pids)

    def run_job(
        self, job_name: str, *, trigger: str = Trigger.MANUAL,
        date_range: tuple[int, int] | None = None,
        progress: Callable[[RunProgress], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        on_start: StartHook | None = None, on_end: EndHook | None = None,
        note: str | None = None, reconcile: bool = False,
    ) -> RunResult:
        request = self._request(job_name, False, trigger, date_range, note, reconcile)
        return _ChildRun(self, request, progress, cancel, on_start, on_end).result()

    def run_chain(
        self, chain_name: str, *, trigger: str = Trigger.MANUAL,
        progress: Callable[[RunProgress], None] | None = None,
        cancel: Callable[[], bool] | None = None,
        on_start: StartHook | None = None, on_end: EndHook | None = None,
        note: str | None = None,
    ) -> RunResult:
        request = self._request(chain_name, True, trigger, None, note, False)
        return _ChildRun(self, request, progress, cancel, on_start, on_end).result()

    def _request(self, name: str, chain: bool, trigger: str,
                 date_range: tuple[int, int] | None, note: str | None,
                 reconcile: bool) -> ChildRequest:
        return ChildRequest(
            self._paths, self._store, self._user, name, chain, str(trigger), date_range, note,
            reconcile, self._page_size, self._local.leases.pid, f"c{uuid.uuid4().hex[:12]}-",
            logging.getLogger().getEffectiveLevel())

    def _spawn(self) -> subprocess.Popen[bytes]:
        command, env = self.command()
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console flashes
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, creationflags=flags)
        with self._lock:
            self._pids.add(proc.pid)
        return proc

    def _reap(self, proc: subprocess.Popen[bytes]) -> None:
        with contextlib.suppress(OSError):
            proc.stdin.close()  # type: ignore[union-attr]
        try:
            proc.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with self._lock:
            self._pids.discard(proc.pid)

    def _bury(self, request: ChildRequest, code: int, open_runs: dict[int, str],
              on_end: EndHook | None) -> SyncChildError:
        """The child died without an answer: free its leases, close its runs (their windows
        stay), tell the caller."""
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        reason = f"interrupted: the sync process stopped unexpectedly ({how})"
        self._local.leases.release_tagged(request.lease_tag)
        for run_id in open_runs:
            run = ExecutionRun.get_or_none(ExecutionRun.id == run_id)
            if run is None:
                continue
            if run.status in OPEN_STATUSES:
                self._local.log.finish(run, RunStatus.FAILURE, reason=reason)
            if on_end is not None:
                on_end(RunResult.from_run(run))
        self._local.close_interrupted_runs()  # a row the child made but had not announced
        _log.error("The sync process of %s stopped (%s)", request.name, how)
        return SyncChildError(f"The run of {request.name} stopped: the sync process ended "
                              f"unexpectedly ({how}). Nothing was lost; run it again.")


class _ChildRun:
    """One request to one child, read to its end on the calling thread."""

    def __init__(self, owner: ChildEngine, request: ChildRequest,
                 progress: Callable[[RunProgress], None] | None,
                 cancel: Callable[[], bool] | None, on_start: StartHook | None,
                 on_end: EndHook | None) -> None:
        self._owner, self._request = owner, request
        self._progress, self._cancel = progress, cancel
        self._on_start, self._on_end = on_start, on_end
        self._open: dict[int, str] = {}  # runs announced and not ended: run id -> job name
        self._inbox: queue.Queue[Any] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=_STDERR_LINES)

    def result(self) -> RunResult:
        proc = self._owner._spawn()
        try:
            assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
            threading.Thread(target=self._read, args=(proc.stdout,), daemon=True,
                             name="sync-child-out").start()
            threading.Thread(target=self._keep_stderr, args=(proc.stderr,), daemon=True,
                             name="sync-child-err").start()
            self._tell(proc, self._request)
            answer = self._follow(proc)
        finally:
            self._owner._reap(proc)
        if answer is None:
            if self._stderr:
                _log.error("The sync process said:\n%s", "".join(self._stderr))
            raise self._owner._bury(self._request, proc.returncode, self._open, self._on_end)
        return answer

    def _follow(self, proc: subprocess.Popen[bytes]) -> RunResult | None:
        cancelled = False
        while True:
            if not cancelled and self._cancel is not None and self._cancel():
                cancelled = True
                self._tell(proc, CANCEL)
            try:
                message = self._inbox.get(timeout=CANCEL_POLL_S)
            except queue.Empty:
                continue
            if message is None:  # the pipe closed without an answer: the child is gone
                proc.wait()
                return None
            kind, value = message
            if kind == "done":
                return value  # type: ignore[no-any-return]
            if kind == "refused":
                raise value
            if kind == "crash":
                raise SyncChildError(value)
            self._dispatch(kind, value)

    def _dispatch(self, kind: str, value: Any) -> None:
        if kind == "log":
            record = logging.makeLogRecord(value)
            logger = logging.getLogger(record.name)
            if logger.isEnabledFor(record.levelno):
                logger.handle(record)
        elif kind == "start":
            self._open[value.run_id] = value.job_name
            if self._on_start is not None:
                self._on_start(value)
        elif kind == "progress":
            if self._progress is not None:
                self._progress(value)
        elif kind == "end":
            self._open.pop(value.run_id, None)
            if self._on_end is not None:
                self._on_end(value)

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while (message := read_message(stream)) is not None:
                self._inbox.put(message)
        except (OSError, EOFError, ValueError) as exc:  # a torn frame from a dying child
            _log.warning("The sync process's output broke off: %s", exc)
        self._inbox.put(None)

    def _keep_stderr(self, stream: IO[bytes]) -> None:
        for line in stream:
            self._stderr.append(line.decode("utf-8", "replace"))

    @staticmethod
    def _tell(proc: subprocess.Popen[bytes], message: Any) -> None:
        with contextlib.suppress(OSError):  # a dead child: its end of the pipe is closed
            write_message(proc.stdin, message)  # type: ignore[arg-type]
