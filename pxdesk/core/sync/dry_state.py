"""What a dry run would have written, bounded in memory: the newest entries in a dict, the
older ones in a private temporary SQLite file (never the store).

The recording target remembers every row it would have written (its values, and the keys of
the rows it would have inserted) so later pages decide as after a real write. At a million
users that is gigabytes of Python objects; here only the `hot` most recently written entries
of each map stay in memory and a page asks for the rest in one batched query. The file goes
with `close()` or when the state is dropped.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Generic, TypeVar

HOT_ENTRIES = 50_000  # per map: the entries of the last pages, where re-reads usually land
_CHUNK = 900

K = TypeVar("K")
V = TypeVar("V")


def _canonical(key: Any) -> str | bytes:
    """A value equal for equal keys: a GSID as itself, a key of texts (an email, a Person and
    Company GSID pair) as its repr, anything else pickled, an integral float as an int (2.0
    and 2 are one key in a dict and in SQLite)."""
    if type(key) is str:
        return key
    if type(key) is tuple:
        if all(type(v) is str for v in key):
            return repr(key)
        key = tuple(int(v) if isinstance(v, float) and v.is_integer() else v for v in key)
    return pickle.dumps(key, pickle.HIGHEST_PROTOCOL)


def _remove(conn: sqlite3.Connection, path: Path) -> None:
    conn.close()
    path.unlink(missing_ok=True)


class SpillFile:
    """The temporary SQLite file of one dry run's state, opened at the first spill."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._conn: sqlite3.Connection | None = None
        self.path: Path | None = None
        self._finalizer: weakref.finalize[Any, SpillFile] | None = None
        self._tables = 0

    def connection(self) -> sqlite3.Connection:
        if self._conn is None:
            handle, name = tempfile.mkstemp(prefix="pxdesk-dry-state-", suffix=".sqlite",
                                            dir=self._directory)
            os.close(handle)
            self.path = Path(name)
            self._conn = sqlite3.connect(name, isolation_level=None)
            self._finalizer = weakref.finalize(self, _remove, self._conn, self.path)
            self._conn.execute("PRAGMA journal_mode=OFF")
            self._conn.execute("PRAGMA synchronous=OFF")
        return self._conn

    def new_table(self) -> str:
        self._tables += 1
        return f"m{self._tables}"

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._conn = None


class SpillMap(Generic[K, V]):
    """A map whose newest `hot` entries are in memory and the rest in `file`."""

    def __init__(self, file: SpillFile, hot: int = HOT_ENTRIES) -> None:
        self._file, self._hot_limit = file, max(1, hot)
        self._hot: dict[K, V] = {}
        self._table: str | None = None  # created at the first spill

    def __setitem__(self, key: K, value: V) -> None:
        self._hot.pop(key, None)  # the newest write goes last: evicted last
        self._hot[key] = value
        if len(self._hot) > self._hot_limit:
            self._spill()

    def update(self, items: dict[K, V]) -> None:
        for key, value in items.items():
            self[key] = value

    def pop(self, key: K) -> None:
        self._hot.pop(key, None)
        if self._table is not None:
            self._file.connection().execute(f"DELETE FROM {self._table} WHERE k = ?",
                                            (_canonical(key),))

    def get_many(self, keys: Iterable[K]) -> dict[K, V]:
        """The entries of `keys` that are in the map: memory first, then one query a chunk."""
        hot, found, cold = self._hot, {}, []
        for key in keys:
            if key in hot:
                found[key] = hot[key]
            elif self._table is not None:
                cold.append(key)
        if cold:
            conn = self._file.connection()
            wanted = {_canonical(key): key for key in cold}
            blobs = list(wanted)
            for i in range(0, len(blobs), _CHUNK):
                chunk = blobs[i:i + _CHUNK]
                sql = f"SELECT k, v FROM {self._table} WHERE k IN ({', '.join('?' * len(chunk))})"
                for blob, value in conn.execute(sql, chunk):
                    found[wanted[blob]] = pickle.loads(value)
        return found

    def get(self, key: K) -> V | None:
        return self.get_many((key,)).get(key)

    def __iter__(self) -> Iterator[K]:
        """Every key (memory, then the file)."""
        yield from list(self._hot)
        if self._table is not None:
            for k, key in self._file.connection().execute(f"SELECT k, key FROM {self._table}"):
                decoded = k if key is None else pickle.loads(key)
                if decoded not in self._hot:
                    yield decoded

    def _spill(self) -> None:
        """The older half of the memory part goes to the file."""
        conn = self._file.connection()
        if self._table is None:
            self._table = self._file.new_table()
            # k: the canonical key; key: the key pickled, unless it is k itself (a GSID)
            conn.execute(f"CREATE TABLE {self._table} (k PRIMARY KEY, key BLOB, "
                         "v BLOB NOT NULL) WITHOUT ROWID")
        old = list(islice(self._hot, len(self._hot) // 2))  # oldest first
        dumps, hot, top = pickle.dumps, self._hot, pickle.HIGHEST_PROTOCOL
        rows = [(_canonical(key), None if type(key) is str else dumps(key, top),
                 dumps(hot.pop(key), top)) for key in old]
        conn.execute("BEGIN")
        conn.executemany(f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
