"""The reduce side of a reduce task: merging or reducing one partition, and publishing it.

With merge(), a partition's values fold into one table in map-task order (so merges see
input order), then keys are sorted under the total order. With reduce(), each spill's
section is already sorted, so a stable k-way merge groups equal keys while streaming; it
reads at most _FAN_IN spills at once, merging larger sets in passes (consecutive groups
into intermediate spill files, so ties keep map-task order).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from mapreduce.errors import JobError, shown
from mapreduce.formats.registry import open_writer
from mapreduce.job import Step
from mapreduce.keys import pair_sort_key, plain_key, sort_key
from mapreduce.worker.spill import SpillFile, SpillWriter, read_frames, read_section
from mapreduce.worker.tasks import ReduceTask

__all__ = ["merged_items", "reduced_records", "write_lines", "write_records"]

_MISSING = object()
# Spill files one merge reads at once, a descriptor each: a k-way merge of every map
# task's spill ran out of descriptors (often 1024, 256 on macOS) past that many tasks.
_FAN_IN = 64


def merged_items(step: Step, task: ReduceTask) -> tuple[list[Any], int]:
    """Merge a partition's pairs into one value per key; return them sorted by key."""
    merge = step.merge
    table: dict[Any, Any] = {}
    get = table.get
    count = 0
    for path in task.spills:  # in map-task order, so merges see input order
        for frame in read_frames(path, task.partition):
            count += len(frame)
            for key, value in frame:
                old = get(key, _MISSING)
                table[key] = value if old is _MISSING else merge(old, value)  # type: ignore[misc]
    # One plain key type: its natural order is the total order, and sorting is faster.
    plain = {type(key) for key in table} in ({str}, {int})
    keys = sorted(table) if plain else sorted(table, key=sort_key)
    return [(key, table[key]) for key in keys], count


def reduced_records(step: Step, task: ReduceTask, counter: list[int]) -> Iterator[Any]:
    """Yield the output records of one partition, in key order."""
    if step.merge is not None:
        items, counter[0] = merged_items(step, task)
        output = step.output
        for key, value in items:
            record = output(plain_key(key), value) if output else {"key": key, "value": value}
            if record is not None:
                yield record
        return
    paths, partition = list(task.spills), task.partition
    passes: list[list[str]] = []
    try:
        while len(paths) > _FAN_IN:
            passes.append(_merge_pass(task, paths, partition, len(passes)))
            paths, partition = passes[-1], 0
        runs = [read_section(path, partition) for path in paths]
        merged = heapq.merge(*runs, key=pair_sort_key)  # stable: earlier runs first on ties
        for key, group in itertools.groupby(merged, key=itemgetter(0)):
            values = _counted_values(group, counter)
            yield from step.reduce(plain_key(key), values)  # type: ignore[misc]
            for _ in values:  # a reduce that stops early still consumes its group
                pass
    finally:
        for path in itertools.chain.from_iterable(passes):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)


def _merge_pass(task: ReduceTask, paths: list[str], partition: int, level: int) -> list[str]:
    """Merge consecutive groups of _FAN_IN sorted runs into one-section spill files, in
    order, beside the task's spills."""
    folder = os.path.dirname(paths[0])
    merged: list[str] = []
    for i in range(0, len(paths), _FAN_IN):
        name = f"{task.task_id}-{task.attempt}-{os.getpid()}-pass{level}-{len(merged)}.spill"
        writer = SpillWriter(os.path.join(folder, name))
        try:
            writer.begin_section()
            runs = [read_section(path, partition) for path in paths[i : i + _FAN_IN]]
            for key, value in heapq.merge(*runs, key=pair_sort_key):
                writer.write(key, value)
            merged.append(writer.close().path)
        except BaseException:
            writer.abort()
            for path in merged:
                os.remove(path)
            raise
    return merged


def _counted_values(group: Iterator[tuple[Any, Any]], counter: list[int]) -> Iterator[Any]:
    for _, value in group:
        counter[0] += 1
        yield value


def write_records(task: ReduceTask, records: Iterator[Any]) -> tuple[SpillFile | None, int]:
    """Publish the records as the task's output file (a part file, or a next-step input)."""
    written = 0
    if task.output_format == "records":
        writer = SpillWriter(task.output_path)
        try:
            writer.begin_section()
            for record in records:
                writer.write(written, record)
                written += 1
            return writer.close(), written
        except BaseException:
            writer.abort()
            raise
    folder, name = os.path.split(task.output_path)
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}")
    part = open_writer(task.output_format, tmp)
    try:
        for record in records:
            try:
                part.write(record)
            except TypeError as exc:  # a value the format cannot hold: the same every attempt
                raise JobError(f"output record {shown(record)}: {exc}") from exc
            written += 1
        try:
            part.close()
        except TypeError as exc:
            raise JobError(f"an output record: {exc}") from exc
        os.replace(tmp, task.output_path)
    except BaseException:
        with contextlib.suppress(Exception):  # the file is dropped: only the first error counts
            part.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    return None, written


def write_lines(task: ReduceTask, chunks: Iterator[tuple[bytes, int]]) -> tuple[None, int]:
    """Publish NDJSON bytes (whole lines, already as the NDJSON writer writes them, each
    chunk with its number of lines) as the task's part file; return the lines written."""
    folder, name = os.path.split(task.output_path)
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}")
    written = 0
    try:
        with open(tmp, "wb") as part:
            for chunk, lines in chunks:
                part.write(chunk)
                written += lines
        os.replace(tmp, task.output_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    return None, written
