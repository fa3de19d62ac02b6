"""Evaluating a compiled formula over columns: each node of the tree once per chunk, over
all its rows (datagen.formula.check compiles; values.py and ops.py hold Ruby's rules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.formula.check import Compiled, FormulaError
from datagen.formula.functions import FUNCTIONS, CallSite, ListValue, text_of
from datagen.formula.methods import regex_pattern
from datagen.formula.ops import arithmetic, negate
from datagen.formula.syntax import (
    Assign,
    Binary,
    Call,
    Case,
    Cond,
    Index,
    Interp,
    ListLit,
    Literal,
    Method,
    Name,
    Node,
    Program,
    Regex,
    Unary,
)
from datagen.formula.values import (
    FormulaTypeError,
    Value,
    as_array,
    compare,
    equal,
    join_text,
    kind,
    noun,
    truthy,
    unify,
)

__all__ = ["Env", "evaluate"]


@dataclass
class Env:
    """The rows a formula runs over: their count, the fields it reads, `this`, random streams."""

    n: int
    values: Callable[[str], Value]  # field path -> its values on these rows
    this: Value | None
    rng: Callable[[int], np.random.Generator]  # call position -> its random stream
    locals: dict[str, Value] = field(default_factory=dict)


def evaluate(compiled: Compiled, env: Env) -> pa.Array:
    """The formula's value on every row (an array of env.n values)."""
    result = _Evaluator(compiled, env).run(compiled.program)
    if isinstance(result, ListValue):
        raise FormulaError("a list cannot be a field's value; take one item, like .sample", 0)
    if not isinstance(result, pa.Array | pa.Scalar):
        raise FormulaError("a length of time like days(3) is not a value; add it to a date", 0)
    return as_array(result, env.n)


class _Evaluator:
    def __init__(self, compiled: Compiled, env: Env) -> None:
        self.compiled = compiled
        self.env = env

    def run(self, node: Node) -> Any:
        try:
            return self.eval(node)
        except FormulaTypeError as exc:
            raise FormulaError(str(exc), getattr(exc, "pos", node.pos)) from None

    def eval(self, node: Node) -> Any:
        try:
            return getattr(self, f"eval_{type(node).__name__}")(node)
        except FormulaTypeError as exc:
            if not hasattr(exc, "pos"):
                exc.pos = node.pos  # type: ignore[attr-defined]
            raise

    def eval_Program(self, node: Program) -> Any:
        result: Any = pa.scalar(None)
        for statement in node.statements:
            result = self.eval(statement)
        return result

    def eval_Assign(self, node: Assign) -> Any:
        value = self.eval(node.value)
        self.env.locals[node.name] = value
        return value

    def eval_Literal(self, node: Literal) -> Any:
        if isinstance(node.value, Regex):
            return node.value
        return pa.scalar(node.value)

    def eval_Name(self, node: Name) -> Any:
        if node.name in self.env.locals:
            return self.env.locals[node.name]
        if node.name == "this":
            return self.env.this if self.env.this is not None else pa.scalar(None)
        if node.pos in self.compiled.refs:
            return self.env.values(self.compiled.refs[node.pos])
        if node.pos in self.compiled.calls:
            return self._call(self.compiled.calls[node.pos], node.pos, [], {})
        return pa.scalar(None)  # blank, null

    def eval_Interp(self, node: Interp) -> Any:
        return join_text([pa.scalar(p) if isinstance(p, str) else self.eval(p) for p in node.parts])

    def eval_ListLit(self, node: ListLit) -> Any:
        return ListValue(tuple(self.eval(i) for i in node.items))

    def eval_Unary(self, node: Unary) -> Any:
        value = self.eval(node.operand)
        if node.op == "not":
            return pc.invert(truthy(value))
        return negate(value) if node.op == "-" else value

    def eval_Binary(self, node: Binary) -> Any:
        op = node.op
        if op in ("and", "or"):
            return self._logical(op, node)
        left, right = self.eval(node.left), self.eval(node.right)
        if op in ("=~", "!~"):
            text = text_of(left)
            found = pc.fill_null(pc.match_substring_regex(text, regex_pattern(right)), False)
            return found if op == "=~" else pc.invert(found)
        if op == "==":
            return equal(left, right)
        if op == "!=":
            return pc.invert(equal(left, right))
        if op in ("<", "<=", ">", ">="):
            return compare(op, left, right)
        return arithmetic(op, left, right)

    def _logical(self, op: str, node: Binary) -> Any:
        """Ruby's `a and b` is b when a is true, else a; `a or b` is a when a is true, else b."""
        left = self.eval(node.left)
        test = truthy(left)
        if isinstance(test, pa.Scalar):  # a constant decides alone, as Ruby short-circuits
            return self.eval(node.right) if test.as_py() == (op == "and") else left
        right = self.eval(node.right)
        a, b = unify([left, right])
        return pc.if_else(test, b, a) if op == "and" else pc.if_else(test, a, b)

    def eval_Cond(self, node: Cond) -> Any:
        pairs = [(truthy(self.eval(c)), v) for c, v in node.branches]
        return self._choose(pairs, node.default)

    def eval_Case(self, node: Case) -> Any:
        subject = self.eval(node.subject)
        pairs = []
        for values, result in node.whens:
            test: Value = pa.scalar(False)
            for v in values:
                test = pc.or_(test, equal(subject, self.eval(v)))
            pairs.append((test, result))
        return self._choose(pairs, node.default)

    def _choose(self, pairs: list[tuple[Value, Node]], default: Node | None) -> Any:
        """The first branch whose test is true, row by row; constant tests decide alone."""
        live: list[tuple[Value, Any]] = []
        for test, body in pairs:
            if isinstance(test, pa.Scalar):
                if test.as_py():
                    return self._finish(live, self.eval(body))
                continue
            live.append((test, self.eval(body)))
        fallback = self.eval(default) if default is not None else pa.scalar(None)
        return self._finish(live, fallback)

    def _finish(self, live: list[tuple[Value, Any]], fallback: Any) -> Any:
        if not live:
            return fallback
        *choices, otherwise = unify([v for _, v in live] + [fallback])
        result = otherwise
        for (test, _), value in zip(reversed(live), reversed(choices), strict=True):
            result = pc.if_else(test, value, result)
        return result

    def eval_Index(self, node: Index) -> Any:
        target = self.eval(node.target)
        args = [self.eval(a) for a in node.args]
        if (
            not args
            or len(args) > 2
            or not all(isinstance(a, pa.Scalar) and kind(a) == "int" for a in args)
        ):
            raise FormulaTypeError("x[i] and x[start, length] need constant whole numbers")
        start = int(args[0].as_py())
        if isinstance(target, ListValue):
            if len(args) != 1 or not -len(target.items) <= start < len(target.items):
                raise FormulaTypeError(f"index {start} is outside the list")
            return target.items[start]
        if kind(target) not in ("str", "nil"):
            raise FormulaTypeError(f"x[i] needs text or a list, got {noun(target)}")
        length = int(args[1].as_py()) if len(args) == 2 else 1
        stop = start + length
        text = text_of(target)
        if start < 0 <= stop:
            return pc.utf8_slice_codeunits(text, start)
        return pc.utf8_slice_codeunits(text, start, stop)

    def eval_Method(self, node: Method) -> Any:
        if node.pos in self.compiled.refs:
            return self.env.values(self.compiled.refs[node.pos])
        name = self.compiled.calls[node.pos]
        target = self.eval(node.target)
        return self._call(name, node.pos, [target, *(self.eval(a) for a in node.args)], {})

    def eval_Call(self, node: Call) -> Any:
        if node.pos in self.compiled.refs:  # field("Name")
            return self.env.values(self.compiled.refs[node.pos])
        args = [self.eval(a) for a in node.args]
        kwargs = {k: self.eval(v) for k, v in node.kwargs}
        return self._call(node.name, node.pos, args, kwargs)

    def _call(self, name: str, pos: int, args: list[Any], kwargs: dict[str, Any]) -> Any:
        site = CallSite(self.env.n, lambda: self.env.rng(pos), self.compiled.prepared.get(pos))
        try:
            return FUNCTIONS[name].impl(site, *args, **kwargs)
        except FormulaTypeError as exc:
            exc.pos = pos  # type: ignore[attr-defined]
            raise
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            described = ", ".join(
                noun(a) if not isinstance(a, ListValue) else "a list" for a in args
            )
            error = FormulaTypeError(f"{name} cannot take {described or 'no arguments'} ({exc})")
            error.pos = pos  # type: ignore[attr-defined]
            raise error from None
