"""The fast path of a map task: blocks of declared columns, map_batch, combine on columns.

    splits ─► blocks of whole lines (formats.declared.line_blocks; small packed files'
              records end to end, map_splits)
          ─► Batch of the declared fields (msgspec / the text itself), or None
          ─► job.map_batch(batch) ─► key and value columns, or None
          ─► a lane per key type, combined on columns (worker.columns)
          ─► one `.arrow` spill file (worker.columns_spill)

A block without a batch, or whose batch map_batch declines (or whose numbers an
`aggregate` cannot sum exactly on columns), takes the row path: the same reader and
`map_records` loop as any row-path task, over that block's byte range (a compressed
stream's block from the bytes in hand), so its bad records, errors and rejects are the
row path's own. Its pairs go into the spill's "pairs" lane. `latest` rows carry where
their record is (position and length), never its bytes: the reduce task reads back only
the winners (a compressed input's from the copy of its stream this task wrote).

1 and 1.0 are one key and the first one seen is kept (keys.py); the reduce side merges a
task's columns before its pairs, so once a row-path block yields an integral float key,
the rest of the task takes the row path too and the first one seen stays first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from itertools import islice
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mapreduce.errors import JobError
from mapreduce.formats.batch_readers import batch_reader
from mapreduce.formats.chunks import BOM, held_block
from mapreduce.formats.declared import Batch, BatchReader
from mapreduce.formats.files import Split
from mapreduce.job import Job, Step
from mapreduce.keys import partition_of
from mapreduce.worker.columns import LANES, VALUES, combine, lane_of, split_by_partition
from mapreduce.worker.columns_aggregate import aggregate_rows
from mapreduce.worker.columns_spill import SUFFIX, ColumnSpillWriter, Source
from mapreduce.worker.mapper import MapOutput, map_records, source_records
from mapreduce.worker.rejects import Rejects
from mapreduce.worker.spill import SpillFile
from mapreduce.worker.tasks import MapTask

__all__ = ["MapColumns", "fast_readers", "map_blocks", "map_splits"]


def fast_readers(splits: tuple[Split, ...], job: Job) -> list[BatchReader | None]:
    """The batch reader of each split that can take the fast path, else None. A reader
    that spans files (text, NDJSON) serves every packed file of its format."""
    if not type(job).has_map_batch():
        return [None] * len(splits)
    fields = job.declared_fields()
    shared: dict[tuple[str, bool], BatchReader | None] = {}
    readers = []
    for split in splits:
        kind = (split.file.format, split.file.compressed)
        reader = shared.get(kind)
        if reader is None or not reader.shared:
            reader = shared[kind] = batch_reader(split, fields)
        readers.append(reader)
    return readers


class _RowPairs(MapOutput):
    """The row path's combine table for the blocks that take it; never spills by itself."""

    def __init__(self, task: MapTask, merge: Any) -> None:
        super().__init__(task, merge)
        self.drained: list[tuple[Any, Any]] = []
        self.checked = 0  # keys of self.table has_whole_floats has looked at
        self.whole_floats = False

    def spill(self) -> None:
        self.has_whole_floats()
        self.drained.extend(self.table.items())
        self.table, self.checked = {}, 0

    def has_whole_floats(self) -> bool:
        """Whether a key is a float equal to an int (1.0), which the int lane would meet.
        Only keys added since the last look are read: a dict keeps insertion order."""
        fresh = len(self.table) - self.checked
        if not self.whole_floats and fresh > 0:
            recent = islice(reversed(self.table), fresh)
            self.whole_floats = any(type(key) is float and key.is_integer() for key in recent)
        self.checked = len(self.table)
        return self.whole_floats


class MapColumns:
    """A fast-path map task's output: lanes of key and value columns, and row-path pairs."""

    def __init__(self, task: MapTask, step: Step, kind: str) -> None:
        self.task = task
        self.kind = kind
        self.lanes: dict[str, list[pa.Table]] = {lane: [] for lane in LANES}
        self.rows = dict.fromkeys(LANES, 0)
        self.pairs = _RowPairs(task, step.merge)
        # input index -> a compressed input's decompressed copy in the work dir, which
        # the reduce reads `latest` winners back from (_StreamCopy)
        self.copies: dict[int, str] = {}

    def add(self, batch: Batch, columns: Any) -> int | None:
        """Add map_batch's columns for one batch; return the pairs they stand for, or
        None when they cannot be combined exactly on columns (the row path reads it)."""
        table = self._table(batch, columns)
        if table is None:
            return None
        lane = lane_of(table["key"])
        self.lanes[lane].append(table)
        self.rows[lane] += len(table)
        if self.rows[lane] >= 4 * self.task.spill_pairs:  # keep memory to about the keys
            self.lanes[lane] = [self._combined(lane)]
            self.rows[lane] = len(self.lanes[lane][0])
        if self.kind == "latest":
            return len(table)
        return int(pc.sum(table["count" if self.kind == "aggregate" else "value"]).as_py() or 0)

    def _table(self, batch: Batch, columns: Any) -> pa.Table | None:
        if self.kind == "aggregate":
            return self._aggregate(batch, columns)
        names = VALUES[self.kind]
        try:
            if self.kind == "latest":
                arrays = [columns["key"], columns["seconds"], columns["nanos"]]
                arrays += [batch.positions, batch.lengths]
            else:
                arrays = [columns["key"], columns["value"]]
            table = pa.table(dict(zip(("key", *names), arrays, strict=True)))
            key = table.schema.field("key")
            key = key.with_type(_string_keys(table["key"]).type)
            table = table.cast(pa.schema([key, *_INT64[self.kind]]))
        except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            need = "key, seconds, nanos" if self.kind == "latest" else "key, value"
            raise JobError(f"map_batch() must return int64 columns {need}: {exc}") from exc
        if self.kind == "latest" and len(table) != len(batch):
            msg = f"map_batch() returned {len(table)} rows for a batch of {len(batch)} records"
            raise JobError(msg)
        return table

    def _aggregate(self, batch: Batch, columns: Any) -> pa.Table | None:
        try:
            keys, values = _string_keys(columns["key"]), columns["value"]
            if len(values) != len(batch):  # one number per record, as map() yields
                msg = f"map_batch() returned {len(values)} values for {len(batch)} records"
                raise JobError(msg)
            table = aggregate_rows(keys, values, columns.get("is_int"))
        except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            msg = f"map_batch() must return columns key and value (int64 or float64): {exc}"
            raise JobError(msg) from exc
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
        return [spill], sum(spill.pairs) - _shared_keys(lanes, pairs)


_INT64 = {kind: [pa.field(name, pa.int64()) for name in names] for kind, names in VALUES.items()}


def _shared_keys(lanes: dict[str, pa.Table], pairs: list[tuple[Any, Any]]) -> int:
    """Keys both in a lane and in the pairs: one key each after the row path's combine,
    so pairs_after_combine counts them once."""
    if not pairs:
        return 0
    shared = 0
    for lane, table in lanes.items():
        if lane == "null":
            shared += bool(len(table)) and any(key is None for key, _ in pairs)
            continue
        keys = [found for key, _ in pairs if (found := _lane_key(key, lane)) is not None]
        if keys and len(table):
            try:  # ints beyond 64 bits, lone surrogates: compared in Python instead
                hits = pc.is_in(pa.array(keys, table["key"].type), value_set=table["key"])
                shared += int(pc.sum(hits).as_py() or 0)
            except (pa.ArrowInvalid, OverflowError, UnicodeError):
                shared += len(set(keys) & set(table["key"].to_pylist()))
    return shared


def _lane_key(key: Any, lane: str) -> Any:
    """The pair's key as the lane would hold it (1.0 is the int 1), or None."""
    if lane == "str":
        return key if type(key) is str else None
    if type(key) is float and key.is_integer():
        return int(key)
    return key if type(key) is int else None


def _string_keys(keys: Any) -> Any:
    """Keys with one string type (large_string), so lanes of all tasks concatenate."""
    if isinstance(keys, pa.Array | pa.ChunkedArray) and keys.type == pa.string():
        return keys.cast(pa.large_string())
    return keys


def map_splits(
    splits: tuple[Split, ...],
    readers: list[BatchReader | None],
    job: Job,
    step: Step,
    rejects: Rejects,
    out: MapColumns,
) -> tuple[int, int]:
    """Map a task's splits in order into `out`; return (records read, pairs emitted).

    Consecutive small whole files that their readers read end to end (text, NDJSON, CSV
    files of one header) are mapped as one batch of up to a block, so a folder of 4 KB
    files pays a block's set-up per block, not per file. A file that does not end in a
    line break is mapped alone."""
    read = emitted = held = 0
    joined: list[tuple[Split, int, bytes]] = []
    joiner: BatchReader | None = None  # the reader of the first file in `joined`
    for split, reader in zip(splits, readers, strict=True):
        whole = _whole_file(split, reader)
        fits = (
            whole is not None
            and joiner is not None
            and reader is not None
            and joiner.join_key == reader.join_key
            and held + len(whole[1]) <= joiner.size
        )
        if joined and joiner is not None and not fits:
            got, pairs = _map_joined(joined, joiner, job, step, rejects, out)
            read, emitted, joined, held = read + got, emitted + pairs, [], 0
        if whole is not None:
            if not joined:
                joiner = reader
            joined.append((split, *whole))
            held += len(whole[1])
            continue
        got, pairs = map_blocks(split, job, step, reader, rejects, out)
        read, emitted = read + got, emitted + pairs
    if joined and joiner is not None:
        got, pairs = _map_joined(joined, joiner, job, step, rejects, out)
        read, emitted = read + got, emitted + pairs
    return read, emitted


def _whole_file(split: Split, reader: BatchReader | None) -> tuple[int, bytes] | None:
    """Where a whole small file's records start and their bytes, if its reader may join
    them with other files': one block, ending in a line break."""
    if reader is None or reader.join_key is None or split.start or split.file.compressed:
        return None  # a compressed file's size on disk does not bound its stream's
    if split.file.size > reader.size:
        return None
    blocks = list(reader.blocks(split))
    if len(blocks) != 1:
        return None
    offset, data = reader.body(*blocks[0])
    return (offset, data) if data.endswith(b"\n") else None


def _map_joined(
    joined: list[tuple[Split, int, bytes]],
    reader: BatchReader,
    job: Job,
    step: Step,
    rejects: Rejects,
    out: MapColumns,
) -> tuple[int, int]:
    """Map whole files as one batch, their records end to end (the row path reads each
    file when there is no batch or map_batch declines it)."""
    first, offset, data = joined[0]
    if len(joined) > 1:
        data = b"".join(part for _, _, part in joined)
    batch = None if out.pairs.has_whole_floats() else reader(first, offset, data)
    if batch is not None and len(joined) > 1:
        sizes = np.array([len(part) for _, _, part in joined], np.int64)
        starts = np.concatenate(([0], np.cumsum(sizes[:-1])))
        bases = [split.file.base + at for split, at, _ in joined]
        batch.files = (starts, np.array(bases, np.int64))
    mapped = _on_columns(batch, job, out)
    if mapped is not None:
        return mapped
    return _on_rows([split for split, _, _ in joined], job, step, rejects, out)


def _on_columns(batch: Batch | None, job: Job, out: MapColumns) -> tuple[int, int] | None:
    """Map one batch on columns: (read, emitted), or None when there is no batch, or
    map_batch declines it, or its numbers cannot be summed exactly on columns."""
    columns = job.map_batch(batch) if batch is not None else None
    added = out.add(batch, columns) if batch is not None and columns is not None else None
    return None if batch is None or added is None else (len(batch), added)


def _on_rows(
    pieces: list[Split], job: Job, step: Step, rejects: Rejects, out: MapColumns
) -> tuple[int, int]:
    """Map byte ranges through the row path (the same reader and loop as any row-path
    task, so bad records, errors and rejects are its own) into the task's pairs."""
    read = emitted = 0
    for piece in pieces:
        records, base, _ = source_records(piece, rejects)
        got, pairs = map_records(job, step.map, records, out.pairs, rejects, base)
        read, emitted = read + got, emitted + pairs
    return read, emitted


def _block_on_rows(
    split: Split,
    offset: int,
    data: bytes,
    first: bool,
    job: Job,
    step: Step,
    rejects: Rejects,
    out: MapColumns,
) -> tuple[int, int]:
    """Map one block through the row path: its byte range of the file (the first block
    from the split's start, which keeps a BOM's rule), or a compressed stream's block
    from the bytes in hand."""
    if not split.file.compressed:
        start = split.start if first else offset
        block = dataclasses.replace(split, start=start, end=offset + len(data))
        return _on_rows([block], job, step, rejects, out)
    with held_block(split.file, offset, data):
        block = dataclasses.replace(split, start=offset, end=offset + len(data))
        return _on_rows([block], job, step, rejects, out)


def map_blocks(
    split: Split,
    job: Job,
    step: Step,
    reader: BatchReader | None,
    rejects: Rejects,
    out: MapColumns,
) -> tuple[int, int]:
    """Map one split of the task block by block into `out`; return (records read, pairs
    emitted). Without a reader (a packed file the fast path cannot read) the whole split
    takes the row path."""
    if reader is None:
        return _on_rows([split], job, step, rejects, out)
    read = emitted = 0
    first = True
    with _StreamCopy(split, out) as copy:
        for offset, data in reader.blocks(split):
            copy.write(offset, data)
            batch = None if out.pairs.has_whole_floats() else reader(split, offset, data)
            mapped = _on_columns(batch, job, out)
            if mapped is None:
                mapped = _block_on_rows(split, offset, data, first, job, step, rejects, out)
            read, emitted, first = read + mapped[0], emitted + mapped[1], False
    return read, emitted


class _StreamCopy:
    """The decompressed stream of a compressed input to a `latest` job, copied into the
    work dir as its blocks are read: the reduce reads the winners back from it by position
    (a stream cannot seek), and records where it is in `out.copies`. Nothing otherwise.
    Published by rename once the whole stream is in: a retried task never sees half."""

    def __init__(self, split: Split, out: MapColumns) -> None:
        self.split, self.out = split, out
        self.handle: BinaryIO | None = None
        self.path = ""
        if split.file.compressed and out.kind == "latest":
            task = out.task
            self.path = os.path.join(task.work_dir, f"{task.task_id}-{split.file.index}.input")
            self.handle = open(f"{self.path}.tmp", "wb")  # noqa: SIM115 - closed by __exit__
        self.written = 0

    def write(self, offset: int, data: bytes) -> None:
        if self.handle is None:
            return
        if offset > self.written:  # the stream's BOM, which blocks leave out
            self.handle.write(BOM[: offset - self.written])
        self.handle.write(data)
        self.written = offset + len(data)

    def __enter__(self) -> _StreamCopy:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self.handle is None:
            return
        self.handle.close()
        if kind is None:
            os.replace(f"{self.path}.tmp", self.path)
            self.out.copies[self.split.file.index] = self.path
        else:
            with contextlib.suppress(OSError):
                os.remove(f"{self.path}.tmp")
