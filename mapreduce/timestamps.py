"""Timestamps as exact instants, and the latest-wins merge built on them.

An instant is an `int` of nanoseconds since the Unix epoch (UTC): exact for every
instant from year 0001 to 9999, which a float of seconds is not (at year 9999 a float
cannot tell `.999999` from `.999998`), and beyond int64 where needed. ISO-8601 strings
with `Z` or any `±HH:MM` offset compare as the instants they name, with up to nine
fraction digits honoured (digits past the ninth are dropped); naive strings mean UTC;
a date (`"2024-01-01"`, or a `date` from a Parquet date column) is its midnight UTC;
numbers are epoch seconds (or milliseconds / microseconds with unit="ms" / "us"), read
exactly from their decimal spelling. A *version* is the tuple `(instant, position,
record)`: tuples compare field by field, so `max` picks the latest instant and, on equal
instants, the later input position (DESIGN: ties go to the version that comes later in
the input). Positions are unique, so records are never compared.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["UNITS", "Version", "check_unit", "from_datetime", "latest", "parse_instant"]

Version = tuple[int, int, Any]

UNITS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000}
"""Nanoseconds per unit of an epoch-number timestamp."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_fromisoformat = datetime.fromisoformat


def check_unit(unit: str) -> int:
    """Nanoseconds per `unit`, or ValueError naming the units there are."""
    scale = UNITS.get(unit)
    if scale is None:
        raise ValueError(f"timestamp unit {unit!r} is not one of s, ms, us")
    return scale


def parse_instant(value: object, unit: str = "s") -> int:
    """Return `value` as exact epoch nanoseconds; raise ValueError naming what is wrong.

    >>> parse_instant("2024-01-01T00:00:00Z") == parse_instant("2024-01-01T02:00:00+02:00")
    True
    >>> parse_instant(1704067200123, unit="ms")
    1704067200123000000
    >>> parse_instant("2024-01-01T00:00:00.123456789Z") % 10**9
    123456789
    """
    kind = type(value)
    if kind is str:
        return _parse_text(value, unit)  # type: ignore[arg-type]
    if kind is int:
        return value * check_unit(unit)  # type: ignore[operator]
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"timestamp {value!r} is not a finite number")
        # repr is the shortest spelling that reads back as this float: what was written.
        return _decimal_ns(Decimal(repr(value)), check_unit(unit))
    if isinstance(value, datetime):
        return from_datetime(value)
    if isinstance(value, date):  # as its ISO text "2024-01-01" reads: midnight UTC
        return from_datetime(datetime(value.year, value.month, value.day))
    if value is None:
        raise ValueError("timestamp is null")
    raise ValueError(f"timestamp {value!r} is neither an ISO-8601 string, a date nor a number")


def from_datetime(moment: datetime, extra_ns: int = 0) -> int:
    """Epoch nanoseconds of a datetime (naive means UTC), plus `extra_ns` below a microsecond."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    return seconds * 1_000_000_000 + delta.microseconds * 1_000 + extra_ns


def _parse_text(text: str, unit: str) -> int:
    try:
        parsed = _fromisoformat(text)
    except ValueError:
        return _epoch_text(text, unit)
    return from_datetime(parsed, _sub_microsecond_ns(text))


def _sub_microsecond_ns(text: str) -> int:
    """Nanoseconds from the 7th to 9th fraction digits, which `fromisoformat` drops."""
    dot = text.find(".")
    if dot < 0:
        dot = text.find(",")
        if dot < 0:
            return 0
    end = dot + 1
    while end < len(text) and text[end].isdigit():
        end += 1
    digits = text[dot + 7 : min(end, dot + 10)]
    return int(digits.ljust(3, "0")) if digits else 0


def _epoch_text(text: str, unit: str) -> int:
    """Epoch numbers written as text (CSV has no numbers): "1704067200", "1704067200.5"."""
    stripped = text.strip()
    try:
        number = Decimal(stripped)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not stripped:
        raise ValueError(f"timestamp {text!r} is neither ISO-8601 nor an epoch number")
    return _decimal_ns(number, check_unit(unit))


def _decimal_ns(number: Decimal, scale: int) -> int:
    """Epoch nanoseconds of a decimal number of units, truncated below a nanosecond."""
    return int(number * scale)


latest = max
"""Merge two versions: the later instant wins; equal instants go to the later position."""
