"""Sync Filters: every operator per type, the null rule, validation messages, pushdown."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from pxdesk.core.errors import ConfigError
from pxdesk.core.sync.filters import (
    OPERATORS,
    FilterCondition,
    FilterError,
    FilterIssue,
    FilterSpec,
    alias_for,
    combine_pushdown,
    compile_filter,
    default_email_filter,
    operators_for,
    pushdown,
    validate,
)
from pxdesk.core.sync.records import get_path

DAY = 86_400_000
D0 = 1_709_596_800_000  # 2024-03-05T00:00:00Z
D1 = D0 + DAY
ABSENT = object()


def _cond(alias: str, field_type: str, op: str, value: Any = None, field: str = "f",
          locked: bool = False) -> FilterCondition:
    return FilterCondition(alias, field, field_type, op, value, locked)


def _matches(field_type: str, op: str, value: Any, actual: Any) -> bool:
    record = {} if actual is ABSENT else {"f": actual}
    return compile_filter(FilterSpec((_cond("A", field_type, op, value),))).matches(record)


OPERATOR_CASES = [
    # STRING: case-insensitive; lists match when any element does
    *[("STRING", "equals", "Gold", v, e) for v, e in [
        ("gold", True), ("GOLD", True), ("golden", False), (None, False), ("", False),
        (ABSENT, False), (["silver", "Gold"], True), (["silver"], False), ([], False)]],
    ("STRING", "equals", "5", 5, True),
    ("STRING", "equals", "true", True, True),
    ("STRING", "equals", 5, "5", True),
    *[("STRING", "not_equals", "gold", v, e) for v, e in [
        ("silver", True), ("Gold", False), (None, False), ("", False), (ABSENT, False),
        (["silver"], True), (["gold", "x"], False), ([], False), ([None, ""], False)]],
    *[("STRING", "contains", "oL", v, e) for v, e in [
        ("GOLD", True), ("silver", False), (None, False), ("", False)]],
    *[("STRING", "not_contains", "ol", v, e) for v, e in [
        ("silver", True), ("gOld", False), (None, False), ("", False), (ABSENT, False)]],
    *[("STRING", "starts_with", "Go", v, e) for v, e in [
        ("gold", True), ("ago", False), (None, False)]],
    *[("STRING", "ends_with", "LD", v, e) for v, e in [
        ("gold", True), ("golden", False), (None, False)]],
    *[("STRING", "in_list", ["gold", "Silver"], v, e) for v, e in [
        ("SILVER", True), ("gold", True), ("bronze", False), (None, False), ("", False)]],
    *[("STRING", "is_null", None, v, e) for v, e in [
        (None, True), ("", True), (ABSENT, True), ([], True), ("x", False), ("  ", False),
        (0, False), (False, False)]],
    *[("STRING", "is_not_null", None, v, e) for v, e in [
        ("x", True), (None, False), ("", False), (ABSENT, False), ([], False), (0, True)]],
    # NUMBER: numeric comparison; numeric text counts; booleans and junk never compare
    *[("NUMBER", "equals", 5, v, e) for v, e in [
        (5, True), (5.0, True), ("5", True), (6, False), (None, False), (True, False),
        ("abc", False), ("", False)]],
    ("NUMBER", "equals", "5", 5, True),
    ("NUMBER", "equals", 2.5, 2.5, True),
    *[("NUMBER", "not_equals", 5, v, e) for v, e in [
        (6, True), (5, False), (None, False), ("", False), (ABSENT, False), ("abc", True)]],
    *[("NUMBER", "greater_than", 5, v, e) for v, e in [
        (6, True), (5.01, True), (5, False), (None, False), ("abc", False)]],
    *[("NUMBER", "greater_or_equal", 5, v, e) for v, e in [(5, True), (4.9, False)]],
    *[("NUMBER", "less_than", 5, v, e) for v, e in [
        (4, True), (-100, True), (5, False), (None, False), (0, True)]],
    *[("NUMBER", "less_or_equal", 5, v, e) for v, e in [(5, True), (6, False)]],
    *[("NUMBER", "between", [1, 10], v, e) for v, e in [
        (1, True), (10, True), (5.5, True), (0, False), (11, False), (None, False),
        ("abc", False)]],
    *[("NUMBER", "in_list", [1, 2.5], v, e) for v, e in [
        (2.5, True), (1.0, True), ("1", True), (3, False), (None, False)]],
    *[("NUMBER", "is_null", None, v, e) for v, e in [
        (None, True), ("", True), (ABSENT, True), (0, False), ("abc", False)]],
    *[("NUMBER", "is_not_null", None, v, e) for v, e in [(0, True), (None, False)]],
    # BOOLEAN
    *[("BOOLEAN", "equals", True, v, e) for v, e in [
        (True, True), ("true", True), (1, True), (False, False), (None, False),
        (ABSENT, False)]],
    *[("BOOLEAN", "equals", "false", v, e) for v, e in [
        (False, True), ("no", True), (0, True), (True, False), (None, False)]],
    *[("BOOLEAN", "not_equals", True, v, e) for v, e in [
        (False, True), (True, False), (None, False), ("", False)]],
    *[("BOOLEAN", "is_null", None, v, e) for v, e in [(None, True), ("", True), (False, False)]],
    *[("BOOLEAN", "is_not_null", None, v, e) for v, e in [(False, True), (None, False)]],
    # DATE_TIME: epoch ms in records, 0 = never; a date value covers its whole UTC day
    *[("DATE_TIME", "equals", "2024-03-05", v, e) for v, e in [
        (D0, True), (D1 - 1, True), (D1, False), (D0 - 1, False), (0, False), (None, False),
        ("2024-03-05T12:00:00Z", True), (str(D0 + 5), True)]],
    *[("DATE_TIME", "equals", D0 + 5, v, e) for v, e in [(D0 + 5, True), (D0 + 6, False)]],
    ("DATE_TIME", "equals", "2024-03-05T00:00:00.005Z", D0 + 5, True),
    ("DATE_TIME", "equals", "2024-03-05T01:00:00.005+01:00", D0 + 5, True),
    *[("DATE_TIME", "not_equals", "2024-03-05", v, e) for v, e in [
        (D1, True), (D0 + 1, False), (0, False), (None, False), (-1, True)]],
    *[("DATE_TIME", "greater_than", "2024-03-05", v, e) for v, e in [
        (D1, True), (D1 - 1, False), (None, False)]],
    *[("DATE_TIME", "greater_than", D0, v, e) for v, e in [(D0 + 1, True), (D0, False)]],
    *[("DATE_TIME", "greater_or_equal", "2024-03-05", v, e) for v, e in [
        (D0, True), (D0 - 1, False)]],
    *[("DATE_TIME", "less_than", "2024-03-05", v, e) for v, e in [
        (D0 - 1, True), (D0, False), (0, False), (-1, True)]],
    *[("DATE_TIME", "less_or_equal", "2024-03-05", v, e) for v, e in [
        (D1 - 1, True), (D1, False)]],
    *[("DATE_TIME", "between", ["2024-03-05", "2024-03-06"], v, e) for v, e in [
        (D0, True), (D1 + DAY - 1, True), (D1 + DAY, False), (D0 - 1, False), (0, False)]],
    *[("DATE_TIME", "between", [D0, D0 + 10], v, e) for v, e in [
        (D0 + 10, True), (D0 + 11, False)]],
    *[("DATE_TIME", "is_null", None, v, e) for v, e in [
        (0, True), ("0", True), (None, True), ("", True), (ABSENT, True), (D0, False),
        (-1, False)]],
    *[("DATE_TIME", "is_not_null", None, v, e) for v, e in [(D0, True), (0, False)]],
]


@pytest.mark.parametrize(("field_type", "op", "value", "actual", "expected"), OPERATOR_CASES)
def test_operator(field_type: str, op: str, value: Any, actual: Any, expected: bool) -> None:
    assert _matches(field_type, op, value, actual) is expected


def test_every_operator_and_type_is_exercised() -> None:
    covered = {(t, op) for t, op, *_ in OPERATOR_CASES}
    offered = {(t, op) for t in ("STRING", "NUMBER", "BOOLEAN", "DATE_TIME")
               for op in operators_for(t)}
    assert offered == covered
    assert {op for _, op in offered} == set(OPERATORS)


@pytest.mark.parametrize(("field_type", "op", "value"), [
    (t, op, v) for t, op, v in [
        ("STRING", "equals", "x"), ("STRING", "not_equals", "x"), ("STRING", "contains", "x"),
        ("STRING", "not_contains", "x"), ("STRING", "starts_with", "x"),
        ("STRING", "ends_with", "x"), ("STRING", "in_list", ["x"]),
        ("NUMBER", "equals", 1), ("NUMBER", "not_equals", 1), ("NUMBER", "greater_than", 1),
        ("NUMBER", "greater_or_equal", 1), ("NUMBER", "less_than", 1),
        ("NUMBER", "less_or_equal", 1), ("NUMBER", "between", [0, 1]),
        ("NUMBER", "in_list", [1]), ("BOOLEAN", "equals", True),
        ("BOOLEAN", "not_equals", True), ("DATE_TIME", "equals", D0),
        ("DATE_TIME", "not_equals", D0), ("DATE_TIME", "greater_than", D0),
        ("DATE_TIME", "less_than", D0), ("DATE_TIME", "between", [D0, D1]),
        ("STRING", "is_not_null", None), ("NUMBER", "is_not_null", None),
        ("BOOLEAN", "is_not_null", None), ("DATE_TIME", "is_not_null", None),
    ]
])
def test_null_rule_only_is_null_matches_empty(field_type: str, op: str, value: Any) -> None:
    empties: list[Any] = [None, "", ABSENT, []] + ([0] if field_type == "DATE_TIME" else [])
    for empty in empties:
        assert _matches(field_type, op, value, empty) is False, empty
        assert _matches(field_type, "is_null", None, empty) is True, empty


def test_nested_fields_and_null_custom_attributes() -> None:
    spec = FilterSpec((_cond("A", "STRING", "equals", "de", field="location.countryCode"),
                       _cond("B", "STRING", "is_null", field="customAttributes.plan")))
    compiled = compile_filter(spec)
    assert compiled.matches({"location": {"countryCode": "DE"}, "customAttributes": None})
    assert compiled.matches({"location": {"countryCode": "DE"}})
    assert not compiled.matches({"location": {"countryCode": "DE"},
                                 "customAttributes": {"plan": "gold"}})
    assert not compiled.matches({"location": None})


def test_expression_precedence_and_parentheses() -> None:
    conditions = (_cond("A", "STRING", "equals", "x", field="a"),
                  _cond("B", "STRING", "equals", "x", field="b"),
                  _cond("C", "STRING", "equals", "x", field="c"))
    grouped = compile_filter(FilterSpec(conditions, "A AND (B OR C)"))
    plain = compile_filter(FilterSpec(conditions, "A AND B OR C"))
    default = compile_filter(FilterSpec(conditions))
    only_c = {"c": "x"}
    assert not grouped.matches(only_c) and plain.matches(only_c)
    assert grouped.matches({"a": "x", "c": "x"}) and plain.matches({"a": "x", "c": "x"})
    assert not default.matches({"a": "x", "c": "x"})
    assert default.matches({"a": "X", "b": "x", "c": "x"})
    negated = compile_filter(FilterSpec(conditions, "NOT A AND B AND C"))
    assert negated.matches({"b": "x", "c": "x"})  # NOT of a condition includes empty fields


def test_no_conditions_matches_everything() -> None:
    assert compile_filter(FilterSpec()).matches({})
    assert pushdown(FilterSpec()) == []


def test_operators_for_types() -> None:
    assert operators_for("BOOLEAN") == ["equals", "not_equals", "is_null", "is_not_null"]
    assert operators_for("boolean") == operators_for("BOOLEAN")
    assert "contains" in operators_for("STRING") and "between" not in operators_for("STRING")
    assert "between" in operators_for("DATE_TIME") and "in_list" not in operators_for("DATE_TIME")
    assert "in_list" in operators_for("NUMBER") and "contains" not in operators_for("NUMBER")
    assert operators_for("BLOB") == []


def test_alias_for() -> None:
    assert [alias_for(i) for i in (0, 1, 25, 26, 27, 51, 52)] == \
           ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


def test_dict_round_trip_and_hashability() -> None:
    spec = FilterSpec((default_email_filter(),
                       _cond("B", "NUMBER", "between", [1, 5], field="score"),
                       _cond("C", "STRING", "in_list", ["a", "b"], field="plan")), "A AND (B OR C)")
    data = spec.to_dict()
    assert data["conditions"][1]["value"] == [1, 5]
    assert data["conditions"][0] == {"alias": "A", "field": "email", "field_type": "STRING",
                                     "operator": "is_not_null", "value": None, "locked": True}
    assert FilterSpec.from_dict(data) == spec
    assert hash(FilterSpec.from_dict(data)) == hash(spec)
    assert FilterSpec.from_dict({}) == FilterSpec()
    with pytest.raises(ValueError, match="missing field_type, operator"):
        FilterCondition.from_dict({"alias": "A", "field": "x"})


def test_describe() -> None:
    assert default_email_filter().describe() == "email is not null"
    assert _cond("B", "NUMBER", "between", [1, 5]).describe() == "f between 1 and 5"
    assert _cond("C", "STRING", "in_list", ["a", "b"]).describe() == "f in list ('a', 'b')"
    assert _cond("D", "STRING", "not_contains", "x").describe() == "f does not contain 'x'"


def _issues(*conditions: FilterCondition, expression: str = "") -> list[FilterIssue]:
    return validate(FilterSpec(conditions, expression))


@pytest.mark.parametrize(("condition", "field", "message"), [
    (_cond("A", "STRING", "equals", None), "A.value", "Condition A: enter a value"),
    (_cond("A", "STRING", "equals", "  "), "A.value", "Condition A: enter a value"),
    (_cond("A", "STRING", "equals", ["x"]), "A.value", '["x"] is not a single value'),
    (_cond("A", "NUMBER", "equals", "abc"), "A.value", "Condition A: 'abc' is not a number"),
    (_cond("A", "NUMBER", "greater_than", True), "A.value", "true is a boolean, not a number"),
    (_cond("A", "BOOLEAN", "equals", "maybe"), "A.value", "'maybe' is not a boolean"),
    (_cond("A", "DATE_TIME", "equals", "soon"), "A.value", "'soon' is not a date (use YYYY-MM-DD"),
    (_cond("A", "DATE_TIME", "equals", 0), "A.value", "Condition A: enter a date"),
    (_cond("A", "NUMBER", "between", [5]), "A.value", "between needs two values, from and to"),
    (_cond("A", "NUMBER", "between", [10, 5]), "A.value",
     "the lower bound 10 is greater than the upper bound 5; swap them"),
    (_cond("A", "DATE_TIME", "between", ["2024-03-06", "2024-03-05"]), "A.value",
     "the lower bound '2024-03-06' is greater than the upper bound '2024-03-05'"),
    (_cond("A", "STRING", "in_list", []), "A.value", "enter at least one value for the list"),
    (_cond("A", "NUMBER", "in_list", [1, "x"]), "A.value", "list item 2: 'x' is not a number"),
    (_cond("A", "BOOLEAN", "contains", "x"), "A.operator",
     "Condition A: 'contains' does not apply to a BOOLEAN field; use one of: equals, "
     "not equals, is null, is not null"),
    (_cond("A", "STRING", "like", "x"), "A.operator", "Condition A has unknown operator 'like'"),
    (_cond("A", "TEXT", "equals", "x"), "A.field_type",
     "unknown field type 'TEXT' (expected STRING, NUMBER, BOOLEAN, DATE_TIME)"),
    (_cond("A", "STRING", "equals", "x", field=" "), "A.field", "Condition A needs a field"),
    (_cond("a1", "STRING", "equals", "x"), "a1.alias", "Condition name 'a1' must be 1-3"),
    (_cond("OR", "STRING", "equals", "x"), "OR.alias", "not AND, OR or NOT"),
])
def test_condition_validation(condition: FilterCondition, field: str, message: str) -> None:
    issues = _issues(condition)
    assert len(issues) == 1
    assert issues[0].field == field
    assert message in issues[0].message


def test_valid_specs_have_no_issues() -> None:
    assert _issues(default_email_filter(), _cond("B", "NUMBER", "between", ["1", 1]),
                   _cond("C", "DATE_TIME", "between", ["2024-03-05", "2024-03-05"]),
                   expression="A and (b or c)") == []
    assert _issues(_cond("A", "STRING", "is_null", "ignored")) == []


def test_expression_validation() -> None:
    a, b, c = (_cond(x, "STRING", "equals", "v") for x in "ABC")
    assert _issues(a, b, c, expression="A AND (B OR C") == [FilterIssue(
        "expression", "Expression: '(' is never closed; add ')' (at character 7)")]
    assert _issues(a, b, expression="A AND B AND C")[0].message.startswith(
        "Expression: Unknown condition 'C' (defined: A, B)")
    assert _issues(a, b, c, expression="A OR") == [FilterIssue(
        "expression", "Expression: A condition is missing after 'OR' (at character 5)")]
    assert _issues(a, b, c, expression="A AND B") == [FilterIssue(
        "expression", "Condition C is not used in the expression; add it to the expression "
        "or delete the condition")]
    duplicate = _issues(a, _cond("A", "STRING", "equals", "w"))
    assert duplicate == [FilterIssue("A.alias", "Two conditions are named A; give each its own "
                                     "letter")]


def test_locked_condition_must_be_anded_at_top_level() -> None:
    email = default_email_filter()
    b, c = _cond("B", "STRING", "equals", "v"), _cond("C", "STRING", "equals", "v")
    for good in ("", "A AND (B OR C)", "(B OR C) AND A", "(A AND B) OR (A AND C)"):
        assert _issues(email, b, c, expression=good) == [], good
    for bad in ("A OR B OR C", "A AND B OR C", "NOT A AND B AND C"):
        issues = _issues(email, b, c, expression=bad)
        assert issues == [FilterIssue("expression", "Condition A (email is not null) is required "
                                      "and must apply to every record; write the expression as "
                                      "'A AND (...)'")], bad


def test_required_locked_condition_cannot_be_removed_or_unlocked() -> None:
    required = [default_email_filter()]
    spec = FilterSpec((default_email_filter(), _cond("B", "STRING", "equals", "v")))
    assert validate(spec, required) == []
    renamed = FilterSpec((_cond("B", "STRING", "is_not_null", field="email", locked=True),
                          _cond("A", "STRING", "equals", "v")))
    assert validate(renamed, required) == []
    message = "The required condition 'email is not null' cannot be removed or changed"
    for broken in (FilterSpec((_cond("B", "STRING", "equals", "v"),)),
                   FilterSpec((_cond("A", "STRING", "is_not_null", field="email"),)),
                   FilterSpec((_cond("A", "STRING", "is_null", field="email", locked=True),))):
        assert FilterIssue("conditions", message) in validate(broken, required)


def test_compile_refuses_invalid_specs_with_every_issue() -> None:
    spec = FilterSpec((_cond("A", "NUMBER", "equals", "x"), _cond("B", "BOOLEAN", "between", 1)))
    with pytest.raises(FilterError) as caught:
        compile_filter(spec)
    assert isinstance(caught.value, ConfigError)
    assert [issue.field for issue in caught.value.issues] == ["A.value", "B.operator"]
    assert "'x' is not a number" in str(caught.value)
    assert pushdown(spec) == []


# --- pushdown -------------------------------------------------------------------------------

PUSH_CASES = [
    (_cond("A", "STRING", "equals", "Gold", field="customAttributes.plan"),
     ["customAttributes.plan==Gold"]),
    (_cond("A", "STRING", "contains", "acme"), ["f~*acme*"]),
    (_cond("A", "STRING", "starts_with", "ac"), ["f~ac*"]),
    (_cond("A", "STRING", "ends_with", ".com"), ["f~*.com"]),
    (_cond("A", "STRING", "in_list", ["DE", "FR"], field="location.countryCode"),
     ["location.countryCode==DE", "location.countryCode==FR"]),
    (_cond("A", "NUMBER", "equals", "5"), ["f==5"]),
    (_cond("A", "NUMBER", "equals", 2.0), ["f==2"]),
    (_cond("A", "NUMBER", "greater_than", 2.5), ["f>2.5"]),
    (_cond("A", "NUMBER", "greater_or_equal", 3), ["f>=3"]),
    (_cond("A", "NUMBER", "less_than", -1), ["f<-1"]),
    (_cond("A", "NUMBER", "less_or_equal", 0), ["f<=0"]),
    (_cond("A", "NUMBER", "between", [1, 10]), ["f>=1;f<=10"]),
    (_cond("A", "NUMBER", "in_list", [1, 2]), ["f==1", "f==2"]),
    (_cond("A", "BOOLEAN", "equals", "yes"), ["f==true"]),
    (_cond("A", "BOOLEAN", "equals", False), ["f==false"]),
    (_cond("A", "DATE_TIME", "equals", "2024-03-05"), [f"f>={D0};f<{D1}"]),
    (_cond("A", "DATE_TIME", "equals", D0 + 7), [f"f=={D0 + 7}"]),
    (_cond("A", "DATE_TIME", "greater_than", "2024-03-05"), [f"f>={D1}"]),
    (_cond("A", "DATE_TIME", "greater_than", D0), [f"f>={D0 + 1}"]),
    (_cond("A", "DATE_TIME", "greater_or_equal", "2024-03-05"), [f"f>={D0}"]),
    (_cond("A", "DATE_TIME", "less_than", "2024-03-05"), [f"f<{D0}"]),
    (_cond("A", "DATE_TIME", "less_or_equal", "2024-03-05"), [f"f<{D1}"]),
    (_cond("A", "DATE_TIME", "between", ["2024-03-05", D1 + 5]), [f"f>={D0};f<{D1 + 6}"]),
    # never pushed: negative and null operators, unsafe values, list fields
    (_cond("A", "STRING", "not_equals", "x"), []),
    (_cond("A", "STRING", "not_contains", "x"), []),
    (_cond("A", "NUMBER", "not_equals", 1), []),
    (_cond("A", "BOOLEAN", "not_equals", True), []),
    (_cond("A", "STRING", "is_null"), []),
    (_cond("A", "STRING", "is_not_null"), []),
    (_cond("A", "DATE_TIME", "is_not_null"), []),
    *[(_cond("A", "STRING", "equals", v), []) for v in
      ("a;b", "a*", "a?", "a,b", "a=b", "a<b", "a!", "a~", "a\\b", "Müller", " a", "a\tb")],
    (_cond("A", "STRING", "in_list", ["ok", "not;ok"]), []),
    (_cond("A", "STRING", "equals", "AP-1", field="propertyKeys"), []),
    (_cond("A", "STRING", "equals", "x", field="odd-name"), []),
    (_cond("A", "STRING", "equals", "x", field="customAttributes.2fa"), []),
    (_cond("A", "NUMBER", "equals", 1e-7), []),
]


@pytest.mark.parametrize(("condition", "expected"), PUSH_CASES)
def test_pushdown_single_condition(condition: FilterCondition, expected: list[str]) -> None:
    assert pushdown(FilterSpec((condition,))) == expected


def test_pushdown_combines_and_or() -> None:
    email = default_email_filter()
    plan = _cond("B", "STRING", "in_list", ["gold", "silver"], field="customAttributes.plan")
    score = _cond("C", "NUMBER", "greater_than", 10, field="score")
    country = _cond("D", "STRING", "equals", "DE", field="location.countryCode")
    spec = FilterSpec((email, plan, score, country), "A AND (B OR C) AND D")
    assert pushdown(spec) == [
        "location.countryCode==DE;customAttributes.plan==gold",
        "location.countryCode==DE;customAttributes.plan==silver",
        "location.countryCode==DE;score>10",
    ]
    # an OR with a part PX cannot evaluate is not pushed; the AND keeps what it can
    unpushable = _cond("C", "NUMBER", "not_equals", 10, field="score")
    spec = FilterSpec((email, plan, unpushable, country), "A AND (B OR C) AND D")
    assert pushdown(spec) == ["location.countryCode==DE"]
    assert pushdown(FilterSpec((plan, unpushable), "B OR C")) == []
    assert pushdown(FilterSpec((plan, country), "NOT B AND D")) == ["location.countryCode==DE"]


def test_pushdown_respects_the_parameter_cap() -> None:
    many = _cond("A", "NUMBER", "in_list", list(range(12)), field="score")
    country = _cond("B", "STRING", "in_list", ["DE", "FR"], field="location.countryCode")
    assert pushdown(FilterSpec((many,))) == []
    assert len(pushdown(FilterSpec((many,)), max_params=12)) == 12
    spec = FilterSpec((_cond("A", "NUMBER", "in_list", [1, 2, 3, 4, 5], field="score"), country))
    assert len(pushdown(spec)) == 10
    assert pushdown(spec, max_params=4) == ["location.countryCode==DE",
                                            "location.countryCode==FR"]


def test_combine_pushdown() -> None:
    window = ["lastModifiedDate>=1;lastModifiedDate<2"]
    assert combine_pushdown([], window) == window
    assert combine_pushdown(window, []) == window
    assert combine_pushdown([], []) == []
    assert combine_pushdown(["a==1", "b==2"], window) == [
        "a==1;lastModifiedDate>=1;lastModifiedDate<2",
        "b==2;lastModifiedDate>=1;lastModifiedDate<2",
    ]
    assert combine_pushdown(["a==1", "b==2"], ["c==3", "d==4"]) == [
        "a==1;c==3", "a==1;d==4", "b==2;c==3", "b==2;d==4"]


# A reference evaluator for PX's documented filter syntax, modelling PX conservatively: an empty
# or missing field satisfies no term, comparisons are case-insensitive, `~` is a whole-value
# wildcard match. Local matches must always be a subset of what it selects.

def _px_term(record: dict[str, Any], term: str) -> bool:
    field, op, value = re.fullmatch(r"([\w.]+)(==|!=|<=|>=|<|>|!~|~)(.*)", term).groups()
    actual = get_path(record, field)
    if actual is None or actual == "" or isinstance(actual, (list, dict)):
        return False
    if op == "~":
        pattern = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in value)
        return re.fullmatch(pattern, str(actual), re.IGNORECASE | re.DOTALL) is not None
    if isinstance(actual, bool):
        return op == "==" and str(actual).lower() == value.lower()
    if op == "==" and not isinstance(actual, (int, float)):
        return str(actual).lower() == value.lower()
    number = float(actual)
    return {"==": number == float(value), "<": number < float(value),
            "<=": number <= float(value), ">": number > float(value),
            ">=": number >= float(value)}[op]


def _px_select(record: dict[str, Any], params: list[str]) -> bool:
    return not params or any(all(_px_term(record, t) for t in p.split(";")) for p in params)


TEXTS = ["gold", "Gold", "GOLDEN", "silver", "Müller", "MÜLLER", "a;b", "x*", "", None]
POOL: list[tuple[str, str, list[Any]]] = [
    ("name", "STRING", ["gold", "GOLD", "old", "silver", "Müller", "a;b", "x*", "go"]),
    ("customAttributes.plan", "STRING", ["gold", "Silver", "bronze"]),
    ("propertyKeys", "STRING", ["AP-1", "ap-2"]),
    ("score", "NUMBER", [0, 1, 2.5, 5, "10", -3]),
    ("active", "BOOLEAN", [True, False, "yes"]),
    ("signUpDate", "DATE_TIME", ["2024-03-05", "2024-03-06", D0, D1 - 1, D0 + 12]),
]


def _random_condition(rng: random.Random, alias: str) -> FilterCondition:
    field, field_type, values = rng.choice(POOL)
    op = rng.choice(operators_for(field_type))
    if op == "between":
        value: Any = rng.sample(values, 2)  # out-of-order pairs are redrawn
    elif op == "in_list":
        value = rng.sample(values, rng.randint(1, min(3, len(values))))
    elif op in ("is_null", "is_not_null"):
        value = None
    else:
        value = rng.choice(values)
    return _cond(alias, field_type, op, value, field=field)


def _random_expression(rng: random.Random, aliases: list[str]) -> str:
    parts = aliases[:]
    rng.shuffle(parts)
    while len(parts) > 1:
        a, b = parts.pop(), parts.pop()
        joined = f"({a} {rng.choice(['AND', 'AND', 'OR'])} {b})"
        parts.insert(rng.randrange(len(parts) + 1), f"NOT {joined}" if rng.random() < 0.1
                     else joined)
    return parts[0]


def _random_record(rng: random.Random) -> dict[str, Any]:
    record: dict[str, Any] = {}
    options: dict[str, list[Any]] = {
        "name": TEXTS,
        "customAttributes": [None, {}, {"plan": "GOLD"}, {"plan": "silver"}, {"plan": ""}],
        "propertyKeys": [None, [], ["AP-1"], ["AP-1", "AP-2"]],
        "score": [None, 0, 1, 2.5, 5, 10, -3, 11],
        "active": [None, True, False],
        "signUpDate": [None, 0, D0, D0 + 12, D1 - 1, D1, D0 - 5 * DAY, D1 + DAY],
    }
    for key, choices in options.items():
        if rng.random() < 0.9:
            record[key] = rng.choice(choices)
    return record


def test_pushdown_only_ever_selects_a_superset() -> None:
    rng = random.Random(20240305)
    records = [_random_record(rng) for _ in range(150)]
    pushed_specs = narrowing_specs = 0
    for _ in range(400):
        aliases = [alias_for(i) for i in range(rng.randint(1, 4))]
        conditions = []
        for alias in aliases:
            condition = _random_condition(rng, alias)
            while validate(FilterSpec((condition,))):  # e.g. a between drawn out of order
                condition = _random_condition(rng, alias)
            conditions.append(condition)
        spec = FilterSpec(tuple(conditions), _random_expression(rng, aliases))
        assert validate(spec) == [], spec
        compiled, params = compile_filter(spec), pushdown(spec)
        pushed_specs += bool(params)
        selected = [r for r in records if _px_select(r, params)]
        narrowing_specs += len(selected) < len(records)
        for record in records:
            if compiled.matches(record):
                assert _px_select(record, params), (spec, params, record)
    assert pushed_specs > 100 and narrowing_specs > 100  # the property was really exercised


def test_compiled_filter_handles_many_records() -> None:
    spec = FilterSpec((
        default_email_filter(),
        _cond("B", "STRING", "in_list", ["gold", "silver"], field="customAttributes.plan"),
        _cond("C", "NUMBER", "between", [10, 20], field="score"),
        _cond("D", "DATE_TIME", "greater_or_equal", "2024-03-05", field="signUpDate"),
    ), "A AND (B OR C) AND D")
    compiled = compile_filter(spec)
    plans = ["Gold", "bronze", None]
    records = [{"email": f"u{i}@x.io" if i % 5 else "", "score": i % 30,
                "customAttributes": {"plan": plans[i % 3]} if i % 7 else None,
                "signUpDate": D0 if i % 2 else 0} for i in range(60_000)]
    expected = sum(1 for i in range(60_000) if i % 5 and i % 2 and (
        (i % 7 and i % 3 == 0) or 10 <= i % 30 <= 20))
    assert sum(map(compiled.matches, records)) == expected
