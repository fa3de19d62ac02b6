"""Numbers as text pieces (datagen.pieces): digits gathered from small tables, not formatted.

Arrow's cast of a number to text costs about 30 ns per value (ints) and 45 (floats); the
same text as pieces gathered from tables of digit strings costs one part per row each in
the record's assemble. The text is exactly Arrow's (which the output always had):

    ints     -12, 0, 1234567     sign, then the value below 10**5 from one table, or its
                                 ten-thousands (few distinct per chunk) and four last digits
    floats   2793.29, 12, -0     shortest round-trip text, when every value is some whole
                                 number of 10**-d (d <= 4) and below 10**9 in size: then
                                 that decimal, trailing zeros dropped, is the shortest text
                                 (its neighbours at d decimals are 10**-d away, far beyond
                                 half an ulp) and Arrow writes it without an exponent

Anything else (nulls, NaN, larger or finer values) returns None: the caller casts.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa

from datagen.columns import digits
from datagen.pieces import Gather, Part

__all__ = ["float_parts", "int_parts", "number_parts"]

_SIGN = pa.array(["", "-"], pa.string())
_SPLIT = 10**4
_MAX_HIGH_SPAN = 4096  # distinct ten-thousands per chunk made into a table (else: cast)
_MAX_FLOAT = 1e9  # Arrow writes 1e+10 and above with an exponent
_MAX_DECIMALS = 4


def _texts(count: int, pad: int = 1, start: int = 0) -> pa.Array:
    """The texts of start .. start + count - 1 (>= 0), zero-padded to `pad` digits; pad 0
    writes 0 as "". Made by numpy: a table is built once per process, in its first chunk."""
    values = np.arange(start, start + count, dtype=np.int64)
    width = max(len(str(start + count - 1)), pad, 1)
    powers = 10 ** np.arange(1, width + 1, dtype=np.int64)
    own = np.searchsorted(powers, values, side="right") + (values > 0)
    sizes = np.maximum(own, pad)
    keep = np.arange(width)[None, :] >= (width - sizes)[:, None]
    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(sizes, out=offsets[1:])
    data = digits(values, width)[keep]
    return pa.Array.from_buffers(
        pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


@lru_cache(maxsize=8)
def _table(count: int) -> pa.Array:
    """The texts of 0 .. count - 1."""
    return _texts(count)


@lru_cache(maxsize=1)
def _low() -> pa.Array:
    """The last four digits: zero-padded "0000".."9999", then unpadded "0".."9999" for values
    below 10**4 (whose ten-thousands are written as "")."""
    return pa.concat_arrays([_texts(_SPLIT, 4), _texts(_SPLIT)])


@lru_cache(maxsize=1)
def _high() -> pa.Array:
    """Ten-thousands "", "1", "2" ... below _MAX_HIGH_SPAN ("" for values below 10**4)."""
    return _texts(_MAX_HIGH_SPAN, 0)


@lru_cache(maxsize=8)
def _fraction(decimals: int) -> pa.Array:
    """Fractions ".5", ".05" ... of 0 .. 10**decimals - 1 (trailing zeros dropped; 0 is "")."""
    return pa.array(
        [("." + str(i).zfill(decimals)).rstrip("0").rstrip(".") for i in range(10**decimals)]
    )


def _unsigned(values: np.ndarray) -> list[Part] | None:
    """Pieces of non-negative int64 values."""
    top = int(values.max())
    if top < 1 << 14:  # one table, its size a power of two so that chunks share it
        return [Gather(_table(1 << top.bit_length()), values)]
    high = values // _SPLIT
    low = values - high * _SPLIT
    first, last = int(high.min()), int(high.max())
    if last - first >= _MAX_HIGH_SPAN:
        return None
    if last < _MAX_HIGH_SPAN:  # one table for every chunk (row numbers up to 40,960,000)
        words, first = _high(), 0
    else:
        words = _texts(last - first + 1, 0, first)
    if first == 0:
        low = low + np.where(high == 0, _SPLIT, 0)
    return [Gather(words, high - first), Gather(_low(), low)]


def int_parts(values: np.ndarray) -> list[Part] | None:
    """Arrow's text of int64 values as pieces, or None when they span too many digits."""
    if len(values) == 0:
        return None
    negative = values < 0
    if not negative.any():
        return _unsigned(values)
    if int(values.min()) == np.iinfo(np.int64).min:
        return None
    rest = _unsigned(np.abs(values))
    return None if rest is None else [Gather(_SIGN, negative.view(np.int8)), *rest]


def _decimals(values: np.ndarray) -> tuple[int, np.ndarray] | None:
    """The fewest decimals d that write every value exactly, and the values * 10**d."""
    for d in range(_MAX_DECIMALS + 1):
        scale = 10.0**d
        scaled = np.rint(values * scale)
        if (scaled / scale == values).all():
            return d, scaled
    return None


def float_parts(values: np.ndarray) -> list[Part] | None:
    """Arrow's shortest text of float64 values as pieces, or None (see the module's rule)."""
    if len(values) == 0 or not np.isfinite(values).all():
        return None
    if float(np.abs(values).max()) >= _MAX_FLOAT:
        return None
    found = _decimals(values)
    if found is None:
        return None
    d, scaled = found
    whole = np.abs(scaled).astype(np.int64)
    sign = np.signbit(values)  # -0.0 is written "-0", as Arrow does
    parts: list[Part] = [Gather(_SIGN, sign.view(np.int8))] if sign.any() else []
    if d == 0:
        rest = _unsigned(whole)
        return None if rest is None else parts + rest
    scale = 10**d
    rest = _unsigned(whole // scale)
    if rest is None:
        return None
    return [*parts, *rest, Gather(_fraction(d), whole % scale)]


def number_parts(arr: pa.Array) -> list[Part] | None:
    """Pieces of an int64 or float64 column without nulls; None for anything else."""
    if arr.null_count or not (pa.types.is_int64(arr.type) or pa.types.is_float64(arr.type)):
        return None
    values = arr.to_numpy(zero_copy_only=False)
    return int_parts(values) if pa.types.is_int64(arr.type) else float_parts(values)
