"""Time zones of Date/Datetime fields: each instant's UTC offset and abbreviation, per column.

A zone is an IANA name (`America/New_York`, from the system's zone database through
zoneinfo), a fixed offset (`+05:30`, `UTC-8`), or `random` (one of ZONES per row). Offsets
follow daylight saving time: the zone's transitions over the years a column spans are found
once (a day-by-day scan refined to the second) and cached, then each row is one binary
search, so a million instants take milliseconds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa

__all__ = ["ZONES", "Zone", "parse_zone"]

# `random` picks one of these per row: one or two zones of each inhabited offset band
ZONES = (
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Athens",
    "Europe/Moscow", "Africa/Lagos", "Africa/Johannesburg", "Asia/Dubai", "Asia/Kolkata",
    "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "UTC",
)  # fmt: skip
_FIXED = re.compile(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")
DAY = 86400


@dataclass(frozen=True, slots=True)
class _Table:
    starts: np.ndarray  # seconds since 1970 at which each segment begins
    offsets: np.ndarray  # its UTC offset in seconds
    names: pa.Array  # its abbreviation


def _probe(zone: ZoneInfo, t: int) -> tuple[int, str]:
    local = dt.datetime.fromtimestamp(t, zone)
    offset = local.utcoffset()
    return int(offset.total_seconds()) if offset else 0, local.tzname() or ""


@lru_cache(maxsize=128)
def _table(name: str, first_year: int, last_year: int) -> _Table:
    """The zone's offsets from Jan 1 of first_year to the end of last_year."""
    zone = ZoneInfo(name)
    t = int(dt.datetime(first_year, 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC).timestamp())
    current = _probe(zone, t)
    starts, offsets, names = [np.iinfo(np.int64).min], [current[0]], [current[1]]
    while t < end:
        nxt = t + DAY
        seen = _probe(zone, nxt)
        if seen != current:
            lo, hi = t, nxt  # the change happens in (lo, hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if _probe(zone, mid) == current else (lo, mid)
            current = _probe(zone, hi)
            starts.append(hi)
            offsets.append(current[0])
            names.append(current[1])
        t = nxt
    return _Table(np.array(starts, np.int64), np.array(offsets, np.int64), pa.array(names))


@dataclass(frozen=True, slots=True)
class Zone:
    """Where a field's instants are shown: one zone, a fixed offset, or a random zone per row."""

    names: tuple[str, ...]  # IANA names; () for a fixed offset
    fixed: int | None = None  # seconds east of UTC
    label: str = "UTC"

    @property
    def utc(self) -> bool:
        return self.fixed == 0 and not self.names

    @property
    def random(self) -> bool:
        return len(self.names) > 1

    def offsets(
        self, seconds: np.ndarray, choice: np.ndarray | None
    ) -> tuple[np.ndarray, pa.Array]:
        """(UTC offset in seconds, abbreviation) of each instant; `choice` picks random zones."""
        n = len(seconds)
        if self.fixed is not None:
            return np.full(n, self.fixed, np.int64), pa.repeat(pa.scalar(self.label), n)
        if n == 0:
            return np.zeros(0, np.int64), pa.array([], pa.string())
        years = _years(seconds)
        out = np.zeros(n, np.int64)
        names = np.zeros(n, np.int64)
        tables = [_table(z, *years) for z in self.names]
        base = np.cumsum([0] + [len(t.starts) for t in tables])
        for k, table in enumerate(tables):
            rows = slice(None) if choice is None else choice == k
            at = np.searchsorted(table.starts, seconds[rows], side="right") - 1
            out[rows] = table.offsets[at]
            names[rows] = base[k] + at
        every = pa.concat_arrays([t.names for t in tables]) if len(tables) > 1 else tables[0].names
        return out, every.take(pa.array(names))


def _years(seconds: np.ndarray) -> tuple[int, int]:
    lo = dt.datetime.fromtimestamp(int(seconds.min()), dt.UTC).year
    hi = dt.datetime.fromtimestamp(int(seconds.max()), dt.UTC).year
    return lo, hi


def parse_zone(text: str) -> Zone:
    """A zone from an option's text; ValueError says what is wrong."""
    name = text.strip()
    if name.upper() in ("UTC", "GMT", "Z", ""):
        return Zone((), 0, "UTC")
    if name.lower() == "random":
        return Zone(ZONES)
    m = _FIXED.fullmatch(name)
    if m:
        hours, minutes = int(m[2]), int(m[3] or 0)
        if hours > 14 or minutes > 59:
            raise ValueError(f"{text!r} is not a UTC offset (from -14:00 to +14:00)")
        sign = -1 if m[1] == "-" else 1
        label = f"{m[1]}{hours:02d}:{minutes:02d}"
        return Zone((), sign * (hours * 3600 + minutes * 60), label)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{text!r} is not a time zone; use an IANA name like America/New_York, an offset "
            "like +05:30, UTC, or random"
        ) from None
    return Zone((name,))
