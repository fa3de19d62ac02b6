"""Split planning: cut the listed input files into byte-range splits, in input order.

    [InputFile] ─plan_splits─► [Split] ─pack_splits─► [(Split, …)]: one map task each
                     │
                     └─ counting pass: registry.count_split over each range, run through
                        map_fn (an executor's map)

The boundary rule: a record belongs to the split its first byte is in. A split skips a
partial first record (unless it starts at byte 0) and reads past its end to finish its
last one. Where a newline does not always end a record (CSV with quoted newlines,
pretty-printed JSON arrays), the counting pass summarises each range (quote parity; JSON
string/escape state and bracket depths) and the plan folds the summaries in file order,
so every split knows the state at its first byte. The readers in mapreduce.formats do the
rest. Splits are small descriptors: only they cross process boundaries, never data.

Small files are packed: consecutive files that fit in one split each are read by one map
task, up to the split size together. A directory of 5,000 files of 600 bytes took 5,000
tasks before, each with its ledger records, spill file and reader set-up (2 ms of overhead
apiece, 12 s in all); packed, it takes as many tasks as one file of their total size.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mapreduce.formats.files import InputFile, Split
from mapreduce.formats.registry import (
    START,
    State,
    advance,
    count_split,
    format_named,
    needs_count,
)

__all__ = [
    "DEFAULT_SPLIT_SIZE",
    "PLAN",
    "choose_split_size",
    "pack_splits",
    "plan_ranges",
    "plan_splits",
]

DEFAULT_SPLIT_SIZE = 64 * 1024 * 1024
_MIN_AUTO_SPLIT = 1024 * 1024
_SPLITS_PER_WORKER = 2
# How splits become map tasks and positions are numbered, in the run's config: a run
# planned one way is never resumed the other way (its task ids would name other inputs,
# its spills hold positions of another numbering).
PLAN = "small files packed, 40-bit offsets"


def choose_split_size(asked: int | None, total_bytes: int, workers: int) -> int:
    """--split-size as given, or at most 64 MiB, sized so that every worker gets the same
    number of splits, two at least: a lone last split would leave the other workers idle."""
    if asked is not None:
        return asked
    count = max(workers * _SPLITS_PER_WORKER, math.ceil(total_bytes / DEFAULT_SPLIT_SIZE))
    count = math.ceil(count / workers) * workers
    return max(_MIN_AUTO_SPLIT, math.ceil(total_bytes / count))


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


def pack_splits(splits: Sequence[Split], split_size: int) -> list[tuple[Split, ...]]:
    """The map tasks' inputs: each split alone, except that consecutive whole files (the
    one split of their file) go together while their sizes add up to at most
    `split_size`. Input order is kept, within and across tasks."""
    whole = _whole_files(splits)
    tasks: list[tuple[Split, ...]] = []
    group: list[Split] = []
    size = 0
    for split in splits:
        if split.file.index not in whole:
            if group:
                tasks.append(tuple(group))
                group, size = [], 0
            tasks.append((split,))
            continue
        if group and size + split.file.size > split_size:
            tasks.append(tuple(group))
            group, size = [], 0
        group.append(split)
        size += split.file.size
    if group:
        tasks.append(tuple(group))
    return tasks


def _whole_files(splits: Sequence[Split]) -> set[int]:
    """Indexes of the files read by a single split."""
    counts = collections.Counter(split.file.index for split in splits)
    return {index for index, count in counts.items() if count == 1}


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
    ranges = format_named(file.format).ranges
    if ranges is not None:
        return ranges(file.path, split_size)
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
    state: State = START
    for split in bare:
        if split.start == 0:
            state = START
        plan.append(dataclasses.replace(split, index=len(plan), state=state[0], depth=state[1:]))
        if split in summaries:
            state = advance(split.file.format, state, summaries[split])
    return plan


def _counted(split: Split, after: Split | None) -> bool:
    """Whether a range needs a summary: its format has a counting pass, and more of its
    file comes after it."""
    return needs_count(split.file) and after is not None and after.file is split.file
