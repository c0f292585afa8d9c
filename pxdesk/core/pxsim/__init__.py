"""Embedded Gainsight PX REST API simulator for tests, benchmarks, the CLI and demo mode.

It serves ``/v1/accounts``, ``/v1/users`` (scroll paging, filter, sort), single records and
attribute metadata on 127.0.0.1, from data generated deterministically per seed. Decisions
where px-api.md marks behaviour as unverified are documented in the modules that take them:
filters.py (null/absent fields, comparisons, sort order), scrolls.py (point-in-time scrolls,
scrollId kept after the last page, expiry), api.py (error bodies, pageSize rules) and
faults.py (what each injected fault does).

Run one from a shell with ``python -m pxdesk.core.pxsim [--users N] [--port P] ...``.
"""

from __future__ import annotations

from pxdesk.core.pxsim.api import MAX_PAGE_SIZE
from pxdesk.core.pxsim.faults import Fault
from pxdesk.core.pxsim.scrolls import SCROLL_MODES
from pxdesk.core.pxsim.server import SimRequest
from pxdesk.core.pxsim.simulator import (
    DEFAULT_ACCOUNTS,
    DEFAULT_API_KEY,
    DEFAULT_SEED,
    DEFAULT_USERS,
    PxSimulator,
    serve,
)

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_API_KEY",
    "DEFAULT_SEED",
    "DEFAULT_USERS",
    "MAX_PAGE_SIZE",
    "SCROLL_MODES",
    "Fault",
    "PxSimulator",
    "SimRequest",
    "serve",
]
