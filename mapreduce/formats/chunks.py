"""The bytes one split reads: its own byte range in chunks, then just enough past its end.

The boundary rule (formats.files.Split) says a split reads past its end only to finish its last
record, so readers read their range sequentially and stop at the first record they do not
own, or take it in CHUNK-sized pieces and ask for more on demand.
A .gz file is one split whose decompressed stream is read the same way, so memory stays
flat however large the file is.

Lines end at b"\\n"; a record's position is the offset of its first byte (in the
decompressed stream for .gz).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from mapreduce.errors import InputError
from mapreduce.formats.files import MAX_OFFSET, InputFile, Split

__all__ = [
    "BOM",
    "CHUNK",
    "READ_METER_ENV",
    "MeteredGzip",
    "chunks_of",
    "first_read",
    "is_utf8",
    "lines_from",
    "metered_bytes",
    "open_bytes",
    "stop_of",
]

# 1 MiB reads: measured faster than one 64 MiB read, whose lines are cold in the cache by
# the time they are parsed, and than the default 8 KiB buffer (benchmarks/bench_readers.py).
CHUNK = 1 << 20
TAIL = 64 << 10  # reads past a split's end usually finish one record
BOM = b"\xef\xbb\xbf"
READ_METER_ENV = "MAPREDUCE_READ_METER"
METER_STEP = 1 << 20  # compressed bytes between two reports (a rename each: cheap)


def open_bytes(file: InputFile) -> BinaryIO:
    """Open a listed input for binary reading with a CHUNK buffer, decompressing .gz."""
    if file.compressed:
        folder = os.environ.get(READ_METER_ENV)
        if folder and os.path.isdir(folder):
            return MeteredGzip(file.path, folder)  # type: ignore[return-value]
        return BoundedGzip(file.path, "rb")  # type: ignore[return-value]
    return open(file.path, "rb", buffering=CHUNK)


class BoundedGzip(gzip.GzipFile):
    """A .gz input whose decompressed stream stops with an error at 1 TiB (MAX_OFFSET):
    its records' positions must stay below it."""

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if self.tell() > MAX_OFFSET:
            msg = f"input {self.name} decompresses to more than 1 TiB; split it into smaller files"
            raise InputError(msg)
        return data


class MeteredGzip(BoundedGzip):
    """A .gz input that keeps, in a file of its own in `folder`, how many compressed bytes
    it has read (every METER_STEP, published by rename so a reader never sees half a
    number); the file goes when the input is closed."""

    def __init__(self, path: str, folder: str) -> None:
        self._raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        super().__init__(fileobj=self._raw, mode="rb")
        self._meter = os.path.join(folder, f"{os.getpid()}-{id(self)}")
        self._reported = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(-1 if size is None else size)
        done = self._raw.tell()
        if done - self._reported >= METER_STEP:
            self._report(done)
        return data

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()
            with contextlib.suppress(OSError):
                os.remove(self._meter)

    def _report(self, done: int) -> None:
        tmp = f"{self._meter}.tmp"
        with contextlib.suppress(OSError):  # a progress report must never fail the read
            with open(tmp, "w", encoding="ascii") as f:
                f.write(str(done))
            os.replace(tmp, self._meter)
        self._reported = done


def metered_bytes(folder: str) -> int:
    """The compressed bytes that the .gz inputs still open in `folder`'s readers have read."""
    total = 0
    with contextlib.suppress(OSError, ValueError):
        for entry in os.scandir(folder):
            if entry.name.endswith(".tmp"):
                continue
            if not _alive(int(entry.name.split("-")[0])):  # a worker killed mid-read
                os.remove(entry.path)
                continue
            with contextlib.suppress(OSError, ValueError):
                total += int(Path(entry.path).read_text(encoding="ascii") or 0)
    return total


def _alive(pid: int) -> bool:
    """Whether process `pid` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_of(split: Split) -> int:
    """The first offset a split does not own: its end, or no limit for a whole .gz stream."""
    return sys.maxsize if split.file.compressed else split.end


def first_read(file: InputFile, offset: int, stop: int) -> int:
    """How many bytes from `offset` to read in the first go: up to the split's end, or one
    chunk of a .gz stream."""
    return CHUNK if file.compressed else stop - offset


def chunks_of(f: BinaryIO, offset: int, size: int) -> Iterator[bytes]:
    """Yield the file's bytes from `offset` to EOF: the first `size` bytes in CHUNK reads, so
    that one chunk ends exactly at offset + size, then reads growing from TAIL to CHUNK.
    The caller has the file open (and may seek between chunks)."""
    step = CHUNK
    while True:
        f.seek(offset)
        data = f.read(min(step, size) if size > 0 else step)
        if not data:
            return
        offset += len(data)
        if size > 0:
            size -= len(data)
            step = CHUNK if size > 0 else TAIL
        else:
            step = min(2 * step, CHUNK)
        yield data


@contextmanager
def lines_from(
    file: InputFile, start: int, stop: int, *, partial: bool = False
) -> Iterator[tuple[Iterable[bytes], int, int]]:
    """The lines (with their b"\\n") from the first line that starts at or after `start`,
    that line's offset, and the offset where the split's own lines end (usually `stop`).
    Readers stop at the first line they do not own.

    A split that does not start at byte 0 reads from start - 1 and skips to the first
    b"\\n": the line starting at `start` is its own only if byte start - 1 ends the one
    before. With `partial`, that first piece (from start - 1) comes first instead. A UTF-8
    BOM is skipped, so the first line starts at byte 3, yet it still belongs to the split
    holding byte 0: no other line can start before byte 4.
    """
    with open_bytes(file) as f:
        if file.compressed:  # one split from byte 0; GzipFile's own lines are slow
            head = f.read(3)
            pos = 3 if head == BOM else 0
            yield chain.from_iterable(_line_blocks(f, head[pos:])), pos, stop
        elif start:
            f.seek(start - 1)
            pos = start - 1 if partial else start - 1 + len(f.readline())
            yield f, pos, stop
        else:
            pos = 3 if f.read(3) == BOM else 0
            f.seek(pos)
            yield f, pos, max(stop, 4) if pos else stop


def _line_blocks(f: BinaryIO, head: bytes) -> Iterator[io.BytesIO]:
    """Whole lines of a stream in CHUNK-sized blocks, each iterable line by line in C."""
    carry = head
    while data := f.read(CHUNK):
        cut = data.rfind(b"\n") + 1
        if cut:
            yield io.BytesIO(carry + data[:cut])
            carry = data[cut:]
        else:
            carry += data
    if carry:
        yield io.BytesIO(carry)


def is_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8 (ASCII is checked first, at memory speed)."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
