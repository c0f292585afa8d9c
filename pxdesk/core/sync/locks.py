"""One run per job at a time: an in-process registry plus a lock file per job for other processes.

The lock file is held (flock / msvcrt) for the whole run and released by the OS if the process
dies, so an "In Progress" row whose lock is free was left by a dead process.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import IO

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def _lock_name(job_name: str) -> str:
    """A file name stable across processes (hash() is salted per process, sha1 is not)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in job_name)[:60]
    return f"{safe}-{hashlib.sha1(job_name.encode()).hexdigest()[:10]}.lock"


class JobLocks:
    """Acquire/release the run lock of a job name."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._mutex = threading.Lock()
        self._held: dict[str, IO[bytes]] = {}

    def _path(self, job_name: str) -> Path:
        return self._folder / _lock_name(job_name)

    def acquire(self, job_name: str) -> bool:
        with self._mutex:
            if job_name in self._held:
                return False
            self._folder.mkdir(parents=True, exist_ok=True)
            handle = self._path(job_name).open("a+b")
            if not _try_lock(handle):
                handle.close()
                return False
            self._held[job_name] = handle
            return True

    def release(self, job_name: str) -> None:
        with self._mutex:
            handle = self._held.pop(job_name, None)
        if handle is not None:
            _unlock(handle)
            handle.close()

    def is_running(self, job_name: str) -> bool:
        """True when this or another process holds the job's lock."""
        with self._mutex:
            if job_name in self._held:
                return True
        path = self._path(job_name)
        if not path.exists():
            return False
        with path.open("a+b") as handle:
            if _try_lock(handle):
                _unlock(handle)
                return False
            return True


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        else:  # pragma: no cover - Windows
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    except OSError:
        pass


__all__ = ["JobLocks"]
