"""Compiling a formula: parse it, resolve every name, check every call, run prepare() hooks.

    compile_formula(text, scope) -> Compiled (the tree, the fields it reads, what prepare built)

A name is a local variable, `this`, a field (as the Scope resolves it), `nil`/`blank`, or a
function taking no arguments; anything else is a FormulaError(message, position) that the
caller turns into a schema error naming the field and the formula.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from datagen.formula import dates, methods, sources  # noqa: F401 - they register functions
from datagen.formula.functions import FUNCTIONS, NOT_CONSTANT
from datagen.formula.lexer import FormulaSyntaxError
from datagen.formula.methods import METHODS
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
    Unary,
)
from datagen.formula.values import FormulaTypeError

__all__ = ["NULL_NAMES", "Compiled", "FormulaError", "Scope", "compile_formula"]

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
