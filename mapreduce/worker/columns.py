"""Combine and partition on columns: the fast path's replacement for a dict per record.

A lane is an Arrow table with a `key` column of one type (null, int64 or string) and the
value columns of the job's `batch_merge`:

    "latest"     seconds, nanos, position, length   the row with the max (instant, position)
                                                    per key wins: the row path's tie rule
    "sum"        value                              added up per key
    "aggregate"  count, exact sums, min, max        see worker.columns_aggregate

`combine` leaves one row per key, sorted by key. For one key type the natural order is
the total order of keys.py (numbers by value; strings by code point, which is the byte
order of UTF-8), and `partitions_of` is keys.partition_of's CRC-32 of the same bytes. A
null key (one per lane, a job's grand total) sorts first, as None does in keys.py.
"""

from __future__ import annotations

from itertools import pairwise
from zlib import crc32

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapreduce.errors import JobError
from mapreduce.worker.columns_aggregate import COLUMNS, combine_aggregate
from mapreduce.worker.keyorder import key_groups, short_string_groups

__all__ = ["LANES", "VALUES", "combine", "lane_of", "partitions_of", "split_by_partition"]

VALUES = {
    "latest": ("seconds", "nanos", "position", "length"),
    "sum": ("value",),
    "aggregate": COLUMNS,
}
LANES = ("null", "int", "str")  # the order of keys.py: None, numbers, strings
_ORDER = ("seconds", "nanos", "position")
_SHORT = 24  # strings up to this many bytes get the vectorised CRC-32 (ids, words)


def lane_of(keys: pa.Array | pa.ChunkedArray) -> str:
    """ "null", "int" or "str": the lane a key column belongs to; JobError for others."""
    if keys.type == pa.int64():
        return "int"
    if keys.type in (pa.string(), pa.large_string()):
        return "str"
    if keys.type == pa.null():
        return "null"
    raise JobError(f"map_batch() must return null, int64 or string keys, not {keys.type}")


def combine(kind: str, table: pa.Table) -> pa.Table:
    """One row per key (sorted by key): the latest version, or the sum of the values."""
    if not len(table):
        return table
    if kind == "aggregate":
        return combine_aggregate(table)
    if kind == "sum":
        found = key_groups(table["key"]) if not table["value"].null_count else None
        if found is not None:
            keys, groups = found
            sums = np.zeros(len(keys), np.int64)
            np.add.at(sums, groups, table["value"].to_numpy())
            return pa.table({"key": keys, "value": sums})
        summed = table.group_by("key", use_threads=False).aggregate([("value", "sum")])
        summed = pa.table({"key": summed["key"], "value": summed["value_sum"]})
        if len(summed) < 2:
            return summed  # one key (a null key cannot be sorted, nor needs it)
        return summed.take(pc.sort_indices(summed, sort_keys=[("key", "ascending")]))
    order, first = _grouped(table["key"].combine_chunks())
    sizes = np.diff(np.append(first, len(order)))
    winners = np.ones(len(order), bool)
    for name in _ORDER:  # keep the rows holding their group's max, field by field
        values = table[name].to_numpy()[order]
        candidates = np.where(winners, values, np.iinfo(np.int64).min)
        winners &= values == np.repeat(np.maximum.reduceat(candidates, first), sizes)
        if np.count_nonzero(winners) == len(first):
            break  # one row left per key (positions are unique, so this always ends)
    return table.take(pa.array(order[winners]))


def _grouped(keys: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Row order that sorts the keys, and where each run of one key starts. Rows of one
    key come in no particular order: `combine` picks the winner by its own columns."""
    if keys.type == pa.null():  # one key
        return np.arange(len(keys)), np.zeros(1, np.int64)
    if keys.type == pa.int64():
        numbers = keys.to_numpy()
        order = np.argsort(numbers)  # not "stable": 3x faster, and order within a run is moot
        ordered = numbers[order]
        different = ordered[1:] != ordered[:-1]
        return order, np.append(0, np.flatnonzero(different) + 1)
    short = short_string_groups(keys)
    if short is not None:
        return short
    order = pc.sort_indices(keys).to_numpy()
    ordered = keys.take(pa.array(order))
    different = pc.not_equal(ordered[1:], ordered[:-1]).to_numpy(zero_copy_only=False)
    return order, np.append(0, np.flatnonzero(different) + 1)


def partitions_of(keys: pa.Array | pa.ChunkedArray, partitions: int) -> np.ndarray:
    """Each key's partition, as keys.partition_of computes it: CRC-32 of b"i%d" for an
    int, of the UTF-8 bytes for a string, of b"n" for null, modulo `partitions`."""
    if partitions == 1:
        return np.zeros(len(keys), np.int64)
    if keys.type == pa.null():
        return np.full(len(keys), crc32(b"n") % partitions, np.int64)
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if keys.type == pa.int64():  # at most 20 digits: vectorised over byte positions
        return _crc32(pc.cast(keys, pa.large_string()), b"i") % partitions
    texts = keys.cast(pa.large_string())
    if len(texts) and pc.max(pc.binary_length(texts)).as_py() <= _SHORT:
        return _crc32(texts, b"") % partitions
    codes = [crc32(text) for text in texts.cast(pa.large_binary()).to_pylist()]
    return np.array(codes, np.int64) % partitions


def _crc32_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table.astype(np.uint32)


_CRC = _crc32_table()


def _crc32(texts: pa.Array, prefix: bytes) -> np.ndarray:
    """zlib.crc32(prefix + text) of short strings, one byte position at a time for all."""
    offsets = np.frombuffer(texts.buffers()[1], np.int64, len(texts) + 1, texts.offset * 8)
    data_buffer = texts.buffers()[2]
    data = np.frombuffer(data_buffer, np.uint8) if data_buffer else np.zeros(1, np.uint8)
    starts, lengths = offsets[:-1], np.diff(offsets)
    crc = np.full(len(texts), 0xFFFFFFFF, np.uint32)
    for code in prefix:
        crc = _CRC[(crc ^ code) & 0xFF] ^ (crc >> 8)
    last = len(data) - 1
    for j in range(int(lengths.max(initial=0))):
        byte = data[np.minimum(starts + j, last)]
        crc = np.where(lengths > j, _CRC[(crc ^ byte) & 0xFF] ^ (crc >> 8), crc)
    return (crc ^ np.uint32(0xFFFFFFFF)).astype(np.int64)


def split_by_partition(table: pa.Table, partitions: int) -> list[pa.Table]:
    """The table's rows by partition, each keeping the table's (key) order."""
    where = partitions_of(table["key"], partitions)
    order = np.argsort(where, kind="stable")
    bounds = np.searchsorted(where[order], np.arange(partitions + 1))
    ordered = table.take(pa.array(order))
    return [ordered.slice(lo, hi - lo) for lo, hi in pairwise(bounds.tolist())]
