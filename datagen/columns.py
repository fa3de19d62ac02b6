"""Column: what a field's sampler hands to the encoders, and Arrow string building blocks.

Generation is column-at-a-time (issue #3, Speed): every value of a field in a chunk is made
by a few numpy/Arrow calls, never by a Python loop over rows. The helpers here build Arrow
string arrays from numpy byte matrices and join them element-wise in C++.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen.pieces import Part, assemble

__all__ = [
    "Column",
    "as_buffer",
    "as_bytes",
    "digits",
    "from_matrix",
    "hex_matrix",
    "join",
    "number_table",
    "with_blanks",
]


# Arrow's string arrays use 32-bit offsets: past ~1 GiB in one chunk we switch to large_string.
_LARGE = 1 << 30


class Column:
    """One field's values for one chunk.

    `values` is typed (int64, float64, bool, string, dictionary of strings or null); blanks
    are nulls. `bare` marks string values that JSON must write unquoted (epoch numbers mixed
    into a timestamp column), so one column can mix numbers and strings as the issue asks.
    `sql` marks SQL expressions, which SQL output writes as they are, unquoted.

    A text column may instead come as `parts` (datagen.pieces, no nulls): then a record's
    assemble gathers those pieces directly, and `values` is assembled only if asked for.
    """

    __slots__ = ("_values", "bare", "parts", "rows", "sql")

    def __init__(
        self, values: pa.Array | None = None, bare: pa.Array | None = None, sql: bool = False,
        *, parts: tuple[Part, ...] | None = None, rows: int = 0,
    ) -> None:  # fmt: skip
        if values is None and parts is None:
            raise ValueError("a Column needs its values or its parts")
        self._values = values
        self.bare, self.sql, self.parts = bare, sql, parts
        self.rows = len(values) if values is not None else rows

    @property
    def values(self) -> pa.Array:
        if self._values is None:
            assert self.parts is not None
            self._values = assemble(self.parts, self.rows)
        return self._values

    @property
    def made(self) -> pa.Array | None:
        """`values` if they exist already (not assembled from `parts` for asking)."""
        return self._values


def from_matrix(mat: np.ndarray, lengths: np.ndarray | None = None) -> pa.Array:
    """Strings from an (n, width) uint8 matrix of ASCII codes; row i keeps lengths[i] bytes."""
    n, width = mat.shape
    if lengths is None:
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
        data = np.ascontiguousarray(mat).reshape(-1)
    else:
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        keep = np.arange(width)[None, :] < np.asarray(lengths)[:, None]
        data = np.ascontiguousarray(mat)[keep]
    if offsets[-1] >= _LARGE:
        return pa.Array.from_buffers(
            pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        )
    offs32 = offsets.astype(np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offs32), pa.py_buffer(data)])


@lru_cache(maxsize=8)
def _digit_table(width: int) -> np.ndarray:
    text = "".join(str(i).zfill(width) for i in range(10**width))
    return np.frombuffer(text.encode(), dtype=np.uint8).reshape(10**width, width)


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints as an (n, width) uint8 matrix."""
    vals = np.asarray(values, dtype=np.int64)
    if width <= 4:
        return _digit_table(width)[vals % 10**width]
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((vals[:, None] // powers[None, :]) % 10 + 48).astype(np.uint8)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_matrix(raw: np.ndarray) -> np.ndarray:
    """Lower-case hex of an (n, k) uint8 matrix as an (n, 2k) uint8 matrix."""
    out = np.empty((raw.shape[0], raw.shape[1] * 2), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 15]
    return out


@lru_cache(maxsize=64)
def number_table(count: int, width: int = 0, start: int = 0) -> pa.Array:
    """The strings of start..start+count-1, zero-padded to width, to `take` from."""
    return pa.array([str(i).zfill(width) for i in range(start, start + count)], pa.string())


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays and literal strings (C++, no row loop)."""
    arrays = [p for p in parts if not isinstance(p, str)]
    if not arrays:
        raise ValueError("join needs at least one array")
    if sum(a.nbytes for a in arrays) >= _LARGE:
        parts = tuple(p if isinstance(p, str) else p.cast(pa.large_string()) for p in parts)
    return pc.binary_join_element_wise(*parts, sep)


def with_blanks(values: pa.Array, blank: np.ndarray | None) -> pa.Array:
    """`values` with nulls where `blank` is true (Mockaroo's percentBlank)."""
    if blank is None or not blank.any():
        return values
    if pa.types.is_dictionary(values.type):
        indices = pc.if_else(pa.array(blank), None, values.indices)
        return pa.DictionaryArray.from_arrays(indices, values.dictionary)
    return pc.if_else(pa.array(blank), pa.scalar(None, values.type), values)


def as_buffer(arr: pa.Array) -> pa.Buffer:
    """The concatenated UTF-8 bytes of a null-free string array, as a view (no copy)."""
    if len(arr) == 0:
        return pa.py_buffer(b"")
    bufs = arr.buffers()
    width = np.dtype(np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    offsets = np.frombuffer(
        bufs[1], dtype=width, count=len(arr) + 1, offset=arr.offset * width.itemsize
    )
    if bufs[2] is None:
        return pa.py_buffer(b"")
    return bufs[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0]))


def as_bytes(arr: pa.Array) -> bytes:
    """The concatenated UTF-8 bytes of a null-free string array (one copy)."""
    return as_buffer(arr).to_pybytes()
