"""The truth file: every key's winning record (NDJSON), sorted by key, with flat memory.

Chunks report their winners in file order, so winners of one key range arrive from every
chunk. They are appended to one spill file per key range (bucket); at the end each bucket is
read back, put in key order and appended to the truth file. Memory holds one bucket at a time.
A failed write (spill or truth file) is one OutputError naming the truth file.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import BinaryIO

import numpy as np

from datagen.chunk import TruthPart
from datagen.errors import DatagenError
from datagen.publish import Target, scratch_dir, write_error

__all__ = ["TruthSpill"]

MAX_BUCKETS = 256
MIN_BUCKET_KEYS = 1 << 16


class TruthSpill:
    """Collects TruthParts and publishes them as one key-sorted NDJSON file."""

    def __init__(self, path: str | Path, keys: int, *, overwrite: bool = True) -> None:
        self.path = path
        self.target = Target(path, "truth file", overwrite=overwrite)
        self.out = self.target.open()  # an unwritable truth path fails before any work
        self.keys = keys
        self.bucket_keys = max(MIN_BUCKET_KEYS, -(-keys // MAX_BUCKETS))
        try:
            self.dir = scratch_dir(path)
        except BaseException:
            self.target.abort()
            raise
        self.files: dict[int, BinaryIO] = {}

    def add(self, part: TruthPart) -> None:
        """Append a chunk's winners to the buckets their keys fall in."""
        try:
            self._add(part)
        except OSError as exc:
            raise write_error("truth file", self.path, exc) from exc

    def _add(self, part: TruthPart) -> None:
        buckets = part.keys // self.bucket_keys
        edges = np.flatnonzero(np.diff(buckets)) + 1
        for lo, hi in zip(np.r_[0, edges], np.r_[edges, len(buckets)], strict=True):
            if lo == hi:
                continue
            bucket = int(buckets[lo])
            if bucket not in self.files:
                self.files[bucket] = open(self.dir / f"{bucket:05d}", "wb")  # noqa: SIM115
            out = self.files[bucket]
            keys = part.keys[lo:hi].astype(np.int64)
            sizes = np.diff(part.offsets[lo : hi + 1]).astype(np.int64)
            body = part.data[part.offsets[lo] : part.offsets[hi]]
            out.write(np.array([len(keys), len(body)], dtype=np.int64).tobytes())
            out.write(keys.tobytes() + sizes.tobytes() + body)

    def _bucket(self, bucket: int) -> list[bytes]:
        data = (self.dir / f"{bucket:05d}").read_bytes()
        first = bucket * self.bucket_keys
        lines: list[bytes | None] = [None] * min(self.bucket_keys, self.keys - first)
        pos = 0
        while pos < len(data):
            count, size = np.frombuffer(data, np.int64, 2, pos)
            keys = np.frombuffer(data, np.int64, count, pos + 16)
            sizes = np.frombuffer(data, np.int64, count, pos + 16 + 8 * count)
            start = pos + 16 + 16 * count
            ends = start + np.cumsum(sizes)
            for k, a, b in zip(keys.tolist(), (ends - sizes).tolist(), ends.tolist(), strict=True):
                lines[k - first] = data[a:b]
            pos = start + int(size)
        missing = [first + i for i, line in enumerate(lines) if line is None]
        if missing:
            raise DatagenError(
                f"truth file is missing key {missing[0] + 1}; this is a bug, please report it"
            )
        return lines  # type: ignore[return-value]

    def finish(self) -> None:
        """Write every bucket in key order to the (still temporary) truth file."""
        try:
            for f in self.files.values():
                f.close()
            for bucket in range(-(-self.keys // self.bucket_keys)):
                self.out.write(b"".join(self._bucket(bucket)))
            self.target.close()
        except OSError as exc:
            raise write_error("truth file", self.path, exc) from exc
        shutil.rmtree(self.dir, ignore_errors=True)

    def commit(self) -> None:
        """Rename the truth file into place."""
        self.target.commit()

    def abort(self) -> None:
        """Drop the spill files and the temporary truth file."""
        for f in self.files.values():
            with contextlib.suppress(OSError):  # a full disk fails the flush too
                f.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.target.abort()
