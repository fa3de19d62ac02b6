"""Date and time types with Mockaroo's option spellings: `mm/dd/yyyy` bounds, strftime formats."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from datagen.strftime import compile_format, render
from datagen.types.options import Options
from datagen.types.registry import Batch, Context, Sampler, field_type

__all__ = ["DEFAULT_RANGE", "instant_range", "parse_instant", "timestamp_range"]

DAY = 86400
DEFAULT_RANGE = ("01/01/2020", "12/31/2024")
_US = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:Z|[+-]00:?00)?)?$")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")

TIME_FORMATS = {
    "12 hour": "%-l:%M %p",
    "24 hour": "%H:%M",
    "12 hour w/seconds": "%-l:%M:%S %p",
    "24 hour w/seconds": "%H:%M:%S",
    "12 hour w/millis": "%-l:%M:%S.%L %p",
    "24 hour w/millis": "%H:%M:%S.%L",
}


def _hour(hour: int, ampm: str | None) -> int:
    """12-hour clock to 24-hour; an hour past 12 with PM (Mockaroo allows "23:00 PM") stays."""
    if ampm is None or hour > 12:
        return hour
    return hour % 12 + (12 if ampm.lower() == "pm" else 0)


def parse_instant(text: str) -> tuple[int, bool]:
    """Seconds since 1970 (UTC) of a Mockaroo date bound, and whether it had a time of day."""
    m = _US.match(text.strip())
    if m:
        month, day, year = int(m[1]), int(m[2]), int(m[3])
        hh, mm, ss, ampm = m[4], m[5], m[6], m[7]
    else:
        m = _ISO.match(text.strip())
        if not m:
            raise ValueError(text)
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        hh, mm, ss, ampm = m[4], m[5], m[6], None
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        raise ValueError(text)
    seconds = calendar.timegm((year, month, day, 0, 0, 0))
    if hh is None:
        return seconds, False
    return seconds + _hour(int(hh), ampm) * 3600 + int(mm) * 60 + int(ss or 0), True


def _bound(opts: Options, key: str, default: str, end_of_day: bool) -> int:
    value = opts.text(key, default)
    try:
        seconds, timed = parse_instant(value)
    except ValueError:
        raise opts.fail(
            key, f"must be a date like 12/31/2024 or 2024-12-31, got {value!r}"
        ) from None
    return seconds + DAY - 1 if end_of_day and not timed else seconds


def instant_range(where: str, values: Mapping[str, Any]) -> tuple[int, int]:
    """The [min, max] seconds a Date/Datetime field spans (max's whole day is included)."""
    opts = Options(where, values)
    lo = _bound(opts, "min", DEFAULT_RANGE[0], False)
    hi = _bound(opts, "max", DEFAULT_RANGE[1], True)
    if lo > hi:
        raise opts.fail(
            "min",
            f"({opts.text('min', '')}) must not be after 'max' ({opts.text('max', '')}); swap them",
        )
    return lo, hi


def timestamp_range(spec: Any) -> tuple[int, int]:
    """The instants a timestamp field spans: its own min/max if it is a Date or Datetime
    field, else the default range (the field is then rewritten by --timestamp-style)."""
    if spec is not None and spec.type in ("Date", "Datetime"):
        return instant_range(spec.where, spec.options)
    return parse_instant(DEFAULT_RANGE[0])[0], parse_instant(DEFAULT_RANGE[1])[0] + DAY - 1


def _formatter(opts: Options, default: str, aliases: Mapping[str, str] | None = None) -> Any:
    fmt = opts.text("format", default)
    fmt = (aliases or {}).get(fmt.lower().strip(), fmt)
    try:
        return compile_format(fmt)
    except ValueError as exc:
        raise opts.fail("format", f"is not a usable strftime format: {exc}") from None


def _datetime(opts: Options, default_format: str) -> Sampler:
    lo, hi = instant_range(opts.where, opts.values)
    tokens = _formatter(opts, default_format)

    def sample(b: Batch) -> pa.Array:
        seconds = b.rng.integers(lo, hi + 1, b.size, dtype=np.int64)
        return render(tokens, seconds, millis=b.rng.integers(0, 1000, b.size))

    return sample


@field_type(
    "Date",
    "Date & Time",
    "dates between min and max",
    ("min=01/01/2020", "max=12/31/2024", "format=%m/%d/%Y"),
)
def date(opts: Options, ctx: Context) -> Sampler:
    return _datetime(opts, "%m/%d/%Y")


@field_type(
    "Datetime",
    "Date & Time",
    "date-times between min and max",
    ("min=01/01/2020", "max=12/31/2024", "format=%Y-%m-%dT%H:%M:%SZ"),
)
def datetime_(opts: Options, ctx: Context) -> Sampler:
    return _datetime(opts, "%Y-%m-%dT%H:%M:%SZ")


def _time_of_day(opts: Options, key: str, default: str) -> int:
    value = opts.text(key, default)
    m = _TIME.match(value.strip())
    if not m or int(m[2]) > 59 or int(m[3] or 0) > 59 or _hour(int(m[1]), m[4]) > 23:
        raise opts.fail(key, f"must be a time like 09:30 AM or 17:45, got {value!r}")
    return _hour(int(m[1]), m[4]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)


@field_type(
    "Time",
    "Date & Time",
    "times of day between min and max",
    ("min=12:00 AM", "max=11:59 PM", "format=12 Hour|24 Hour|... w/seconds|... w/millis|strftime"),
)
def time(opts: Options, ctx: Context) -> Sampler:
    lo = _time_of_day(opts, "min", "12:00 AM")
    hi = _time_of_day(opts, "max", "11:59 PM")
    if lo > hi:
        raise opts.fail(
            "min", f"({opts.text('min', '')}) must not be after 'max' ({opts.text('max', '')})"
        )
    tokens = _formatter(opts, "12 Hour", TIME_FORMATS)

    def sample(b: Batch) -> pa.Array:
        seconds = b.rng.integers(lo, hi + 1, b.size, dtype=np.int64)
        return render(tokens, seconds, millis=b.rng.integers(0, 1000, b.size))

    return sample
