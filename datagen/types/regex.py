"""Strings that match a regular expression, made a whole column at a time.

The pattern is parsed by Python's own regex parser; each node then generates an Arrow string
array (or a constant) for all rows, so `[A-Z]{3}-\\d{4}` costs a few numpy calls per chunk.
Unbounded repeats (`*`, `+`, `{n,}`) stop `UNBOUNDED_EXTRA` past their minimum.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import from_matrix, join

__all__ = ["RegexError", "compile_regex"]

UNBOUNDED_EXTRA = 8
_PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "
_CATEGORIES = {
    C.CATEGORY_DIGIT: string.digits,
    C.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    C.CATEGORY_SPACE: " ",
}
_NEGATED = {
    C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT,
    C.CATEGORY_NOT_WORD: C.CATEGORY_WORD,
    C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE,
}

Piece: TypeAlias = "str | pa.Array"
Gen = Callable[[np.random.Generator, int], Piece]


class RegexError(ValueError):
    """The pattern does not compile, or uses a construct that cannot be generated."""


def compile_regex(pattern: str) -> Callable[[np.random.Generator, int], pa.Array]:
    """A function making n strings that match `pattern`; RegexError explains a bad pattern."""
    try:
        parsed = P.parse(pattern)
    except re.error as exc:
        raise RegexError(f"does not compile: {exc}") from exc
    gen = _Compiler().sequence(list(parsed))

    def make(rng: np.random.Generator, n: int) -> pa.Array:
        return _array(gen(rng, n), n)

    return make


def _array(piece: Piece, n: int) -> pa.Array:
    return pa.array([piece] * n, pa.string()) if isinstance(piece, str) else piece


def _charset(items: list[tuple[Any, Any]]) -> str:
    chars: list[str] = []
    negate = False
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            chars.append(chr(arg))
        elif op is C.RANGE:
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op is C.CATEGORY:
            if arg in _CATEGORIES:
                chars.extend(_CATEGORIES[arg])
            else:
                chars.extend(c for c in _PRINTABLE if c not in _CATEGORIES[_NEGATED[arg]])
        else:
            raise RegexError(f"uses {op} inside [...], which cannot be generated")
    unique = "".join(dict.fromkeys(chars))
    if negate:
        unique = "".join(c for c in _PRINTABLE if c not in unique)
    if not unique:
        raise RegexError("has a character class that matches nothing")
    return unique


class _Compiler:
    """Turns parsed regex nodes into column generators; remembers groups for back-references."""

    def __init__(self) -> None:
        self.groups: dict[int, Piece] = {}

    def sequence(self, nodes: list[tuple[Any, Any]]) -> Gen:
        gens = [self.node(op, arg) for op, arg in nodes]

        def gen(rng: np.random.Generator, n: int) -> Piece:
            pieces = [g(rng, n) for g in gens]
            if all(isinstance(p, str) for p in pieces):
                return "".join(pieces)  # type: ignore[arg-type]
            return join(*pieces)

        return gen

    def node(self, op: Any, arg: Any) -> Gen:
        if op is C.LITERAL:
            return lambda rng, n: chr(arg)
        if op in (C.NOT_LITERAL, C.ANY, C.IN):
            chars = {
                C.NOT_LITERAL: lambda: _charset([(C.NEGATE, None), (C.LITERAL, arg)]),
                C.ANY: lambda: _PRINTABLE,
                C.IN: lambda: _charset(arg),
            }[op]()
            return self.chars(chars, 1, 1)
        if op is C.AT:
            return lambda rng, n: ""
        if op is C.SUBPATTERN:
            return self.group(arg[0], self.sequence(list(arg[-1])))
        if op is getattr(C, "ATOMIC_GROUP", None):
            return self.sequence(list(arg))
        if op is C.BRANCH:
            return self.branch([self.sequence(list(alt)) for alt in arg[1]])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            return self.repeat(*arg)
        if op is C.GROUPREF:
            return lambda rng, n: self.groups.get(arg, "")
        raise RegexError(f"uses {str(op).lower()}, which cannot be generated")

    def group(self, index: int | None, inner: Gen) -> Gen:
        def gen(rng: np.random.Generator, n: int) -> Piece:
            piece = inner(rng, n)
            if index is not None:
                self.groups[index] = piece
            return piece

        return gen

    def branch(self, alternatives: list[Gen]) -> Gen:
        def gen(rng: np.random.Generator, n: int) -> Piece:
            pieces = [_array(a(rng, n), n) for a in alternatives]
            which = pa.array(rng.integers(0, len(pieces), n, dtype=np.int8))
            return pc.choose(which, *pieces)

        return gen

    def repeat(self, low: int, high: int, sub: Any) -> Gen:
        if high is C.MAXREPEAT or high > low + 64:
            high = low + UNBOUNDED_EXTRA
        items = list(sub)
        if len(items) == 1 and items[0][0] in (C.ANY, C.IN, C.NOT_LITERAL, C.LITERAL):
            op, arg = items[0]
            chars = {
                C.LITERAL: lambda: chr(arg),
                C.ANY: lambda: _PRINTABLE,
                C.NOT_LITERAL: lambda: _charset([(C.NEGATE, None), (C.LITERAL, arg)]),
                C.IN: lambda: _charset(arg),
            }[op]()
            return self.chars(chars, low, high)
        inner = self.sequence(items)

        def gen(rng: np.random.Generator, n: int) -> Piece:
            counts = rng.integers(low, high + 1, n)
            pieces: list[Piece] = []
            for j in range(high):
                piece = _array(inner(rng, n), n)
                pieces.append(piece if j < low else pc.if_else(pa.array(counts > j), piece, ""))
            return join(*pieces) if pieces else ""

        return gen

    def chars(self, chars: str, low: int, high: int) -> Gen:
        """`low`..`high` characters drawn from `chars` (ASCII: one byte matrix, no joins)."""
        if chars.isascii():
            table = np.frombuffer(chars.encode(), dtype=np.uint8)

            def ascii_gen(rng: np.random.Generator, n: int) -> Piece:
                if high == 0:
                    return ""
                if len(chars) == 1 and low == high:
                    return chars * low
                mat = table[rng.integers(0, len(table), (n, high))]
                lengths = None if low == high else rng.integers(low, high + 1, n)
                return from_matrix(mat, lengths)

            return ascii_gen
        pool = pa.array(list(chars), pa.string())

        def text_gen(rng: np.random.Generator, n: int) -> Piece:
            counts = rng.integers(low, high + 1, n)
            pieces: list[Piece] = [pool.take(rng.integers(0, len(pool), n)) for _ in range(high)]
            masked = [
                p if j < low else pc.if_else(pa.array(counts > j), p, "")
                for j, p in enumerate(pieces)
            ]
            return join(*masked) if masked else ""

        return text_gen
