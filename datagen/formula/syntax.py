"""The formula language's syntax: tokens and the tree of expressions, each with its position.

Formulas are the subset of Mockaroo's Ruby that schemas use: literals, field references,
arithmetic, comparisons, `and`/`or`/`not`, `if … elsif … else … end`, `case … when`, the
ternary `c ? a : b`, string interpolation `"#{first_name}"`, function calls `lower(x)`, method
calls `x.downcase`, indexing `x[0]`, keyword arguments `id: person_id`, and local assignments
(`total = price * qty; total * 1.2`). Nothing here runs anything: the parser builds a tree
that datagen.formula.evaluate walks over whole columns.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Assign",
    "Binary",
    "Call",
    "Case",
    "Cond",
    "Index",
    "Interp",
    "ListLit",
    "Literal",
    "Method",
    "Name",
    "Node",
    "Program",
    "Regex",
    "Token",
    "Unary",
]


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token: its kind, text (or decoded value) and 0-based position."""

    kind: str  # num, str, istr (interpolated string parts), regex, name, sym, op, kw, nl, end
    value: object
    pos: int


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every expression; `pos` is the 0-based offset in the formula text."""

    pos: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: object  # int, float, str, bool, None, or Regex


@dataclass(frozen=True, slots=True)
class Regex:
    """A regular-expression literal /.../ (flags: "i" for case-insensitive)."""

    pattern: str
    flags: str = ""


@dataclass(frozen=True, slots=True)
class Name(Node):
    """An identifier: a local variable, a field, `this`, or a constant like `nil`."""

    name: str


@dataclass(frozen=True, slots=True)
class Interp(Node):
    """A double-quoted string with `#{...}` parts: literal strings and expressions."""

    parts: tuple[str | Node, ...]


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "-", "+", "not"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # + - * / % ** == != < <= > >= =~ !~ and or
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A function call `name(args, key: value)`."""

    name: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...] = ()


@dataclass(frozen=True, slots=True)
class Method(Node):
    """A method call `target.name(args)`; `target.name` alone has no arguments."""

    target: Node
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Index(Node):
    """`target[i]` or `target[start, length]`."""

    target: Node
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Cond(Node):
    """`if c1 then v1 elsif c2 then v2 else v3 end` (also the ternary): pairs and a default."""

    branches: tuple[tuple[Node, Node], ...]
    default: Node | None


@dataclass(frozen=True, slots=True)
class Case(Node):
    """`case subject when a, b then x when c then y else z end`."""

    subject: Node
    whens: tuple[tuple[tuple[Node, ...], Node], ...]
    default: Node | None


@dataclass(frozen=True, slots=True)
class Assign(Node):
    name: str
    value: Node


@dataclass(frozen=True, slots=True)
class Program(Node):
    """Statements separated by `;` or new lines; the last one's value is the formula's."""

    statements: tuple[Node, ...]
