"""The pipe between a desktop and its sync child: one request in, framed messages out.

Each message is a pickled value behind a 4-byte length. Both ends are this package's own code
(the child is started from this interpreter), so pickle carries the run's frozen dataclasses
as they are. The request travels on the child's stdin, never in its arguments or environment:
a store URL may hold a password.
"""

from __future__ import annotations

import pickle
import struct
from dataclasses import dataclass
from typing import IO, Any

from pxdesk.core.paths import AppPaths
from pxdesk.core.store.store_url import StoreUrl

_HEADER = struct.Struct(">I")
CANCEL = "cancel"  # parent -> child: stop at the next page


@dataclass(frozen=True)
class ChildRequest:
    """What one child runs: a job (or a job chain) with the options of run_job/run_chain, on
    the desktop's store, folders and user. Its leases carry the desktop's pid (the process the
    admin knows) and a tag that lets the desktop free them if the child dies."""

    paths: AppPaths
    store: StoreUrl
    user: str
    name: str
    chain: bool
    trigger: str
    date_range: tuple[int, int] | None
    note: str | None
    reconcile: bool
    page_size: int
    lease_pid: int
    lease_tag: str
    log_level: int


def write_message(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream: IO[bytes]) -> Any | None:
    """The next message, or None at the end of the stream (the other side is gone)."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    data = _read_exactly(stream, _HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
