"""The `aggregate` columns: count, exact int and float sums, min and max per key, on columns.

The row path's value of an aggregate is (count, int_sum, float partials, min, max), with
floats summed exactly (mapreduce.exactsum). On columns the sums stay exact as integers:

    an int v       is v itself, as 32-bit limbs i0 + i1·2^32 + i2·2^64
    a float x      is x·2^112, an integer when 2^-60 <= |x| < 2^60 (or x == 0),
                   as 32-bit limbs f0 … f5 (f5 carries the sign)

Limbs are added per key with int64 sums (exact while a key has fewer than 2^31 rows in
one combine) and carried back into 32 bits after every combine, so they never overflow.
A block holding a float outside that range, -0.0, NaN or infinity is refused here (the
block takes the row path, which reports or sums it its own way). Min and max are kept
per type (imin/imax of the ints, fmin/fmax of the floats) and `row_values` hands the
job's merge() one value per type, so the job's tie rule between 1 and 1.0 decides.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapreduce.errors import JobError
from mapreduce.worker.keyorder import key_groups

__all__ = ["COLUMNS", "aggregate_rows", "combine_aggregate", "row_values"]

INT_LIMBS = ("i0", "i1", "i2")
FLOAT_LIMBS = ("f0", "f1", "f2", "f3", "f4", "f5")
SUMS = ("count", "floats", *INT_LIMBS, *FLOAT_LIMBS)
COLUMNS = (*SUMS, "imin", "imax", "fmin", "fmax")
_MASK = np.int64(0xFFFFFFFF)
_SCALE = 112  # a float x is summed as x·2^112
_LOW = 963  # the biased exponent of 2^-60: x·2^112 = mantissa << (exponent - _LOW)
_IMAX, _IMIN = np.iinfo(np.int64).max, np.iinfo(np.int64).min
_START = {"imin": _IMAX, "imax": _IMIN, "fmin": np.inf, "fmax": -np.inf}  # no value yet
_CHUNK = 1 << 20  # rows per float64 bincount: 2^20 limbs of 32 bits add up exactly
Merge = Callable[[Any, Any], Any]


def aggregate_rows(keys: Any, values: Any, is_int: Any = None) -> pa.Table | None:
    """One block's numbers combined per key (in no particular key order); None when a
    float cannot be summed exactly on columns. `values` is int64 or float64; `is_int`
    marks float64 rows the row path reads as ints (integral, below 2^53)."""
    numbers = values.to_numpy(zero_copy_only=False) if hasattr(values, "to_numpy") else values
    numbers = np.asarray(numbers)
    if numbers.dtype not in (np.int64, np.float64):
        msg = f"map_batch() must return an int64 or float64 column value, not {numbers.dtype}"
        raise JobError(msg)
    group, unique = _groups(keys, len(numbers))
    groups = len(unique)
    parts: list[tuple[np.ndarray, np.ndarray, bool]]  # rows' groups, numbers, are ints
    if numbers.dtype == np.int64 and is_int is None:
        parts = [(group, numbers, True)]
    elif is_int is None:
        parts = [(group, numbers, False)]
    else:
        mask = _mask(is_int, len(numbers))
        parts = [(group[mask], _exact_ints(numbers[mask]), True)]
        parts.append((group[~mask], numbers[~mask], False))
    columns = _empty(groups)
    for where, part, ints in parts:
        sums = _int_sums(where, groups, part) if ints else _float_sums(where, groups, part)
        if sums is None:
            return None
        for name, column in sums.items():
            columns[name] = _extreme(name, columns[name], column)
    return pa.table({"key": unique, **_carried(columns)})


def _empty(groups: int) -> dict[str, np.ndarray]:
    columns = {name: np.zeros(groups, np.int64) for name in SUMS}
    columns["imin"], columns["imax"] = np.full(groups, _IMAX), np.full(groups, _IMIN)
    columns["fmin"], columns["fmax"] = np.full(groups, np.inf), np.full(groups, -np.inf)
    return columns


def _extreme(name: str, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    if name.endswith("min"):
        return np.minimum(old, new)
    return np.maximum(old, new) if name.endswith("max") else old + new


def _groups(keys: Any, rows: int) -> tuple[np.ndarray, pa.Array]:
    """Each row's group number, and the key of every group (hashed, not sorted)."""
    keys = keys if isinstance(keys, pa.Array | pa.ChunkedArray) else pa.array(keys)
    if len(keys) != rows:
        raise JobError(f"map_batch() returned {len(keys)} keys for {rows} values")
    if keys.type == pa.null():
        return np.zeros(rows, np.intp), pa.nulls(1 if rows else 0)
    encoded = pc.dictionary_encode(keys)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.unify_dictionaries().combine_chunks()
    return encoded.indices.to_numpy().astype(np.intp), encoded.dictionary


def _bincount(where: np.ndarray, values: np.ndarray, groups: int) -> np.ndarray:
    """Exact int64 sums per group of values below 2^32 in magnitude: float64 bincounts
    of up to 2^20 rows at a time never round."""
    if groups == 1:  # a grand total: one int64 sum
        return np.array([values.sum(dtype=np.int64)], np.int64)
    total = np.zeros(groups, np.int64)
    for lo in range(0, len(where), _CHUNK):
        chunk = np.bincount(where[lo : lo + _CHUNK], values[lo : lo + _CHUNK], groups)
        total += chunk.astype(np.int64)
    return total


def _count(where: np.ndarray, groups: int) -> np.ndarray:
    if groups == 1:
        return np.array([len(where)], np.int64)
    return np.bincount(where, minlength=groups).astype(np.int64)


def _extremes(where: np.ndarray, groups: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of the values per group (groups without values keep a sentinel)."""
    if groups == 1 and len(values):
        return np.array([values.min()]), np.array([values.max()])
    if values.dtype == np.int64:
        low, high = np.full(groups, _IMAX), np.full(groups, _IMIN)
    else:
        low, high = np.full(groups, np.inf), np.full(groups, -np.inf)
    np.minimum.at(low, where, values)
    np.maximum.at(high, where, values)
    return low, high


def _int_sums(where: np.ndarray, groups: int, ints: np.ndarray) -> dict[str, np.ndarray]:
    found = {"count": _count(where, groups)}
    found["i0"] = _bincount(where, ints & _MASK, groups)
    found["i1"] = _bincount(where, ints >> 32, groups)
    found["imin"], found["imax"] = _extremes(where, groups, ints)
    return found


def _float_sums(where: np.ndarray, groups: int, floats: np.ndarray) -> dict[str, np.ndarray] | None:
    """Count, limb sums, min and max per group of the floats; None when one is out of range.

    x·2^112 = m·2^(e - 963) for x = m·2^(e - 1075), e its biased exponent. When a block's
    exponents span at most 10 (values within a factor of 1000 or so, the common case),
    x·2^(1075 - lowest e) is an integer below 2^63, made by one exact multiplication: its
    two 32-bit halves are added per group and placed at the lowest exponent once per
    group. Otherwise every value is placed into the six limbs first."""
    magnitude = np.abs(floats)
    high = float(magnitude.max(initial=0.0))
    low = float(magnitude.min(initial=np.inf, where=magnitude > 0))
    if not high < 2.0**60 or low < 2.0**-60 or np.signbit(floats[floats == 0]).any():
        return None  # -0.0, tiny, huge, NaN or infinity: the row path's own arithmetic
    found = {"count": _count(where, groups)}
    found["floats"] = found["count"]
    lowest = math.frexp(low)[1] + 1022 if high else _LOW  # the lowest biased exponent
    if high and math.frexp(high)[1] + 1022 - lowest <= 10:
        scaled = (floats * 2.0 ** (1075 - lowest)).astype(np.int64)
        shift = lowest - _LOW
        limbs = _place(_bincount(where, scaled & _MASK, groups), shift)
        limbs += _place(_bincount(where, scaled >> 32, groups), shift + 32)
    elif not high:  # zeros only
        limbs = np.zeros((7, groups), np.int64)
    else:
        limbs = np.stack([_bincount(where, row, groups) for row in _limbs_of(floats)])
    limbs[5] += limbs[6] << 32  # the top limb carries the rest, signed
    found.update(zip(FLOAT_LIMBS, limbs[:6], strict=True))
    found["fmin"], found["fmax"] = _extremes(where, groups, floats)
    return found


def _limbs_of(floats: np.ndarray) -> np.ndarray:
    """7 × n signed 32-bit limbs of each x·2^112 (zero or 2^-60 <= |x| < 2^60)."""
    bits = floats.view(np.uint64)
    biased = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64)
    zero = bits == 0
    mantissa = ((bits & np.uint64((1 << 52) - 1)) | np.uint64(1 << 52)).astype(np.int64)
    mantissa[zero] = 0
    mantissa[bits >> np.uint64(63) == 1] *= -1
    return _place(mantissa, np.where(zero, 0, biased - _LOW))


def _place(values: np.ndarray, shift: Any) -> np.ndarray:
    """7 × n signed 32-bit limbs of values·2^shift (|values| < 2^53, 0 <= shift <= 151)."""
    magnitude = np.abs(values).astype(np.uint64)
    shift = np.broadcast_to(np.asarray(shift, np.int64), magnitude.shape)
    word, r = shift >> 5, (shift & 31).astype(np.uint64)
    low = (magnitude << r) & np.uint64(0xFFFFFFFF)
    middle = (magnitude >> (np.uint64(32) - r)) & np.uint64(0xFFFFFFFF)
    high = np.where(r == 0, np.uint64(0), magnitude >> np.minimum(np.uint64(64) - r, np.uint64(63)))
    limbs = np.zeros((7, len(magnitude)), np.int64)
    rows = np.arange(len(magnitude))
    limbs[word, rows] = low.astype(np.int64)
    limbs[word + 1, rows] = middle.astype(np.int64)
    limbs[word + 2, rows] = high.astype(np.int64)
    return np.where(values < 0, -limbs, limbs)


def _mask(is_int: Any, rows: int) -> np.ndarray:
    if is_int is None:
        return np.zeros(rows, bool)
    mask = is_int.to_numpy(zero_copy_only=False) if hasattr(is_int, "to_numpy") else is_int
    mask = np.asarray(mask, bool)
    if len(mask) != rows:
        raise JobError(f"map_batch() returned {len(mask)} is_int rows for {rows} values")
    return mask


def _exact_ints(values: np.ndarray) -> np.ndarray:
    """The float64 rows marked as ints, as int64; JobError when one is not an exact int."""
    if len(values) and not ((np.floor(values) == values) & (np.abs(values) < 2.0**53)).all():
        raise JobError("map_batch() marked a value is_int that is not an integer below 2^53")
    return values.astype(np.int64)


def combine_aggregate(table: pa.Table) -> pa.Table:
    """One row per key, sorted by key: sums added (limbs carried), min and max kept."""
    found = key_groups(table["key"])
    if found is None:
        return _combine_grouped(table)
    keys, groups = found
    columns = {}
    for name in COLUMNS:
        values = table[name].to_numpy()
        if name in SUMS:
            column = np.zeros(len(keys), np.int64)
            np.add.at(column, groups, values)
        else:
            column = np.full(len(keys), _START[name], values.dtype)
            (np.minimum if name.endswith("min") else np.maximum).at(column, groups, values)
        columns[name] = column
    return pa.table({"key": keys, **_carried(columns)})


def _combine_grouped(table: pa.Table) -> pa.Table:
    """combine_aggregate by Arrow's group-by (a key column holding nulls)."""
    specs = [(name, "sum") for name in SUMS]
    specs += [("imin", "min"), ("imax", "max"), ("fmin", "min"), ("fmax", "max")]
    grouped = table.group_by("key", use_threads=False).aggregate(specs)
    names = [f"{name}_{how}" for name, how in specs]
    if grouped.num_rows > 1:
        grouped = grouped.sort_by("key")
    found = zip(COLUMNS, names, strict=True)
    columns = {name: grouped[column].to_numpy() for name, column in found}
    return pa.table({"key": grouped["key"], **_carried(columns)})


def _carried(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The limbs carried: every one but the last of each sum back in [0, 2^32), so the
    next combine's int64 sums cannot overflow."""
    for limbs in (INT_LIMBS, FLOAT_LIMBS):
        for lower, upper in pairwise(limbs):
            carry = columns[lower] >> 32
            columns[lower] = columns[lower] & _MASK
            columns[upper] = columns[upper] + carry
    return columns


def row_values(table: pa.Table, merge: Merge) -> Iterator[Any]:
    """Each row as the row path's value (count, int_sum, partials, min, max): the ints'
    value and the floats' value, merged by the job's own merge() when a key has both."""
    columns = [table[name].to_pylist() for name in COLUMNS]
    for count, floats, i0, i1, i2, *rest in zip(*columns, strict=True):
        limbs, (imin, imax, fmin, fmax) = rest[:6], rest[6:]
        ints = count - floats
        whole = (ints, i0 + (i1 << 32) + (i2 << 64), (), imin, imax)
        if not floats:
            yield whole
            continue
        scaled = sum(limb << (32 * k) for k, limb in enumerate(limbs))
        part = (floats, 0, partials_of(scaled), fmin, fmax)
        yield merge(whole, part) if ints else part


def partials_of(scaled: int) -> tuple[float, ...]:
    """Non-overlapping floats, smallest first, that add up to exactly scaled·2^-112 (an
    exactsum partials tuple); (0.0,) for zero, as exactsum gives for floats adding to 0."""
    sign, rest = (-1.0 if scaled < 0 else 1.0), abs(scaled)
    partials, shift = [], -_SCALE
    while rest:
        chunk = rest & ((1 << 53) - 1)
        if chunk:
            partials.append(sign * math.ldexp(float(chunk), shift))
        rest >>= 53
        shift += 53
    return tuple(partials) or (0.0,)
