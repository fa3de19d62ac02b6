"""Tokens to a tree (datagen.formula.syntax): recursive descent with Ruby's precedence.

lowest   not … and … or          (`and`/`or` share one level, left to right)
         c ? a : b
         ||    &&
         == != =~ !~             (not chained)
         < <= > >=
         + -
         * / %
         - + ! (unary)
         **                      (right to left; -2 ** 2 is -4)
highest  x.method(args)  x[i]  f(args)  literals  (expr)  if/case … end
"""

from __future__ import annotations

from typing import cast

from datagen.formula.lexer import FormulaSyntaxError, tokenize
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
    Token,
    Unary,
)

__all__ = ["parse", "parse_embedded"]

_COMPARE = {"<", "<=", ">", ">="}
_EQUALITY = {"==", "!=", "=~", "!~"}


def parse(text: str) -> Program:
    """The tree of a whole formula; FormulaSyntaxError says what and where."""
    tokens, _ = tokenize(text)
    parser = _Parser(tokens, len(text))
    program = parser.program(("end",))
    if not program.statements:
        raise FormulaSyntaxError("the formula is empty", 0)
    return program


def parse_embedded(text: str, start: int) -> tuple[Node, int]:
    """The expression of a `#{...}` part starting at text[start]; returns it and its end."""
    tokens, end = tokenize(text, start, stop_at_brace=True)
    parser = _Parser(tokens, end - 1)
    program = parser.program(("end",))
    if not program.statements:
        return Literal(start, ""), end
    return (program.statements[0] if len(program.statements) == 1 else program), end


class _Parser:
    def __init__(self, tokens: list[Token], end: int) -> None:
        self.tokens = tokens
        self.i = 0
        self.end = Token("end", None, end)

    # -- token helpers ---------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Token:
        j = self.i + ahead
        return self.tokens[j] if j < len(self.tokens) else self.end

    def next(self) -> Token:
        tok = self.peek()
        self.i += 1
        return tok

    def at(self, kind: str, *values: object) -> bool:
        tok = self.peek()
        return tok.kind == kind and (not values or tok.value in values)

    def accept(self, kind: str, *values: object) -> Token | None:
        return self.next() if self.at(kind, *values) else None

    def expect(self, kind: str, value: object, what: str) -> Token:
        tok = self.peek()
        if tok.kind != kind or tok.value != value:
            raise FormulaSyntaxError(f"expected {what}, found {_describe(tok)}", tok.pos)
        return self.next()

    def at_stop(self, stops: tuple[str, ...]) -> bool:
        return self.peek().kind == "kw" and self.peek().value in stops

    def skip_separators(self) -> None:
        while self.at("nl") or self.at("op", ";"):
            self.i += 1

    # -- statements ------------------------------------------------------------------------
    def program(self, stops: tuple[str, ...]) -> Program:
        """Statements until end of input or one of the keywords in `stops`."""
        pos = self.peek().pos
        statements: list[Node] = []
        self.skip_separators()
        while self.peek().kind != "end" and not self.at_stop(stops):
            statements.append(self.statement())
            if not (self.at("nl") or self.at("op", ";")):
                break
            self.skip_separators()
        if self.peek().kind != "end" and not self.at_stop(stops):
            tok = self.peek()
            raise FormulaSyntaxError(f"unexpected {_describe(tok)}", tok.pos)
        return Program(pos, tuple(statements))

    def statement(self) -> Node:
        tok = self.peek()
        if tok.kind == "name" and self.peek(1).kind == "op" and self.peek(1).value == "=":
            self.i += 2
            return Assign(tok.pos, str(tok.value), self.expression())
        return self.expression()

    def body(self, stops: tuple[str, ...]) -> Node:
        program = self.program(stops)
        if not program.statements:
            tok = self.peek()
            raise FormulaSyntaxError(f"expected a value before {_describe(tok)}", tok.pos)
        return program.statements[0] if len(program.statements) == 1 else program

    # -- expressions, lowest precedence first ----------------------------------------------
    def expression(self) -> Node:
        left = self.negation()
        while self.at("kw", "and", "or"):
            op = self.next()
            left = Binary(op.pos, str(op.value), left, self.negation())
        return left

    def negation(self) -> Node:
        if self.at("kw", "not"):
            op = self.next()
            return Unary(op.pos, "not", self.negation())
        return self.ternary()

    def ternary(self) -> Node:
        cond = self.logical_or()
        if self.at("op", "?"):
            self.next()
            yes = self.ternary()
            self.expect("op", ":", "':' of 'condition ? a : b'")
            return Cond(cond.pos, ((cond, yes),), self.ternary())
        return cond

    def logical_or(self) -> Node:
        left = self.logical_and()
        while self.at("op", "||"):
            op = self.next()
            left = Binary(op.pos, "or", left, self.logical_and())
        return left

    def logical_and(self) -> Node:
        left = self.equality()
        while self.at("op", "&&"):
            op = self.next()
            left = Binary(op.pos, "and", left, self.equality())
        return left

    def equality(self) -> Node:
        left = self.comparison()
        if self.at("op", *_EQUALITY):
            op = self.next()
            left = Binary(op.pos, str(op.value), left, self.comparison())
        return left

    def comparison(self) -> Node:
        left = self.additive()
        if self.at("op", *_COMPARE):
            op = self.next()
            left = Binary(op.pos, str(op.value), left, self.additive())
        return left

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.at("op", "+", "-"):
            op = self.next()
            left = Binary(op.pos, str(op.value), left, self.multiplicative())
        return left

    def multiplicative(self) -> Node:
        left = self.unary()
        while self.at("op", "*", "/", "%"):
            op = self.next()
            left = Binary(op.pos, str(op.value), left, self.unary())
        return left

    def unary(self) -> Node:
        if self.at("op", "-", "+", "!"):
            op = self.next()
            operand = self.unary()
            if op.value == "-" and isinstance(operand, Literal) and _is_number(operand.value):
                return Literal(op.pos, -operand.value)  # type: ignore[operator]
            return Unary(op.pos, "not" if op.value == "!" else str(op.value), operand)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        if self.at("op", "**"):
            op = self.next()
            return Binary(op.pos, "**", base, self.unary())
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at("op", "."):
                self.next()
                name = self.peek()
                if name.kind not in ("name", "kw"):
                    raise FormulaSyntaxError(
                        f"expected a method name after '.', found {_describe(name)}", name.pos
                    )
                self.next()
                args: tuple[Node, ...] = ()
                if self.at("op", "(") and self.peek().pos == name.pos + len(str(name.value)):
                    args, _ = self.arguments(")")
                node = Method(name.pos, node, str(name.value), args)
            elif self.at("op", "["):
                open_ = self.next()
                items = self.items("]")
                node = Index(open_.pos, node, items)
            else:
                return node

    def arguments(self, close: str) -> tuple[tuple[Node, ...], tuple[tuple[str, Node], ...]]:
        """`(a, b, key: c)` after the opening bracket has been seen."""
        self.expect("op", "(", "'('")
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        while not self.at("op", close):
            tok = self.peek()
            if tok.kind == "name" and self.peek(1).kind == "op" and self.peek(1).value == ":":
                self.i += 2
                kwargs.append((str(tok.value), self.expression()))
            elif kwargs:
                raise FormulaSyntaxError("a positional argument after a keyword one", tok.pos)
            else:
                args.append(self.expression())
            if not self.accept("op", ","):
                break
        self.expect("op", close, "')' or ','")
        return tuple(args), tuple(kwargs)

    def items(self, close: str) -> tuple[Node, ...]:
        items: list[Node] = []
        while not self.at("op", close):
            items.append(self.expression())
            if not self.accept("op", ","):
                break
        self.expect("op", close, f"{close!r} or ','")
        return tuple(items)

    def primary(self) -> Node:
        tok = self.peek()
        if tok.kind in ("num", "str", "regex"):
            self.next()
            return Literal(tok.pos, tok.value)
        if tok.kind == "istr":
            self.next()
            parts = cast(tuple[str | Node, ...], tok.value)
            texts = [p for p in parts if isinstance(p, str)]
            if len(texts) == len(parts):
                return Literal(tok.pos, "".join(texts))
            return Interp(tok.pos, parts)
        if tok.kind == "kw":
            return self.keyword(tok)
        if tok.kind == "name":
            self.next()
            if self.at("op", "(") and self.peek().pos == tok.pos + len(str(tok.value)):
                args, kwargs = self.arguments(")")
                return Call(tok.pos, str(tok.value), args, kwargs)
            return Name(tok.pos, str(tok.value))
        if tok.kind == "op" and tok.value == "(":
            self.next()
            inner = self.expression()
            self.expect("op", ")", "')'")
            return inner
        if tok.kind == "op" and tok.value == "[":
            self.next()
            return ListLit(tok.pos, self.items("]"))
        raise FormulaSyntaxError(f"expected a value, found {_describe(tok)}", tok.pos)

    def keyword(self, tok: Token) -> Node:
        word = tok.value
        if word in ("true", "false", "nil"):
            self.next()
            return Literal(tok.pos, {"true": True, "false": False, "nil": None}[str(word)])
        if word in ("if", "unless"):
            return self.if_expression()
        if word == "case":
            return self.case_expression()
        raise FormulaSyntaxError(f"unexpected {_describe(tok)}", tok.pos)

    def then(self) -> None:
        if not self.accept("kw", "then"):
            self.skip_separators()

    def if_expression(self) -> Node:
        start = self.next()
        cond = self.expression()
        if start.value == "unless":
            cond = Unary(cond.pos, "not", cond)
        self.then()
        branches = [(cond, self.body(("elsif", "else", "end")))]
        while self.accept("kw", "elsif"):
            cond = self.expression()
            self.then()
            branches.append((cond, self.body(("elsif", "else", "end"))))
        default = self.body(("end",)) if self.accept("kw", "else") else None
        self.expect("kw", "end", f"'end' closing the 'if' at position {start.pos + 1}")
        return Cond(start.pos, tuple(branches), default)

    def case_expression(self) -> Node:
        start = self.next()
        subject = self.expression()
        self.skip_separators()
        whens: list[tuple[tuple[Node, ...], Node]] = []
        while self.accept("kw", "when"):
            values = [self.expression()]
            while self.accept("op", ","):
                values.append(self.expression())
            self.then()
            whens.append((tuple(values), self.body(("when", "else", "end"))))
        if not whens:
            tok = self.peek()
            raise FormulaSyntaxError(f"expected 'when', found {_describe(tok)}", tok.pos)
        default = self.body(("end",)) if self.accept("kw", "else") else None
        self.expect("kw", "end", f"'end' closing the 'case' at position {start.pos + 1}")
        return Case(start.pos, subject, tuple(whens), default)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "the end of the formula"
    if tok.kind == "nl":
        return "a new line"
    if tok.kind in ("str", "istr"):
        return "a string"
    return repr(tok.value)
