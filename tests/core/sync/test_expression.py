"""Filter expressions: precedence, parentheses, errors with positions, implication, DNF."""

from __future__ import annotations

import itertools
import re

import pytest

from pxdesk.core.sync.expression import (
    Alias,
    And,
    ExpressionError,
    Not,
    Or,
    aliases_in,
    all_and,
    compile_expr,
    evaluate,
    implies,
    parse_expression,
    superset_dnf,
    to_text,
)

ABCD = {"A", "B", "C", "D"}
A, B, C, D = (Alias(x) for x in "ABCD")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("A", A),
        ("A AND B", And((A, B))),
        ("A OR B AND C", Or((A, And((B, C))))),
        ("A AND B OR C", Or((And((A, B)), C))),
        ("A AND (B OR C)", And((A, Or((B, C))))),
        ("(A AND B) AND (C AND D)", And((A, B, C, D))),
        ("a and (b or c) Or d", Or((And((A, Or((B, C)))), D))),
        ("((A))", A),
        ("NOT A AND B", And((Not(A), B))),
        ("NOT (A OR B)", Not(Or((A, B)))),
        ("not not A", Not(Not(A))),
        ("A\tAND\nB", And((A, B))),
    ],
)
def test_parse_shapes(text: str, tree: object) -> None:
    assert parse_expression(text, ABCD) == tree


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "The expression is empty", 0),
        ("   ", "The expression is empty", 0),
        ("A AND", "A condition is missing after 'AND'", 5),
        ("A OR ", "A condition is missing after 'OR'", 4),
        ("OR A", "A condition is missing before 'OR'", 0),
        ("A AND OR B", "A condition is missing before 'OR'", 6),
        ("A AND (B OR C", "'(' is never closed; add ')'", 6),
        ("A AND B) OR C", "')' has no matching '('", 7),
        ("A ()", "Missing AND or OR before '('", 2),
        ("A AND ()", "Empty parentheses '()'", 7),
        ("A B", "Missing AND or OR before 'B'", 2),
        ("A AND E", "Unknown condition 'E' (defined: A, B, C, D)", 6),
        ("A & B", "Unexpected character '&'", 2),
        ("NOT", "A condition is missing after 'NOT'", 3),
    ],
)
def test_errors_say_what_and_where(text: str, message: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, ABCD)
    assert caught.value.message == message
    assert caught.value.position == position
    assert f"(at character {position + 1})" in str(caught.value)


def test_unknown_alias_lists_none_when_no_conditions() -> None:
    with pytest.raises(ExpressionError, match=r"defined: none"):
        parse_expression("A", set())


@pytest.mark.parametrize(
    "text",
    ["A AND (B OR C)", "A OR B AND C", "NOT (A OR B) AND C", "(A OR B) AND (C OR D)",
     "NOT A OR NOT (B AND C)", "A AND B AND C AND D"],
)
def test_evaluation_matches_python_boolean_logic(text: str) -> None:
    tree = parse_expression(text, ABCD)
    python = re.sub(r"\b([A-D])\b", r"v\1", text).replace("AND", "and")
    python = python.replace("OR", "or").replace("NOT", "not")
    compiled = compile_expr(tree, {x: (lambda values, x=x: values[x]) for x in "ABCD"})
    for truths in itertools.product((False, True), repeat=4):
        values = dict(zip("ABCD", truths, strict=True))
        names = {f"v{k}": v for k, v in values.items()}
        expected = eval(python, {}, names)
        assert evaluate(tree, values) is expected
        assert compiled(values) is expected
    # the canonical text parses back to the same tree
    assert parse_expression(to_text(tree), ABCD) == tree


def test_and_short_circuits() -> None:
    calls: list[str] = []

    def leaf(name: str, result: bool):  # type: ignore[no-untyped-def]
        def predicate(_: object) -> bool:
            calls.append(name)
            return result
        return predicate

    compiled = compile_expr(parse_expression("A AND B AND C", ABCD),
                            {"A": leaf("A", True), "B": leaf("B", False), "C": leaf("C", True)})
    assert compiled(None) is False
    assert calls == ["A", "B"]


def test_helpers() -> None:
    assert all_and(["A", "B", "C"]) == "A AND B AND C"
    assert aliases_in(parse_expression("A AND NOT (B OR D)", ABCD)) == {"A", "B", "D"}
    assert to_text(parse_expression("a and (b or c)", ABCD)) == "A AND (B OR C)"
    assert to_text(parse_expression("NOT (A AND B)", ABCD)) == "NOT (A AND B)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A", True),
        ("A AND B", True),
        ("B AND (C OR D) AND A", True),
        ("(A AND B) OR (A AND C)", True),  # equivalent to A AND (B OR C)
        ("(A OR B) AND (A OR NOT B)", True),  # equivalent to A, needs the truth table
        ("A OR B", False),
        ("B", False),
        ("NOT A AND B", False),
        ("A AND B OR C", False),
        ("NOT NOT A", True),
    ],
)
def test_implies(text: str, expected: bool) -> None:
    aliases = {"A", "B", "C", "D"}
    assert implies(parse_expression(text, aliases), "A") is expected


def _leaf(name: str) -> list[tuple[str, ...]] | None:
    table: dict[str, list[tuple[str, ...]] | None] = {
        "A": [("a==1",)],
        "B": [("b==1",), ("b==2",)],
        "C": [("c>=1", "c<=5")],
        "D": None,  # not expressible
    }
    return table[name]


@pytest.mark.parametrize(
    ("text", "cap", "expected"),
    [
        ("A", 10, [("a==1",)]),
        ("A AND B", 10, [("a==1", "b==1"), ("a==1", "b==2")]),
        ("A AND C", 10, [("a==1", "c>=1", "c<=5")]),
        ("A AND D", 10, [("a==1",)]),  # D dropped from the AND: still a superset
        ("A OR D", 10, None),  # D unrestricted makes the OR unrestricted
        ("A OR C", 10, [("a==1",), ("c>=1", "c<=5")]),
        ("NOT A", 10, None),
        ("NOT A AND B", 10, [("b==1",), ("b==2",)]),
        ("A AND A", 10, [("a==1",)]),
        ("B AND B", 10, [("b==1",), ("b==1", "b==2"), ("b==2", "b==1"), ("b==2",)]),
        ("(A OR B) AND (B OR C)", 10, [
            ("a==1", "b==1"), ("a==1", "b==2"), ("a==1", "c>=1", "c<=5"),
            ("b==1",), ("b==1", "b==2"), ("b==1", "c>=1", "c<=5"),
            ("b==2", "b==1"), ("b==2",), ("b==2", "c>=1", "c<=5")]),
        ("(A OR B) AND (B OR C)", 4, [("a==1",), ("b==1",), ("b==2",)]),  # keeps one side
        ("A OR B", 2, None),  # 3 alternatives > cap
        ("D", 10, None),
    ],
)
def test_superset_dnf(text: str, cap: int, expected: list[tuple[str, ...]] | None) -> None:
    assert superset_dnf(parse_expression(text, ABCD), _leaf, cap) == expected


def test_superset_dnf_caps_a_single_leaf() -> None:
    assert superset_dnf(parse_expression("B", ABCD), _leaf, 1) is None
    assert superset_dnf(parse_expression("A AND B", ABCD), _leaf, 1) == [("a==1",)]
