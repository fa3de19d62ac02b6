"""Rows of text assembled from pieces with one Arrow `take`: literals, small tables, columns.

A record (or a composite value such as an email) is a row-wise concatenation of parts:

    literal   the same text in every row              '{"id":'
    Gather    words[indices[r]] in row r              a name pool, a table of digits
    Gather    words[r] in row r (indices None)        a column made row by row

`assemble` puts every part's words and the literals into one string array and takes from it,
row-major, so the output's data buffer is the rows' bytes end to end. That is one C++ gather
per part per row (about 5 ns) instead of an intermediate array per gathered column and an
element-wise join over all of them (issue #11, Speed); a literal next to a small table is
folded into the table's words once, so it costs nothing per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Gather", "Part", "assemble", "clean", "fold", "memo", "offsets_of"]

_LARGE = 1 << 30  # past this many bytes Arrow's 32-bit offsets need large_string
# a literal beside a table is folded into its words: tables are made once per process (pools,
# digits, clock) or are small (a chunk's days), so the fold is memoised or cheap
_FOLD_MAX = 1 << 17


@dataclass(frozen=True, slots=True)
class Gather:
    """Row r's part is words[indices[r]], or words[r] when indices is None. No nulls."""

    words: pa.Array
    indices: np.ndarray | None = None


Part: TypeAlias = "Gather | str"


def offsets_of(arr: pa.Array) -> np.ndarray:
    """A string array's len+1 offsets as numpy (a view; they need not start at 0)."""
    width = np.dtype(np.int64 if pa.types.is_large_string(arr.type) else np.int32)
    buf = arr.buffers()[1]
    return np.frombuffer(buf, width, len(arr) + 1, arr.offset * width.itemsize)


def _data(arr: pa.Array) -> np.ndarray:
    offsets = offsets_of(arr)
    buf = arr.buffers()[2]
    if buf is None or offsets[-1] == offsets[0]:
        return np.zeros(0, np.uint8)
    return np.frombuffer(buf, np.uint8, int(offsets[-1] - offsets[0]), int(offsets[0]))


def _memory(arr: pa.Array) -> tuple:
    """What identifies a table: its type and the memory it views."""
    buffers = (b.address if b is not None else 0 for b in arr.buffers())
    return (str(arr.type), arr.offset, len(arr), *buffers)


class _Memo:
    """Values made once per table (pools and digit tables live as long as the process), keyed
    by the tables' memory. An entry holds its tables, so their memory cannot be reused by
    another array while it is cached; past a byte budget every entry is dropped, so tables
    made per chunk cannot make memory grow with the rows."""

    def __init__(self, budget: int) -> None:
        self.entries: dict[tuple, tuple[tuple[pa.Array, ...], object]] = {}
        self.budget, self.bytes = budget, 0

    def get(self, key: tuple, tables: tuple[pa.Array, ...]) -> object | None:
        # a pool's dictionary comes in a new wrapper each chunk, over the same buffers: the
        # memory identifies the table (it cannot be another's while the entry holds it)
        hit = self.entries.get((*key, *(_memory(t) for t in tables)))
        return None if hit is None else hit[1]

    def put(self, key: tuple, tables: tuple[pa.Array, ...], value: object, size: int) -> None:
        size += sum(t.nbytes for t in tables)
        if self.bytes + size > self.budget:
            self.entries.clear()
            self.bytes = 0
        self.entries[(*key, *(_memory(t) for t in tables))] = (tables, value)
        self.bytes += size


_TABLES = _Memo(64 << 20)  # checks, folds and pairs of tables
_SOURCES = _Memo(64 << 20)  # whole records' concatenated tables


def clean(words: pa.Array) -> bool:
    """Whether no word needs JSON escaping (no quote, backslash or control character); tables
    are checked once per process, columns each time."""
    hit = _TABLES.get(("clean",), (words,))
    if isinstance(hit, bool):
        return hit
    data = _data(words)
    ok = not ((data < 32).any() or (data == 34).any() or (data == 92).any())
    _TABLES.put(("clean",), (words,), ok, 0)
    return ok


def memo(words: pa.Array, key: tuple, make: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`make(words)`, made once per process for a table."""
    hit = _TABLES.get(key, (words,))
    if isinstance(hit, pa.Array):
        return hit
    made = make(words)
    _TABLES.put(key, (words,), made, made.nbytes)
    return made


def fold(before: str, words: pa.Array, after: str) -> pa.Array:
    """`before + word + after` for every word of a table, made once per process and table."""
    if not before and not after:
        return words
    return memo(words, ("fold", before, after),
                lambda w: pc.binary_join_element_wise(before, w, after, ""))  # fmt: skip


def _folded(parts: Sequence[Part], rows: int) -> list[Part]:
    """Adjacent literals merged, and literals folded into a neighbouring table small enough
    that its folded copy costs less than a part per row."""
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
                continue
        merged.append(part)

    def small(p: Part) -> bool:
        return isinstance(p, Gather) and p.indices is not None and len(p.words) <= _FOLD_MAX

    out: list[Part] = []
    for i, part in enumerate(merged):
        if not isinstance(part, str):
            out.append(part)
        elif i + 1 < len(merged) and small(merged[i + 1]):
            nxt = merged[i + 1]
            assert isinstance(nxt, Gather)
            merged[i + 1] = Gather(fold(part, nxt.words, ""), nxt.indices)
        elif out and small(out[-1]):
            prev = out[-1]
            assert isinstance(prev, Gather)
            out[-1] = Gather(fold("", prev.words, part), prev.indices)
        else:
            out.append(part)
    return _paired(out)


_JOINT_MAX = 1 << 15  # words of a table made of two neighbouring tables


def _joint(a: pa.Array, b: pa.Array) -> pa.Array:
    """Every a word followed by every b word: word i * len(b) + j is a[i] + b[j]."""
    hit = _TABLES.get(("joint",), (a, b))
    if isinstance(hit, pa.Array):
        return hit
    la, lb = len(a), len(b)
    left = a.take(np.repeat(np.arange(la, dtype=np.int32), lb))
    right = b.take(np.tile(np.arange(lb, dtype=np.int32), la))
    words = pc.binary_join_element_wise(left, right, "")
    _TABLES.put(("joint",), (a, b), words, words.nbytes)
    return words


def _paired(parts: list[Part]) -> list[Part]:
    """Neighbouring tables whose words' product is small become one table: a part fewer."""
    out: list[Part] = []
    for part in parts:
        prev = out[-1] if out else None
        if (
            isinstance(part, Gather) and isinstance(prev, Gather)
            and part.indices is not None and prev.indices is not None
            and len(prev.words) * len(part.words) <= _JOINT_MAX
        ):  # fmt: skip
            # int32 whatever the indices' own widths (a uint64 beside an int32 would be a float)
            first = prev.indices.astype(np.int32) * np.int32(len(part.words))
            index = np.add(first, part.indices, dtype=np.int32, casting="unsafe")
            out[-1] = Gather(_joint(prev.words, part.words), index)
        else:
            out.append(part)
    return out


def _source(parts: list[Part], rows: int) -> pa.Array:
    """The parts' words and literals in one array; made once per process when every part is
    a table or a literal (then it depends on nothing that changes from chunk to chunk)."""
    literals = [p for p in parts if isinstance(p, str)]
    tables = tuple(p.words for p in parts if isinstance(p, Gather))
    fixed = all(isinstance(p, str) or p.indices is not None for p in parts)
    hit = _SOURCES.get(("source", *literals), tables) if fixed else None
    if isinstance(hit, tuple) and hit[1] * rows < _LARGE:
        return hit[0]
    arrays = [pa.array(literals, pa.string()), *tables]
    longest = sum(len(p.encode()) for p in literals) + sum(
        int(np.diff(offsets_of(p.words)).max()) if p.indices is not None and len(p.words) else 0
        for p in parts if isinstance(p, Gather)
    )  # fmt: skip
    aligned = sum(p.words.nbytes for p in parts if isinstance(p, Gather) and p.indices is None)
    large = sum(a.nbytes for a in arrays) >= _LARGE or longest * rows + aligned >= _LARGE
    kind = pa.large_string() if large else pa.string()
    source = pa.concat_arrays([a.cast(kind) if a.type != kind else a for a in arrays])
    if fixed and not large:  # longest: bytes of a row's longest possible text
        _SOURCES.put(("source", *literals), tables, (source, longest), source.nbytes)
    return source


def _index(parts: list[Part], rows: int, source: pa.Array) -> np.ndarray:
    """Each row's indices into the source, row-major: the take's order."""
    index = np.empty((rows, len(parts)), np.int64 if len(source) >= 1 << 31 else np.int32)
    base, lit = sum(isinstance(p, str) for p in parts), 0
    for p, part in enumerate(parts):
        if isinstance(part, str):
            index[:, p] = lit
            lit += 1
            continue
        if part.indices is None:
            index[:, p] = np.arange(base, base + rows, dtype=index.dtype)
        else:  # one pass over the column: the cast and the offset together
            np.add(part.indices, index.dtype.type(base), out=index[:, p], casting="unsafe")
        base += len(part.words)
    return index.reshape(-1)


def assemble(parts: Sequence[Part], rows: int) -> pa.Array:
    """One string per row: the row's parts end to end. Its bytes are contiguous, so a chunk's
    text is a view of the data buffer (datagen.columns.as_buffer)."""
    parts = _folded(parts, rows)
    if not any(isinstance(p, Gather) for p in parts):
        text = "".join(p for p in parts if isinstance(p, str))
        return pa.array([text] * rows, pa.string())
    if len(parts) == 1:
        only = parts[0]
        assert isinstance(only, Gather)
        return only.words if only.indices is None else only.words.take(only.indices)
    source = _source(parts, rows)
    # the indices are made here and lie in the source: no bounds check (about 15% of the take)
    taken = pc.take(source, _index(parts, rows, source), boundscheck=False)
    offsets = np.ascontiguousarray(offsets_of(taken)[:: len(parts)])
    return pa.Array.from_buffers(
        taken.type, rows, [None, pa.py_buffer(offsets), taken.buffers()[2]]
    )
