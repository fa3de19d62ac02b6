"""The fast path of a map task: blocks of declared columns, map_batch, combine on columns.

    split ─► blocks of whole lines (formats.declared.line_blocks)
          ─► Batch of the declared fields (msgspec / the text itself), or None
          ─► job.map_batch(batch) ─► key and value columns, or None
          ─► a lane per key type, combined on columns (worker.columns)
          ─► one `.arrow` spill file (worker.columns_spill)

A block without a batch, or whose batch map_batch declines, takes the row path: the
same reader and `map_records` loop as any row-path task, over that block's byte range,
so its bad records, errors and rejects are the row path's own. Its pairs go into the
spill's "pairs" lane. `latest` rows carry where their record is (position and length),
never its bytes: the reduce task reads back only the winners.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from mapreduce.errors import JobError
from mapreduce.formats.batch_readers import batch_reader
from mapreduce.formats.declared import Batch, BatchReader
from mapreduce.formats.files import Split
from mapreduce.formats.registry import read_records
from mapreduce.job import Job, Step
from mapreduce.keys import partition_of
from mapreduce.worker.columns import VALUES, combine, lane_of, split_by_partition
from mapreduce.worker.columns_spill import SUFFIX, ColumnSpillWriter, Source
from mapreduce.worker.mapper import MapOutput, map_records
from mapreduce.worker.rejects import Rejects
from mapreduce.worker.spill import SpillFile
from mapreduce.worker.tasks import MapTask

__all__ = ["MapColumns", "fast_reader", "map_blocks"]


def fast_reader(task: MapTask, job: Job) -> BatchReader | None:
    """The batch reader when this task can take the fast path, else None."""
    source = task.source
    if not isinstance(source, Split) or not type(job).has_map_batch():
        return None
    return batch_reader(source, job.declared_fields())


class _RowPairs(MapOutput):
    """The row path's combine table for the blocks that take it; never spills by itself."""

    def __init__(self, task: MapTask, merge: Any) -> None:
        super().__init__(task, merge)
        self.drained: list[tuple[Any, Any]] = []

    def spill(self) -> None:
        self.drained.extend(self.table.items())
        self.table = {}


class MapColumns:
    """A fast-path map task's output: lanes of key and value columns, and row-path pairs."""

    def __init__(self, task: MapTask, step: Step, kind: str) -> None:
        self.task = task
        self.kind = kind
        self.lanes: dict[str, list[pa.Table]] = {"int": [], "str": []}
        self.rows = {"int": 0, "str": 0}
        self.pairs = _RowPairs(task, step.merge)

    def add(self, batch: Batch, columns: Any) -> int:
        """Add map_batch's columns for one batch; return the pairs they stand for."""
        table = self._table(batch, columns)
        lane = lane_of(table["key"])
        self.lanes[lane].append(table)
        self.rows[lane] += len(table)
        if self.rows[lane] >= 4 * self.task.spill_pairs:  # keep memory to about the keys
            self.lanes[lane] = [self._combined(lane)]
            self.rows[lane] = len(self.lanes[lane][0])
        if self.kind == "latest":
            return len(table)
        return int(pc.sum(table["value"]).as_py() or 0)

    def _table(self, batch: Batch, columns: Any) -> pa.Table:
        names = VALUES[self.kind]
        try:
            if self.kind == "latest":
                arrays = [columns["key"], columns["seconds"], columns["nanos"]]
                arrays += [batch.positions, batch.lengths]
            else:
                arrays = [columns["key"], columns["value"]]
            table = pa.table(dict(zip(("key", *names), arrays, strict=True)))
            key = table.schema.field("key")
            if key.type == pa.string():  # one string type, so lanes of all tasks concatenate
                key = key.with_type(pa.large_string())
            table = table.cast(pa.schema([key, *_INT64[self.kind]]))
        except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            need = "key, seconds, nanos" if self.kind == "latest" else "key, value"
            raise JobError(f"map_batch() must return int64 columns {need}: {exc}") from exc
        if self.kind == "latest" and len(table) != len(batch):
            msg = f"map_batch() returned {len(table)} rows for a batch of {len(batch)} records"
            raise JobError(msg)
        return table

    def _combined(self, lane: str) -> pa.Table:
        return combine(self.kind, pa.concat_tables(self.lanes[lane]))

    def spill(self, files: dict[int, Source]) -> tuple[list[SpillFile], int]:
        """Write everything as one columnar spill file (none when there is no output);
        return it with the count of pairs spilled."""
        self.pairs.spill()
        partitions = self.task.partitions
        lanes = {lane: self._combined(lane) for lane, tables in self.lanes.items() if tables}
        pairs = self.pairs.drained
        if not pairs and not any(len(table) for table in lanes.values()):
            return [], 0
        by_partition: list[list[tuple[Any, Any]]] = [[] for _ in range(partitions)]
        for pair in pairs:
            by_partition[partition_of(pair[0], partitions)].append(pair)
        path = os.path.join(self.task.work_dir, f"{self.task.task_id}-000{SUFFIX}")
        writer = ColumnSpillWriter(path, partitions, files)
        try:
            sections = {lane: split_by_partition(t, partitions) for lane, t in lanes.items()}
            for partition in range(partitions):
                for lane, tables in sections.items():
                    writer.add(partition, lane, tables[partition])
                writer.add(partition, "pairs", by_partition[partition])
            spill = writer.close()
        except BaseException:
            writer.abort()
            raise
        return [spill], sum(spill.pairs)


_INT64 = {kind: [pa.field(name, pa.int64()) for name in names] for kind, names in VALUES.items()}


def map_blocks(
    task: MapTask, job: Job, step: Step, reader: BatchReader, rejects: Rejects
) -> tuple[int, int, MapColumns]:
    """Map the task's split block by block; return (records read, pairs emitted, output)."""
    split = task.source
    assert isinstance(split, Split)
    out = MapColumns(task, step, type(job).batch_merge or "")
    read = emitted = 0
    first = True
    for offset, data in reader.blocks(split):
        batch = reader(split, offset, data)
        columns = job.map_batch(batch) if batch is not None else None
        if batch is not None and columns is not None:
            read += len(batch)
            emitted += out.add(batch, columns)
        else:  # the row path for this block's byte range; the first keeps a BOM's rule
            start = split.start if first else offset
            block = dataclasses.replace(split, start=start, end=offset + len(data))
            records = read_records(block, rejects)
            base = split.file.index << 48
            got, pairs = map_records(job, step.map, records, out.pairs, rejects, base)
            read, emitted = read + got, emitted + pairs
        first = False
    return read, emitted, out
