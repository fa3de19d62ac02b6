"""Timestamp columns as exact instants, vectorised: (seconds, nanos) as two int64 arrays.

The row path's `parse_instant` is the definition; this is a faster spelling of the same
function for a whole column. The common ISO-8601 layout is parsed with numpy over the
column's bytes,

    YYYY-MM-DD[T ]HH:MM:SS[.fffffffff][Z|±HH:MM]

and every value it does not take (another spelling, an epoch number, a date that does not
exist) goes through `parse_instant` itself, so the result is the same for every value.
Seconds and nanoseconds are two columns because int64 nanoseconds alone cannot hold years
before 1678 or after 2262. A column with a value `parse_instant` refuses, or whose instant
does not fit, gives None: its block then takes the row path, which reports the record.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from mapreduce.timestamps import parse_instant

__all__ = ["column_instants", "text_instants"]

_NS = 1_000_000_000
_INT64 = (-(1 << 63), (1 << 63) - 1)
_JSON_INTS = (-(1 << 63), (1 << 64) - 1)  # beyond, JSON readers differ (orjson: a float)
_PREFIX = 19  # YYYY-MM-DDTHH:MM:SS
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_POW = 10 ** np.arange(8, -1, -1, dtype=np.int64)  # weights of fraction digits 1..9

Instants = tuple[np.ndarray, np.ndarray]


def column_instants(values: list[Any], unit: str) -> Instants | None:
    """Exact instants of decoded JSON values (str, int or float), or None if one fails."""
    try:
        strings = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _by_row(values, unit)
    return text_instants(strings, unit)


def text_instants(strings: pa.Array, unit: str) -> Instants | None:
    """Exact instants of a string column (no nulls), or None if one value fails."""
    if strings.null_count:
        return None
    seconds, nanos, done = _iso(strings)
    for i in np.flatnonzero(~done).tolist():  # spellings the vectorised parser leaves
        exact = _instant(strings[i].as_py(), unit)
        if exact is None:
            return None
        seconds[i], nanos[i] = exact
    return seconds, nanos


def _by_row(values: list[Any], unit: str) -> Instants | None:
    seconds = np.empty(len(values), np.int64)
    nanos = np.empty(len(values), np.int64)
    for i, value in enumerate(values):
        if type(value) is int and not _JSON_INTS[0] <= value <= _JSON_INTS[1]:
            return None  # the row path decides what such a literal is
        exact = _instant(value, unit)
        if exact is None:
            return None
        seconds[i], nanos[i] = exact
    return seconds, nanos


def _instant(value: Any, unit: str) -> tuple[int, int] | None:
    try:
        seconds, nanos = divmod(parse_instant(value, unit), _NS)
    except ValueError:
        return None
    return (seconds, nanos) if _INT64[0] <= seconds <= _INT64[1] else None


def _iso(strings: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(seconds, nanos, done): the instants of the values in the common layout."""
    n = len(strings)
    seconds = np.zeros(n, np.int64)
    nanos = np.zeros(n, np.int64)
    done = np.zeros(n, bool)
    offsets = np.frombuffer(strings.buffers()[1], np.int32, n + 1, strings.offset * 4)
    data_buffer = strings.buffers()[2]
    if data_buffer is None or n == 0:
        return seconds, nanos, done
    data = np.frombuffer(data_buffer, np.uint8)
    starts = offsets[:-1].astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    rows = np.flatnonzero((lengths >= _PREFIX) & (lengths <= _PREFIX + 16))
    if rows.size == 0:
        return seconds, nanos, done
    start, length = starts[rows], lengths[rows]
    full = None
    if len(rows) == n and (lengths == lengths[0]).all():  # one width: a view, no gather
        width = int(lengths[0])
        full = data[starts[0] : starts[0] + n * width].reshape(n, width)
        head = full[:, :_PREFIX]
    else:
        head = np.lib.stride_tricks.sliding_window_view(data, _PREFIX)[start]  # rows, no index
    secs, ok = _prefix_seconds(head)
    if full is not None and full.shape[1] == _PREFIX + 1 and (full[:, _PREFIX] == 90).all():
        frac = zone = np.zeros(n, np.int64)  # all "…SSZ", the common spelling
    else:
        frac, zone, ok2 = _suffix(data, start, length)
        ok &= ok2
    rows, secs, frac, zone = rows[ok], secs[ok], frac[ok], zone[ok]
    seconds[rows] = secs - zone
    nanos[rows] = frac
    done[rows] = True
    return seconds, nanos, done


def _prefix_seconds(head: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds since the epoch of YYYY-MM-DD?HH:MM:SS rows (naive), and which rows are valid."""
    digits = head[:, _DIGITS] - np.uint8(48)  # a byte below "0" wraps around, above 9
    ok = digits.max(axis=1) <= 9
    ok &= (head[:, 4] == 45) & (head[:, 7] == 45) & (head[:, 13] == 58) & (head[:, 16] == 58)
    ok &= (head[:, 10] == 84) | (head[:, 10] == 32)  # "T" or " "
    d = np.ascontiguousarray(digits.T).astype(np.int64)  # a row per digit: fast row arithmetic
    year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]
    month, day, hour, minute, second = (d[i] * 10 + d[i + 1] for i in (4, 6, 8, 10, 12))
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    last_day = _DAYS[np.where(month_ok, month, 1)] + (leap & (month == 2))
    ok &= (year >= 1) & month_ok & (day >= 1) & (day <= last_day)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    days = _days_from_civil(year, month, day)
    return days * 86_400 + (hour * 3_600 + minute * 60 + second), ok


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    yoe = year - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _suffix(
    data: np.ndarray, start: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(nanos of the fraction, zone offset in seconds, valid) of the text after SS."""
    padded = np.concatenate([data, np.zeros(16, np.uint8)])  # windows may run past the end
    windows = np.lib.stride_tricks.sliding_window_view
    end = windows(padded, 6)[start + length - 6].astype(np.int64)  # the last 6 bytes
    z = end[:, 5] == 90  # "Z"
    sign = end[:, 0]
    offset = (length >= _PREFIX + 6) & ((sign == 43) | (sign == 45)) & (end[:, 3] == 58)
    zone_len = np.where(z, 1, np.where(offset, 6, 0))
    digits = [end[:, k] - 48 for k in (1, 2, 4, 5)]
    zone_digits_ok = np.all([(d >= 0) & (d <= 9) for d in digits], axis=0)
    zone_hours, zone_minutes = digits[0] * 10 + digits[1], digits[2] * 10 + digits[3]
    ok = ~offset | (zone_digits_ok & (zone_hours <= 23) & (zone_minutes <= 59))
    zone = np.where(offset, (zone_hours * 3600 + zone_minutes * 60) * (44 - sign), 0)
    frac_len = length - _PREFIX - zone_len  # "." and its digits
    count = frac_len - 1
    has_frac = frac_len > 0
    after = windows(padded, 10)[start + _PREFIX].astype(np.int64)  # "." and 9 digits, if any
    ok &= ~has_frac | ((after[:, 0] == 46) & (count >= 1) & (count <= 9))
    frac_digits = after[:, 1:] - 48
    inside = np.arange(9) < np.where(has_frac, count, 0)[:, None]
    ok &= (~inside | ((frac_digits >= 0) & (frac_digits <= 9))).all(axis=1)
    frac = (np.where(inside, frac_digits, 0) * _POW).sum(axis=1)
    return frac, zone, ok
