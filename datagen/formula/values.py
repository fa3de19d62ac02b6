"""Whole-column values of the formula language and Ruby's rules for combining them.

A value is a pyarrow Array (one entry per row) or a pyarrow Scalar (the same for every row),
so `price * 1.2` is one multiplication over the chunk. Kinds and their Arrow types:

    nil     null            str   string (dictionary arrays are decoded where needed)
    bool    bool            date  date32     (Ruby Date: whole days)
    int     int64           time  timestamp[ms] (Ruby Time/DateTime, UTC)
    float   float64         span  Span (years(2), days(3) ...: a Python object, not Arrow)

Ruby's rules, and where datagen is more lenient (documented in docs/datagen.md):
- nil and false are false, everything else is true (0 and "" included).
- int / int divides whole numbers rounding down; % takes the sign of the divisor;
  a division by zero gives nil (Ruby raises).
- Arithmetic with nil gives nil (Ruby raises); comparing with nil is false, nil == nil true.
- `+` joins strings and turns the other side into text (Ruby raises for "a" + 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.strftime import compile_format, render

__all__ = [
    "FormulaTypeError",
    "Span",
    "Value",
    "as_array",
    "compare",
    "equal",
    "join_text",
    "kind",
    "plain",
    "to_text",
    "truthy",
    "unify",
]

Value: TypeAlias = "pa.Array | pa.Scalar | Span"
TIME = pa.timestamp("ms")
DATE = pa.date32()
_ISO_TIME = compile_format("%Y-%m-%dT%H:%M:%SZ")
_ISO_DATE = compile_format("%Y-%m-%d")


class FormulaTypeError(Exception):
    """Values that cannot be combined (like a date plus a string); the caller adds where."""


@dataclass(frozen=True, slots=True)
class Span:
    """A length of time: calendar months and seconds, each a number or a per-row array."""

    months: int | np.ndarray = 0
    seconds: int | float | np.ndarray = 0

    def scaled(self, sign: int) -> Span:
        return Span(self.months * sign, self.seconds * sign)


def plain(value: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    """The value without dictionary encoding."""
    if isinstance(value, pa.Scalar):
        if pa.types.is_dictionary(value.type):
            return value.value if value.is_valid else pa.scalar(None, value.type.value_type)
        return value
    if pa.types.is_dictionary(value.type):
        return value.dictionary_decode()
    if pa.types.is_large_string(value.type):
        return value.cast(pa.string())
    return value


def kind(value: Value) -> str:
    """nil, bool, int, float, str, date, time, span (see the module docstring)."""
    if isinstance(value, Span):
        return "span"
    t = value.type
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_null(t):
        return "nil"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "float"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "str"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "time"
    return "other"


def as_array(value: pa.Array | pa.Scalar, n: int) -> pa.Array:
    """An array of n rows (a scalar repeated)."""
    if isinstance(value, pa.Scalar):
        if not value.is_valid:
            return pa.nulls(n, value.type)
        return pa.repeat(value, n)
    return value


def _valid(value: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    if isinstance(value, pa.Scalar):
        return pa.scalar(value.is_valid)
    return value.is_valid()


def truthy(value: Value) -> pa.Array | pa.Scalar:
    """Ruby truth: nil and false are false, everything else true; never null."""
    if isinstance(value, Span):
        return pa.scalar(True)
    if kind(value) == "bool":
        return pc.fill_null(plain(value), False)
    return _valid(value)


def _float_text(value: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    """Ruby's Float#to_s: 5.0 stays "5.0", 1e20 is "1.0e+20"."""
    text = pc.cast(value, pa.string())
    whole = pc.invert(pc.match_substring_regex(text, r"[.en]"))  # no dot, exponent, nan, inf
    return pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)


def to_text(value: Value) -> pa.Array | pa.Scalar:
    """Ruby's to_s of each value; nil is ""."""
    if isinstance(value, Span):
        raise FormulaTypeError("a length of time like days(3) is not text; add it to a date")
    k = kind(value)
    value = plain(value)
    if k == "str":
        return pc.fill_null(value, "")
    if k == "nil":
        return (
            pa.scalar("") if isinstance(value, pa.Scalar) else pa.repeat(pa.scalar(""), len(value))
        )
    if k == "float":
        text = _float_text(value)
    elif k in ("date", "time"):
        text = format_temporal(value, _ISO_DATE if k == "date" else _ISO_TIME)
    else:
        text = pc.cast(value, pa.string())
    return pc.fill_null(text, "")


def format_temporal(value: pa.Array | pa.Scalar, tokens: tuple) -> pa.Array | pa.Scalar:
    """Dates or times rendered with a compiled strftime format; nil stays nil."""
    scalar = isinstance(value, pa.Scalar)
    arr = as_array(value, 1) if scalar else value
    millis = pc.cast(pc.cast(arr, TIME), pa.int64()) if kind(arr) == "date" else None
    ms = millis if millis is not None else pc.cast(arr, pa.int64())
    raw = np.asarray(pc.fill_null(ms, 0))
    text = render(tokens, np.floor_divide(raw, 1000), millis=np.mod(raw, 1000))
    if arr.null_count:
        text = pc.if_else(arr.is_valid(), text, pa.scalar(None, pa.string()))
    return text[0] if scalar else text


def join_text(parts: list[Value]) -> pa.Array | pa.Scalar:
    """Strings joined end to end; each part as Ruby's to_s (nil is "")."""
    texts = [to_text(p) for p in parts]
    if all(isinstance(t, pa.Scalar) for t in texts):
        return pa.scalar("".join(t.as_py() for t in texts))
    return pc.binary_join_element_wise(*texts, "")


_ORDER = ("nil", "bool", "int", "float", "date", "time", "str")


def unify(values: list[Value]) -> list[pa.Array | pa.Scalar]:
    """Values of one Arrow type, for choosing between them per row (if/else, and/or).

    nil fits any kind; int widens to float and date to time; other mixes become text.
    """
    if any(isinstance(v, Span) for v in values):
        raise FormulaTypeError("a length of time like days(3) cannot be a result; add it to a date")
    plain_values = [plain(v) for v in values]  # type: ignore[arg-type]
    kinds = {kind(v) for v in plain_values} - {"nil"}
    if not kinds:
        return plain_values
    if kinds <= {"int", "float"}:
        target = pa.float64() if "float" in kinds else pa.int64()
    elif kinds <= {"date", "time"}:
        target = TIME if "time" in kinds else DATE
    elif len(kinds) == 1:
        target = next(v.type for v in plain_values if kind(v) != "nil")
    else:
        return [_text_keeping_nil(v) for v in plain_values]
    return [v.cast(target) if v.type != target else v for v in plain_values]


def _text_keeping_nil(value: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    if kind(value) == "nil":
        return (
            pa.scalar(None, pa.string())
            if isinstance(value, pa.Scalar)
            else value.cast(pa.string())
        )
    text = to_text(value)
    if isinstance(value, pa.Array) and value.null_count:
        return pc.if_else(value.is_valid(), text, pa.scalar(None, pa.string()))
    return text if isinstance(value, pa.Array) or value.is_valid else pa.scalar(None, pa.string())


def _numeric(a: pa.Array | pa.Scalar, b: pa.Array | pa.Scalar) -> bool:
    return kind(a) in ("int", "float") and kind(b) in ("int", "float")


def equal(a: Value, b: Value) -> pa.Array | pa.Scalar:
    """Ruby ==: false across kinds (numbers compare by value), nil == nil; never null."""
    if isinstance(a, Span) or isinstance(b, Span):
        raise FormulaTypeError("a length of time like days(3) cannot be compared")
    a, b = plain(a), plain(b)
    ka, kb = kind(a), kind(b)
    both_nil = pc.and_(pc.invert(_valid(a)), pc.invert(_valid(b)))
    if ka == "nil" or kb == "nil":
        return both_nil
    if ka != kb and not _numeric(a, b) and {ka, kb} != {"date", "time"}:
        return pc.and_(both_nil, pa.scalar(False))
    if {ka, kb} == {"date", "time"}:
        a, b = pc.cast(a, TIME), pc.cast(b, TIME)
    return pc.or_(pc.fill_null(pc.equal(a, b), False), both_nil)


_COMPARE = {"<": pc.less, "<=": pc.less_equal, ">": pc.greater, ">=": pc.greater_equal}


def compare(op: str, a: Value, b: Value) -> pa.Array | pa.Scalar:
    """<, <=, >, >= between numbers, strings, or dates and times; with nil, false."""
    if isinstance(a, Span) or isinstance(b, Span):
        raise FormulaTypeError("a length of time like days(3) cannot be compared")
    a, b = plain(a), plain(b)
    ka, kb = kind(a), kind(b)
    if "nil" in (ka, kb):
        return pa.scalar(False)
    if {ka, kb} <= {"date", "time"}:
        a, b = pc.cast(a, TIME), pc.cast(b, TIME)
    elif not (_numeric(a, b) or ka == kb == "str"):
        raise FormulaTypeError(f"cannot compare {_noun(ka)} with {_noun(kb)} using {op!r}")
    return pc.fill_null(_COMPARE[op](a, b), False)


def _noun(k: str) -> str:
    return {
        "nil": "nil",
        "bool": "true/false",
        "int": "a whole number",
        "float": "a number",
        "str": "text",
        "date": "a date",
        "time": "a date-time",
        "span": "a length of time",
    }.get(k, "a value")


def noun(value: Value) -> str:
    """How an error message names the kind of a value."""
    return _noun(kind(value))


def numbers(value: pa.Array | pa.Scalar) -> tuple[np.ndarray | float | int, np.ndarray | bool]:
    """(numpy values with nulls as 0, validity) of a numeric value."""
    if isinstance(value, pa.Scalar):
        return (value.as_py() if value.is_valid else 0), value.is_valid
    return np.asarray(pc.fill_null(value, 0)), np.asarray(value.is_valid())


def from_numbers(
    values: np.ndarray | float | int, valid: np.ndarray | bool
) -> pa.Array | pa.Scalar:
    """Back to Arrow; rows not valid (or not finite) are nil."""
    if np.ndim(values) == 0:
        v = values.item() if isinstance(values, np.generic) else values
        ok = bool(valid) and not (isinstance(v, float) and not math.isfinite(v))
        typ = pa.float64() if isinstance(v, float) else pa.int64()
        return pa.scalar(v if ok else None, typ)
    arr = np.asarray(values)
    mask = ~np.asarray(valid, dtype=bool)
    if arr.dtype.kind == "f":
        mask = mask | ~np.isfinite(arr)
    if np.ndim(mask) == 0:
        mask = np.full(len(arr), bool(mask))
    return pa.array(arr, mask=mask if mask.any() else None)
