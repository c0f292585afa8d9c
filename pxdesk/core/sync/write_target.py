"""Where the rows a page decided go: the store (a run), or a recorder (a dry run).

The page processor decides every insert, update and failure the same way for both; only the
target differs. A dry run's target queues nothing into SQLite and instead remembers, across
pages, the rows it would have written, so later pages decide as they would after a real write.
"""

from __future__ import annotations

from collections.abc import Sequence

from peewee import Database

from pxdesk.core.sync.lookups import DerivedLookup, Key, Match
from pxdesk.core.sync.writer import KeyedUpsert, Shape, TableWriter


class WriteTarget:
    """The store: TableWriter executes its statements; nothing to remember between pages."""

    lineage = True  # the run keeps each record's lineage (a dry run has no use for it)

    def writer(self, db: Database, shape: Shape, actor: str) -> TableWriter:
        return TableWriter(db, shape, actor)

    def loaded(self, obj: str, upsert: KeyedUpsert, keys: set[Key]) -> None:
        """After `upsert` read the matches of `keys` from the store (a dry run adds the rows
        it would have written on earlier pages)."""

    def found(self, lookup: DerivedLookup, keys: set[Key],
              found: dict[Key, list[Match]]) -> dict[Key, list[Match]]:
        """A derived lookup's matches of `keys` as the store answered them (a dry run answers
        from the rows it would have written on earlier pages too)."""
        return found

    def written(self, upserts: Sequence[tuple[str, KeyedUpsert]]) -> None:
        """After a write attempt's statements went through (a dry run keeps its new keys)."""
