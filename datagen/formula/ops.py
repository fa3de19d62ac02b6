"""Arithmetic over whole columns: numbers, text, and dates with lengths of time.

number + - * / % ** number      Ruby's integer division and modulo (see values.py)
text + anything                 joined as text;  text * n repeats it
date ± days(3), years(2) ...    calendar months (Jan 31 + 1 month = Feb 28/29), then seconds
date ± n                        n days for a date, n seconds for a date-time (as Ruby)
date - date                     whole days; date-times: whole seconds
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.formula.lexer import INT_MAX, INT_MIN
from datagen.formula.values import (
    DATE,
    TIME,
    FormulaTypeError,
    Span,
    Value,
    from_numbers,
    join_text,
    kind,
    noun,
    numbers,
    plain,
)
from datagen.strftime import civil

__all__ = ["arithmetic", "days_from_civil", "negate", "shift_months"]

DAY_MS = 86_400_000


def days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (the inverse of strftime.civil)."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def shift_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Days since 1970 moved by whole calendar months; the day clamps to the month's end."""
    year, month, day = civil(np.asarray(days, dtype=np.int64))
    total = year * 12 + (month - 1) + np.asarray(months, dtype=np.int64)
    y, m = np.floor_divide(total, 12), np.mod(total, 12) + 1
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    last = _MONTH_DAYS[m - 1] + ((m == 2) & leap)
    return days_from_civil(y, m, np.minimum(day, last))


def _millis(value: pa.Array | pa.Scalar) -> tuple[Any, Any]:
    """Milliseconds since 1970 of dates or date-times, and validity."""
    return numbers(pc.cast(pc.cast(value, TIME), pa.int64()))


def _temporal_result(
    ms: np.ndarray | int, valid: np.ndarray | bool, as_date: bool
) -> pa.Array | pa.Scalar:
    out = from_numbers(np.asarray(ms, dtype=np.int64) if np.ndim(ms) else int(ms), valid)
    out = (
        pc.cast(out, pa.int64()).cast(TIME)
        if isinstance(out, pa.Array)
        else pa.scalar(out.as_py(), TIME)
    )
    return pc.cast(out, DATE) if as_date else out


def _plus_span(value: pa.Array | pa.Scalar, span: Span) -> pa.Array | pa.Scalar:
    ms, valid = _millis(value)
    ms = np.asarray(ms, dtype=np.int64)
    if np.any(np.asarray(span.months) != 0):
        days, rest = np.floor_divide(ms, DAY_MS), np.mod(ms, DAY_MS)
        ms = shift_months(days, span.months) * DAY_MS + rest
    seconds = np.asarray(span.seconds)
    ms = ms + np.round(seconds * 1000).astype(np.int64)
    whole_days = bool(np.all(np.mod(seconds, 86400) == 0))
    return _temporal_result(ms, valid, kind(value) == "date" and whole_days)


def _temporal(op: str, a: Value, b: Value) -> Value:
    ka, kb = kind(a), kind(b)
    if isinstance(b, Span) and op in "+-":
        return _plus_span(a, b if op == "+" else b.scaled(-1))  # type: ignore[arg-type]
    if isinstance(a, Span) and op == "+":
        return _plus_span(b, a)  # type: ignore[arg-type]
    if kb in ("int", "float") and op in "+-":
        n, ok = numbers(b)  # type: ignore[arg-type]
        step = (86400 if ka == "date" else 1) * (1 if op == "+" else -1)
        return _masked(_plus_span(a, Span(0, np.multiply(n, step))), ok)  # type: ignore[arg-type]
    if op == "-" and kb in ("date", "time"):
        (ma, va), (mb, vb) = _millis(a), _millis(b)  # type: ignore[arg-type]
        unit = DAY_MS if ka == kb == "date" else 1000
        diff = np.floor_divide(np.asarray(ma) - np.asarray(mb), unit)
        return from_numbers(diff, np.logical_and(va, vb))
    raise FormulaTypeError(f"cannot use {op!r} between {noun(a)} and {noun(b)}")


def _masked(value: pa.Array | pa.Scalar, valid: np.ndarray | bool) -> pa.Array | pa.Scalar:
    if isinstance(value, pa.Scalar):
        return value if bool(valid) else pa.scalar(None, value.type)
    return pc.if_else(
        pa.array(np.broadcast_to(valid, len(value))), value, pa.scalar(None, value.type)
    )


def _spans(op: str, a: Value, b: Value) -> Span:
    if isinstance(a, Span) and isinstance(b, Span) and op in "+-":
        sign = 1 if op == "+" else -1
        return Span(a.months + sign * b.months, a.seconds + sign * b.seconds)
    span, other = (a, b) if isinstance(a, Span) else (b, a)
    if op == "*" and kind(other) in ("int", "float"):  # 2 * days(3)
        n: Any = numbers(other)[0]  # type: ignore[arg-type]
        return Span(span.months * n, span.seconds * n)  # type: ignore[union-attr]
    raise FormulaTypeError(f"cannot use {op!r} between {noun(a)} and {noun(b)}")


def _numbers(op: str, a: pa.Array | pa.Scalar, b: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    ints = kind(a) == kind(b) == "int"
    x, vx = numbers(a)
    y, vy = numbers(b)
    valid = np.logical_and(vx, vy)
    with np.errstate(all="ignore"):
        if op == "+":
            out = np.add(x, y)
        elif op == "-":
            out = np.subtract(x, y)
        elif op == "*":
            out = np.multiply(x, y)
        elif op in ("/", "%"):
            zero = np.equal(y, 0)
            valid = np.logical_and(valid, np.logical_not(zero)) if ints else valid
            safe = np.where(zero, 1, y) if ints else y
            if op == "/":
                out = np.floor_divide(x, safe) if ints else np.true_divide(x, safe)
            else:
                out = np.mod(x, safe)
        else:  # **
            negative = np.less(y, 0)
            out = (
                np.power(np.asarray(x, dtype=np.float64), y)
                if not ints or np.any(negative)
                else (np.power(x, y))
            )
    if ints:
        _check_range(op, x, y, valid)
    return from_numbers(out, valid)


_EXACT: dict[str, Any] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "/": lambda x, y: x // y,
    "**": lambda x, y: x**y,
}


def _check_range(op: str, x: Any, y: Any, valid: np.ndarray | bool) -> None:
    """Refuse a whole-number result beyond 64 bits, which numpy would wrap without a word.

    A float shadow of the operation finds the rows that may overflow; only those are
    redone in exact Python integers (Ruby's own bignums), so the common case costs one
    float pass.
    """
    if op not in _EXACT:
        return
    xf, yf = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        shadow = _EXACT[op](xf, yf) if op != "/" else xf / np.where(yf == 0, 1, yf)
        near = np.logical_and(np.abs(shadow) >= 2.0**62, valid)
    if not np.any(near):
        return
    xs, ys, fs, ns = np.broadcast_arrays(*map(np.atleast_1d, (x, y, shadow, near)))
    for row in np.flatnonzero(ns):
        a, b = int(xs[row]), int(ys[row])
        if abs(fs[row]) >= 2.0**64 or not INT_MIN <= _EXACT[op](a, b) <= INT_MAX:
            raise FormulaTypeError(
                f"{a} {op} {b} is beyond the 64-bit whole numbers the output holds "
                f"(make one side a number, like {a}.0 {op} {b})"
            )


def arithmetic(op: str, a: Value, b: Value) -> Value:
    """a op b for + - * / % **, by Ruby's rules (module docstring)."""
    if isinstance(a, Span) or isinstance(b, Span):
        if kind(a) in ("date", "time") or kind(b) in ("date", "time"):
            return _temporal(op, a, b)
        return _spans(op, a, b)
    a, b = plain(a), plain(b)
    ka, kb = kind(a), kind(b)
    if ka in ("date", "time"):
        return _temporal(op, a, b)
    if op == "+" and "str" in (ka, kb):
        return join_text([a, b])
    if op == "*" and ka == "str" and kb == "int":
        n, _ = numbers(b)
        return pc.binary_repeat(
            pc.fill_null(a, ""), np.maximum(n, 0) if np.ndim(n) else max(int(n), 0)
        )
    if "nil" in (ka, kb) and {ka, kb} <= {"nil", "int", "float"}:
        typ = pa.float64() if "float" in (ka, kb) else pa.int64()
        return (
            pa.scalar(None, typ)
            if isinstance(a, pa.Scalar) and isinstance(b, pa.Scalar)
            else (
                pa.nulls(len(a if isinstance(a, pa.Array) else b), typ)  # type: ignore[arg-type]
            )
        )
    if ka in ("int", "float") and kb in ("int", "float"):
        return _numbers(op, a, b)
    raise FormulaTypeError(f"cannot use {op!r} between {noun(a)} and {noun(b)}")


def negate(value: Value) -> Value:
    """-x for numbers and lengths of time."""
    if isinstance(value, Span):
        return value.scaled(-1)
    value = plain(value)
    if kind(value) not in ("int", "float", "nil"):
        raise FormulaTypeError(f"cannot negate {noun(value)}")
    if kind(value) == "nil":
        return value
    try:
        return pc.negate_checked(value)
    except pa.ArrowInvalid:
        raise FormulaTypeError(f"-({INT_MIN}) is beyond the 64-bit whole numbers") from None
