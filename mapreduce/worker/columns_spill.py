"""Columnar spill files (`.arrow`): a fast-path map task's output, by partition and lane.

    [blob][blob]...[blob][footer: JSON][u64 footer length][b"MRCOLS01"]

Each partition has up to four lanes: "null", "int" and "str" are Arrow IPC streams of
one table (a `key` column of that type plus the job's value columns, one row per key,
sorted by key), "pairs" is a pickled list of (key, value) pairs the row path produced
(blocks that took it, keys of other types). The footer names the blobs of every partition and the
input files the rows refer to ({file index: (path, format, CSV header)}), so a reduce
task can read a record back from its position. Reduce tasks tell these files from the
row path's `.spill` files by name. Published like spill files: temp name, CRC-32, `os.replace`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

import orjson
import pyarrow as pa

from mapreduce.worker.spill import SpillFile

__all__ = ["SUFFIX", "ColumnSpillWriter", "is_column_spill", "read_partition"]

SUFFIX = ".arrow"
LANES = ("null", "int", "str", "pairs")
_MAGIC = b"MRCOLS01"
_LENGTH = struct.Struct("<Q")

Lane = tuple[str, Any]  # ("null" | "int" | "str", pa.Table) or ("pairs", [(key, value)])
# an input file's path, format, CSV header and CSV delimiter
Source = tuple[str, str, list[str] | None, str]


def is_column_spill(path: str) -> bool:
    """Whether a spill path names a columnar spill file (else it is a row-path one)."""
    return path.endswith(SUFFIX)


class ColumnSpillWriter:
    """Writes one columnar spill file: `add` lanes partition by partition, then `close`."""

    def __init__(self, path: str, partitions: int, files: Mapping[int, Source]) -> None:
        self.path = path
        self._tmp = f"{path}.tmp-{os.getpid()}"
        self._handle: BinaryIO = open(self._tmp, "wb")  # noqa: SIM115 - closed in close()/abort()
        self._crc = 0
        self._offset = 0
        self._sections: list[list[tuple[str, int, int, int]]] = [[] for _ in range(partitions)]
        self._files = {str(index): list(source) for index, source in files.items()}

    def _write(self, data: bytes | memoryview) -> None:
        self._handle.write(data)
        self._crc = zlib.crc32(data, self._crc)
        self._offset += len(data)

    def add(self, partition: int, lane: str, rows: pa.Table | Sequence[tuple[Any, Any]]) -> None:
        """Append one lane of one partition (a table, or a list for "pairs")."""
        if not len(rows):
            return
        if lane == "pairs":
            blob: bytes | memoryview = pickle.dumps(list(rows), protocol=pickle.HIGHEST_PROTOCOL)
        else:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, rows.schema) as writer:  # type: ignore[union-attr]
                writer.write_table(rows)
            blob = memoryview(sink.getvalue())
        self._sections[partition].append((lane, self._offset, len(blob), len(rows)))
        self._write(blob)

    def close(self) -> SpillFile:
        """Write the footer, publish the file atomically and describe it."""
        footer = orjson.dumps({"files": self._files, "sections": self._sections})
        self._write(footer + _LENGTH.pack(len(footer)) + _MAGIC)
        self._handle.close()
        os.replace(self._tmp, self.path)
        counts = tuple(sum(rows for *_, rows in section) for section in self._sections)
        return SpillFile(self.path, self._offset, self._crc, counts)

    def abort(self) -> None:
        """Drop the unpublished file."""
        self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._tmp)


def read_partition(path: str, partition: int) -> tuple[list[Lane], dict[int, Source]]:
    """One partition's lanes of a columnar spill file, and the input files it refers to."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        tail = len(_MAGIC) + _LENGTH.size
        handle.seek(size - tail)
        trailer = handle.read(tail)
        if size < tail or trailer[_LENGTH.size :] != _MAGIC:
            raise OSError(f"spill file {path} is truncated or not a columnar spill file")
        (length,) = _LENGTH.unpack(trailer[: _LENGTH.size])
        handle.seek(size - tail - length)
        footer = orjson.loads(handle.read(length))
        sections = footer["sections"]
        if not 0 <= partition < len(sections):
            raise OSError(f"spill file {path} has no partition {partition}")
        lanes: list[Lane] = []
        mapped = None
        for lane, offset, size_, _ in sections[partition]:
            blob: bytes | pa.Buffer
            if lane != "pairs" and offset % 8 == 0:  # columns read in place, not copied
                mapped = mapped or pa.memory_map(path)
                mapped.seek(offset)
                blob = mapped.read_buffer(size_)
            else:  # pickled pairs, or columns after them: copied, so Arrow's stay aligned
                handle.seek(offset)
                blob = handle.read(size_)
            rows = pickle.loads(blob) if lane == "pairs" else pa.ipc.open_stream(blob).read_all()
            lanes.append((lane, rows))
    found = footer["files"].items()
    files: dict[int, Source] = {}
    for index, (name, fmt, header, *rest) in found:
        # a spill written before CSV delimiters has no fourth item: its CSV had commas
        files[int(index)] = (name, fmt, header, rest[0] if rest else ",")
    return lanes, files
