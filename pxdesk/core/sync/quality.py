"""Run quality report: failures grouped by kind and field (not by their full message), each
derived mapping's no-match and multi-match counts, the records each filter condition removed,
and records received against PX's totalHits. Kept small as JSON on the run row.

A failure's *kind* is its reason with the record's own values masked ('acme' -> '…', 42 ->
N, a GSID -> GSID), so 2,140 "no company matches … ('acct-17')" lines are one kind, not 170.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pxdesk.core.logs.run_files import safe_text
from pxdesk.core.px.paging import Listing
from pxdesk.core.sync.plan import JobPlan
from pxdesk.core.sync.writer import Failure

MAX_GROUPS = 20  # failure kinds kept; the rest are counted together
MAX_EXAMPLE = 200
_GSID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")
_RECORD_ID = re.compile(r"\b(PX record) \S+")
_PARENS = re.compile(r"\((?:…|N|GSID|empty)(?:, (?:…|N|GSID|empty))*\)")


def failure_kind(reason: str) -> str:
    """The reason with the record's values masked: what failures of one kind share."""
    text = _GSID.sub("GSID", reason)
    text = _QUOTED.sub("…", text)
    text = _RECORD_ID.sub(r"\1 …", text)
    text = _NUMBER.sub("N", text)
    return _PARENS.sub("(…)", text)


@dataclass(frozen=True)
class FailureGroup:
    kind: str
    field: str | None
    count: int
    example: str  # one full reason of the group, as the error file has it


@dataclass(frozen=True)
class LookupCount:
    target_field: str
    lookup: str
    no_match: int
    multi_match: int


@dataclass(frozen=True)
class FilterCount:
    alias: str
    condition: str
    removed: int


@dataclass(frozen=True)
class QualityReport:
    """What a run's records say about the data and the job's configuration."""

    received: int | None = None  # distinct records the listing brought
    total_hits: int | None = None  # what PX announced
    failures: tuple[FailureGroup, ...] = ()
    other_failures: int = 0  # failures beyond the MAX_GROUPS largest kinds
    lookups: tuple[LookupCount, ...] = ()
    filters: tuple[FilterCount, ...] = ()
    outside_window: int = 0  # records left out because they are outside the run's window

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> QualityReport | None:
        """The report kept on a run row; None when the row has none (or it is unreadable)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(data.get("received"), data.get("total_hits"),
                       tuple(FailureGroup(**g) for g in data.get("failures", ())),
                       int(data.get("other_failures", 0)),
                       tuple(LookupCount(**g) for g in data.get("lookups", ())),
                       tuple(FilterCount(**g) for g in data.get("filters", ())),
                       int(data.get("outside_window", 0)))
        except (ValueError, TypeError, AttributeError):
            return None

    def lines(self) -> list[str]:
        """The report as short lines of text (run details, the run email, the CLI)."""
        out: list[str] = []
        if self.total_hits is not None or self.received is not None:
            out.append(f"Records received {_n(self.received)} of {_n(self.total_hits)} "
                       "announced by PX (totalHits)")
        for g in self.failures:
            where = f" [{g.field}]" if g.field else ""
            out.append(f"{g.count:,} failed{where}: {g.kind}")
        if self.other_failures:
            out.append(f"{self.other_failures:,} failed of other kinds")
        for lk in self.lookups:
            out.append(f"Derived {lk.target_field} ({lk.lookup}): {lk.no_match:,} no match, "
                       f"{lk.multi_match:,} several matches")
        for f in self.filters:
            out.append(f"Filter {f.alias} ({f.condition}) removed {f.removed:,}")
        if self.outside_window:
            out.append(f"{self.outside_window:,} left out as outside the run's window")
        return out


def _n(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


class QualityTally:
    """Counts failures by (kind, field) as pages go through, keeping one example of each."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str | None], list[Any]] = {}

    def add(self, failures: Iterable[Failure]) -> None:
        groups = self._groups
        for failure in failures:
            reason = failure.reason or "failed"
            key = (failure_kind(reason), failure.field)
            group = groups.get(key)
            if group is None:
                groups[key] = [1, safe_text(reason)[:MAX_EXAMPLE]]
            else:
                group[0] += 1

    def report(self, plan: JobPlan, listing: Listing | None, *,
               removed_by: Mapping[str, int], outside_window: int) -> QualityReport:
        """The report of a run of `plan`: its failures so far, its lookups' and filter's
        counts (`removed_by` alias -> records, from the page processor) and its listing."""
        ranked = sorted(self._groups.items(), key=lambda item: (-item[1][0], item[0][0]))
        kept = [FailureGroup(kind, field, count, example)
                for (kind, field), (count, example) in ranked[:MAX_GROUPS]]
        other = sum(count for _key, (count, _example) in ranked[MAX_GROUPS:])
        lookups = tuple(LookupCount(lk.target_field, lk.label, lk.no_match, lk.multi_match)
                        for lk, _slot in plan.lookups)
        described = {c.alias: c.describe() for c in plan.filter.spec.conditions}
        filters = tuple(FilterCount(alias, described.get(alias, alias), count)
                        for alias, count in sorted(removed_by.items()))
        return QualityReport(listing.received if listing is not None else None,
                             listing.total_hits if listing is not None else None,
                             tuple(kept), other, lookups, filters, outside_window)
