"""Ruby-style strftime over whole columns of timestamps (Mockaroo writes formats like %FT%T%:z).

`compile_format` parses a format once (datagen.timeformat); `render` turns arrays of seconds
into Arrow strings with a handful of table look-ups per directive, so a million dates cost
milliseconds, not a Python `datetime.strftime` call each. Fixed-width formats are tables
gathered per row (datagen.fixedwidth).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.columns import join, number_table
from datagen.fixedwidth import fixed_width, render_parts
from datagen.timeformat import (
    DAYS,
    MONTHS,
    NUMERIC,
    Directive,
    Fields,
    Token,
    civil,
    compile_format,
)

__all__ = ["Directive", "civil", "compile_format", "render", "render_parts"]


def _numeric(values: np.ndarray, width: int, pad: str, flags: str) -> pa.Array:
    if "-" in flags:
        width = 0
    elif "_" in flags:
        pad = " "
    elif "0" in flags:
        pad = "0"
    lo, hi = int(values.min()), int(values.max())
    if lo >= 0 and hi < 10000:
        if pad == "0" or width == 0:
            return number_table(hi + 1, width).take(values)
        table = pa.array([str(i).rjust(width, pad) for i in range(hi + 1)])
        return table.take(values)
    text = pa.array(values).cast(pa.string())
    return pc.utf8_lpad(text, width, pad) if width else text


def _offset_text(offset_minutes: np.ndarray | None, n: int, colons: int) -> pa.Array:
    offs = np.zeros(n, dtype=np.int64) if offset_minutes is None else offset_minutes
    sign = pc.if_else(pa.array(offs < 0), "-", "+")
    hours = number_table(100, 2).take(np.abs(offs) // 60)
    minutes = number_table(60, 2).take(np.abs(offs) % 60)
    return join(sign, hours, ":" if colons else "", minutes)


def _text(
    d: Directive,
    f: Fields,
    epoch: np.ndarray,
    offset_minutes: np.ndarray | None,
    zone_names: pa.Array | None = None,
) -> Token:
    n = len(f.seconds)
    letter = d.letter
    if letter in "Bbh":
        names = MONTHS if letter == "B" else [m[:3] for m in MONTHS]
        return pa.array(names).take(f.get("month") - 1)
    if letter in "Aa":
        names = DAYS if letter == "A" else [w[:3] for w in DAYS]
        return pa.array(names).take(f.get("wday"))
    if letter in "pP":
        names = ["AM", "PM"] if letter == "p" else ["am", "pm"]
        return pa.array(names).take(f.get("hour") // 12)
    if letter == "z":
        return _offset_text(offset_minutes, n, d.colons)
    if letter == "Z":
        if zone_names is not None:
            return zone_names
        if offset_minutes is None or not offset_minutes.any():
            return "UTC"
        return _offset_text(offset_minutes, n, 1)
    if letter == "s":
        return pa.array(epoch).cast(pa.string())
    if letter == "N":
        return join(number_table(1000, 3).take(f.millis), "000000")
    return {"n": "\n", "t": "\t", "%": "%"}[letter]


def render(
    tokens: tuple[Token, ...],
    seconds: np.ndarray,
    *,
    millis: np.ndarray | None = None,
    offset_minutes: np.ndarray | None = None,
    zone_names: pa.Array | None = None,
) -> pa.Array:
    """Format local wall-clock `seconds` (since 1970-01-01) with a compiled format.

    `offset_minutes` is the UTC offset each local time has (for %z, %:z, %Z, %s), and
    `zone_names` the time zone abbreviation %Z writes (EST, CEST ...; else the offset).
    """
    seconds = np.asarray(seconds, dtype=np.int64)
    if len(seconds) == 0:
        return pa.array([], pa.string())
    f = Fields(seconds, millis)
    fast = fixed_width(tokens, f)
    if fast is not None:
        return fast
    epoch = seconds if offset_minutes is None else seconds - offset_minutes * 60
    parts: list[Token] = []
    for tok in tokens:
        if isinstance(tok, str):
            parts.append(tok)
            continue
        if tok.letter in NUMERIC:
            name, width, pad = NUMERIC[tok.letter]
            part: Token = _numeric(f.get(name), width, pad, tok.flags)
        else:
            part = _text(tok, f, epoch, offset_minutes, zone_names)
        if "^" in tok.flags and not isinstance(part, str):
            part = pc.utf8_upper(part)
        parts.append(part)
    if not any(not isinstance(p, str) for p in parts):
        return pa.array(["".join(str(p) for p in parts)] * len(seconds), pa.string())
    return join(*parts)
