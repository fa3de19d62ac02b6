"""Formula text to tokens. FormulaSyntaxError carries the 0-based position of the problem."""

from __future__ import annotations

import re

from datagen.formula.syntax import Node, Regex, Token

__all__ = ["INT_MAX", "INT_MIN", "KEYWORDS", "FormulaSyntaxError", "tokenize"]

KEYWORDS = {
    "if", "then", "elsif", "else", "end", "case", "when", "and", "or", "not",
    "true", "false", "nil", "unless",
}  # fmt: skip
_OPS = (
    "**", "==", "!=", "<=", ">=", "=~", "!~", "&&", "||", "<", ">", "+", "-", "*", "/", "%",
    "(", ")", "[", "]", ",", ".", "?", ":", "!", "=", ";", "{", "}",
)  # fmt: skip
_NUMBER = re.compile(r"\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[?!]?")
# after these a "/" starts a regex and a new line continues the expression
_OPERATOR_END = {"op", "kw"}
_VALUE_KW = {"true", "false", "nil", "end"}
_VALUE_OPS = {")", "]", "}"}


INT_MIN, INT_MAX = -(2**63), 2**63 - 1


class FormulaSyntaxError(Exception):
    """A formula that cannot be read; `pos` is where (0-based)."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def _after_value(tokens: list[Token]) -> bool:
    """Whether the last token ends a value (so "/" divides and a new line ends a statement)."""
    if not tokens:
        return False
    last = tokens[-1]
    if last.kind == "kw":
        return last.value in _VALUE_KW
    if last.kind == "op":
        return last.value in _VALUE_OPS
    return last.kind != "nl"


def _escape(ch: str) -> str:
    return {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "s": " ", "e": "\x1b"}.get(ch, ch)


_HEX = re.compile(
    r"u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6}(?: [0-9a-fA-F]{1,6})*)\}|x([0-9a-fA-F]{1,2})"
)


def _code_escape(text: str, j: int) -> tuple[str, int]:
    """Ruby's \\u00e9, \\u{1F600}, \\u{61 62} and \\x41 at text[j] == "\\"; the end."""
    m = _HEX.match(text, j + 1)
    if m is None:
        raise FormulaSyntaxError(
            f"invalid escape \\{text[j + 1]}: write \\u00e9, \\u{{1F600}} or \\x41", j
        )
    codes = [m[1]] if m[1] else m[2].split() if m[2] else [m[3]]
    try:
        out = "".join(chr(int(code, 16)) for code in codes)
        out.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        raise FormulaSyntaxError(f"escape {m[0]!r} is not a Unicode character", j) from None
    return out, m.end()


def _single(text: str, i: int) -> tuple[str, int]:
    """A single-quoted string from text[i] == "'": only \\\\ and \\' are escapes."""
    out, j = [], i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text) and text[j + 1] in "\\'":
            out.append(text[j + 1])
            j += 2
        elif ch == "'":
            return "".join(out), j + 1
        else:
            out.append(ch)
            j += 1
    raise FormulaSyntaxError("unterminated string", i)


def _double(text: str, i: int, quote: str) -> tuple[list[str | Node], int]:
    """A double-quoted string: escapes and #{expr} parts (parsed by the caller's parser)."""
    from datagen.formula.parser import parse_embedded  # the parser imports this module

    parts: list[str | Node] = []
    buf: list[str] = []
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\" and j + 1 < len(text) and text[j + 1] in "ux":
            char, j = _code_escape(text, j)
            buf.append(char)
        elif ch == "\\" and j + 1 < len(text):
            buf.append(_escape(text[j + 1]))
            j += 2
        elif ch == "#" and text.startswith("#{", j):
            if buf:
                parts.append("".join(buf))
                buf = []
            node, j = parse_embedded(text, j + 2)
            parts.append(node)
        elif ch == quote:
            if buf or not parts:
                parts.append("".join(buf))
            return parts, j + 1
        else:
            buf.append(ch)
            j += 1
    raise FormulaSyntaxError("unterminated string", i)


def _regex(text: str, i: int) -> tuple[Regex, int]:
    j = i + 1
    while j < len(text) and text[j] != "/":
        j += 2 if text[j] == "\\" else 1
    if j >= len(text):
        raise FormulaSyntaxError("unterminated regular expression", i)
    k = j + 1
    while k < len(text) and text[k] in "imx":
        k += 1
    return Regex(text[i + 1 : j], text[j + 1 : k]), k


def tokenize(text: str, start: int = 0, stop_at_brace: bool = False) -> tuple[list[Token], int]:
    """Tokens of text[start:]; with stop_at_brace, stop at the "}" closing a #{...} part.

    A new line is a statement separator ("nl") only after a complete value and outside
    brackets, so an expression may continue on the next line after an operator or comma.
    """
    tokens: list[Token] = []
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            if depth == 0 and _after_value(tokens):
                tokens.append(Token("nl", "\n", i))
            i += 1
        elif ch in " \t\r":
            i += 1
        elif ch == "#" and not text.startswith("#{", i):
            while i < len(text) and text[i] != "\n":  # a comment
                i += 1
        elif ch.isdigit():
            m = _NUMBER.match(text, i)
            assert m is not None
            raw = m[0].replace("_", "")
            value: object = float(raw) if (m[1] or m[2]) else int(raw)
            if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
                raise FormulaSyntaxError(
                    f"{raw} is beyond the 64-bit whole numbers (write {raw}.0 for a number)", i
                )
            tokens.append(Token("num", value, i))
            i = m.end()
        elif ch == "'":
            s, i2 = _single(text, i)
            tokens.append(Token("str", s, i))
            i = i2
        elif ch == '"':
            parts, i2 = _double(text, i, '"')
            tokens.append(Token("istr", tuple(parts), i))
            i = i2
        elif ch == "/" and not _after_value(tokens):
            rx, i2 = _regex(text, i)
            tokens.append(Token("regex", rx, i))
            i = i2
        elif ch == ":" and i + 1 < len(text) and (text[i + 1].isalpha() or text[i + 1] == "_"):
            if (
                tokens
                and tokens[-1].kind == "name"
                and tokens[-1].pos + len(str(tokens[-1].value)) == i
            ):  # `key:value` keyword argument without a space
                tokens.append(Token("op", ":", i))
                i += 1
                continue
            m = _NAME.match(text, i + 1)
            assert m is not None
            tokens.append(Token("str", m[0], i))  # a symbol :days is its name as a string
            i = m.end()
        elif ch.isalpha() or ch == "_" or ch == "@" or ch == "$":
            m = _NAME.match(text, i + (1 if ch in "@$" else 0))
            if m is None:
                raise FormulaSyntaxError(f"unexpected character {ch!r}", i)
            word = text[i : m.end()]
            tokens.append(Token("kw" if word in KEYWORDS else "name", word, i))
            i = m.end()
        else:
            op = next((o for o in _OPS if text.startswith(o, i)), None)
            if op is None:
                raise FormulaSyntaxError(f"unexpected character {ch!r}", i)
            if op in "([{":
                depth += 1
            elif op in ")]}":
                if op == "}" and depth == 0 and stop_at_brace:
                    return tokens, i + 1
                depth -= 1
            tokens.append(Token("op", op, i))
            i += len(op)
    if stop_at_brace:
        raise FormulaSyntaxError("unterminated #{...} in a string", start - 2)
    return tokens, i
