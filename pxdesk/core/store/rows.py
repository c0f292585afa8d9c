"""A select's rows as tuples or dicts, typed as such for the type checker.

types-peewee types `.tuples()` and `.dicts()` as returning the query itself, so their rows
would read as model instances; these two say what peewee really yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from peewee import SelectBase


def tuple_rows(query: SelectBase) -> Iterator[tuple[Any, ...]]:
    """The rows of `query` as tuples, in its selected column order."""
    return cast("Iterator[tuple[Any, ...]]", iter(query.tuples()))


def dict_rows(query: SelectBase) -> Iterator[dict[str, Any]]:
    """The rows of `query` as dicts keyed by column name (or alias)."""
    return cast("Iterator[dict[str, Any]]", iter(query.dicts()))


def first_dict(query: SelectBase) -> dict[str, Any] | None:
    """The first row of `query` as a dict, or None when it has none."""
    return cast("dict[str, Any] | None", query.dicts().first())
