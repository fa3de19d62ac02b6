"""Compiling a formula (names resolved, functions checked) and evaluating it over columns.

    compile_formula(text, scope)  parse; resolve every name to a local, `this`, or a field;
                                  check each function and its arity; run prepare() hooks
                                  -> Compiled (the tree, the fields it reads, what prepare built)
    evaluate(compiled, env)       walk the tree once per chunk, each node over all rows

Mistakes are FormulaError(message, position); the caller adds the field and the formula.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.formula import dates, methods, sources  # noqa: F401 - they register functions
from datagen.formula.functions import FUNCTIONS, NOT_CONSTANT, CallSite, ListValue, text_of
from datagen.formula.lexer import FormulaSyntaxError
from datagen.formula.methods import METHODS, regex_pattern
from datagen.formula.ops import arithmetic, negate
from datagen.formula.parser import parse
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

__all__ = ["Compiled", "Env", "FormulaError", "Scope", "compile_formula", "evaluate"]

NULL_NAMES = {"blank", "null"}  # `nil` is a keyword; these read as nil unless a field has the name


class FormulaError(Exception):
    """A formula that cannot be compiled or evaluated; `pos` is 0-based."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class Scope(Protocol):
    """What a formula's names can mean where it is compiled."""

    def field(self, name: str) -> str | None:
        """The path of the field `name` refers to from this formula's field, if any."""

    def names(self) -> list[str]:
        """Every field name this formula could refer to (for suggestions)."""

    def services(self) -> Any:
        """What prepare() hooks need (datagen's types for generate, the datasets)."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A checked formula: its tree, the fields each name node reads, what prepare() built."""

    text: str
    program: Program
    refs: Mapping[int, str]  # position of a Name/Method/Call node -> field path
    prepared: Mapping[int, Any]  # position of a Call node -> what prepare() returned
    calls: Mapping[int, str]  # position of a Method/Name node -> function it calls
    uses_this: bool

    @property
    def fields(self) -> frozenset[str]:
        """The fields this formula reads."""
        return frozenset(self.refs.values())


def compile_formula(text: str, scope: Scope) -> Compiled:
    """Parse and check a formula; FormulaError names the first problem and its position."""
    try:
        program = parse(text)
    except FormulaSyntaxError as exc:
        raise FormulaError(str(exc), exc.pos) from None
    checker = _Checker(scope)
    checker.visit(program)
    return Compiled(text, program, checker.refs, checker.prepared, checker.calls, checker.this)


def _dotted(node: Node) -> str | None:
    """`a.b.c` as a dotted name, if node is a chain of bare names."""
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Method) and not node.args:
        inner = _dotted(node.target)
        return f"{inner}.{node.name}" if inner is not None else None
    return None


def _close(name: str, options: Sequence[str]) -> str:
    found = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    return f" (closest: {', '.join(repr(f) for f in found)})" if found else ""


class _Checker:
    """One pass over the tree: resolve names, check calls, run prepare() hooks."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.locals: set[str] = set()
        self.refs: dict[int, str] = {}
        self.prepared: dict[int, Any] = {}
        self.calls: dict[int, str] = {}
        self.this = False

    def visit(self, node: Node) -> None:
        handler = getattr(self, f"visit_{type(node).__name__}", None)
        if handler is not None:
            handler(node)
            return
        for child in _children(node):
            self.visit(child)

    def visit_Assign(self, node: Assign) -> None:
        self.visit(node.value)
        self.locals.add(node.name)

    def visit_Name(self, node: Name) -> None:
        name = node.name
        if name in self.locals:
            return
        if name == "this":
            self.this = True
            return
        path = self.scope.field(name)
        if path is not None:
            self.refs[node.pos] = path
        elif name in NULL_NAMES:
            return
        elif name in FUNCTIONS and FUNCTIONS[name].low == 0:
            self.calls[node.pos] = name
            self._prepare(name, node.pos, (), ())
        else:
            raise FormulaError(
                f"unknown field {name!r}{_close(name, [*self.scope.names(), *self.locals])}; "
                'write field("Name") for a name with spaces or capitals',
                node.pos,
            )

    def visit_Method(self, node: Method) -> None:
        dotted = _dotted(node)
        if dotted is not None and "." in dotted and dotted.split(".")[0] not in self.locals:
            path = self.scope.field(dotted)
            if path is not None:
                self.refs[node.pos] = path
                return
        target = METHODS.get(node.name)
        if target is None:
            raise FormulaError(f"unknown method {node.name!r}{_close(node.name, list(METHODS))}",
                               node.pos)  # fmt: skip
        self.visit(node.target)
        for arg in node.args:
            self.visit(arg)
        self._arity(target, 1 + len(node.args), node.pos, f".{node.name}")
        self.calls[node.pos] = target
        self._prepare(target, node.pos, (node.target, *node.args), ())

    def visit_Call(self, node: Call) -> None:
        if node.name == "field":
            self._field_call(node)
            return
        fn = FUNCTIONS.get(node.name)
        if fn is None:
            raise FormulaError(
                f"unknown function {node.name!r}{_close(node.name, list(FUNCTIONS))}", node.pos
            )
        if node.kwargs and not fn.keywords:
            raise FormulaError(f"{node.name} takes no key: value arguments", node.pos)
        self._arity(node.name, len(node.args), node.pos, node.name)
        for arg in (*node.args, *(v for _, v in node.kwargs)):
            self.visit(arg)
        self._prepare(node.name, node.pos, node.args, node.kwargs)

    def _field_call(self, node: Call) -> None:
        if (
            len(node.args) != 1
            or not isinstance(node.args[0], Literal)
            or not isinstance(node.args[0].value, str)
        ):
            raise FormulaError('field() takes one field name in quotes: field("First Name")',
                               node.pos)  # fmt: skip
        name = node.args[0].value
        path = self.scope.field(name)
        if path is None:
            raise FormulaError(f"unknown field {name!r}{_close(name, self.scope.names())}",
                               node.args[0].pos)  # fmt: skip
        self.refs[node.pos] = path

    def _arity(self, name: str, count: int, pos: int, shown: str) -> None:
        fn = FUNCTIONS[name]
        if count < fn.low or (fn.high >= 0 and count > fn.high):
            want = (
                str(fn.low)
                if fn.low == fn.high
                else (f"{fn.low} or more" if fn.high < 0 else f"{fn.low} to {fn.high}")
            )
            raise FormulaError(f"{shown} takes {want} arguments, got {count}; {fn.doc}", pos)

    def _prepare(
        self, name: str, pos: int, args: Sequence[Node], kwargs: Sequence[tuple[str, Node]]
    ) -> None:
        fn = FUNCTIONS[name]
        if fn.prepare is None:
            return
        constants = [_constant(a) for a in args]
        named = {k: _constant(v) for k, v in kwargs}
        try:
            self.prepared[pos] = fn.prepare(constants, named, self.scope.services())
        except FormulaTypeError as exc:
            raise FormulaError(str(exc), pos) from None


def _constant(node: Node) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, ListLit) and all(isinstance(i, Literal) for i in node.items):
        return [i.value for i in node.items if isinstance(i, Literal)]
    return NOT_CONSTANT


def _children(node: Node) -> list[Node]:
    if isinstance(node, Program):
        return list(node.statements)
    if isinstance(node, Interp):
        return [p for p in node.parts if isinstance(p, Node)]
    if isinstance(node, ListLit):
        return list(node.items)
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Index):
        return [node.target, *node.args]
    if isinstance(node, Cond):
        out = [x for pair in node.branches for x in pair]
        return out + ([node.default] if node.default is not None else [])
    if isinstance(node, Case):
        out = [node.subject]
        for values, result in node.whens:
            out += [*values, result]
        return out + ([node.default] if node.default is not None else [])
    return []


# -- evaluation ---------------------------------------------------------------------------------


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
