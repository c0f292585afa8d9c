"""What the sync child does with its request: open the store, run, report (see child_main)."""

from __future__ import annotations

import contextlib
import logging
import pickle
import threading
from typing import IO, Any

from pxdesk.core.errors import PxdeskError
from pxdesk.core.secrets import SecretStore
from pxdesk.core.store.db import close_database, open_store
from pxdesk.core.sync.child_wire import CANCEL, ChildRequest, read_message, write_message
from pxdesk.core.sync.engine import SyncEngine
from pxdesk.core.sync.results import RunProgress, RunResult, RunStart
from pxdesk.core.sync.run_lease import JobLeases

_log = logging.getLogger("pxdesk.sync")

# What of a log record crosses the pipe: enough for the desktop's handlers to write it as if
# it were logged there (with the child's process id).
_RECORD_FIELDS = ("name", "levelno", "levelname", "pathname", "filename", "module", "lineno",
                  "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
                  "process", "processName")


class _Outbox:
    """Messages to the desktop from any thread of the child (the run, fetch and lease threads
    all log), one frame at a time."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, *message: Any) -> None:
        # OSError: the desktop is gone; the end of stdin stops the run.
        with self._lock, contextlib.suppress(OSError):
            write_message(self._stream, message)


class _PipeLogHandler(logging.Handler):
    def __init__(self, outbox: _Outbox) -> None:
        super().__init__()
        self._outbox = outbox
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        fields = {name: getattr(record, name, None) for name in _RECORD_FIELDS}
        fields["msg"] = record.getMessage()
        if record.exc_info:
            fields["exc_text"] = self._formatter.formatException(record.exc_info)
        self._outbox.send("log", fields)


def _forward_logging(outbox: _Outbox, level: int) -> None:
    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(outbox)]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def _watch_desktop(inbox: IO[bytes], cancel: threading.Event) -> None:
    """Cancel when asked, or when the desktop's end of stdin closes (it quit or died)."""
    while (message := read_message(inbox)) is not None:
        if message == CANCEL:
            cancel.set()
    cancel.set()


def _portable(exc: PxdeskError) -> PxdeskError:
    """The error itself when it survives the pipe, else one with the same line."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return PxdeskError(str(exc))
    return exc


def serve(inbox: IO[bytes], out: IO[bytes]) -> int:
    outbox = _Outbox(out)
    request = read_message(inbox)
    if not isinstance(request, ChildRequest):
        return 2
    _forward_logging(outbox, request.log_level)
    cancel = threading.Event()
    threading.Thread(target=_watch_desktop, args=(inbox, cancel), daemon=True,
                     name="desktop-watch").start()
    try:
        result = _run(request, outbox, cancel)
    except PxdeskError as exc:  # one line that already says what to do
        outbox.send("refused", _portable(exc))
    except Exception as exc:  # the desktop shows the line; the traceback went to its log
        _log.exception("Run of %s crashed in the sync process", request.name)
        outbox.send("crash", f"{type(exc).__name__}: {exc}")
    else:
        outbox.send("done", result)
    finally:
        close_database()
    return 0


def _run(request: ChildRequest, outbox: _Outbox, cancel: threading.Event) -> RunResult:
    paths = request.paths
    db = open_store(request.store, backup_dir=paths.backup_dir)
    leases = JobLeases(pid=request.lease_pid, tag=request.lease_tag)
    engine = SyncEngine(SecretStore(paths.secrets_path), user=request.user,
                        runs_dir=paths.runs_dir, page_size=request.page_size, leases=leases)

    def on_start(start: RunStart) -> None:
        outbox.send("start", start)

    def on_progress(progress: RunProgress) -> None:
        outbox.send("progress", progress)

    def on_end(result: RunResult) -> None:
        outbox.send("end", result)

    with db.connection_context():
        if request.chain:
            return engine.run_chain(request.name, trigger=request.trigger, progress=on_progress,
                                    cancel=cancel.is_set, on_start=on_start, on_end=on_end,
                                    note=request.note)
        return engine.run_job(request.name, trigger=request.trigger,
                              date_range=request.date_range, progress=on_progress,
                              cancel=cancel.is_set, on_start=on_start, on_end=on_end,
                              note=request.note, reconcile=request.reconcile)
