"""Timestamps as comparable instants, and the latest-wins merge built on them.

An instant is a float of seconds since the Unix epoch (UTC). ISO-8601 strings with
`Z` or any `±HH:MM` offset compare as the instants they name; naive strings mean UTC;
numbers are epoch seconds (or milliseconds with unit="ms"). A *version* is the tuple
`(instant, position, record)`: tuples compare field by field, so `max` picks the latest
instant and, on equal instants, the later input position (DESIGN: ties go to the version
that comes later in the input). Positions are unique, so records are never compared.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["Version", "latest", "parse_instant", "version"]

Version = tuple[float, int, Any]

_UTC = UTC
_fromisoformat = datetime.fromisoformat
_UNIT_DIVISOR = {"s": 1, "ms": 1000, "us": 1_000_000}


def parse_instant(value: object, unit: str = "s") -> float:
    """Return `value` as epoch seconds; raise ValueError naming what is wrong with it.

    >>> parse_instant("2024-01-01T00:00:00Z") == parse_instant("2024-01-01T02:00:00+02:00")
    True
    >>> parse_instant(1704067200000, unit="ms")
    1704067200.0
    """
    if type(value) is str:
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            return _epoch_text(value, unit)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=_UTC)
        return parsed.timestamp()
    if type(value) is int or type(value) is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"timestamp {value!r} is not a finite number")
        divisor = _UNIT_DIVISOR.get(unit)
        if divisor is None:
            raise ValueError(f"timestamp unit {unit!r} is not one of s, ms, us")
        return value / divisor if divisor != 1 else float(value)
    if value is None:
        raise ValueError("timestamp is null")
    raise ValueError(f"timestamp {value!r} is neither an ISO-8601 string nor a number")


def _epoch_text(value: str, unit: str) -> float:
    """Epoch numbers written as text (CSV has no numbers): "1704067200", "1704067200.5"."""
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"timestamp {value!r} is neither ISO-8601 nor an epoch number") from None
    return parse_instant(int(number) if number.is_integer() and "." not in value else number, unit)


def version(record: Any, timestamp: object, position: int, unit: str = "s") -> Version:
    """Build the comparable version of `record` stamped `timestamp` at input `position`."""
    return (parse_instant(timestamp, unit), position, record)


latest = max
"""Merge two versions: the later instant wins; equal instants go to the later position."""
