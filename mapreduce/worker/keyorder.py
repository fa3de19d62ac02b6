"""Sorting short string keys as integers: the order of their UTF-8 bytes, at numpy's speed.

Keys such as ids and words are short. Up to 15 bytes, a string is two unsigned integers:
its bytes zero-padded to 16, read big-endian, with the length in the low byte of the
second. Comparing those pairs compares the bytes lexicographically, a shorter prefix
first, which for UTF-8 is the code point order of keys.py (Arrow's sort_indices gives
the same order, several times slower on millions of keys).

`key_groups` gives a column's distinct keys in that order and each row's group: hashed,
then only the distinct keys sorted (what a hash group-by and a sort of its result do,
without Arrow's query engine, whose first use in a process costs 15 ms of imports).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["SHORT", "key_groups", "short_string_groups"]

SHORT = 15  # bytes: the length takes the last of the 16


def key_groups(keys: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray] | None:
    """(the distinct keys, sorted; each row's index among them), or None for a column of
    some type other than null holding nulls. A null column is one key."""
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if keys.type == pa.null():
        return pa.nulls(1 if len(keys) else 0), np.zeros(len(keys), np.intp)
    if keys.null_count:
        return None
    encoded = pc.dictionary_encode(keys)
    order = pc.sort_indices(encoded.dictionary)
    rank = np.empty(len(order), np.intp)
    rank[order.to_numpy()] = np.arange(len(order))
    return encoded.dictionary.take(order), rank[encoded.indices.to_numpy()]


def short_string_groups(keys: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(an order that sorts the keys, where each run of one key starts), or None when a
    key is longer than SHORT bytes or the column has nulls. Equal keys come in no
    particular order: callers pick within a run by other columns."""
    if keys.null_count or not len(keys):
        return None
    kind = np.int64 if keys.type == pa.large_string() else np.int32
    size = np.dtype(kind).itemsize
    offsets = np.frombuffer(keys.buffers()[1], kind, len(keys) + 1, keys.offset * size)
    offsets = offsets.astype(np.int64)
    lengths = np.diff(offsets)
    if lengths.max() > SHORT:
        return None
    high, low = _packed(keys.buffers()[2], offsets[:-1], lengths)
    order = np.lexsort((low, high)) if high is not None else np.argsort(low)
    different = low[order][1:] != low[order][:-1]
    if high is not None:
        different |= high[order][1:] != high[order][:-1]
    return order, np.append(0, np.flatnonzero(different) + 1)


def _packed(
    buffer: pa.Buffer | None, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    """The keys as (bytes 0-7, bytes 8-14 and the length), big-endian; the first is None
    when every key fits in the second alone (7 bytes and the length)."""
    data = np.zeros((buffer.size if buffer is not None else 0) + 16, np.uint8)
    if buffer is not None:
        data[: buffer.size] = np.frombuffer(buffer, np.uint8)
    windows = np.lib.stride_tricks.sliding_window_view(data, 8)
    if lengths.max() <= 7:
        return None, _word(windows, starts, lengths) | lengths.astype(np.uint64)
    high = _word(windows, starts, np.minimum(lengths, 8))
    low = _word(windows, starts + 8, np.clip(lengths - 8, 0, 7))
    return high, low | lengths.astype(np.uint64)


_KEEP = np.array([(2**64 - 1) ^ ((1 << (8 * (8 - n))) - 1) for n in range(9)], np.uint64)


def _word(windows: np.ndarray, starts: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The 8 bytes at each start, big-endian, with all but the first `count` zeroed."""
    return windows[starts].view(">u8").ravel().astype(np.uint64) & _KEEP[count]
