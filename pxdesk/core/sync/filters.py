"""Sync Filters (job stage 4): the condition model, validation, local matching and PX pushdown.

Semantics, decided:
- **Null rule**: None, "", an empty list and an absent field are null (for DATE_TIME also 0,
  PX's "never"). A null field matches only ``is_null``; ``not_equals`` / ``not_contains`` and
  every other operator never match it. A value of the wrong kind ("abc" in a NUMBER field) is not
  null: it fails every operator except the negative ones (it is indeed not equal to 5).
- Text compares case-insensitively with ``str.lower`` (as PX filter values do); a list value
  (such as propertyKeys) matches when any element does, and a negative operator when none does.
- DATE_TIME values are epoch ms in records. Condition values may be epoch ms, an ISO date-time
  (an exact instant) or an ISO date, which stands for that whole UTC day: ``equals 2024-03-05``
  is any time that day, ``greater_than 2024-03-05`` starts the next day, ``between`` is
  inclusive of both days.
- **Pushdown** only ever narrows to a superset; the engine still evaluates the whole filter.
  Never pushed (PX null handling is unverified): not_equals, not_contains, is_null, is_not_null,
  NOT sub-expressions; nor values that are not plain printable ASCII or that contain any of
  ``; * ? , = < > ! ~ \\`` (they would clash with PX's filter syntax or case folding), nor fields
  known to hold lists. A part that cannot be pushed is simply left out of an AND; an OR with
  such a part, or one needing more than ``max_params`` parameters, is not pushed at all.
  Pushdown assumes PX stores each attribute as its declared type (numbers in NUMBER fields,
  epoch ms in DATE_TIME fields): "10" as text in a NUMBER field could compare as text there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pxdesk.core.errors import ConfigError
from pxdesk.core.sync import expression as ex
from pxdesk.core.sync.filter_conditions import (
    Predicate,
    compile_condition,
    parse_condition_value,
    push_alternatives,
)
from pxdesk.core.sync.mapping import show_value

OPERATORS: dict[str, str] = {
    "equals": "equals",
    "not_equals": "not equals",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "greater_than": "greater than",
    "greater_or_equal": "greater than or equal to",
    "less_than": "less than",
    "less_or_equal": "less than or equal to",
    "between": "between",
    "is_null": "is null",
    "is_not_null": "is not null",
    "in_list": "in list",
}
PX_FIELD_TYPES = ("STRING", "NUMBER", "BOOLEAN", "DATE_TIME")
_ORDERED = ("greater_than", "greater_or_equal", "less_than", "less_or_equal", "between")
_NULLS = ("is_null", "is_not_null")
_BY_TYPE: dict[str, tuple[str, ...]] = {
    "STRING": ("equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with",
               "in_list", *_NULLS),
    "NUMBER": ("equals", "not_equals", *_ORDERED, "in_list", *_NULLS),
    "BOOLEAN": ("equals", "not_equals", *_NULLS),
    "DATE_TIME": ("equals", "not_equals", *_ORDERED, *_NULLS),
}
MAX_PUSHDOWN_PARAMS = 10
_ALIAS_RE = re.compile(r"[A-Z]{1,3}")


def operators_for(field_type: str) -> list[str]:
    """Operator ids offered for a PX attribute type (STRING, NUMBER, BOOLEAN, DATE_TIME)."""
    return list(_BY_TYPE.get(field_type.upper(), ()))


def alias_for(index: int) -> str:
    """The alias of the index-th condition: A..Z, then AA, AB, ... (like spreadsheet columns)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


@dataclass(frozen=True)
class FilterCondition:
    """One ``field operator value`` row; value is a tuple for between (lo, hi) and in_list."""

    alias: str
    field: str
    field_type: str
    operator: str
    value: Any = None
    locked: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.value, list):  # keep the dataclass hashable
            object.__setattr__(self, "value", tuple(self.value))

    def to_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"alias": self.alias, "field": self.field, "field_type": self.field_type,
                "operator": self.operator, "value": value, "locked": self.locked}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FilterCondition:
        missing = [key for key in ("alias", "field", "field_type", "operator") if key not in data]
        if missing:
            raise ValueError(f"Filter condition is missing {', '.join(missing)}")
        return cls(str(data["alias"]), str(data["field"]), str(data["field_type"]),
                   str(data["operator"]), data.get("value"), bool(data.get("locked", False)))

    def describe(self) -> str:
        """Readable form for messages and the audit log, e.g. ``email is not null``."""
        label = OPERATORS.get(self.operator, self.operator)
        if self.operator in _NULLS:
            return f"{self.field} {label}"
        if self.operator == "between" and isinstance(self.value, tuple) and len(self.value) == 2:
            return f"{self.field} between {show_value(self.value[0])} and " \
                   f"{show_value(self.value[1])}"
        if self.operator == "in_list" and isinstance(self.value, tuple):
            return f"{self.field} in list ({', '.join(show_value(v) for v in self.value)})"
        return f"{self.field} {label} {show_value(self.value)}"


@dataclass(frozen=True)
class FilterSpec:
    """The conditions and how they combine; an empty expression means all ANDed."""

    conditions: tuple[FilterCondition, ...] = ()
    expression: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "conditions", tuple(self.conditions))

    @property
    def aliases(self) -> list[str]:
        return [condition.alias for condition in self.conditions]

    def effective_expression(self) -> str:
        return self.expression.strip() or ex.all_and(self.aliases)

    def to_dict(self) -> dict[str, Any]:
        return {"conditions": [c.to_dict() for c in self.conditions],
                "expression": self.expression}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FilterSpec:
        rows = data.get("conditions") or []
        return cls(tuple(FilterCondition.from_dict(row) for row in rows),
                   str(data.get("expression") or ""))


@dataclass(frozen=True)
class FilterIssue:
    """What is wrong and where: field is "B.value", "B.operator", "expression", ..."""

    field: str
    message: str


class FilterError(ConfigError):
    """compile_filter was given an invalid spec; ``issues`` lists every problem."""

    def __init__(self, issues: list[FilterIssue]) -> None:
        super().__init__("; ".join(issue.message for issue in issues), field=issues[0].field)
        self.issues = issues


def default_email_filter() -> FilterCondition:
    """The non-removable ``email is not null`` filter of Company Person Sync."""
    return FilterCondition("A", "email", "STRING", "is_not_null", locked=True)


def _condition_issue(condition: FilterCondition) -> FilterIssue | None:
    alias = condition.alias
    if not _ALIAS_RE.fullmatch(alias) or alias in ex.KEYWORDS:
        return FilterIssue(f"{alias}.alias", f"Condition name '{alias}' must be 1-3 capital "
                                             "letters (A, B, ... AA) and not AND, OR or NOT")
    if not condition.field.strip():
        return FilterIssue(f"{alias}.field", f"Condition {alias} needs a field")
    if condition.field_type not in _BY_TYPE:
        return FilterIssue(f"{alias}.field_type", f"Condition {alias} has unknown field type "
                           f"'{condition.field_type}' (expected {', '.join(PX_FIELD_TYPES)})")
    if condition.operator not in OPERATORS:
        return FilterIssue(f"{alias}.operator",
                           f"Condition {alias} has unknown operator '{condition.operator}'")
    allowed = _BY_TYPE[condition.field_type]
    if condition.operator not in allowed:
        labels = ", ".join(OPERATORS[op] for op in allowed)
        return FilterIssue(f"{alias}.operator", f"Condition {alias}: "
                           f"'{OPERATORS[condition.operator]}' does not apply to a "
                           f"{condition.field_type} field; use one of: {labels}")
    try:
        parse_condition_value(condition.field_type, condition.operator, condition.value)
    except ValueError as error:
        return FilterIssue(f"{alias}.value", f"Condition {alias}: {error}")
    return None


def _expression_issues(spec: FilterSpec) -> list[FilterIssue]:
    aliases = set(spec.aliases)
    if not spec.expression.strip():
        return []
    try:
        parsed = ex.parse_expression(spec.expression, aliases)
    except ex.ExpressionError as error:
        return [FilterIssue("expression", f"Expression: {error}")]
    used = ex.aliases_in(parsed)
    issues = [FilterIssue("expression", f"Condition {alias} is not used in the expression; "
                          "add it to the expression or delete the condition")
              for alias in spec.aliases if alias not in used]
    for condition in spec.conditions:
        if condition.locked and condition.alias in used and not ex.implies(parsed,
                                                                           condition.alias):
            issues.append(FilterIssue("expression", (
                f"Condition {condition.alias} ({condition.describe()}) is required and must "
                f"apply to every record; write the expression as "
                f"'{condition.alias} AND (...)'")))
    return issues


def validate(
    spec: FilterSpec, required: Iterable[FilterCondition] = ()
) -> list[FilterIssue]:
    """Every problem with ``spec``, each with a message saying what to fix; [] when valid.

    ``required`` lists locked conditions the job insists on (Company Person Sync passes
    ``[default_email_filter()]``); each must still be present, locked, with the same field,
    operator and value, whatever its alias.
    """
    issues: list[FilterIssue] = []
    seen: set[str] = set()
    for condition in spec.conditions:
        if condition.alias in seen:
            issues.append(FilterIssue(f"{condition.alias}.alias", f"Two conditions are named "
                                      f"{condition.alias}; give each its own letter"))
        seen.add(condition.alias)
        issue = _condition_issue(condition)
        if issue:
            issues.append(issue)
    for wanted in required:
        if not any(c.locked and (c.field, c.operator, c.value) ==
                   (wanted.field, wanted.operator, wanted.value) for c in spec.conditions):
            issues.append(FilterIssue("conditions", f"The required condition "
                                      f"'{wanted.describe()}' cannot be removed or changed"))
    return issues + _expression_issues(spec)


class CompiledFilter:
    """A validated spec turned into closures; ``matches`` is safe to call millions of times."""

    __slots__ = ("_leaves", "_predicate", "spec")

    def __init__(self, spec: FilterSpec, predicate: Predicate,
                 leaves: Mapping[str, Predicate] | None = None) -> None:
        self.spec = spec
        self._predicate = predicate
        self._leaves = dict(leaves or {})

    def matches(self, record: Mapping[str, Any]) -> bool:
        return self._predicate(record)

    def failed_conditions(self, record: Mapping[str, Any]) -> list[str]:
        """Aliases of the conditions `record` does not meet (for a record the filter removed:
        with the default all-AND expression, exactly the conditions that removed it)."""
        return [alias for alias, leaf in self._leaves.items() if not leaf(record)]


def _match_all(record: Mapping[str, Any]) -> bool:
    return True


def compile_filter(spec: FilterSpec) -> CompiledFilter:
    """Validate and compile ``spec``; raises FilterError listing every issue."""
    issues = validate(spec)
    if issues:
        raise FilterError(issues)
    if not spec.conditions:
        return CompiledFilter(spec, _match_all)
    leaves = {c.alias: compile_condition(c.field, c.field_type, c.operator, c.value)
              for c in spec.conditions}
    tree = ex.parse_expression(spec.effective_expression(), set(leaves))
    return CompiledFilter(spec, ex.compile_expr(tree, leaves), leaves)


def pushdown(spec: FilterSpec, max_params: int = MAX_PUSHDOWN_PARAMS) -> list[str]:
    """PX ``filter=`` values (ORed; terms in each ANDed by ``;``) selecting a superset of the
    records ``spec`` matches; [] means "no restriction" (also for an invalid or empty spec)."""
    if not spec.conditions or validate(spec):
        return []
    by_alias = {c.alias: c for c in spec.conditions}

    def leaf(alias: str) -> list[ex.Conjunct] | None:
        c = by_alias[alias]
        return push_alternatives(c.field, c.field_type, c.operator, c.value)

    tree = ex.parse_expression(spec.effective_expression(), set(by_alias))
    dnf = ex.superset_dnf(tree, leaf, max_params)
    return [] if dnf is None else [";".join(conjunct) for conjunct in dnf]


def combine_pushdown(a: list[str], b: list[str]) -> list[str]:
    """AND two pushdown lists (each an OR of params); [] on either side means no restriction.

    The result has len(a) * len(b) params: the engine adds a one-param window, so no growth.
    """
    if not a:
        return list(b)
    if not b:
        return list(a)
    return list(dict.fromkeys(f"{x};{y}" for x in a for y in b))

