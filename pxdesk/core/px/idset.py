"""IdSet: the record ids a listing has given out, in 8 bytes each, to de-duplicate pages.

A listing of a million users must remember every id it handed out (a restart or a server that
repeats records would otherwise count and write them twice). A Python set of the id strings
would cost about 100 MB; this open-addressing table of their 64-bit hashes costs 8-16 MB.
Two different ids share a 64-bit hash with a probability near 1e-8 at a million ids: then the
second one is taken for a duplicate, and the listing reports one record fewer than PX
announced, which the run shows as a shortfall rather than hiding.
"""

from __future__ import annotations

from array import array

_EMPTY = 0
_START_SLOTS = 1 << 12


class IdSet:
    """A growing set of hashable ids; `add` tells whether an id is new."""

    __slots__ = ("_count", "_mask", "_table")

    def __init__(self) -> None:
        self._table = array("q", bytes(8 * _START_SLOTS))
        self._mask = _START_SLOTS - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, key: object) -> bool:
        """Remember `key`; True when it was not seen before."""
        h = hash(key) or 1  # 0 marks an empty slot
        table, mask = self._table, self._mask
        i = h & mask
        while True:
            slot = table[i]
            if slot == _EMPTY:
                table[i] = h
                self._count += 1
                if self._count * 2 > mask:
                    self._grow()
                return True
            if slot == h:
                return False
            i = (i + 1) & mask

    def __contains__(self, key: object) -> bool:
        h = hash(key) or 1
        table, mask = self._table, self._mask
        i = h & mask
        while True:
            slot = table[i]
            if slot == _EMPTY:
                return False
            if slot == h:
                return True
            i = (i + 1) & mask

    def _grow(self) -> None:
        old = self._table
        size = len(old) * 2
        table = array("q", bytes(8 * size))
        mask = size - 1
        for h in old:
            if h != _EMPTY:
                i = h & mask
                while table[i] != _EMPTY:
                    i = (i + 1) & mask
                table[i] = h
        self._table, self._mask = table, mask
