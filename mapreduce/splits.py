"""Inputs and splits: list the input files, plan byte-range splits, read one split's records.

    patterns ─list_inputs─► [InputFile] ─plan_splits─► [Split] ─read_split─► (position, record)
                                             │
                                             └─ counting pass: count_split over each range,
                                                run through map_fn (an executor's map)

The boundary rule: a record belongs to the split its first byte is in. A split skips a
partial first record (unless it starts at byte 0) and reads past its end to finish its
last one. Where a newline does not always end a record (CSV with quoted newlines,
pretty-printed JSON arrays), the counting pass summarises each range (quote parity; JSON
string/escape state and bracket depths) and plan_splits folds the summaries in file order,
so every split knows the state at its first byte. The readers in mapreduce.formats do the
rest. Splits are small descriptors: only they cross process boundaries, never data.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from mapreduce.formats import csvfile, jsonarray, jsonscan, ndjson, parquet, text
from mapreduce.formats.chunks import CHUNK, open_bytes
from mapreduce.formats.inputs import FORMATS, InputFile, list_inputs
from mapreduce.formats.jsonscan import OUTSIDE

__all__ = [
    "FORMATS",
    "InputFile",
    "LineCounter",
    "Split",
    "count_split",
    "describe_position",
    "list_inputs",
    "plan_ranges",
    "plan_splits",
    "read_split",
    "read_split_with_bytes",
]


@dataclass(frozen=True, slots=True)
class Split:
    """A byte range of one input file, plus the parse state at its first byte.

    `string` and `depth` come from the counting pass and stay at their defaults where the
    format needs no state (NDJSON, text, parquet, .gz, a split at byte 0).
    """

    index: int  # position in the plan: by file index, then start
    file: InputFile
    start: int  # byte range [start, end); parquet: row groups; .gz: the whole file
    end: int
    # Where `start` falls (jsonscan.OUTSIDE, INSIDE, ESCAPED, OUT_ESCAPED): csv uses 1 for
    # inside a quoted field; json also tells a byte right after a backslash.
    string: int = OUTSIDE
    depth: tuple[int, int] = (0, 0)  # json: '[' and '{' open at start, outside strings


def plan_splits(
    files: Sequence[InputFile], split_size: int, map_fn: Callable[..., Iterable[Any]] = map
) -> list[Split]:
    """Cut every file into splits of about `split_size` bytes, in input order.

    Empty files give no split, a .gz file one, a parquet file one per group of row groups.
    The counting pass for CSV and JSON arrays runs through `map_fn`, so passing an
    executor's map runs it in parallel.
    """
    if split_size < 1:
        raise ValueError(f"split_size must be at least 1 byte, got {split_size}")
    cuts = {file.index: _cuts(file, split_size) for file in files}
    return _plan(files, cuts, map_fn)


def plan_ranges(
    file: InputFile, cuts: Sequence[int], map_fn: Callable[..., Iterable[Any]] = map
) -> list[Split]:
    """Splits of one file cut at the given offsets (0 < cut < size): plan_splits' per-file
    step for callers that choose the boundaries themselves, such as boundary tests."""
    bounds = [0, *cuts, file.size] if file.size else []
    return _plan([file], {file.index: list(itertools.pairwise(bounds))}, map_fn)


def _cuts(file: InputFile, split_size: int) -> list[tuple[int, int]]:
    """The [start, end) ranges of one file: row groups for parquet, bytes otherwise."""
    if file.size == 0:
        return []
    if file.format == "parquet":
        return parquet.plan_row_groups(file.path, split_size)
    if file.compressed:
        return [(0, file.size)]
    return [(s, min(s + split_size, file.size)) for s in range(0, file.size, split_size)]


def _plan(
    files: Sequence[InputFile],
    ranges: dict[int, list[tuple[int, int]]],
    map_fn: Callable[..., Iterable[Any]],
) -> list[Split]:
    """Number the ranges and resolve each split's start state with one counting pass."""
    bare = [Split(0, file, start, end) for file in files for start, end in ranges[file.index]]
    # The last range of a file never needs a summary: nothing follows it.
    after = [*bare[1:], None]
    tasks = [split for split, nxt in zip(bare, after, strict=False) if _counted(split, nxt)]
    summaries = dict(zip(tasks, map_fn(count_split, tasks), strict=True))
    plan: list[Split] = []
    state: tuple[int, int, int] = (OUTSIDE, 0, 0)
    for split in bare:
        if split.start == 0:
            state = (OUTSIDE, 0, 0)
        plan.append(dataclasses.replace(split, index=len(plan), string=state[0], depth=state[1:]))
        if split in summaries:
            state = _advance(split.file.format, state, summaries[split])
    return plan


def _counted(split: Split, after: Split | None) -> bool:
    """Whether a range needs a summary: CSV or JSON array, with more of its file after it."""
    return (
        split.file.format in ("csv", "json")
        and not split.file.compressed
        and after is not None
        and after.file is split.file
    )


def count_split(split: Split) -> tuple[Any, ...]:
    """The counting pass over one split's bytes (a top-level function for executor.map).

    CSV: (quote parity,). JSON arrays: the state transition summary of jsonscan.summarize.
    """
    if split.file.format == "csv":
        return (csvfile.count_quotes(split.file.path, split.start, split.end),)
    return jsonscan.summarize(split.file.path, split.start, split.end)


def _advance(
    fmt: str, state: tuple[int, int, int], summary: tuple[Any, ...]
) -> tuple[int, int, int]:
    """The state after a range, given the state before it and the range's summary."""
    if fmt == "csv":
        return (state[0] ^ summary[0], 0, 0)
    return jsonscan.advance(state, summary)


_READERS: dict[str, Callable[[Split, Callable[[int, str], None]], Iterator[tuple[int, Any]]]] = {
    "ndjson": ndjson.read,
    "json": jsonarray.read,
    "csv": csvfile.read,
    "parquet": parquet.read,
    "text": text.read,
}


def read_split(split: Split, on_bad: Callable[[int, str], None]) -> Iterator[tuple[int, Any]]:
    """Yield (position, record) for every record that belongs to the split, in file order.

    A malformed record calls on_bad(position, reason); if on_bad returns, the reader skips
    that record and goes on.
    """
    return _READERS[split.file.format](split, on_bad)


def read_split_with_bytes(
    split: Split, on_bad: Callable[[int, str], None]
) -> Iterator[tuple[int, Any, bytes | None]]:
    """Like read_split, yielding (position, record, raw): the record's bytes as read for
    NDJSON (what RawJSON keeps), None for formats whose records are not one JSON text."""
    if split.file.format == "ndjson":
        return ndjson.read_with_bytes(split, on_bad)
    return ((position, record, None) for position, record in read_split(split, on_bad))


def describe_position(file: InputFile, position: int) -> str:
    """A human location for messages: "line 17" (1-based), or "row 17" for parquet.

    Counts the newlines before `position`, so it reads the file's prefix: call it on errors.
    """
    with LineCounter(file) as lines:
        return lines.describe(position)


class LineCounter:
    """Locations of increasing positions in one file, reading each byte at most once.

    A task logging many bad records asks for the line of each; counting from the start of
    the file every time would read it again per record.
    """

    def __init__(self, file: InputFile) -> None:
        self.file = file
        self._handle: BinaryIO | None = None
        self._position = 0
        self._newlines = 0

    def describe(self, position: int) -> str:
        """ "line N" of the record starting at byte `position` ("row N" for parquet)."""
        if self.file.format == "parquet":
            return f"row {position + 1}"
        if self._handle is None or position < self._position:
            self.close()
            self._handle = open_bytes(self.file)
            self._position = self._newlines = 0
        while self._position < position:
            data = self._handle.read(min(CHUNK, position - self._position))
            if not data:
                break
            self._newlines += data.count(b"\n")
            self._position += len(data)
        return f"line {self._newlines + 1}"

    def close(self) -> None:
        """Close the file, if one is open."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> LineCounter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
