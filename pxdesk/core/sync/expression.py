"""Parse and reason about Sync Filter expressions such as ``A AND (B OR NOT C)``.

Grammar (keywords and aliases are case-insensitive; AND binds tighter than OR)::

    expr := term (OR term)*      term := factor (AND factor)*
    factor := NOT factor | ALIAS | "(" expr ")"

NOT is plain boolean negation of a condition's result, so ``NOT A`` also matches records whose
field is empty (the null rule applies per condition, not per expression).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar, Union

KEYWORDS = frozenset({"AND", "OR", "NOT"})
T = TypeVar("T")
Conjunct = tuple[str, ...]

_TOKEN_RE = re.compile(r"\s*(?:(\()|(\))|([A-Za-z][A-Za-z0-9_]*)|(\S))")
_TRUTH_TABLE_LIMIT = 14  # 2**14 assignments at most when checking an implication exhaustively


@dataclass(frozen=True)
class Alias:
    name: str


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


Expr = Union[Alias, And, Or, Not]  # noqa: UP007  (a runtime alias used before 3.12 `type`)


class ExpressionError(ValueError):
    """The expression text is malformed; ``position`` is the 0-based character index."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "ALIAS", "END"
    text: str
    pos: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text):
        pos = match.start(match.lastindex or 0)
        lparen, rparen, word, other = match.groups()
        if other is not None:
            raise ExpressionError(f"Unexpected character '{other}'", pos)
        if word is not None:
            upper = word.upper()
            tokens.append(_Token(upper if upper in KEYWORDS else "ALIAS", upper, pos))
        else:
            tokens.append(_Token(lparen or rparen, lparen or rparen, pos))
    tokens.append(_Token("END", "", len(text.rstrip())))
    return tokens


def _and(items: Iterable[Expr]) -> Expr:
    flat: list[Expr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, And) else (item,))
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _or(items: Iterable[Expr]) -> Expr:
    flat: list[Expr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, Or) else (item,))
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


class _Parser:
    def __init__(self, text: str, aliases: set[str]) -> None:
        self.tokens = _tokens(text)
        self.index = 0
        self.aliases = {alias.upper() for alias in aliases}

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Expr:
        if self.peek().kind == "END":
            raise ExpressionError("The expression is empty", 0)
        expr = self.expr()
        token = self.peek()
        if token.kind == ")":
            raise ExpressionError("')' has no matching '('", token.pos)
        if token.kind != "END":
            raise ExpressionError(f"Missing AND or OR before '{token.text}'", token.pos)
        return expr

    def expr(self) -> Expr:
        items = [self.term()]
        while self.peek().kind == "OR":
            self.take()
            items.append(self.term())
        return _or(items)

    def term(self) -> Expr:
        items = [self.factor()]
        while self.peek().kind == "AND":
            self.take()
            items.append(self.factor())
        return _and(items)

    def factor(self) -> Expr:
        token = self.take()
        if token.kind == "NOT":
            return Not(self.factor())
        if token.kind == "ALIAS":
            if token.text not in self.aliases:
                known = ", ".join(sorted(self.aliases)) or "none"
                raise ExpressionError(
                    f"Unknown condition '{token.text}' (defined: {known})", token.pos
                )
            return Alias(token.text)
        if token.kind == "(":
            inner = self.expr()
            closing = self.take()
            if closing.kind != ")":
                raise ExpressionError("'(' is never closed; add ')'", token.pos)
            return inner
        previous = self.tokens[self.index - 2].text if self.index >= 2 else ""
        if token.kind == "END":
            where = f"after '{previous}'" if previous else "here"
            raise ExpressionError(f"A condition is missing {where}", token.pos)
        if token.kind == ")" and previous == "(":
            raise ExpressionError("Empty parentheses '()'", token.pos)
        raise ExpressionError(f"A condition is missing before '{token.text}'", token.pos)


def parse_expression(text: str, aliases: set[str]) -> Expr:
    """Parse ``text``; every alias must be in ``aliases``. Raises ExpressionError."""
    return _Parser(text, aliases).parse()


def all_and(aliases: Iterable[str]) -> str:
    """The default expression: every condition ANDed ("A AND B AND C")."""
    return " AND ".join(aliases)


def aliases_in(expr: Expr) -> set[str]:
    if isinstance(expr, Alias):
        return {expr.name}
    if isinstance(expr, Not):
        return aliases_in(expr.item)
    return set().union(*(aliases_in(item) for item in expr.items))


def to_text(expr: Expr) -> str:
    """Canonical text with only the parentheses precedence needs."""
    if isinstance(expr, Alias):
        return expr.name
    if isinstance(expr, Not):
        inner = to_text(expr.item)
        return f"NOT {inner}" if isinstance(expr.item, (Alias, Not)) else f"NOT ({inner})"
    if isinstance(expr, And):
        return " AND ".join(f"({to_text(i)})" if isinstance(i, Or) else to_text(i)
                            for i in expr.items)
    return " OR ".join(to_text(item) for item in expr.items)


def evaluate(expr: Expr, values: Mapping[str, bool]) -> bool:
    """Truth of ``expr`` given each alias's truth."""
    if isinstance(expr, Alias):
        return values[expr.name]
    if isinstance(expr, Not):
        return not evaluate(expr.item, values)
    if isinstance(expr, And):
        return all(evaluate(item, values) for item in expr.items)
    return any(evaluate(item, values) for item in expr.items)


def compile_expr(expr: Expr, leaves: Mapping[str, Callable[[T], bool]]) -> Callable[[T], bool]:
    """Turn ``expr`` into one closure calling each alias's predicate, short-circuiting."""
    if isinstance(expr, Alias):
        return leaves[expr.name]
    if isinstance(expr, Not):
        inner = compile_expr(expr.item, leaves)
        return lambda record: not inner(record)
    parts = tuple(compile_expr(item, leaves) for item in expr.items)
    if isinstance(expr, And):
        if len(parts) == 2:
            first, second = parts
            return lambda record: first(record) and second(record)
        return lambda record: all(part(record) for part in parts)
    return lambda record: any(part(record) for part in parts)


def _fold(expr: Expr, fixed: Mapping[str, bool]) -> Expr | bool:
    """Substitute known aliases and simplify constants away."""
    if isinstance(expr, Alias):
        return fixed.get(expr.name, expr)
    if isinstance(expr, Not):
        inner = _fold(expr.item, fixed)
        return (not inner) if isinstance(inner, bool) else Not(inner)
    absorbing = isinstance(expr, Or)  # True absorbs an OR, False absorbs an AND
    rest: list[Expr] = []
    for item in expr.items:
        folded = _fold(item, fixed)
        if folded is absorbing:
            return absorbing
        if not isinstance(folded, bool):
            rest.append(folded)
    if not rest:
        return not absorbing
    return _or(rest) if absorbing else _and(rest)


def implies(expr: Expr, alias: str) -> bool:
    """Whether ``expr`` can only be true when ``alias`` is true (i.e. expr == alias AND expr).

    Exact up to _TRUTH_TABLE_LIMIT other aliases; beyond that only simplification is tried,
    which may answer False for a convoluted but valid expression (the admin then rewrites it).
    """
    rest = _fold(expr, {alias: False})
    if isinstance(rest, bool):
        return not rest
    names = sorted(aliases_in(rest))
    if len(names) > _TRUTH_TABLE_LIMIT:
        return False
    for truths in itertools.product((False, True), repeat=len(names)):
        if evaluate(rest, dict(zip(names, truths, strict=True))):
            return False
    return True


def _dedupe(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def superset_dnf(
    expr: Expr, leaf: Callable[[str], list[Conjunct] | None], cap: int
) -> list[Conjunct] | None:
    """An OR of AND-term tuples implied by ``expr`` (a superset), or None for "no restriction".

    ``leaf`` gives an alias's own alternatives (None when it cannot be expressed). Anything
    that would exceed ``cap`` alternatives is widened: an AND drops its largest parts, an OR
    gives up. NOT is never expressed.
    """
    if isinstance(expr, Alias):
        alternatives = leaf(expr.name)
        return alternatives if alternatives is not None and len(alternatives) <= cap else None
    if isinstance(expr, Not):
        return None
    parts = [superset_dnf(item, leaf, cap) for item in expr.items]
    if isinstance(expr, Or):
        if any(part is None for part in parts):
            return None
        merged = _dedupe(c for part in parts if part is not None for c in part)
        return merged if len(merged) <= cap else None
    known = sorted((part for part in parts if part is not None), key=len)
    result: list[Conjunct] = [()]
    for part in known:
        if len(result) * len(part) <= cap:
            result = _dedupe(tuple(_dedupe(a + b)) for a in result for b in part)
    return None if result == [()] else result
