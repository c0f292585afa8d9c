"""Fewer garbage-collector passes while sync runs stream pages (process-wide, counted)."""

from __future__ import annotations

import gc
import threading
from types import TracebackType

# A run allocates and frees ~10,000 container objects per page (parsed JSON, rows). At the
# default gen-0 threshold (700) the collector runs dozens of times a page, keeps promoting the
# queued pages and its full passes took ~10 % of a run, although those pages die by reference
# counting. The gen-0 count is allocations minus deallocations, so with this threshold a run in
# steady state rarely triggers a pass while real growth (a leak of cycles) still does.
RUN_GEN0_THRESHOLD = 50_000


class RelaxedGc:
    """`with RelaxedGc():` raises the gen-0 threshold until the last active run leaves.

    GC thresholds belong to the interpreter, so the count of runs inside is class-level
    (several runs may overlap on worker threads); the first one in saves the thresholds and
    the last one out restores them.
    """

    _lock = threading.Lock()
    _active = 0
    _saved: tuple[int, int, int] | None = None

    def __enter__(self) -> RelaxedGc:
        cls = type(self)
        with cls._lock:
            if cls._active == 0:
                cls._saved = gc.get_threshold()
                gen0, gen1, gen2 = cls._saved
                gc.set_threshold(max(gen0, RUN_GEN0_THRESHOLD), gen1, gen2)
            cls._active += 1
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        cls = type(self)
        with cls._lock:
            cls._active -= 1
            if cls._active == 0 and cls._saved is not None:
                gc.set_threshold(*cls._saved)
                cls._saved = None
