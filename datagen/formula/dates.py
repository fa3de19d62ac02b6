"""Date functions of formulas: date(), its parts, epoch, date_diff, lengths of time, format.

Dates are Arrow date32 (whole days) and date-times timestamp[ms] in UTC; see values.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.formula.functions import CallSite, fixed_decimals, function, number, per_value
from datagen.formula.ops import DAY_MS
from datagen.formula.values import (
    DATE,
    TIME,
    FormulaTypeError,
    Span,
    Value,
    format_temporal,
    from_numbers,
    kind,
    noun,
    numbers,
    plain,
)
from datagen.strftime import civil, compile_format

__all__: list[str] = []

# date('7/4/2015') reads Mockaroo's default month/day/year, and ISO dates as its examples do
_DEFAULT_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _temporal(value: Value, what: str) -> Value:
    if kind(value) not in ("date", "time", "nil"):
        raise FormulaTypeError(f"{what} needs a date, got {noun(value)}")
    return plain(value)  # type: ignore[arg-type]


def _parse(text: Value, fmt: str | None) -> Any:
    formats = (fmt,) if fmt else _DEFAULT_FORMATS
    parsed = [pc.strptime(text, format=f, unit="ms", error_is_null=True) for f in formats]
    out = parsed[0] if len(parsed) == 1 else pc.coalesce(*parsed)
    timed = fmt is not None and any(d in fmt for d in ("%H", "%I", "%M", "%S", "%T", "%R"))
    return out if timed else pc.cast(out, DATE)


def _prepare_date(args: list[Any], kwargs: dict[str, Any], services: Any) -> None:
    text, fmt = args[0], (args[1] if len(args) > 1 else None)
    if isinstance(text, str) and not _parse(pa.scalar(text), fmt).is_valid:
        shown = f" with format {fmt!r}" if fmt else " (use month/day/year or year-month-day)"
        raise FormulaTypeError(f"date({text!r}) is not a date{shown}")


@function(
    "date",
    1,
    2,
    "date('7/4/2015') or date('2015-07-04'); date(text, '%d.%m.%Y') with a strptime format",
    prepare=_prepare_date,
)
def _date(site: CallSite, value: Value, fmt: Value | None = None) -> Value:
    if kind(value) in ("date", "time"):
        return pc.cast(plain(value), DATE)  # type: ignore[arg-type]
    if kind(value) not in ("str", "nil"):
        raise FormulaTypeError(f"date needs text or a date, got {noun(value)}")
    pattern = fmt.as_py() if isinstance(fmt, pa.Scalar) else None
    return _parse(plain(value), pattern)  # type: ignore[arg-type]


def _part(name: str, kernel: Any, width: int) -> None:
    def impl(site: CallSite, value: Value, padded: Value | None = None) -> Value:
        value = _temporal(value, name)
        if name in ("hour", "minute", "second") and kind(value) == "date":
            value = pc.cast(value, TIME)  # a date is at midnight
        out = pc.cast(kernel(value), pa.int64())
        if padded is not None and isinstance(padded, pa.Scalar) and padded.as_py():
            return pc.utf8_lpad(pc.cast(out, pa.string()), width, "0")
        return out

    doc = f"{name}(my_date): the {name} as a whole number; {name}(my_date, true) as 2 digits"
    function(name, 1, 2, doc)(impl)


for _name, _kernel in (("year", pc.year), ("month", pc.month), ("day", pc.day)):
    _part(_name, _kernel, 4 if _name == "year" else 2)
for _name, _kernel in (("hour", pc.hour), ("minute", pc.minute), ("second", pc.second)):
    _part(_name, _kernel, 2)


@function("wday", 1, 1, "wday(my_date): day of the week, 0 for Sunday")
def _wday(site: CallSite, value: Value) -> Value:
    return pc.cast(pc.day_of_week(_temporal(value, "wday"), count_from_zero=True, week_start=7),
                   pa.int64())  # fmt: skip


@function("yday", 1, 1, "yday(my_date): day of the year, from 1")
def _yday(site: CallSite, value: Value) -> Value:
    return pc.cast(pc.day_of_year(_temporal(value, "yday")), pa.int64())


def _millis(value: Value) -> tuple[Any, Any]:
    return numbers(pc.cast(pc.cast(_temporal(value, "epoch"), TIME), pa.int64()))


@function("epoch", 1, 1, "epoch(my_datetime): seconds since 1970-01-01 UTC")
def _epoch(site: CallSite, value: Value) -> Value:
    ms, valid = _millis(value)
    return from_numbers(np.floor_divide(ms, 1000), valid)


_UNITS = {"seconds": 1000, "minutes": 60_000, "hours": 3_600_000, "days": DAY_MS,
          "weeks": 7 * DAY_MS, "months": 0, "years": 0}  # fmt: skip


def _prepare_unit(args: list[Any], kwargs: dict[str, Any], services: Any) -> str:
    unit = args[0]
    if not isinstance(unit, str) or unit.lower().rstrip("s") + "s" not in _UNITS:
        raise FormulaTypeError(
            f"date_diff's unit must be one of {', '.join(repr(u) for u in _UNITS)}, got {unit!r}"
        )
    return unit.lower().rstrip("s") + "s"


def _months_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whole calendar months from a to b (days since 1970), toward zero."""
    ya, ma, da = civil(a)
    yb, mb, db = civil(b)
    months = (yb - ya) * 12 + (mb - ma)
    short = np.where(months > 0, db < da, np.where(months < 0, db > da, False))
    return months - np.sign(months) * short


@function(
    "date_diff",
    3,
    3,
    "date_diff('days', from, to): whole seconds, minutes, hours, days, weeks, months or years "
    "from `from` to `to` (negative if `to` is earlier)",
    prepare=_prepare_unit,
)
def _date_diff(site: CallSite, unit: Value, a: Value, b: Value) -> Value:
    (ma, va), (mb, vb) = _millis(a), _millis(b)
    valid = np.logical_and(va, vb)
    name = site.prepared
    if name in ("months", "years"):
        days_a = np.floor_divide(np.asarray(ma), DAY_MS)
        days_b = np.floor_divide(np.asarray(mb), DAY_MS)
        months = _months_between(np.atleast_1d(days_a), np.atleast_1d(days_b))
        out = months if name == "months" else np.trunc(months / 12).astype(np.int64)
        return from_numbers(out if np.ndim(ma) or np.ndim(mb) else out[0], valid)
    diff = np.asarray(mb) - np.asarray(ma)
    return from_numbers(np.trunc(diff / _UNITS[name]).astype(np.int64), valid)


def _span(name: str, months: int, seconds: int) -> None:
    def impl(site: CallSite, amount: Value) -> Span:
        n, valid = numbers(number(amount, name))  # type: ignore[arg-type]
        if not np.all(valid):
            raise FormulaTypeError(f"{name}() of a blank value")
        if months and np.any(np.mod(n, 1) != 0):
            raise FormulaTypeError(f"{name}() needs a whole number")
        return Span(
            np.asarray(n, dtype=np.int64) * months if months else 0, np.multiply(n, seconds)
        )

    function(name, 1, 1, f"my_date + {name}(2): {name} later (also minus)")(impl)


for _name, _months, _seconds in (
    ("years", 12, 0), ("months", 1, 0), ("weeks", 0, 7 * 86400), ("days", 0, 86400),
    ("hours", 0, 3600), ("minutes", 0, 60), ("seconds", 0, 1),
):  # fmt: skip
    _span(_name, _months, _seconds)


def _prepare_format(args: list[Any], kwargs: dict[str, Any], services: Any) -> Any:
    spec = args[1] if len(args) > 1 else None
    if isinstance(spec, str) and "%" in spec:
        try:
            return compile_format(spec)
        except ValueError:
            return None  # a printf format like '%05d'; checked when it runs
    return None


@function(
    "format",
    2,
    2,
    "format(amount, 2) is \"12.50\"; format(my_date, '%Y-%m-%d') (strftime); "
    "format(n, '%05d') (printf)",
    prepare=_prepare_format,
)
def _format(site: CallSite, value: Value, spec: Value) -> Value:
    if not isinstance(spec, pa.Scalar):
        raise FormulaTypeError("format's second argument must be a constant")
    pattern = spec.as_py()
    if kind(value) in ("date", "time"):
        if not isinstance(pattern, str):
            raise FormulaTypeError("formatting a date needs a strftime text like '%Y-%m-%d'")
        return format_temporal(plain(value), site.prepared or compile_format(pattern))  # type: ignore[arg-type]
    if isinstance(pattern, int) and not isinstance(pattern, bool):
        return fixed_decimals(value, pattern)
    if isinstance(pattern, str):
        return _printf(value, pattern)
    raise FormulaTypeError(f"format needs decimals or a format text, got {pattern!r}")


def _printf(value: Value, pattern: str) -> Value:
    """Ruby's format(pattern, value) for one value: %d, %05.2f, %s, %x ..."""
    k = kind(value)
    plain_value = plain(value)  # type: ignore[arg-type]
    convert = {"int": int, "float": float}.get(k, str)

    def one(text: str) -> str:
        try:
            return pattern % convert(text)
        except (TypeError, ValueError) as exc:
            raise FormulaTypeError(f"format {pattern!r} does not fit {text!r}: {exc}") from None

    return per_value(plain_value, one)


def _refuse_clock(args: list[Any], kwargs: dict[str, Any], services: Any) -> None:
    raise FormulaTypeError(
        "now and today would make the output depend on the clock, and datagen's output "
        "depends only on the schema and --seed; use a fixed date like date('2024-06-01')"
    )


for _name in ("now", "today"):
    function(_name, 0, 0, f"{_name}(): refused (see the message)", prepare=_refuse_clock)(
        lambda site: None
    )
